//! Picking and dropping files, and the row ledger of each one.

use wasm_bindgen_futures::spawn_local;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use super::browser;
use super::state::Action;
use crate::ingest::FileReport;

#[derive(Properties, PartialEq)]
pub struct PickerProps {
    pub on_action: Callback<Action>,
}

fn load(list: Option<web_sys::FileList>, on_action: Callback<Action>) {
    let list = browser::take_files(list);
    if list.is_empty() {
        return;
    }
    spawn_local(async move {
        let files = browser::read_files(list).await;
        on_action.emit(Action::AddFiles(files));
    });
}

#[function_component(FilePicker)]
pub fn file_picker(props: &PickerProps) -> Html {
    let onchange = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            load(input.files(), on_action.clone());
            // Lets the same file be picked again after it was changed on disk.
            input.set_value("");
        })
    };
    let ondrop = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            load(e.data_transfer().and_then(|d| d.files()), on_action.clone());
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    html! {
        <label class="drop" {ondrop} {ondragover}>
            <span>{ "Drop usage-log exports here (CometAPI / new-api: log-API JSON, JSON array, JSON lines or CSV), or pick files" }</span>
            <input type="file" multiple=true accept=".json,.jsonl,.csv,.txt,.tsv" data-testid="file-input" {onchange} />
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct SummariesProps {
    pub files: Vec<FileReport>,
    pub on_action: Callback<Action>,
}

#[function_component(FileSummaries)]
pub fn file_summaries(props: &SummariesProps) -> Html {
    if props.files.is_empty() {
        return html! { <p class="hint">{ "No files yet." }</p> };
    }
    html! {
        <ul class="files">
            { for props.files.iter().enumerate().map(|(index, file)| {
                let on_remove = props.on_action.reform(move |_: MouseEvent| Action::RemoveFile(index));
                html! { <FileSummary file={file.clone()} {on_remove} /> }
            }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct SummaryProps {
    file: FileReport,
    on_remove: Callback<MouseEvent>,
}

#[function_component(FileSummary)]
fn file_summary(props: &SummaryProps) -> Html {
    let file = &props.file;
    let ledger = &file.ledger;
    let format = file.format.map_or("not read", |f| f.describe());
    html! {
        <li class="file" data-testid="file-summary" data-file={file.name.clone()}>
            <div class="file-head">
                <strong>{ &file.name }</strong>
                <span class="format" data-testid="file-format">{ format }</span>
                <button type="button" class="link" onclick={props.on_remove.clone()}>{ "Remove" }</button>
            </div>
            <p class="ledger">
                <span>{ "Rows read " }<b data-testid="ledger-read">{ ledger.rows_read }</b></span>
                <span>{ "accepted " }<b data-testid="ledger-accepted">{ ledger.accepted }</b></span>
                <span>{ "excluded " }<b data-testid="ledger-excluded">{ ledger.excluded_total() }</b></span>
                <span>{ "rejected " }<b data-testid="ledger-rejected">{ ledger.rejected }</b></span>
            </p>
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
            if !ledger.rejections.is_empty() {
                <details open=true>
                    <summary>{ format!("{} rejected rows (first {} shown)", ledger.rejected, ledger.rejections.len().min(20)) }</summary>
                    <ul class="rejections">
                        { for ledger.rejections.iter().take(20).map(|r| html! {
                            <li data-testid="rejection">{ format!("{}: {}", r.position, r.message) }</li>
                        }) }
                    </ul>
                </details>
            }
            <p class="fingerprint">{ format!("SHA-256 {} · {} bytes", file.fingerprint.sha256, file.fingerprint.bytes) }</p>
        </li>
    }
}
