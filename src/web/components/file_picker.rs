//! Picking and dropping files, and the reading progress while the worker reads them.

use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

use crate::web::browser;
use crate::web::state::Loading;

#[derive(Properties, PartialEq)]
pub struct PickerProps {
    /// The files picked or dropped, to be read by the worker.
    pub on_files: Callback<Vec<File>>,
    /// "Try with sample data": the bundled sample log and its settings.
    pub on_sample: Callback<()>,
    /// The user started to give a file: the picker opened, or a file was dragged over.
    pub on_intent: Callback<()>,
}

#[function_component(FilePicker)]
pub fn file_picker(props: &PickerProps) -> Html {
    let onchange = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = browser::take_files(input.files());
            // Lets the same file be picked again after it was changed on disk.
            input.set_value("");
            if !files.is_empty() {
                on_files.emit(files);
            }
        })
    };
    let ondrop = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let files = browser::take_files(e.data_transfer().and_then(|d| d.files()));
            if !files.is_empty() {
                on_files.emit(files);
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondragenter = props.on_intent.reform(|_: DragEvent| ());
    // A click opens the picker (Enter and Space on the focused input click it too).
    let onclick = props.on_intent.reform(|_: MouseEvent| ());
    let sample = props.on_sample.reform(|_: MouseEvent| ());
    html! {
        <>
            <label class="drop" {ondrop} {ondragover} {ondragenter}>
                <span>{ "Drop exports here, or pick files: CometAPI / new-api usage logs, client request logs (OpenAI, Anthropic, LiteLLM), provider usage and billing exports (OpenAI, Anthropic, FOCUS), CometAPI account totals; CSV, JSON or JSON lines, plain or gzip" }</span>
                <input type="file" multiple=true accept=".json,.jsonl,.csv,.txt,.tsv,.gz" data-testid="file-input" {onchange} {onclick} />
            </label>
            <p class="hint no-print">
                { "New here? " }
                <button type="button" class="secondary" data-testid="try-sample" onclick={sample}>{ "Try with sample data" }</button>
                { " loads a two-hour CometAPI log and its settings, bundled with the page (nothing is fetched). It replaces the settings you typed." }
            </p>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub loading: Option<Loading>,
    pub on_cancel: Callback<()>,
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// The worker's progress: a bar, bytes, rows and rows per second, and Cancel.
#[function_component(LoadProgress)]
pub fn load_progress(props: &ProgressProps) -> Html {
    let Some(loading) = &props.loading else {
        return html! {};
    };
    let of = if loading.count > 1 {
        format!(" (file {} of {})", loading.position, loading.count)
    } else {
        String::new()
    };
    let status = format!(
        "Reading {}{of}: {} of {}, {} rows, {:.0} rows/s",
        loading.name,
        megabytes(loading.done),
        megabytes(loading.total),
        loading.rows,
        loading.rows_per_second
    );
    let onclick = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <div class="loading" role="status">
            <progress aria-label="Reading progress" data-testid="load-progress" max={loading.total.max(1.0).to_string()} value={loading.done.to_string()} />
            <span data-testid="load-status">{ status }</span>
            <button type="button" class="secondary" data-testid="load-cancel" {onclick}>{ "Cancel" }</button>
        </div>
    }
}
