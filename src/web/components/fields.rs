//! The labelled text field and choice every form uses.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::error::Error;

/// The message of the settings problem at `path` (`incident_window_utc.end`), if any:
/// shown beside the field it concerns.
pub fn error_at(errors: &[Error], path: &str) -> Option<AttrValue> {
    errors
        .iter()
        .find(|e| e.position.path.as_deref() == Some(path))
        .map(|e| AttrValue::from(e.message.clone()))
}

/// The problem under a field, and the id the field points at with aria-describedby.
fn problem(testid: &AttrValue, error: &Option<AttrValue>) -> (Option<String>, Html) {
    match error {
        None => (None, Html::default()),
        Some(message) => {
            let id = format!("{testid}-error");
            let html = html! {
                <span class="field-error" id={id.clone()} data-testid={format!("{testid}-error")}>{ message.clone() }</span>
            };
            (Some(id), html)
        }
    }
}
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
    /// The settings problem this field has, shown beside it.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// Marks the field as one a review needs.
    #[prop_or_default]
    pub required: bool,
    pub on_input: Callback<String>,
}

/// A labelled text input that reports every keystroke. Values stay text: the core
/// validates them, so what the user typed is never reformatted under their cursor.
#[function_component(TextField)]
pub fn text_field(props: &FieldProps) -> Html {
    let oninput = props
        .on_input
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let (described, problem) = problem(&props.testid, &props.error);
    let invalid = props.error.is_some().then_some("true");
    html! {
        <label class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <span>{ &props.label }
                if !props.context.is_empty() {
                    <span class="visually-hidden">{ &props.context }</span>
                }
                if props.required { <span class="required">{ " (required)" }</span> }
            </span>
            <input type="text" spellcheck="false" autocomplete="off" value={props.value.clone()}
                placeholder={props.placeholder.clone()} data-testid={props.testid.clone()}
                aria-invalid={invalid} aria-describedby={described} {oninput} />
            { problem }
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
    #[prop_or_default]
    pub error: Option<AttrValue>,
    pub on_change: Callback<String>,
}

/// A labelled choice among fixed settings values.
#[function_component(SelectField)]
pub fn select_field(props: &SelectProps) -> Html {
    let onchange = props
        .on_change
        .reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    let (described, problem) = problem(&props.testid, &props.error);
    let invalid = props.error.is_some().then_some("true");
    html! {
        <label class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <span>{ &props.label }</span>
            <select data-testid={props.testid.clone()} aria-invalid={invalid} aria-describedby={described} {onchange}>
                { for props.options.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={*value == props.value.trim()}>{ text }</option>
                }) }
            </select>
            { problem }
        </label>
    }
}
