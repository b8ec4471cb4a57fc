//! The rate card editor: one row per entry with the prices most pages show, a details
//! row for the rest (tiers, ratio form, effective dates, provenance), and paste/import.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::scroll::Scroll;

use super::fields::TextField;
use crate::ratecard::{describe_ratios, Confidence, RateText};
use crate::settings::SettingsEdit;

/// A field of a rate entry, by its JSON key.
type RateField = &'static str;

/// Fields shown in the main row, with their column heading.
const MAIN: [(RateField, &str); 9] = [
    ("model", "Model (as on the pricing page)"),
    ("aliases", "Logged as (aliases)"),
    ("input", "Input"),
    ("cached_input", "Cached input"),
    ("cache_write", "Cache write 5m"),
    ("output", "Output"),
    ("per_call", "Per call"),
    ("source_url", "Pricing page URL"),
    ("captured_at", "Captured at (UTC)"),
];

/// Audio prices in the details row, each labelled with the entry's model (several
/// entries' details can be open at once): the dimension, then what it holds.
const AUDIO: [(RateField, &str); 3] = [
    ("audio_input", "Audio input"),
    (
        "audio_cached_input",
        "Cached audio input (when the export states it apart)",
    ),
    ("audio_output", "Audio output"),
];

/// Fields in the details row.
const DETAILS: [(RateField, &str); 19] = [
    ("currency", "Currency (USD if empty)"),
    ("token_unit", "Token unit: 1M, 1K or 1"),
    ("cache_write_1h", "Cache write 1h"),
    ("reasoning", "Reasoning (if priced apart)"),
    ("per_image", "Per image"),
    ("per_second", "Per second"),
    ("per_1k_tool_calls", "Per 1K tool calls"),
    ("long_context_above", "Long context above (input tokens)"),
    ("long_context_input", "Long-context input"),
    ("long_context_cached_input", "Long-context cached input"),
    ("long_context_output", "Long-context output"),
    ("model_ratio", "new-api model ratio"),
    ("completion_ratio", "new-api completion ratio"),
    ("cache_ratio", "new-api cache ratio"),
    ("cache_creation_ratio", "new-api cache creation ratio"),
    ("model_price", "new-api model price (per call)"),
    ("effective_from", "Effective from (UTC)"),
    ("effective_to", "Effective to (UTC, exclusive)"),
    ("captured_by", "Captured by (a role)"),
];

pub fn testid(field: &str) -> String {
    format!("rate-{}", field.replace('_', "-"))
}

/// What a screen reader announces for a main-row field: the dimension and the entry's
/// model ("Output price for gpt-4o"), since the column heading is far away.
fn spoken(field: RateField, heading: &str, model: &str) -> String {
    match field {
        "model" => format!("Model of {model}"),
        "aliases" => format!("Logged as (aliases) for {model}"),
        "source_url" | "captured_at" => format!("{heading} for {model}"),
        _ => format!("{heading} price for {model}"),
    }
}

#[derive(Properties, PartialEq)]
pub struct RateTableProps {
    pub rates: Vec<RateText>,
    pub quota_per_usd: String,
    pub on_edit: Callback<SettingsEdit>,
    /// A pasted table: its rows merge into the rates, or it says why they cannot.
    pub on_paste: Callback<SettingsEdit>,
}

