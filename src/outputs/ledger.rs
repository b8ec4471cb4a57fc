//! The dual ledger as CSV: one row per model and day, estimated beside reconciled, as
//! of the time the file is written (a day inside its posting window is provisional).

use jiff::Timestamp;

use super::{key, table, Cell, CsvStyle};
use crate::figures::Figures;

const LEDGER_COLUMNS: [(&str, &str); 13] = [
    ("day", "Day"),
    ("zone", "Time zone"),
    ("model", "Model"),
    ("estimated", "Estimated cost"),
    ("reconciled", "Reconciled cost"),
    ("variance", "Variance"),
    ("currency", "Currency"),
    ("provisional", "Provisional"),
    ("estimated_rows", "Estimated rows"),
    ("unpriced_rows", "Unpriced rows"),
    ("reconciled_rows", "Reconciled rows"),
    ("estimated_from", "Estimated from"),
    ("reconciled_from", "Reconciled from"),
];

/// One row per model × day (the undated line with an empty day), as of `at`.
pub fn dual_ledger_csv(figures: &Figures, style: CsvStyle, at: Timestamp) -> String {
    let ledger = &figures.dual_ledger;
    let stream = |s: Option<crate::ingest::Stream>| s.map_or(Cell::Absent, |s| key(&s));
    let lines = ledger.lines_at(at, figures.settings.quota_per_usd);
    let rows = lines.into_iter().map(|l| {
        vec![
            l.day.map_or(Cell::Absent, Cell::Word),
            Cell::word(&ledger.zone),
            Cell::Text(l.model),
            Cell::number(l.estimated),
            Cell::number(l.reconciled),
            Cell::number(l.variance),
            Cell::word(&figures.settings.billing_currency),
            Cell::word(l.provisional),
            Cell::word(l.estimated_rows),
            Cell::word(l.unpriced_rows),
            Cell::word(l.reconciled_rows),
            stream(ledger.estimated_from),
            stream(ledger.reconciled_from),
        ]
    });
    table(figures, style, &LEDGER_COLUMNS, rows)
}
