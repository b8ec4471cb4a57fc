//! The dual ledger as the record carries it: both columns per model and day as of the
//! record's `generated_at`, with the zone, the posting window and the two streams named.

use jiff::Timestamp;
use serde::Serialize;

use crate::dual_ledger::{LedgerLine, POSTING_WINDOW_HOURS};
use crate::figures::Figures;
use crate::ingest::Stream;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DualLedgerOut {
    /// The IANA zone the days are in (`UTC` when the review sets no finance time zone).
    pub zone: String,
    /// A day is provisional until this many hours after it ends.
    pub posting_window_hours: i64,
    pub estimated_from: Option<Stream>,
    pub reconciled_from: Option<Stream>,
    pub lines: Vec<LedgerLine>,
}

pub fn dual_ledger_out(figures: &Figures, generated_at: Timestamp) -> DualLedgerOut {
    let ledger = &figures.dual_ledger;
    DualLedgerOut {
        zone: ledger.zone.clone(),
        posting_window_hours: POSTING_WINDOW_HOURS,
        estimated_from: ledger.estimated_from,
        reconciled_from: ledger.reconciled_from,
        lines: ledger.lines_at(generated_at, figures.settings.quota_per_usd),
    }
}
