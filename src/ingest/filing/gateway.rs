//! Gateway log rows filed as they are read: a JSON row, or a row of cells already parsed
//! (delimited text), through the window and row-type rules into the ledger and the rows.

use super::Filing;
use crate::ingest::formats::newapi::{self, CellError, JsonRow};
use crate::ingest::formats::row::{Parts, RowKind};
use crate::ingest::store::evidence::id_hash;
use crate::ingest::store::facts::{Place, Request, Side};
use crate::ingest::store::ledger::ExclusionRule;
use crate::ingest::store::overlap;
use crate::ingest::text::damage::Damage;
use crate::policy::{Billability, Outcome};

impl Filing {
    /// A JSON row, or the invalid character that spoils it.
    pub fn json_row(&mut self, number: u64, line: Option<u64>, row: Result<JsonRow, Damage>) {
        let row = match row {
            Ok(row) => row,
            Err(damage) => return self.reject_damaged(line, number, damage),
        };
        if row.empty {
            let message = "expected a JSON object with the log fields, but found something else";
            return self.reject_row(line, number, message);
        }
        let parsed = newapi::parse_parts(&row.cells, &mut self.rows, &self.json_cells);
        self.file_row(line, number, None, parsed);
    }

    /// Files one parsed row: window and row-type rules first, then acceptance.
    /// `header` is the column as the file names it, when it differs from ours.
    pub fn file_row(
        &mut self,
        line: Option<u64>,
        number: u64,
        header: Option<&str>,
        row: Result<Parts, CellError>,
    ) {
        let row = match row {
            Ok(row) => row,
            Err((column, message)) => {
                let column = header.unwrap_or(column.name());
                return self.reject_value(line, number, column, message);
            }
        };
        let rules = &self.rules;
        if let Some(window) = rules.window.filter(|w| !w.contains(row.at)) {
            let place = Place { line, row: number };
            if let Some(side) = window.buffer_side(row.at, rules.buffer_minutes) {
                let facts = &mut self.evidence.facts;
                facts.note_buffer(side, place);
                let posted_late = side == Side::After && row.kind == RowKind::Consume;
                if let Some(id) = row.request_id.filter(|_| posted_late) {
                    facts.posted_after.push(id_hash(id));
                }
            }
            return self.ledger.exclude(ExclusionRule::OutsideWindow);
        }
        if row.kind == RowKind::NotUsage {
            return self.ledger.exclude(ExclusionRule::NotUsage);
        }
        let billed =
            row.kind == RowKind::Refund || rules.policy.of(row.outcome) != Billability::NotBillable;
        let facts = &mut self.evidence.facts;
        if row.kind != RowKind::Refund {
            facts.attempts.note(row.outcome);
            facts.note_time(row.at);
            // A successful stream row with no completion tokens was written when the
            // stream started, not when it completed: its usage may be partial.
            facts.stream_flagged += u64::from(row.stream.is_some());
            let success = row.kind == RowKind::Consume && row.outcome == Outcome::Success;
            if success && row.stream == Some(true) && row.counts.completion == 0 {
                facts.logged_at_start.note(Place { line, row: number });
            }
            // Every request in the window, billed or not; only a billed one has a row.
            if let Some(id) = row.request_id {
                facts.requests.push(Request {
                    id: id_hash(id),
                    place: Place { line, row: number },
                    stored: billed.then_some(self.rows.len() as u64),
                    outcome: None,
                });
            }
        }
        if !billed {
            return self.ledger.exclude(ExclusionRule::NonBillableOutcome);
        }
        self.ledger.accept();
        if let Some(id) = row.request_id {
            self.evidence.request_ids.push(id_hash(id));
        }
        self.row_tags.push(overlap::row_tag(&row));
        let (labels, request) = super::labels::of_gateway(&row);
        self.labels.push(labels, request);
        self.rows.push_parts(&row);
    }
}
