//! CSV exports of the figures, for spreadsheets in any locale: the expected-charge lines, the
//! per-model reconciliation and the dual ledger (estimated beside reconciled, per day). Same allow-list discipline as the record: computed
//! figures and sanitized identifiers only.

mod csv;
mod focus;
mod ledger;

pub use csv::{write, Cell, CsvLocale, CsvStyle};
pub use focus::{focus_csv, FocusCsv, FOCUS_COLUMNS};
pub use ledger::dual_ledger_csv;

use crate::figures::Figures;
use crate::sanitize;
use crate::settings::CsvHeaders;

/// The columns every table ends with: which review, window and rate card its figures
/// belong to, so a CSV found later says where it came from.
const COMPANION: [(&str, &str); 4] = [
    ("run_id", "Run id"),
    ("window_start_utc", "Window start (UTC)"),
    ("window_end_utc", "Window end (UTC)"),
    ("rate_card_sha256", "Rate card SHA-256"),
];

fn companion(figures: &Figures) -> [Cell; 4] {
    let s = &figures.settings;
    let time = |t: Option<jiff::Timestamp>| t.map_or(Cell::Absent, Cell::word);
    [
        Cell::text(&sanitize::label(&s.reconciliation_run_id)),
        time(s.window.map(|w| w.start)),
        time(s.window.map(|w| w.end)),
        Cell::word(&s.rate_card_sha256),
    ]
}

/// A table's header (machine or readable names, as the settings say) and its rows,
/// each with the companion columns.
fn table(
    figures: &Figures,
    style: CsvStyle,
    columns: &[(&str, &str)],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> String {
    let readable = figures.settings.csv_headers == CsvHeaders::Readable;
    let header: Vec<&str> = columns
        .iter()
        .chain(&COMPANION)
        .map(|(machine, words)| if readable { *words } else { *machine })
        .collect();
    let rows = rows.map(|mut row| {
        row.extend(companion(figures));
        row
    });
    write(style, &header, rows)
}

/// The snake_case name an enum has in the record (`uncached_input`, `at_risk`).
fn key_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn key<T: serde::Serialize>(value: &T) -> Cell {
    Cell::Word(key_name(value))
}

/// `true` / `false`, or an empty cell when the figure behind it was not computed.
fn known(value: Option<bool>) -> Cell {
    value.map_or(Cell::Absent, Cell::word)
}

/// One row per model × dimension × tier × status: what makes up the expected charge.
pub fn charge_lines_csv(figures: &Figures, style: CsvStyle) -> String {
    let currency = &figures.settings.billing_currency;
    let lines = figures.pricing.iter().flat_map(|p| &p.lines);
    let rows = lines.map(|l| {
        vec![
            Cell::text(&sanitize::label(&l.model)),
            key(&l.dimension),
            Cell::word(l.long_context),
            key(&l.status),
            Cell::word(l.quantity),
            Cell::number(l.rate),
            Cell::word(&l.unit),
            Cell::Number(l.factor),
            Cell::text(
                &l.factors
                    .iter()
                    .map(|f| sanitize::label_text(f))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Cell::number(l.amount),
            Cell::word(currency),
            key(&l.label),
            Cell::text(&sanitize::url(&l.source_url)),
        ]
    });
    table(figures, style, &LINE_COLUMNS, rows)
}

const LINE_COLUMNS: [(&str, &str); 13] = [
    ("model", "Model"),
    ("dimension", "Dimension"),
    ("long_context", "Long context"),
    ("status", "Status"),
    ("quantity", "Quantity"),
    ("rate", "Rate"),
    ("unit", "Unit"),
    ("factor", "Factor"),
    ("factors", "Factors"),
    ("amount", "Amount"),
    ("currency", "Currency"),
    ("label", "Label"),
    ("source_url", "Source URL"),
];

/// One row per model plus a total: expected versus recorded.
pub fn reconciliation_csv(figures: &Figures, style: CsvStyle) -> String {
    let r = &figures.reconciliation;
    let at_risk = |model: &str| {
        figures
            .pricing
            .iter()
            .flat_map(|p| &p.models)
            .find(|m| m.model == model)
            .map(|m| m.at_risk)
    };
    let per_model = r
        .per_model
        .iter()
        .map(|(model, c)| (Cell::text(&sanitize::label(model)), c, at_risk(model)));
    let total = std::iter::once((
        Cell::word("TOTAL"),
        &r.total,
        figures.pricing.as_ref().map(|p| p.at_risk),
    ));
    let rows = per_model.chain(total).map(|(model, c, at_risk)| {
        vec![
            model,
            Cell::number(c.expected),
            known(c.expected.map(|_| c.expected_complete)),
            Cell::number(c.provider),
            Cell::number(c.variance),
            Cell::number(c.variance_percent),
            known(c.within_tolerance),
            Cell::number(at_risk),
            Cell::word(&figures.settings.billing_currency),
        ]
    });
    table(figures, style, &RECONCILIATION_COLUMNS, rows)
}

const RECONCILIATION_COLUMNS: [(&str, &str); 9] = [
    ("model", "Model"),
    ("expected", "Expected"),
    ("expected_complete", "Expected is complete"),
    ("provider_recorded", "Recorded by the provider"),
    ("variance", "Difference (recorded − expected)"),
    ("variance_percent", "Difference %"),
    ("within_tolerance", "Within tolerance"),
    ("at_risk", "At risk"),
    ("currency", "Currency"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{run, InputFile};
    use crate::settings::Settings;

    #[test]
    fn exports_read_back_with_the_same_figures() {
        let settings =
            Settings::from_json(include_str!("../../tests/fixtures/settings.json")).unwrap();
        let bytes = include_bytes!("../../tests/fixtures/cometapi-log-page.json").to_vec();
        let review = run(
            &[InputFile {
                name: "log.json".into(),
                bytes,
            }],
            &settings,
        );
        let figures = review.figures.as_ref().unwrap();
        let reconciliation = reconciliation_csv(figures, CsvStyle::default());
        let mut lines = reconciliation.lines();
        assert_eq!(lines.next(), Some("Model,Expected,Expected is complete,Recorded by the provider,Difference (recorded − expected),Difference %,Within tolerance,At risk,Currency,Run id,Window start (UTC),Window end (UTC),Rate card SHA-256"));
        let card = &figures.settings.rate_card_sha256;
        assert_eq!(
            lines.last(),
            Some(format!("TOTAL,0.1606,true,0.1556,-0.005,-3.1133,false,0,USD,rec_2026-01-01_001,2026-01-01T00:00:00Z,2026-01-01T01:00:00Z,{card}").as_str())
        );
        // The machine names stay available for scripts.
        let mut machine = figures.clone();
        machine.settings.csv_headers = CsvHeaders::Machine;
        let header = reconciliation_csv(&machine, CsvStyle::default());
        assert!(header.starts_with("model,expected,expected_complete,provider_recorded,variance,variance_percent,within_tolerance,at_risk,currency,run_id,window_start_utc,window_end_utc,rate_card_sha256\r\n"));
        let charges = charge_lines_csv(figures, CsvStyle::default());
        // The fixture's cells hold no commas, so a plain split reads them back.
        let total: rust_decimal::Decimal = charges
            .lines()
            .skip(1)
            .map(|l| {
                l.split(',')
                    .nth(9)
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum();
        assert_eq!(
            total,
            figures.pricing.as_ref().unwrap().expected,
            "the lines add up to the expected charge"
        );
    }
}
