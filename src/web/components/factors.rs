//! Named factors: multipliers such as a CometAPI 0.8 discount, a group ratio, batch 0.5.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::scroll::Scroll;

use crate::ratecard::{AppliesTo, FactorText};
use crate::settings::SettingsEdit;

const FIELDS: [(&str, &str); 6] = [
    ("name", "Name"),
    ("value", "Multiplier"),
    ("models", "Models (empty = all)"),
    ("source_url", "Source URL"),
    ("captured_at", "Captured at (UTC)"),
    ("note", "Note"),
];

#[derive(Properties, PartialEq)]
pub struct FactorsProps {
    pub factors: Vec<FactorText>,
    pub on_edit: Callback<SettingsEdit>,
}

#[function_component(Factors)]
pub fn factors(props: &FactorsProps) -> Html {
    let add = props
        .on_edit
        .reform(|_: MouseEvent| SettingsEdit::AddFactor);
    html! {
        <>
            if !props.factors.is_empty() {
                <Scroll label="Factors">
                    <table class="factors">
                        <thead><tr>
                            { for FIELDS.iter().map(|(_, heading)| html! { <th scope="col">{ *heading }</th> }) }
                            <th scope="col">{ "Applies to" }</th><th scope="col">{ "Label" }</th>
                            <th scope="col"><span class="visually-hidden">{ "Remove" }</span></th>
                        </tr></thead>
                        <tbody>
                            { for props.factors.iter().enumerate().map(|(index, factor)| factor_row(index, factor, &props.on_edit)) }
                        </tbody>
                    </table>
                </Scroll>
            }
            <button type="button" class="secondary" data-testid="add-factor" onclick={add}>{ "Add a factor (discount, group ratio, batch…)" }</button>
        </>
    }
}

/// What a screen reader announces for a factor's field: the column and which factor.
fn spoken(heading: &str, index: usize) -> String {
    format!("{heading} of factor {}", index + 1)
}

/// A choice among a factor field's values, each shown in words; the first is what an
/// empty field means.
fn select(
    index: usize,
    field: &'static str,
    heading: &str,
    current: &str,
    options: &[(&'static str, &'static str)],
    on_edit: &Callback<SettingsEdit>,
) -> Html {
    let onchange = on_edit.reform(move |e: Event| {
        SettingsEdit::Factor(
            index,
            field,
            e.target_unchecked_into::<HtmlSelectElement>().value(),
        )
    });
    let current = current.trim().to_ascii_lowercase();
    let current = if current.is_empty() {
        options[0].0.to_string()
    } else {
        current
    };
    html! {
        <select data-testid={format!("factor-{}", field.replace('_', "-"))} aria-label={spoken(heading, index)} {onchange}>
            { for options.iter().map(|(value, words)| html! {
                <option value={*value} selected={current == *value}>{ *words }</option>
            }) }
        </select>
    }
}

fn applies_words(applies: AppliesTo) -> &'static str {
    match applies {
        AppliesTo::All => "all prices",
        AppliesTo::Tokens => "token prices only",
        AppliesTo::Calls => "per-call prices only",
    }
}

fn factor_row(index: usize, factor: &FactorText, on_edit: &Callback<SettingsEdit>) -> Html {
    let cell = |&(field, heading): &(&'static str, &str)| {
        let oninput = on_edit.reform(move |e: InputEvent| {
            SettingsEdit::Factor(
                index,
                field,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            )
        });
        html! {
            <td><input type="text" spellcheck="false" autocomplete="off" value={factor.field(field)}
                data-testid={format!("factor-{}", field.replace('_', "-"))} aria-label={spoken(heading, index)} {oninput} /></td>
        }
    };
    let remove = on_edit.reform(move |_: MouseEvent| SettingsEdit::RemoveFactor(index));
    html! {
        <tr data-testid="factor-row">
            { for FIELDS.iter().map(cell) }
            <td>{ select(index, "applies_to", "Applies to", &factor.applies_to, &AppliesTo::ALL.map(|a| (a.name(), applies_words(a))), on_edit) }</td>
            <td>{ select(index, "label", "Label", &factor.label, &[
                ("", "unverified: add where and when you read it"),
                ("verified", "verified"),
                ("inferred", "inferred"),
                ("unknown", "unknown"),
            ], on_edit) }</td>
            <td><button type="button" class="link" aria-label={format!("Remove factor {}", index + 1)} onclick={remove}>{ "Remove" }</button></td>
        </tr>
    }
}
