//! "Map columns": for a CSV whose header matches no export we know, the reviewer says
//! which column holds what. The mapping is saved in the settings under the header line
//! ([`crate::ingest::mapping`] checks it), and the file is read again through it.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::ingest::mapping::{MappedStream, MappingText};

#[derive(Properties, PartialEq)]
pub struct MappingFormProps {
    pub header: Vec<String>,
    pub on_save: Callback<MappingText>,
}

#[function_component(MappingForm)]
pub fn mapping_form(props: &MappingFormProps) -> Html {
    let draft = use_state(|| MappingText::draft(props.header.clone()));
    let set = |field: &'static str| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let mut next = (*draft).clone();
            if let Some(slot) = next.field_mut(field) {
                *slot = value;
            }
            draft.set(next);
        })
    };
    let choice = |field: &'static str, label: &str, options: Vec<(String, String)>| {
        let current = (*draft)
            .clone()
            .field_mut(field)
            .cloned()
            .unwrap_or_default();
        html! {
            <label>
                { label }
                <select data-testid={format!("map-{field}")} onchange={set(field)}>
                    { for options.into_iter().map(|(value, text)| {
                        let selected = value == current;
                        html! { <option {value} {selected}>{ text }</option> }
                    }) }
                </select>
            </label>
        }
    };
    let columns = || {
        std::iter::once((String::new(), "(none)".to_string()))
            .chain(props.header.iter().map(|h| (h.clone(), h.clone())))
            .collect::<Vec<_>>()
    };
    let pair = |a: &str, b: &str| vec![(a.to_string(), b.to_string())];
    let onclick = {
        let (draft, on_save) = (draft.clone(), props.on_save.clone());
        Callback::from(move |_| on_save.emit((*draft).clone()))
    };
    html! {
        <div class="mapping" data-testid="mapping-form">
            <p class="hint">{ "Say which column holds what; the mapping is saved with the settings and used for every file with this header." }</p>
            { choice("stream", "the rows are", [pair(MappedStream::Requests.name(), "requests (token counts)"), pair(MappedStream::Charges.name(), "charges (money)")].concat()) }
            if draft.stream() == Some(MappedStream::Requests) {
                { choice("token_semantics", "the input count", [pair("includes_cached", "include cached tokens (OpenAI style)"), pair("excludes_cached", "exclude cached tokens (Anthropic style)")].concat()) }
            }
            { for draft.roles().map(|role| choice(role.field, role.label, columns())) }
            <button type="button" data-testid="map-save" {onclick}>{ "Save mapping and read again" }</button>
        </div>
    }
}