#[function_component(RateTable)]
pub fn rate_table(props: &RateTableProps) -> Html {
    let add = props.on_edit.reform(|_: MouseEvent| SettingsEdit::AddRate);
    html! {
        <>
            <p class="hint">{ "Prices in the rate card's currency per the token unit (1M tokens unless set), per call, per image, per second or per 1K tool calls. An empty price is unpriced, never $0." }</p>
            <Scroll label="Rate card">
                <table class="rates">
                    <thead><tr>
                        { for MAIN.iter().map(|(_, heading)| html! { <th scope="col">{ *heading }</th> }) }
                        <th scope="col">{ "Label" }</th><th scope="col"><span class="visually-hidden">{ "Remove" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for props.rates.iter().enumerate().map(|(index, rate)| html! {
                            <RateRow {index} rate={rate.clone()} quota_per_usd={props.quota_per_usd.clone()} on_edit={props.on_edit.clone()} />
                        }) }
                    </tbody>
                </table>
            </Scroll>
            <button type="button" class="secondary" data-testid="add-rate" onclick={add}>{ "Add a rate entry" }</button>
            <PasteRates on_paste={props.on_paste.clone()} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct RateRowProps {
    index: usize,
    rate: RateText,
    quota_per_usd: String,
    on_edit: Callback<SettingsEdit>,
}

#[function_component(RateRow)]
fn rate_row(props: &RateRowProps) -> Html {
    let index = props.index;
    let model = match props.rate.model.trim() {
        "" => format!("rate entry {}", index + 1),
        model => model.to_string(),
    };
    let cell = |(field, heading): &(RateField, &'static str)| {
        let field = *field;
        let oninput = props.on_edit.reform(move |e: InputEvent| {
            SettingsEdit::Rate(
                index,
                field,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            )
        });
        html! {
            <td><input type="text" spellcheck="false" autocomplete="off" value={props.rate.field(field)}
                data-testid={testid(field)} aria-label={spoken(field, heading, &model)} {oninput} /></td>
        }
    };
    let onchange = props.on_edit.reform(move |e: Event| {
        SettingsEdit::Rate(
            index,
            "label",
            e.target_unchecked_into::<HtmlSelectElement>().value(),
        )
    });
    let remove = props
        .on_edit
        .reform(move |_: MouseEvent| SettingsEdit::RemoveRate(index));
    let label = props.rate.label.trim().to_ascii_lowercase();
    let detail = |(field, heading): &(RateField, &'static str)| {
        let field = *field;
        let on_input = props
            .on_edit
            .reform(move |value: String| SettingsEdit::Rate(index, field, value));
        let context = format!(" for {model}");
        html! { <TextField label={*heading} {context} testid={testid(field)} value={props.rate.field(field)} {on_input} /> }
    };
    let audio = |(field, dimension): &(RateField, &'static str)| {
        let field = *field;
        let on_input = props
            .on_edit
            .reform(move |value: String| SettingsEdit::Rate(index, field, value));
        let label = format!("{dimension} of {model}");
        html! { <TextField {label} testid={testid(field)} value={props.rate.field(field)} {on_input} /> }
    };
    html! {
        <>
            <tr data-testid="rate-row" data-model={props.rate.model.clone()}>
                { for MAIN.iter().map(cell) }
                <td>
                    <select data-testid="rate-label" aria-label={format!("How sure the prices of {model} are")} {onchange}>
                        <option value="" selected={label.trim().is_empty()}>{ "unverified: add the pricing page and when you read it" }</option>
                        { for Confidence::ALL.map(Confidence::name).into_iter().map(|option| html! {
                            <option value={option} selected={label == option}>{ option }</option>
                        }) }
                    </select>
                </td>
                <td><button type="button" class="link" aria-label={format!("Remove {model}")} onclick={remove}>{ "Remove" }</button></td>
            </tr>
            <tr class="rate-details" data-testid="rate-details" data-model={props.rate.model.clone()}>
                <td colspan="11">
                    <details>
                        <summary>
                            { "More prices (audio, images, seconds, tool calls), long-context tier, new-api ratios, effective dates, provenance" }
                            <span class="visually-hidden">{ format!(" for {model}") }</span>
                        </summary>
                        if let Some(equivalent) = describe_ratios(&props.rate, &props.quota_per_usd) {
                            <p class="hint" data-testid="rate-ratios">{ equivalent }</p>
                        }
                        <div class="grid">{ for AUDIO.iter().map(audio) }</div>
                        <div class="grid">{ for DETAILS.iter().map(detail) }</div>
                        <TextField label="Note" context={format!(" for {model}")} testid="rate-note" value={props.rate.note.clone()}
                            on_input={props.on_edit.reform(move |v: String| SettingsEdit::Rate(index, "note", v))} />
                    </details>
                </td>
            </tr>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct PasteProps {
    on_paste: Callback<SettingsEdit>,
}

/// A spreadsheet range pasted as text (header row first). The text area is read when
/// the button is pressed, so nothing typed depends on a re-render having happened.
#[function_component(PasteRates)]
fn paste_rates(props: &PasteProps) -> Html {
    let area = use_node_ref();
    let onclick = {
        let (area, on_paste) = (area.clone(), props.on_paste.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = area.cast::<HtmlTextAreaElement>() {
                on_paste.emit(SettingsEdit::PasteRates(area.value()));
            }
        })
    };
    html! {
        <details class="paste">
            <summary>{ "Paste rates from a spreadsheet" }</summary>
            <p class="hint">{ "Copy a range whose first row names the columns (model, input, cached input, output, audio input, audio output, per call, source url, captured at, …) and paste it here. Rows replace entries with the same model." }</p>
            <textarea rows="5" aria-label="Pasted rates: a spreadsheet range, header row first" data-testid="paste-rates" ref={area}></textarea>
            <button type="button" class="secondary" data-testid="paste-rates-apply" {onclick}>{ "Add pasted rates" }</button>
        </details>
    }
}
