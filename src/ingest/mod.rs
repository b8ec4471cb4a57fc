//! ingest: bytes in, typed evidence out, every row accounted for.
//!
//! [`Ingestor`] reads a file as it arrives, chunk by chunk: it fingerprints the bytes,
//! sniffs the encoding and shape, reads the rows (JSON or delimited text), maps the known
//! columns, and files each row in the [`Ledger`]: accepted, excluded by a rule, or
//! rejected with its position and a message. It never panics on input, never stops at
//! the first bad row, and never holds the file: only the ledger, the accepted rows in
//! compact form ([`Rows`]) and the text of the row being read. [`ingest`] is the same on
//! bytes already in memory; for any chunking, both give the same [`FileReport`].

mod decode;
mod delimited;
mod document;
mod gunzip;
mod json;
mod jsonrow;
mod jsontext;
mod labels;
pub mod ledger;
pub mod newapi;
mod other;
mod rowbuild;
pub mod rows;
mod sniff;
mod stream;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Position;
use crate::policy::{Billability, Policy, PolicyText};
use crate::settings::Window;
pub use ledger::{ExclusionRule, Ledger, Rejection};
use newapi::{CellError, Outcome, Parts, RowKind};
pub use rows::{Rows, RowsBuilder};
pub use stream::Ingestor;

/// What the file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    NewApiLogPage,
    NewApiJsonArray,
    NewApiJsonLines,
    NewApiCsv,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::NewApiLogPage => "CometAPI / new-api usage log (log API JSON page)",
            Format::NewApiJsonArray => "CometAPI / new-api usage log (JSON array of rows)",
            Format::NewApiJsonLines => "CometAPI / new-api usage log (JSON lines)",
            Format::NewApiCsv => "CometAPI / new-api usage log (CSV)",
        }
    }
}

/// Identifies the exact bytes a review used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub sha256: String,
    pub bytes: u64,
}

impl Fingerprint {
    pub fn of(bytes: &[u8]) -> Self {
        let digest = Sha256::digest(bytes);
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
        Fingerprint {
            sha256,
            bytes: bytes.len() as u64,
        }
    }
}

/// Everything learned from one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub fingerprint: Fingerprint,
    pub format: Option<Format>,
    /// A problem with the file as a whole: unreadable, or broken part-way.
    pub problem: Option<String>,
    pub ledger: Ledger,
    /// Accepted gateway rows (consume and refund).
    pub rows: Rows,
}

/// The report without its rows, as JSON (the rows travel as bytes beside it).
#[derive(Serialize, Deserialize)]
struct Meta {
    name: String,
    fingerprint: Fingerprint,
    format: Option<Format>,
    problem: Option<String>,
    ledger: Ledger,
}

impl FileReport {
    /// For the trip from the web worker to the page: the report as JSON, and the rows as
    /// bytes, in two parts to be sent as one (`Rows::tables` then `Rows::data`: as JSON
    /// they would be ten times larger).
    pub fn to_wire(&self) -> (String, Vec<u8>, &[u8]) {
        let meta = Meta {
            name: self.name.clone(),
            fingerprint: self.fingerprint.clone(),
            format: self.format,
            problem: self.problem.clone(),
            ledger: self.ledger.clone(),
        };
        let json = serde_json::to_string(&meta).unwrap_or_default();
        (json, self.rows.tables(), self.rows.data())
    }

    /// `rows` is the tables and data of [`FileReport::to_wire`], one after the other.
    pub fn from_wire(json: &str, rows: Vec<u8>) -> Result<FileReport, String> {
        let mut report = FileReport::from_wire_without_rows(json)?;
        let rows = Rows::from_bytes(rows)?;
        if rows.len() as u64 != report.ledger.accepted {
            return Err("the rows sent by the reader do not match its ledger".into());
        }
        report.rows = rows;
        Ok(report)
    }

    /// The JSON of [`FileReport::to_wire`] alone, for a page whose worker keeps the rows
    /// (and computes the figures from them): the report's `rows` are empty.
    pub fn from_wire_without_rows(json: &str) -> Result<FileReport, String> {
        let meta: Meta = serde_json::from_str(json)
            .map_err(|e| format!("the report sent by the reader is damaged: {e}"))?;
        Ok(FileReport {
            name: meta.name,
            fingerprint: meta.fingerprint,
            format: meta.format,
            problem: meta.problem,
            ledger: meta.ledger,
            rows: Rows::default(),
        })
    }
}

/// The review rules that decide whether a row that reads fine is excluded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Rows outside it are excluded (counted in the ledger, never dropped).
    pub window: Option<Window>,
    /// Outcomes the policy calls not billable are excluded.
    pub policy: Policy,
    /// The UTC offset the reviewer states for times written without a zone
    /// (spreadsheet-style `2026-01-01 08:02:03`); without one such rows are rejected.
    pub zoneless_offset: Option<jiff::tz::Offset>,
}

