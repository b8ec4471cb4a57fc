//! The row ledger: every input row ends in exactly one bucket.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Position;

/// Why a row that was read correctly is left out of the reconciliation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionRule {
    /// Written before the window start or at/after its end.
    OutsideWindow,
    /// A failed request whose outcome the policy calls not billable.
    NonBillableOutcome,
    /// Top-up, management or system rows: money movements, not usage.
    NotUsage,
    /// The file is byte for byte one loaded before it: its rows count once.
    DuplicateFile,
    /// A gateway log row, or a client request with its request id, that another file
    /// of the same stream already holds: log pages fetched while new rows arrived, or
    /// exports of overlapping periods (see `ingest::overlap`).
    RepeatedRow,
}

impl ExclusionRule {
    pub fn describe(self) -> &'static str {
        match self {
            ExclusionRule::OutsideWindow => "outside the incident window",
            ExclusionRule::NonBillableOutcome => {
                "failed request, not billable under the outcome policy"
            }
            ExclusionRule::NotUsage => {
                "not usage (a top-up, management or system row, a purchase or tax, an empty bucket)"
            }
            ExclusionRule::DuplicateFile => "the same file loaded twice (counted once)",
            ExclusionRule::RepeatedRow => {
                "the same request as in another file (log pages or exports that overlap; counted once)"
            }
        }
    }
}

/// A row we could not use, with where it is and why, in words a reviewer understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub position: Position,
    pub message: String,
}

/// How many rejections are kept with their text; the count is always exact.
pub const KEPT_REJECTIONS: usize = 200;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub rows_read: u64,
    pub accepted: u64,
    /// Of the accepted rows, the client requests that state no time, counted because the
    /// reviewer chose to (`untimed_requests: count`): the incident window could not be
    /// applied to them.
    #[serde(default)]
    pub accepted_without_time: u64,
    pub excluded: BTreeMap<ExclusionRule, u64>,
    pub rejected: u64,
    /// The first [`KEPT_REJECTIONS`] rejections, in file order.
    pub rejections: Vec<Rejection>,
    /// Every rejection counted by the column it concerns ("" = the row as a whole), so
    /// the reasons can be shown grouped however many there are.
    #[serde(default)]
    pub rejected_by_column: BTreeMap<String, u64>,
}

impl Ledger {
    pub fn accept(&mut self) {
        self.rows_read += 1;
        self.accepted += 1;
    }

    /// A row accepted although it states no time (see [`Ledger::accepted_without_time`]).
    pub fn accept_without_time(&mut self) {
        self.accept();
        self.accepted_without_time += 1;
    }

    pub fn exclude(&mut self, rule: ExclusionRule) {
        self.rows_read += 1;
        *self.excluded.entry(rule).or_default() += 1;
    }

    pub fn reject(&mut self, position: Position, message: String) {
        self.rows_read += 1;
        self.rejected += 1;
        let column = position.column.clone().unwrap_or_default();
        *self.rejected_by_column.entry(column).or_default() += 1;
        if self.rejections.len() < KEPT_REJECTIONS {
            self.rejections.push(Rejection { position, message });
        }
    }

    /// A rejection past the first [`KEPT_REJECTIONS`]: counted, its text not kept.
    pub fn count_rejection(&mut self, column: &str) {
        self.rows_read += 1;
        self.rejected += 1;
        *self
            .rejected_by_column
            .entry(column.to_string())
            .or_default() += 1;
    }

    /// Adds the ledger of a later part of the same file, read apart (see
    /// `Ingestor::join_tail`): its positions move down by the `lines` and `rows` read
    /// before it, and only the first [`KEPT_REJECTIONS`] of both stay kept, as when the
    /// file is read in one piece.
    pub fn append_shifted(&mut self, tail: Ledger, lines: u64, rows: u64) {
        self.rows_read += tail.rows_read;
        self.accepted += tail.accepted;
        self.accepted_without_time += tail.accepted_without_time;
        self.rejected += tail.rejected;
        for (rule, count) in tail.excluded {
            *self.excluded.entry(rule).or_default() += count;
        }
        for (column, count) in tail.rejected_by_column {
            *self.rejected_by_column.entry(column).or_default() += count;
        }
        let room = KEPT_REJECTIONS.saturating_sub(self.rejections.len());
        self.rejections
            .extend(tail.rejections.into_iter().take(room).map(|mut r| {
                r.position.line = r.position.line.map(|l| l + lines);
                r.position.row = r.position.row.map(|r| r + rows);
                r
            }));
    }

    /// Moves `count` accepted rows (at most all of them) under `rule`, after the file was
    /// read: its rows turned out to be counted already. Rows without a time are never
    /// matched with another file's (their identity lacks the time), so they leave only
    /// when all accepted rows do (a file given twice).
    pub fn exclude_accepted(&mut self, rule: ExclusionRule, count: u64) {
        let count = count.min(self.accepted);
        if count > 0 {
            self.accepted -= count;
            self.accepted_without_time = self.accepted_without_time.min(self.accepted);
            *self.excluded.entry(rule).or_default() += count;
        }
    }

    pub fn excluded_total(&self) -> u64 {
        self.excluded.values().sum()
    }

    /// The conservation invariant: rows in = accepted + excluded + rejected, and the rows
    /// accepted without a time are some of the accepted ones.
    pub fn is_balanced(&self) -> bool {
        self.rows_read == self.accepted + self.excluded_total() + self.rejected
            && self.accepted_without_time <= self.accepted
    }
}
