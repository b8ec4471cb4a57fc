//! The small text files the page reads and writes besides evidence: a settings document,
//! a rate card, a mapping table or a review log picked to import, and the same written
//! back as downloads. Nothing is uploaded; downloads are blob URLs.

use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::settings::SettingsEdit;
use crate::web::browser;

/// Offers `text` as a download named `name` (CSV or JSON by its extension); a failure
/// becomes the page's notice.
pub fn save(on_notice: &Callback<String>, name: &str, text: &str) {
    let mime = if name.ends_with(".csv") {
        "text/csv"
    } else {
        "application/json"
    };
    if let Err(problem) = browser::download(name, mime, text) {
        on_notice.emit(problem);
    }
}

/// A file input handler: reads the one file picked as UTF-8 text and hands the edit
/// `parse` makes of it (given the file's name and text) to the reducer, or a sentence
/// "{what} not imported: …" saying why not. The input is cleared, so picking the same
/// file again imports it again.
pub fn import_text(
    what: &'static str,
    parse: fn(&str, &str) -> Result<SettingsEdit, String>,
    on_import: &Callback<Result<SettingsEdit, String>>,
) -> Callback<Event> {
    let on_import = on_import.clone();
    Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        let list = browser::take_files(input.files());
        input.set_value("");
        let on_import = on_import.clone();
        spawn_local(async move {
            let Some(Ok(file)) = browser::read_files(list).await.into_iter().next() else {
                return;
            };
            let parsed = std::str::from_utf8(&file.bytes)
                .map_err(|_| format!("{}: expected UTF-8 text", file.name))
                .and_then(|text| parse(&file.name, text))
                .map_err(|problem| format!("{what} not imported: {problem}"));
            on_import.emit(parsed);
        });
    })
}
