//! CSV exports of the figures, for spreadsheets: the expected-charge lines and the
//! per-model reconciliation. Same allow-list discipline as the record: computed
//! figures and sanitized identifiers only.

use rust_decimal::Decimal;

use crate::decimal::format;
use crate::figures::Figures;
use crate::sanitize;

/// A text cell a spreadsheet could read as a formula gets a leading apostrophe.
fn text(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The snake_case name an enum has in the record (`uncached_input`, `at_risk`).
fn key<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// An absent figure is an empty cell, never a zero.
fn amount(value: Option<Decimal>) -> String {
    value.map_or_else(String::new, format)
}

fn known(value: Option<bool>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled.
fn cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn write(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let header = header.iter().map(|h| h.to_string()).collect();
    let lines = std::iter::once(header)
        .chain(rows)
        .map(|row: Vec<String>| row.iter().map(|v| cell(v)).collect::<Vec<_>>().join(",") + "\r\n");
    lines.collect()
}

/// One row per model × dimension × tier × status: what makes up the expected charge.
pub fn charge_lines_csv(figures: &Figures) -> String {
    let currency = &figures.settings.billing_currency;
    let lines = figures.pricing.iter().flat_map(|p| &p.lines);
    let rows = lines
        .map(|l| {
            vec![
                text(&sanitize::label(&l.model)),
                key(&l.dimension),
                l.long_context.to_string(),
                key(&l.status),
                l.quantity.to_string(),
                amount(l.rate),
                l.unit.clone(),
                format(l.factor),
                text(
                    &l.factors
                        .iter()
                        .map(|f| sanitize::label_text(f))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                amount(l.amount),
                currency.clone(),
                key(&l.label),
                text(&sanitize::url(&l.source_url)),
            ]
        })
        .collect();
    write(
        &[
            "model",
            "dimension",
            "long_context",
            "status",
            "quantity",
            "rate",
            "unit",
            "factor",
            "factors",
            "amount",
            "currency",
            "label",
            "source_url",
        ],
        rows,
    )
}

/// One row per model plus a total: expected versus recorded.
pub fn reconciliation_csv(figures: &Figures) -> String {
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
        .map(|(model, c)| (text(&sanitize::label(model)), c, at_risk(model)));
    let total = std::iter::once((
        "TOTAL".to_string(),
        &r.total,
        figures.pricing.as_ref().map(|p| p.at_risk),
    ));
    let rows = per_model
        .chain(total)
        .map(|(model, c, at_risk)| {
            vec![
                model,
                amount(c.expected),
                known(c.expected.map(|_| c.expected_complete)),
                amount(c.provider),
                amount(c.variance),
                amount(c.variance_percent),
                known(c.within_tolerance),
                amount(at_risk),
                figures.settings.billing_currency.clone(),
            ]
        })
        .collect();
    write(
        &[
            "model",
            "expected",
            "expected_complete",
            "provider_recorded",
            "variance",
            "variance_percent",
            "within_tolerance",
            "at_risk",
            "currency",
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{run, InputFile};
    use crate::settings::Settings;

    #[test]
    fn exports_read_back_with_the_same_figures() {
        let settings =
            Settings::from_json(include_str!("../tests/fixtures/settings.json")).unwrap();
        let bytes = include_bytes!("../tests/fixtures/cometapi-log-page.json").to_vec();
        let review = run(
            &[InputFile {
                name: "log.json".into(),
                bytes,
            }],
            &settings,
        );
        let figures = review.figures.as_ref().unwrap();
        let reconciliation = reconciliation_csv(figures);
        let mut lines = reconciliation.lines();
        assert_eq!(lines.next(), Some("model,expected,expected_complete,provider_recorded,variance,variance_percent,within_tolerance,at_risk,currency"));
        assert_eq!(
            lines.last(),
            Some("TOTAL,0.1606,true,0.1556,-0.005,-3.1133,false,0,USD")
        );
        let charges = charge_lines_csv(figures);
        // The fixture's cells hold no commas, so a plain split reads them back.
        let total: Decimal = charges
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(9).unwrap().parse::<Decimal>().unwrap())
            .sum();
        assert_eq!(
            total,
            figures.pricing.as_ref().unwrap().expected,
            "the lines add up to the expected charge"
        );
    }

    #[test]
    fn formula_cells_are_defused_and_quoted() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(text("gpt-4o"), "gpt-4o");
    }
}
