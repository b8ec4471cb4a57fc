//! Downloads: the files the page writes and reads besides evidence (the record, the
//! CSV outputs, the settings document and the rate card). Nothing is uploaded;
//! downloads are blob URLs.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::fields::SelectField;
use super::text_files::{import_text, save};
use crate::outputs;
use crate::pipeline::{Figures, Problem, Review};
use crate::ratecard::RateCardText;
use crate::settings::{Settings, SettingsEdit, SettingsField};
use crate::web::browser;

#[derive(Properties, PartialEq)]
pub struct DownloadsProps {
    pub review: Review,
    pub settings: Settings,
    /// The worker is computing figures for newer settings: a record now would mix them.
    #[prop_or_default]
    pub recomputing: bool,
    /// A file's SHA-256 is still being computed (how far, as a share): the record, which
    /// names every file by it, waits; the CSVs do not.
    #[prop_or_default]
    pub fingerprinting: Option<f64>,
    /// A settings document or rate card read from a file, or why it could not be.
    pub on_import: Callback<Result<SettingsEdit, String>>,
    /// Why a download could not be prepared.
    pub on_notice: Callback<String>,
    /// The CSV style chosen here (kept in the settings, so it is remembered).
    pub on_edit: Callback<SettingsEdit>,
}

#[derive(Properties, PartialEq)]
struct CsvOptionsProps {
    settings: Settings,
    on_edit: Callback<SettingsEdit>,
}

