//! Each file loaded: its format, its row ledger (as the worker counted it, once the
//! figures are computed from this read), why rows were excluded or rejected, and the
//! choices that make it read differently ("Read as", "Map columns").

use yew::prelude::*;

use super::mapping_form::MappingForm;
use crate::ingest::mapping::MappingText;
use crate::ingest::{ExclusionRule, FileReport, Format, Ledger, Rules};
use crate::web::state::LoadedFile;

#[derive(Properties, PartialEq)]
pub struct SummariesProps {
    pub files: Vec<LoadedFile>,
    /// Files read under other rules are being read again.
    pub rules: Rules,
    pub on_remove: Callback<(usize, String)>,
    /// Per file, its ledger as the worker counted it for the last review (a file given
    /// twice, rows another file holds), when that review was computed from this read of it.
    #[prop_or_default]
    pub counted: Vec<Option<Ledger>>,
    /// "Read FILE as FORMAT" ("" = as detected).
    #[prop_or_default]
    pub on_read_as: Callback<(String, String)>,
    /// A column mapping saved for a file whose header we did not know.
    #[prop_or_default]
    pub on_save_mapping: Callback<MappingText>,
    /// How far the SHA-256 of each job's file is, while it is computed.
    #[prop_or_default]
    pub fingerprinting: Vec<(u32, f64)>,
}

