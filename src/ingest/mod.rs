//! ingest: bytes in, typed evidence out, every row accounted for.
//!
//! [`ingest`] sniffs the file, reads its rows (JSON or delimited text), maps the known
//! columns, and files each row in the [`Ledger`]: accepted, excluded by a rule, or
//! rejected with its position and a message. It never panics on input and never stops
//! at the first bad row.

mod json;
pub mod ledger;
pub mod newapi;
mod other;
mod sniff;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Position;
use crate::policy::{Billability, Policy};
use crate::settings::Window;
pub use ledger::{ExclusionRule, Ledger, Rejection};
use newapi::{Column, GatewayRow, RowKind};

/// What the file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
    pub rows: Vec<GatewayRow>,
}

impl FileReport {
    fn new(name: &str, bytes: &[u8]) -> Self {
        FileReport {
            name: name.to_string(),
            fingerprint: Fingerprint::of(bytes),
            format: None,
            problem: None,
            ledger: Ledger::default(),
            rows: Vec::new(),
        }
    }

    /// Files one parsed row: window and row-type rules first, then acceptance.
    fn file_row(
        &mut self,
        position: Position,
        row: Result<GatewayRow, newapi::CellError>,
        rules: Rules,
    ) {
        let row = match row {
            Ok(row) => row,
            Err((column, message)) => {
                let column = position
                    .column
                    .clone()
                    .unwrap_or_else(|| column.name().to_string());
                let position = Position {
                    column: Some(column),
                    ..position
                };
                return self.ledger.reject(position, message);
            }
        };
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
        self.rows.push(row);
    }
}

/// The review rules that decide whether a row that reads fine is excluded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Rows outside it are excluded (counted in the ledger, never dropped).
    pub window: Option<Window>,
    /// Outcomes the policy calls not billable are excluded.
    pub policy: Policy,
}

/// Reads one file and files every row in its ledger under `rules`.
pub fn ingest(name: &str, bytes: &[u8], rules: Rules) -> FileReport {
    let mut report = FileReport::new(name, bytes);
    let (text, shape) = match sniff::sniff(bytes) {
        Ok(found) => found,
        Err(problem) => {
            report.problem = Some(problem);
            return report;
        }
    };
    match shape {
        sniff::Shape::Json => read_json(&mut report, &text, rules),
        sniff::Shape::Delimited => read_delimited(&mut report, &text, rules),
    }
    report
}

fn read_json(report: &mut FileReport, text: &str, rules: Rules) {
    let name = report.name.clone();
    let mut on_row = |row_number: u64, line: Option<u64>, row: json::Row| {
        let position = Position {
            file: name.clone(),
            line,
            row: Some(row_number),
            column: None,
        };
        if row.is_empty() {
            let message =
                "expected a JSON object with the log fields, but found something else".to_string();
            return report.ledger.reject(position, message);
        }
        let get = |column: Column| {
            let value = row.get(column.name()).or_else(|| {
                row.iter()
                    .find(|(k, _)| Column::from_header(k) == Some(column))
                    .map(|(_, v)| v)
            })?;
            newapi::json_cell(value)
        };
        let parsed = newapi::parse_row(&get);
        report.file_row(position, parsed, rules);
    };
    let (layout, problem) = json::read_rows(text, &mut on_row);
    report.format = Some(match layout {
        json::JsonLayout::LogPage => Format::NewApiLogPage,
        json::JsonLayout::Array => Format::NewApiJsonArray,
        json::JsonLayout::Lines => Format::NewApiJsonLines,
    });
    report.problem = problem.map(|p| format!("line {}, {}", p.line, p.message));
}

fn read_delimited(report: &mut FileReport, text: &str, rules: Rules) {
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            report.problem = Some(format!("the header line cannot be read: {e}"));
            return;
        }
    };
    let columns: Vec<Option<Column>> = headers.iter().map(Column::from_header).collect();
    let present: Vec<Column> = columns.iter().flatten().copied().collect();
    let missing = newapi::missing_columns(&present);
    if !missing.is_empty() {
        let found: Vec<&str> = headers.iter().take(12).collect();
        report.problem = Some(format!(
            "line 1: expected the usage-log columns {}, but found the columns {}",
            missing.join(", "),
            found.join(", ")
        ));
        return;
    }
    report.format = Some(Format::NewApiCsv);
    let mut record = csv::StringRecord::new();
    let mut row_number = 0u64;
    loop {
        let position = |row: u64, line: Option<u64>| Position {
            file: report.name.clone(),
            line,
            row: Some(row),
            column: None,
        };
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                row_number += 1;
                let line = record.position().map(|p| p.line());
                let get = |column: Column| {
                    let index = columns.iter().position(|c| *c == Some(column))?;
                    newapi::csv_cell(record.get(index)?)
                };
                let parsed = newapi::parse_row(&get);
                let position = position(row_number, line);
                let position = match &parsed {
                    Err((column, _)) => {
                        let header = columns
                            .iter()
                            .position(|c| *c == Some(*column))
                            .and_then(|i| headers.get(i));
                        Position {
                            column: header.map(str::to_string),
                            ..position
                        }
                    }
                    Ok(_) => position,
                };
                report.file_row(position, parsed, rules);
            }
            Err(e) => {
                row_number += 1;
                let line = e.position().map(|p| p.line());
                report.ledger.reject(
                    position(row_number, line),
                    format!("this row cannot be read as CSV: {e}"),
                );
                if e.is_io_error() {
                    break;
                }
            }
        }
    }
}

/// The delimiter is the candidate that occurs most often on the header line.
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|&d| (header.bytes().filter(|&b| b == d).count(), d == b','))
        .unwrap_or(b',')
}
