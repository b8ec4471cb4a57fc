//! Downloads: the files the page writes and reads besides evidence (the record, the
//! CSV outputs, the settings document and the rate card). Nothing is uploaded;
//! downloads are blob URLs.

use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::outputs;
use crate::pipeline::{Figures, Review};
use crate::ratecard::RateCardText;
use crate::settings::{Settings, SettingsEdit};
use crate::web::browser;

/// Offers `text` as a download; a failure becomes the page's notice.
fn save(on_notice: &Callback<String>, name: &str, text: &str) {
    let mime = if name.ends_with(".csv") {
        "text/csv"
    } else {
        "application/json"
    };
    if let Err(problem) = browser::download(name, mime, text) {
        on_notice.emit(problem);
    }
}

/// A file input handler that reads one JSON document and hands the edit `parse` makes
/// of it (or a sentence naming the file) to the reducer.
fn import(
    what: &'static str,
    parse: fn(&str) -> Result<SettingsEdit, String>,
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
                .map_err(|_| "expected UTF-8 text".to_string())
                .and_then(parse)
                .map_err(|problem| format!("{}: {what} not imported: {problem}", file.name));
            on_import.emit(parsed);
        });
    })
}

#[derive(Properties, PartialEq)]
pub struct DownloadsProps {
    pub review: Review,
    pub settings: Settings,
    /// The worker is computing figures for newer settings: a record now would mix them.
    #[prop_or_default]
    pub recomputing: bool,
    /// A settings document or rate card read from a file, or why it could not be.
    pub on_import: Callback<Result<SettingsEdit, String>>,
    /// Why a download could not be prepared.
    pub on_notice: Callback<String>,
}

#[function_component(Downloads)]
pub fn downloads(props: &DownloadsProps) -> Html {
    let on_record = {
        let (review, on_notice) = (props.review.clone(), props.on_notice.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(record) = review.record(browser::now()) {
                let name = format!(
                    "reconciliation-record-{}.json",
                    record.reconciliation_run_id
                );
                save(&on_notice, &name, &record.to_json());
            }
        })
    };
    let csv = |export: fn(&Figures, outputs::CsvStyle) -> String, name: &'static str| {
        let (review, on_notice) = (props.review.clone(), props.on_notice.clone());
        Callback::from(move |_: MouseEvent| {
            if let Ok(figures) = &review.figures {
                save(&on_notice, name, &export(figures, figures.settings.csv));
            }
        })
    };
    let on_lines_csv = csv(outputs::charge_lines_csv, "charge-lines.csv");
    let on_reconciliation_csv = csv(outputs::reconciliation_csv, "reconciliation.csv");
    let on_settings = {
        let (settings, on_notice) = (props.settings.clone(), props.on_notice.clone());
        Callback::from(move |_: MouseEvent| {
            save(
                &on_notice,
                "reconciliation-settings.json",
                &settings.to_json(),
            )
        })
    };
    let on_card = {
        let (settings, on_notice) = (props.settings.clone(), props.on_notice.clone());
        Callback::from(move |_: MouseEvent| {
            let card = settings.rate_card_text();
            save(&on_notice, "rate-card.json", &card.to_json());
        })
    };
    let on_import = import(
        "settings",
        |text| {
            Settings::from_json(text)
                .map(|s| SettingsEdit::Replace(Box::new(s)))
                .map_err(|e| e.to_string())
        },
        &props.on_import,
    );
    let on_card_import = import(
        "rate card",
        |text| {
            RateCardText::from_json(text)
                .map(SettingsEdit::ImportRateCard)
                .map_err(|e| e.to_string())
        },
        &props.on_import,
    );
    // Any computed review has a record, also one whose figures are partly absent: the
    // record says which and why, as the command line's does.
    let ready = !props.recomputing && props.review.figures.is_ok();
    let secondary = |label: &'static str,
                     testid: &'static str,
                     enabled: bool,
                     onclick: Callback<MouseEvent>| {
        html! {
            <button type="button" class="secondary" data-testid={testid} disabled={!enabled} {onclick}>{ label }</button>
        }
    };
    let import_button = |label: &'static str, testid: &'static str, onchange: Callback<Event>| {
        html! {
            <label class="secondary import">
                { label }
                <input type="file" accept=".json" data-testid={testid} {onchange} />
            </label>
        }
    };
    html! {
        <div class="downloads">
            <button type="button" data-testid="download-record" disabled={!ready} onclick={on_record}>
                { "Download reconciliation record" }
            </button>
            { secondary("Charge lines (CSV)", "download-lines-csv", ready, on_lines_csv) }
            { secondary("Reconciliation (CSV)", "download-reconciliation-csv", ready, on_reconciliation_csv) }
            { secondary("Export settings", "download-settings", true, on_settings) }
            { import_button("Import settings", "import-settings", on_import) }
            { secondary("Export rate card", "download-rate-card", true, on_card) }
            { import_button("Import rate card", "import-rate-card", on_card_import) }
        </div>
    }
}
