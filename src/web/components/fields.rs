//! The labelled text field and choice every form uses.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub label: AttrValue,
    pub value: AttrValue,
    pub testid: AttrValue,
    #[prop_or_default]
    pub placeholder: AttrValue,
    /// Whose field this is when the visible label does not say (" for gpt-4o"): read
    /// by screen readers only, so several entries' fields are told apart.
    #[prop_or_default]
    pub context: AttrValue,
    pub on_input: Callback<String>,
}

/// A labelled text input that reports every keystroke. Values stay text: the core
/// validates them, so what the user typed is never reformatted under their cursor.
#[function_component(TextField)]
pub fn text_field(props: &FieldProps) -> Html {
    let oninput = props
        .on_input
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    html! {
        <label class="field">
            <span>{ &props.label }
                if !props.context.is_empty() {
                    <span class="visually-hidden">{ &props.context }</span>
                }
            </span>
            <input type="text" spellcheck="false" autocomplete="off" value={props.value.clone()}
                placeholder={props.placeholder.clone()} data-testid={props.testid.clone()} {oninput} />
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct SelectProps {
    pub label: AttrValue,
    pub value: AttrValue,
    pub testid: AttrValue,
    /// (value the settings store, what the reviewer reads)
    pub options: Vec<(String, String)>,
    pub on_change: Callback<String>,
}

/// A labelled choice among fixed settings values.
#[function_component(SelectField)]
pub fn select_field(props: &SelectProps) -> Html {
    let onchange = props
        .on_change
        .reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    html! {
        <label class="field">
            <span>{ &props.label }</span>
            <select data-testid={props.testid.clone()} {onchange}>
                { for props.options.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={*value == props.value.trim()}>{ text }</option>
                }) }
            </select>
        </label>
    }
}