/// How the CSVs are written, for the spreadsheet that opens them.
#[function_component(CsvOptions)]
fn csv_options(props: &CsvOptionsProps) -> Html {
    let s = &props.settings;
    let field = |field: SettingsField| {
        props
            .on_edit
            .reform(move |value: String| SettingsEdit::Field(field, value))
    };
    let styles = vec![
        (
            "comma".to_string(),
            "Comma, 1234.5 (English-language Excel, most tools)".to_string(),
        ),
        (
            "semicolon".to_string(),
            "Semicolon, 1234,5 (Excel in most of Europe)".to_string(),
        ),
        ("tab".to_string(), "Tab-separated, 1234.5".to_string()),
    ];
    let headers = vec![
        (
            "readable".to_string(),
            "Readable names (Recorded by the provider)".to_string(),
        ),
        (
            "machine".to_string(),
            "Machine names (provider_recorded)".to_string(),
        ),
    ];
    let bom = props.on_edit.reform(|e: Event| {
        SettingsEdit::CsvByteOrderMark(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let style = if s.csv_style.trim().is_empty() {
        "comma"
    } else {
        s.csv_style.trim()
    };
    let names = if s.csv_headers.trim().is_empty() {
        "readable"
    } else {
        s.csv_headers.trim()
    };
    html! {
        <fieldset class="csv-options">
            <legend>{ "CSV files for your spreadsheet" }</legend>
            <SelectField label="Cells and decimals" testid="csv-style" options={styles}
                value={AttrValue::from(style.to_string())} on_change={field(SettingsField::CsvStyle)} />
            <SelectField label="Column names" testid="csv-headers" options={headers}
                value={AttrValue::from(names.to_string())} on_change={field(SettingsField::CsvHeaders)} />
            <label class="field checkbox">
                <input type="checkbox" data-testid="csv-bom" checked={s.csv_byte_order_mark} onchange={bom} />
                <span>{ "Start with a byte-order mark (Excel then reads accents and CJK labels right)" }</span>
            </label>
        </fieldset>
    }
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
    // Each file is named by the review's run id, so a download found later says which.
    let run_id = crate::sanitize::label(&props.settings.reconciliation_run_id);
    let csv = |export: fn(&Figures, outputs::CsvStyle) -> String, name: &'static str| {
        let (review, on_notice) = (props.review.clone(), props.on_notice.clone());
        let name = format!("{name}-{run_id}.csv");
        Callback::from(move |_: MouseEvent| {
            if let Ok(figures) = &review.figures {
                save(&on_notice, &name, &export(figures, figures.settings.csv));
            }
        })
    };
    let on_lines_csv = csv(outputs::charge_lines_csv, "charge-lines");
    let on_reconciliation_csv = csv(outputs::reconciliation_csv, "reconciliation");
    let on_ledger_csv = {
        let (review, on_notice) = (props.review.clone(), props.on_notice.clone());
        let name = format!("dual-ledger-{run_id}.csv");
        Callback::from(move |_: MouseEvent| {
            if let Ok(figures) = &review.figures {
                let style = figures.settings.csv;
                let text = outputs::dual_ledger_csv(figures, style, browser::now());
                save(&on_notice, &name, &text);
            }
        })
    };
    let on_focus_csv = {
        let (review, on_notice) = (props.review.clone(), props.on_notice.clone());
        let name = format!("focus-{run_id}.csv");
        Callback::from(move |_: MouseEvent| {
            if let Ok(figures) = &review.figures {
                let focus = outputs::focus_csv(&review.files, figures, figures.settings.csv);
                save(&on_notice, &name, &focus.text);
            }
        })
    };
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
    let on_import = import_text(
        "settings",
        |name, text| {
            Settings::from_json(text)
                .map(|s| SettingsEdit::Replace(Box::new(s)))
                .map_err(|e| format!("{name}: {e}"))
        },
        &props.on_import,
    );
    let on_card_import = import_text(
        "rate card",
        |name, text| {
            RateCardText::from_json(text)
                .map(SettingsEdit::ImportRateCard)
                .map_err(|e| format!("{name}: {e}"))
        },
        &props.on_import,
    );
    // Any computed review has a record, also one whose figures are partly absent: the
    // record says which and why, as the command line's does. A disabled button says why.
    let why_not = match &props.review.figures {
        _ if props.recomputing => {
            Some("The figures are being recomputed: the downloads wait for them.")
        }
        Ok(_) => None,
        Err(Problem::NothingRead) => {
            Some("Load a file the page can read first: there is nothing to download yet.")
        }
        Err(Problem::Settings(_)) => Some(
            "Fix the settings problems marked above: a record is made only from valid settings.",
        ),
        Err(Problem::Arithmetic(_)) => {
            Some("The figures could not be computed (see above), so there is no record.")
        }
    };
    let ready = why_not.is_none();
    let hashing = props.fingerprinting.filter(|_| ready).map(|share| {
        format!(
            "The record waits for each file's fingerprint (SHA-256), which names it in the record: {}% computed.",
            (share * 100.0).floor() as u32
        )
    });
    let record_ready = ready && hashing.is_none();
    let described = why_not.map(|_| "downloads-why");
    let record_described = (!record_ready).then_some("record-why");
    let secondary = |label: &'static str,
                     testid: &'static str,
                     enabled: bool,
                     onclick: Callback<MouseEvent>| {
        let described = (!enabled).then_some(described).flatten();
        html! {
            <button type="button" class="secondary" data-testid={testid} disabled={!enabled}
                aria-describedby={described} {onclick}>{ label }</button>
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
        <div class="downloads" id="downloads">
            if let Some(why) = why_not {
                <p class="hint" id="downloads-why" data-testid="downloads-why">{ why }</p>
            }
            if let Some(why) = hashing {
                <p class="hint" id="record-why" data-testid="record-why">{ why }</p>
            }
            <button type="button" data-testid="download-record" disabled={!record_ready}
                aria-describedby={record_described.or(described)} onclick={on_record}>
                { "Download reconciliation record" }
            </button>
            { secondary("Charge lines (CSV)", "download-lines-csv", ready, on_lines_csv) }
            { secondary("Reconciliation (CSV)", "download-reconciliation-csv", ready, on_reconciliation_csv) }
            { secondary("Dual ledger (CSV)", "download-ledger-csv", ready, on_ledger_csv) }
            { secondary("FOCUS 1.2 (CSV)", "download-focus-csv", ready, on_focus_csv) }
            <CsvOptions settings={props.settings.clone()} on_edit={props.on_edit.clone()} />
            { secondary("Export settings", "download-settings", true, on_settings) }
            { import_button("Import settings", "import-settings", on_import) }
            { secondary("Export rate card", "download-rate-card", true, on_card) }
            { import_button("Import rate card", "import-rate-card", on_card_import) }
        </div>
    }
}