#[function_component(FileSummaries)]
pub fn file_summaries(props: &SummariesProps) -> Html {
    if props.files.is_empty() {
        return html! { <p class="hint">{ "No files yet." }</p> };
    }
    html! {
        <ul class="files">
            { for props.files.iter().enumerate().map(|(index, file)| {
                let name = file.report.name.clone();
                let on_remove = props.on_remove.reform(move |_: MouseEvent| (index, name.clone()));
                let stale = file.rules != props.rules;
                let chosen = props.rules.overrides.iter().find(|(f, _)| *f == file.report.name).map(|o| o.1);
                let counted = props.counted.get(index).cloned().flatten();
                let hashed = props.fingerprinting.iter().find(|(job, _)| *job == file.job).map_or(0.0, |(_, share)| *share);
                html! {
                    <FileSummary file={file.report.clone()} {stale} {counted} {chosen} {on_remove} {hashed}
                        on_read_as={props.on_read_as.clone()} on_save_mapping={props.on_save_mapping.clone()} />
                }
            }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct SummaryProps {
    file: FileReport,
    stale: bool,
    /// The ledger the record lists (see [`SummariesProps::counted`]); else the file's own.
    counted: Option<Ledger>,
    /// The format the reviewer chose for this file, if any.
    chosen: Option<Format>,
    /// While its SHA-256 is computed, the share of its bytes hashed.
    hashed: f64,
    on_remove: Callback<MouseEvent>,
    on_read_as: Callback<(String, String)>,
    on_save_mapping: Callback<MappingText>,
}

/// "Read as": every format the file could be read as, or as detected.
fn read_as(props: &SummaryProps) -> Html {
    let name = props.file.name.clone();
    let onchange = props.on_read_as.reform(move |e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        (name.clone(), select.value())
    });
    let chosen = props.chosen.map(Format::name).unwrap_or_default();
    html! {
        <label class="read-as">
            { "Read as " }
            <select data-testid="read-as" {onchange}>
                <option value="" selected={chosen.is_empty()}>{ "detected format" }</option>
                { for Format::CHOOSABLE.iter().map(|f| {
                    let value = f.name();
                    let selected = value == chosen;
                    html! { <option {value} {selected}>{ f.describe() }</option> }
                }) }
            </select>
        </label>
    }
}

#[function_component(FileSummary)]
fn file_summary(props: &SummaryProps) -> Html {
    let file = &props.file;
    let pending = file.fingerprint.sha256.is_empty();
    let fingerprint = if pending {
        format!(
            "SHA-256 being computed: {}% · {} bytes (the figures do not wait for it; the record does)",
            (props.hashed * 100.0).floor() as u32,
            file.fingerprint.bytes
        )
    } else {
        format!(
            "SHA-256 {} · {} bytes",
            file.fingerprint.sha256, file.fingerprint.bytes
        )
    };
    let ledger = props.counted.as_ref().unwrap_or(&file.ledger);
    // The worker counted it once: an earlier file holds the same bytes.
    let repeated = props
        .counted
        .as_ref()
        .is_some_and(|l| l.excluded.contains_key(&ExclusionRule::DuplicateFile));
    let repeated_rows = ledger
        .excluded
        .get(&ExclusionRule::RepeatedRow)
        .copied()
        .unwrap_or(0);
    let format = file.format.map_or("not read", |f| f.describe());
    html! {
        <li class="file" data-testid="file-summary" data-file={file.name.clone()}>
            <div class="file-head">
                <strong>{ &file.name }</strong>
                <span class="format" data-testid="file-format">{ format }</span>
                if props.stale {
                    <span class="hint" data-testid="file-rereading">{ "reading again under the new settings…" }</span>
                }
                { read_as(props) }
                <button type="button" class="link" aria-label={format!("Remove {}", file.name)} onclick={props.on_remove.clone()}>{ "Remove" }</button>
            </div>
            if repeated {
                <p class="hint" data-testid="file-repeated">{ "The same bytes as a file above: its rows count once (excluded here as a duplicate file)." }</p>
            }
            if repeated_rows > 0 {
                <p class="hint" data-testid="file-repeated-rows">{ format!(
                    "{repeated_rows} of its rows are also in another file and count there (log pages or exports that overlap)."
                ) }</p>
            }
            <p class="ledger">
                <span>{ "Rows read " }<b data-testid="ledger-read">{ ledger.rows_read }</b></span>
                <span>{ "accepted " }<b data-testid="ledger-accepted">{ ledger.accepted }</b></span>
                <span>{ "excluded " }<b data-testid="ledger-excluded">{ ledger.excluded_total() }</b></span>
                <span>{ "rejected " }<b data-testid="ledger-rejected">{ ledger.rejected }</b></span>
            </p>
            if ledger.accepted_without_time > 0 {
                <p class="hint" data-testid="ledger-untimed">{ format!(
                    "{} of the accepted rows state no time: counted as the settings say (Requests without a time), the incident window was not applied to them.",
                    ledger.accepted_without_time
                ) }</p>
            }
            if !ledger.excluded.is_empty() {
                <ul class="reasons">
                    { for ledger.excluded.iter().map(|(rule, count)| html! {
                        <li>{ format!("{count} excluded: {}", rule.describe()) }</li>
                    }) }
                </ul>
            }
            if let Some(problem) = &file.problem {
                <p class="problem" role="alert" data-testid="file-problem">{ format!("{}: {problem}", file.name) }</p>
            }
            if !file.evidence.unmapped_header.is_empty() {
                <details open=true>
                    <summary>{ "Map columns" }</summary>
                    <MappingForm header={file.evidence.unmapped_header.clone()} on_save={props.on_save_mapping.clone()} />
                </details>
            }
            if !ledger.rejections.is_empty() {
                <details open=true>
                    <summary>{ rejected_summary(ledger) }</summary>
                    <p class="reasons" data-testid="rejected-by-column">
                        { "By column: " }
                        { ledger.rejected_by_column.iter().map(|(column, count)| {
                            let column = if column.is_empty() { "the row as a whole" } else { column.as_str() };
                            format!("{column} {count}")
                        }).collect::<Vec<_>>().join(", ") }
                    </p>
                    <ul class="rejections">
                        { for ledger.rejection_groups().iter().take(SHOWN_GROUPS).map(|group| html! {
                            <li data-testid="rejection-group">
                                { group.describe() }
                                if group.positions.len() > 1 {
                                    <details class="places">
                                        <summary>{ format!("Where: {}", group.places()) }</summary>
                                        <ul>
                                            { for group.positions.iter().map(|p| html! {
                                                <li data-testid="rejection">{ p.to_string() }</li>
                                            }) }
                                        </ul>
                                    </details>
                                } else {
                                    <span hidden=true data-testid="rejection">{ group.first.position.to_string() }</span>
                                }
                            </li>
                        }) }
                    </ul>
                </details>
            }
            <p class="fingerprint" data-testid={pending.then_some("fingerprint-pending")}>{ fingerprint }</p>
        </li>
    }
}

/// How many reasons a file's summary lists (each groups every row it concerns).
const SHOWN_GROUPS: usize = 20;

fn rejected_summary(ledger: &crate::ingest::Ledger) -> String {
    let groups = ledger.rejection_groups().len();
    let unlisted = ledger.unlisted_rejections();
    let mut text = format!(
        "{} rejected rows, for {} reason{}",
        ledger.rejected,
        groups,
        if groups == 1 { "" } else { "s" }
    );
    if groups > SHOWN_GROUPS {
        text.push_str(&format!(" (the first {SHOWN_GROUPS} shown)"));
    }
    if unlisted > 0 {
        text.push_str(&format!(
            "; the first {} are listed, the other {unlisted} counted by column",
            ledger.rejections.len()
        ));
    }
    text
}
