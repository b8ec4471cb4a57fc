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
mod times;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::decimal::NumberFormat;
use crate::error::Position;
use crate::policy::{Billability, Policy, PolicyText};
use crate::settings::Window;
pub use ledger::{ExclusionRule, Ledger, Rejection};
use newapi::{CellError, Outcome, Parts, RowKind};
pub use rows::{Rows, RowsBuilder};
pub use stream::Ingestor;
pub use times::{parse_time, CellFormat, DateOrder, StatedZone};

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
        let meta: Meta = serde_json::from_str(json)
            .map_err(|e| format!("the report sent by the reader is damaged: {e}"))?;
        let rows = Rows::from_bytes(rows)?;
        if rows.len() as u64 != meta.ledger.accepted {
            return Err("the rows sent by the reader do not match its ledger".into());
        }
        Ok(FileReport {
            name: meta.name,
            fingerprint: meta.fingerprint,
            format: meta.format,
            problem: meta.problem,
            ledger: meta.ledger,
            rows,
        })
    }
}

/// The review rules that decide how cells are read and whether a row that reads fine is
/// excluded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Rows outside it are excluded (counted in the ledger, never dropped).
    pub window: Option<Window>,
    /// Outcomes the policy calls not billable are excluded.
    pub policy: Policy,
    /// The zone the reviewer states for times written without one (spreadsheet-style
    /// `2026-01-01 08:02:03`); without one such rows are rejected.
    pub zoneless_zone: Option<StatedZone>,
    /// The order of day and month in dates like `1/5/26`; unstated, those are rejected.
    pub date_order: DateOrder,
    /// How delimited files write numbers (`1.234,5`); JSON numbers are always plain.
    pub number_format: NumberFormat,
}

/// The rules as text, for the trip to the web worker (window ends in RFC 3339, the
/// policy as the names the settings use, the rest as the settings write them).
#[derive(Serialize, Deserialize)]
struct RulesText {
    window: Option<(String, String)>,
    policy: Vec<String>,
    #[serde(default)]
    zoneless_zone: Option<String>,
    #[serde(default)]
    date_order: String,
    #[serde(default)]
    number_format: String,
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
            zoneless_zone: self.zoneless_zone.map(StatedZone::to_text),
            date_order: self.date_order.name().to_string(),
            number_format: self.number_format.sample().to_string(),
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
        let zone = text.zoneless_zone.unwrap_or_default();
        Ok(Rules {
            window,
            policy,
            zoneless_zone: StatedZone::parse(&zone).map_err(|_| bad("time zone"))?,
            date_order: DateOrder::parse(&text.date_order).map_err(|_| bad("date order"))?,
            number_format: NumberFormat::parse(&text.number_format)
                .map_err(|_| bad("number format"))?,
        })
    }

    /// How cells are read: delimited text in the stated number format, JSON with the
    /// plain numbers JSON writes (a JSON `1.234` is never one thousand two hundred...).
    fn cell_formats(&self) -> (CellFormat, CellFormat) {
        let text = CellFormat {
            zone: self.zoneless_zone.map(StatedZone::time_zone),
            dates: self.date_order,
            numbers: self.number_format,
        };
        let json = CellFormat {
            numbers: NumberFormat::Plain,
            ..text.clone()
        };
        (text, json)
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
    /// How delimited text and JSON rows write their cells ([`Rules::cell_formats`]).
    text_cells: CellFormat,
    json_cells: CellFormat,
    ledger: Ledger,
    rows: RowsBuilder,
    format: Option<Format>,
    problem: Option<String>,
}

impl Filing {
    fn new(name: &str, rules: Rules) -> Filing {
        let (text_cells, json_cells) = rules.cell_formats();
        Filing {
            name: name.to_string(),
            rules,
            text_cells,
            json_cells,
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
        let parsed = newapi::parse_parts(&row.cells, &mut self.rows, &self.json_cells);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The web worker reads files under exactly the rules the page sent.
    #[test]
    fn rules_survive_the_trip_to_the_worker() {
        let window = Window {
            start: "2026-01-01T00:00:00Z".parse().unwrap(),
            end: "2026-01-02T00:00:00Z".parse().unwrap(),
        };
        let cases = [
            Rules::default(),
            Rules {
                window: Some(window),
                zoneless_zone: StatedZone::parse("Europe/Berlin").unwrap(),
                date_order: DateOrder::DayFirst,
                number_format: NumberFormat::PointThousandsCommaDecimal,
                ..Rules::default()
            },
            Rules {
                zoneless_zone: StatedZone::parse("-05:30").unwrap(),
                date_order: DateOrder::MonthFirst,
                number_format: NumberFormat::SpaceThousandsCommaDecimal,
                ..Rules::default()
            },
        ];
        for rules in cases {
            assert_eq!(Rules::from_wire(&rules.to_wire()), Ok(rules));
        }
        let damaged = r#"{"window":null,"policy":[],"number_format":"1'234"}"#;
        assert_eq!(
            Rules::from_wire(damaged).unwrap_err(),
            "the reading rules sent to the reader are damaged (number format)"
        );
    }
}
