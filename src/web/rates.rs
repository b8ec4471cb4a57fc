//! The rate table: one row per model, prices as read off the pricing page, with provenance.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::state::{Action, RateField};
use crate::settings::RateText;

#[derive(Properties, PartialEq)]
pub struct RateTableProps {
    pub rates: Vec<RateText>,
    pub on_action: Callback<Action>,
}

#[function_component(RateTable)]
pub fn rate_table(props: &RateTableProps) -> Html {
    if props.rates.is_empty() {
        return html! { <p class="hint">{ "Load a usage log: a row appears here for each model it charged." }</p> };
    }
    html! {
        <table class="rates">
            <thead>
                <tr>
                    <th>{ "Model (as on the pricing page)" }</th>
                    <th>{ "Input $/1M" }</th><th>{ "Cached input $/1M" }</th><th>{ "Cache write $/1M" }</th>
                    <th>{ "Output $/1M" }</th><th>{ "Per call $" }</th>
                    <th>{ "Pricing page URL" }</th><th>{ "Captured at (UTC)" }</th><th>{ "Label" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.rates.iter().enumerate().map(|(index, rate)| html! {
                    <RateRow {index} rate={rate.clone()} on_action={props.on_action.clone()} />
                }) }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq)]
struct RateRowProps {
    index: usize,
    rate: RateText,
    on_action: Callback<Action>,
}

#[function_component(RateRow)]
fn rate_row(props: &RateRowProps) -> Html {
    let index = props.index;
    let cell = |field: RateField, value: &str, testid: &'static str, placeholder: &'static str| {
        let oninput = props.on_action.reform(move |e: InputEvent| {
            Action::EditRate(
                index,
                field,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            )
        });
        html! {
            <td><input type="text" spellcheck="false" autocomplete="off" value={value.to_string()}
                {placeholder} data-testid={testid} aria-label={testid} {oninput} /></td>
        }
    };
    let onchange = props.on_action.reform(move |e: Event| {
        Action::EditRate(
            index,
            RateField::Label,
            e.target_unchecked_into::<HtmlSelectElement>().value(),
        )
    });
    let r = &props.rate;
    let label = r.label.trim().to_ascii_lowercase();
    html! {
        <tr data-testid="rate-row" data-model={r.model.clone()}>
            <th scope="row">{ &r.model }</th>
            { cell(RateField::Input, &r.input_per_million, "rate-input", "") }
            { cell(RateField::CachedInput, &r.cached_input_per_million, "rate-cached", "") }
            { cell(RateField::CacheWrite, &r.cache_write_per_million, "rate-cache-write", "") }
            { cell(RateField::Output, &r.output_per_million, "rate-output", "") }
            { cell(RateField::PerCall, &r.per_call, "rate-per-call", "") }
            { cell(RateField::SourceUrl, &r.source_url, "rate-source-url", "https://…") }
            { cell(RateField::CapturedAt, &r.captured_at, "rate-captured-at", "2026-05-11T11:08:00Z") }
            <td>
                <select data-testid="rate-label" aria-label="rate-label" {onchange}>
                    { for ["verified", "inferred", "unknown"].into_iter().map(|option| html! {
                        <option value={option} selected={label == option}>{ option }</option>
                    }) }
                </select>
            </td>
        </tr>
    }
}
