//! "Map columns": for a CSV whose header matches no export we know, the reviewer says
//! which column holds what. The mapping is saved in the settings under the header line
//! ([`crate::ingest::mapping`] checks it), and the file is read again through it.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::ingest::mapping::MappingText;

#[derive(Properties, PartialEq)]
pub struct MappingFormProps {
    pub header: Vec<String>,
    pub on_save: Callback<MappingText>,
}

/// The roles a column can have: (field, label, which stream it belongs to: "" = both).
const ROLES: [(&str, &str, &str); 12] = [
    ("timestamp", "time (or period start)", ""),
    ("request_id", "request id", "client_requests"),
    ("end_time", "period end", "billing"),
    ("model", "model (or line item)", ""),
    ("status", "status (HTTP code or word)", "client_requests"),
    ("input_tokens", "input tokens", "client_requests"),
    (
        "cached_input_tokens",
        "cached input tokens",
        "client_requests",
    ),
    (
        "cache_write_tokens",
        "cache write tokens",
        "client_requests",
    ),
    ("output_tokens", "output tokens", "client_requests"),
    ("reasoning_tokens", "reasoning tokens", "client_requests"),
    ("amount", "amount", "billing"),
    (
        "currency",
        "currency (else the billing currency)",
        "billing",
    ),
];

fn slot<'a>(m: &'a mut MappingText, field: &str) -> Option<&'a mut String> {
    Some(match field {
        "stream" => &mut m.stream,
        "token_semantics" => &mut m.token_semantics,
        "timestamp" => &mut m.timestamp,
        "end_time" => &mut m.end_time,
        "request_id" => &mut m.request_id,
        "model" => &mut m.model,
        "status" => &mut m.status,
        "input_tokens" => &mut m.input_tokens,
        "cached_input_tokens" => &mut m.cached_input_tokens,
        "cache_write_tokens" => &mut m.cache_write_tokens,
        "output_tokens" => &mut m.output_tokens,
        "reasoning_tokens" => &mut m.reasoning_tokens,
        "amount" => &mut m.amount,
        "currency" => &mut m.currency,
        _ => return None,
    })
}

#[function_component(MappingForm)]
pub fn mapping_form(props: &MappingFormProps) -> Html {
    let draft = use_state(|| MappingText {
        header: props.header.clone(),
        stream: "client_requests".into(),
        token_semantics: "includes_cached".into(),
        ..MappingText::default()
    });
    let set = |field: &'static str| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let mut next = (*draft).clone();
            if let Some(slot) = slot(&mut next, field) {
                *slot = value;
            }
            draft.set(next);
        })
    };
    let choice = |field: &'static str, label: &str, options: Vec<(String, String)>| {
        let current = slot(&mut (*draft).clone(), field)
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
    let stream = draft.stream.clone();
    let onclick = {
        let (draft, on_save) = (draft.clone(), props.on_save.clone());
        Callback::from(move |_| on_save.emit((*draft).clone()))
    };
    html! {
        <div class="mapping" data-testid="mapping-form">
            <p class="hint">{ "Say which column holds what; the mapping is saved with the settings and used for every file with this header." }</p>
            { choice("stream", "the rows are", [pair("client_requests", "requests (token counts)"), pair("billing", "charges (money)")].concat()) }
            if stream == "client_requests" {
                { choice("token_semantics", "the input count", [pair("includes_cached", "include cached tokens (OpenAI style)"), pair("excludes_cached", "exclude cached tokens (Anthropic style)")].concat()) }
            }
            { for ROLES.iter().filter(|(_, _, s)| s.is_empty() || *s == stream).map(|(field, label, _)| choice(field, label, columns())) }
            <button type="button" data-testid="map-save" {onclick}>{ "Save mapping and read again" }</button>
        </div>
    }
}
