//! The row ledger: every input row ends in exactly one bucket.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Position};

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
    /// The first [`KEPT_REJECTIONS`] rejections, in file order: each row we could not
    /// use, where it is and why, in words a reviewer understands (kind `Syntax` for a
    /// row that is not the format at all, `Data` for a value that is wrong).
    pub rejections: Vec<Error>,
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

    pub fn reject(&mut self, rejection: Error) {
        self.rows_read += 1;
        self.rejected += 1;
        let column = rejection.position.column.clone().unwrap_or_default();
        *self.rejected_by_column.entry(column).or_default() += 1;
        if self.rejections.len() < KEPT_REJECTIONS {
            self.rejections.push(rejection);
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

    /// The kept rejections grouped by reason, in order of first appearance: a file whose
    /// every row fails the same way says so once, with the rows it concerns.
    pub fn rejection_groups(&self) -> Vec<RejectionGroup<'_>> {
        let mut groups: Vec<(String, RejectionGroup)> = Vec::new();
        for r in &self.rejections {
            let column = r.position.column.as_deref().unwrap_or("");
            let key = reason_key(&r.message);
            match groups
                .iter_mut()
                .find(|(k, g)| g.column == column && *k == key)
            {
                Some((_, group)) => group.positions.push(&r.position),
                None => groups.push((
                    key,
                    RejectionGroup {
                        column,
                        first: r,
                        positions: vec![&*r.position],
                    },
                )),
            }
        }
        groups.into_iter().map(|(_, g)| g).collect()
    }

    /// Rejected rows whose text was not kept (past the first [`KEPT_REJECTIONS`]).
    pub fn unlisted_rejections(&self) -> u64 {
        self.rejected.saturating_sub(self.rejections.len() as u64)
    }
}

/// Rejections with the same reason: the same column, and the same sentence once the
/// values it quotes (numbers, quoted text) are set aside.
#[derive(Debug, PartialEq, Eq)]
pub struct RejectionGroup<'a> {
    pub column: &'a str,
    /// The first of them, whose sentence stands for all.
    pub first: &'a Error,
    pub positions: Vec<&'a Position>,
}

/// How many line numbers a group lists before it says "…".
const LISTED_PLACES: usize = 10;

impl RejectionGroup<'_> {
    /// One line for the group: the rejection itself when it is alone, else
    /// "N rows (lines 2, 3, 4 …), column C: the first one's sentence".
    pub fn describe(&self) -> String {
        if self.positions.len() == 1 {
            return format!("{}: {}", self.first.position, self.first.message);
        }
        let column = if self.column.is_empty() {
            String::new()
        } else {
            format!(", column {}", self.column)
        };
        format!(
            "{} rows ({}){column}: {} (the first of them; the others differ only in the values quoted)",
            self.positions.len(),
            self.places(),
            self.first.message
        )
    }

    /// "lines 2, 3, 4" (rows where a format has no lines), the first few only.
    pub fn places(&self) -> String {
        let by_line = self.positions.iter().all(|p| p.line.is_some());
        let numbers: Vec<String> = self
            .positions
            .iter()
            .take(LISTED_PLACES)
            .filter_map(|p| if by_line { p.line } else { p.row })
            .map(|n| n.to_string())
            .collect();
        let more = if self.positions.len() > LISTED_PLACES {
            " …"
        } else {
            ""
        };
        let noun = if by_line { "lines" } else { "rows" };
        format!("{noun} {}{more}", numbers.join(", "))
    }
}

/// A rejection's sentence with the values it quotes set aside: digits and quoted text
/// become `…`, so "found 1.5" and "found 2.5" give the same reason.
fn reason_key(message: &str) -> String {
    let mut key = String::with_capacity(message.len());
    let mut quoted = false;
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        let next_is_digit = chars.peek().is_some_and(char::is_ascii_digit);
        match c {
            '"' => {
                quoted = !quoted;
                if quoted {
                    key.push('…');
                }
            }
            _ if quoted => {}
            // A number's digits, and the point or group separator between them.
            c if c.is_ascii_digit() => {
                if !key.ends_with('…') {
                    key.push('…');
                }
            }
            '.' | ',' if key.ends_with('…') && next_is_digit => {}
            c => key.push(c),
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(ledger: &mut Ledger, line: u64, column: &str, message: &str) {
        let position = Position {
            file: "f.csv".into(),
            line: Some(line),
            row: Some(line - 1),
            column: (!column.is_empty()).then(|| column.to_string()),
            path: None,
        };
        ledger.reject(Error::data(position, message));
    }

    #[test]
    fn rejections_group_by_column_and_reason_not_by_value() {
        let mut ledger = Ledger::default();
        let zone =
            |t: &str| format!("expected a time with a zone, but found \"{t}\"; state the zone");
        for line in 2..=14 {
            rejected(
                &mut ledger,
                line,
                "start",
                &zone(&format!("2026-01-01 0{}:00", line % 10)),
            );
        }
        rejected(
            &mut ledger,
            15,
            "tokens",
            "expected a whole token count, but found 1.5",
        );
        rejected(
            &mut ledger,
            16,
            "tokens",
            "expected a whole token count, but found 22.25",
        );
        rejected(&mut ledger, 17, "end", &zone("x"));
        rejected(
            &mut ledger,
            18,
            "",
            "expected a JSON object, but found something else",
        );
        let groups: Vec<String> = ledger
            .rejection_groups()
            .iter()
            .map(|g| g.describe())
            .collect();
        assert_eq!(
            groups,
            [
                "13 rows (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 …), column start: expected a time with a zone, but found \"2026-01-01 02:00\"; state the zone (the first of them; the others differ only in the values quoted)",
                "2 rows (lines 15, 16), column tokens: expected a whole token count, but found 1.5 (the first of them; the others differ only in the values quoted)",
                "f.csv, line 17, row 16, column end: expected a time with a zone, but found \"x\"; state the zone",
                "f.csv, line 18, row 17: expected a JSON object, but found something else",
            ]
        );
        assert_eq!(ledger.unlisted_rejections(), 0);
    }

    #[test]
    fn reasons_set_values_aside() {
        let cases = [
            ("found 1.5", "found …"),
            ("found \"a b\"; do x", "found …; do x"),
            (
                "include the 8000 cached tokens, but found only 12",
                "include the … cached tokens, but found only …",
            ),
            ("no values here", "no values here"),
        ];
        for (message, key) in cases {
            assert_eq!(reason_key(message), key, "{message}");
        }
    }
}