/// The rules as text, for the trip to the web worker (window ends in RFC 3339, the
/// policy as the names the settings use).
#[derive(Serialize, Deserialize)]
struct RulesText {
    window: Option<(String, String)>,
    policy: Vec<String>,
    #[serde(default)]
    zoneless_offset_seconds: Option<i32>,
}

impl Rules {
    pub fn to_wire(&self) -> String {
        let text = RulesText {
            window: self
                .window
                .map(|w| (w.start.to_string(), w.end.to_string())),
            policy: Outcome::ALL
                .iter()
                .map(|o| match self.policy.of(*o) {
                    Billability::Billable => "billable",
                    Billability::NotBillable => "not_billable",
                    Billability::Unknown => "unknown",
                })
                .map(str::to_string)
                .collect(),
            zoneless_offset_seconds: self.zoneless_offset.map(|o| o.seconds()),
        };
        serde_json::to_string(&text).unwrap_or_default()
    }

    pub fn from_wire(text: &str) -> Result<Rules, String> {
        let bad = |what: &str| format!("the reading rules sent to the reader are damaged ({what})");
        let text: RulesText = serde_json::from_str(text).map_err(|_| bad("not JSON"))?;
        let window = match text.window {
            Some((start, end)) => Some(Window {
                start: start.parse().map_err(|_| bad("window start"))?,
                end: end.parse().map_err(|_| bad("window end"))?,
            }),
            None => None,
        };
        let mut policy = PolicyText::default();
        for (outcome, name) in Outcome::ALL.iter().zip(text.policy) {
            *policy.slot(*outcome) = name;
        }
        let policy = Policy::parse(&policy).map_err(|_| bad("policy"))?;
        let zoneless_offset = match text.zoneless_offset_seconds {
            Some(seconds) => {
                Some(jiff::tz::Offset::from_seconds(seconds).map_err(|_| bad("zone offset"))?)
            }
            None => None,
        };
        Ok(Rules {
            window,
            policy,
            zoneless_offset,
        })
    }
}

/// Reads one file and files every row in its ledger under `rules`.
pub fn ingest(name: &str, bytes: &[u8], rules: Rules) -> FileReport {
    let mut ingestor = Ingestor::new(name, rules);
    ingestor.push(bytes);
    ingestor.finish()
}

/// What the readers file rows into while a file is read.
struct Filing {
    name: String,
    rules: Rules,
    ledger: Ledger,
    rows: RowsBuilder,
    format: Option<Format>,
    problem: Option<String>,
}

impl Filing {
    fn new(name: &str, rules: Rules) -> Filing {
        Filing {
            name: name.to_string(),
            rules,
            ledger: Ledger::default(),
            rows: RowsBuilder::default(),
            format: None,
            problem: None,
        }
    }

    /// Forgets every row: the file turned out unreadable as a whole.
    fn reset(&mut self) {
        *self = Filing::new(&self.name, self.rules);
    }

    fn position(&self, line: Option<u64>, row: u64, column: &str) -> Position {
        Position {
            file: self.name.clone(),
            line,
            row: Some(row),
            column: Some(column.to_string()),
        }
    }

    fn json_row(&mut self, number: u64, line: Option<u64>, row: jsonrow::JsonRow) {
        if row.empty {
            let message = "expected a JSON object with the log fields, but found something else";
            let position = Position {
                column: None,
                ..self.position(line, number, "")
            };
            return self.ledger.reject(position, message.to_string());
        }
        let parsed = newapi::parse_parts(&row.cells, &mut self.rows, self.rules.zoneless_offset);
        self.file_row(line, number, None, parsed);
    }

    /// Files one parsed row: window and row-type rules first, then acceptance.
    /// `header` is the column as the file names it, when it differs from ours.
    fn file_row(
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
                if self.ledger.rejections.len() < ledger::KEPT_REJECTIONS {
                    let position = self.position(line, number, column);
                    return self.ledger.reject(position, message);
                }
                return self.ledger.count_rejection();
            }
        };
        let rules = self.rules;
        if rules.window.is_some_and(|w| !w.contains(row.at)) {
            return self.ledger.exclude(ExclusionRule::OutsideWindow);
        }
        if row.kind == RowKind::NotUsage {
            return self.ledger.exclude(ExclusionRule::NotUsage);
        }
        if row.kind != RowKind::Refund && rules.policy.of(row.outcome) == Billability::NotBillable {
            return self.ledger.exclude(ExclusionRule::NonBillableOutcome);
        }
        self.ledger.accept();
        self.rows.push_parts(&row);
    }
}
