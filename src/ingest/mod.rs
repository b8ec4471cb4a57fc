//! ingest: bytes in, typed evidence out, every row accounted for.
//!
//! [`Ingestor`] reads a file as it arrives, chunk by chunk: it fingerprints the bytes,
//! sniffs the encoding and shape, reads the rows (JSON or delimited text), maps the known
//! columns, and files each row in the [`Ledger`]: accepted, excluded by a rule, or
//! rejected with its position and a message. It never panics on input, never stops at
//! the first bad row, and never holds the file: only the ledger, the accepted rows in
//! compact form ([`Rows`]) and the text of the row being read. [`ingest`] is the same on
//! bytes already in memory; for any chunking, both give the same [`FileReport`].

mod billing;
mod client;
mod decode;
mod delimited;
mod detect;
mod document;
pub mod evidence;
mod evidence_json;
mod fields;
mod format;
mod gunzip;
mod json;
mod jsonrow;
mod jsonscan;
mod jsontext;
mod labels;
pub mod ledger;
pub mod mapping;
pub mod newapi;
mod other;
pub mod overlap;
mod rowbuild;
pub mod rows;
mod rules;
mod sniff;
mod stream;
mod times;

#[cfg(test)]
pub(crate) mod samples;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Position;
use crate::policy::Billability;
pub use evidence::{ChargeTotal, Evidence, Stream};
pub use format::Format;
pub use ledger::{ExclusionRule, Ledger, Rejection};
pub use rules::{Currency, Rules, UntimedRequests, Window};

use newapi::{CellError, Parts, RowKind};
pub use rows::{Rows, RowsBuilder};
pub use stream::{line_start, FileHasher, Hashing, Ingestor, Tail};
pub use times::{parse_time, parse_timestamp, CellFormat, DateOrder, StatedZone};

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
    /// Accepted usage rows: gateway consume and refund rows, client requests whose usage
    /// is known, provider usage buckets.
    pub rows: Rows,
    /// What a file of another stream adds (charges, requests of unknown usage).
    pub evidence: Evidence,
}

impl FileReport {
    /// Files the rows of a file whose bytes an earlier file already holds under
    /// [`ExclusionRule::DuplicateFile`]: every row still accounted for, none counted twice.
    pub fn exclude_as_duplicate(&mut self) {
        self.ledger
            .exclude_accepted(ExclusionRule::DuplicateFile, self.ledger.accepted);
        self.rows = Rows::default();
        self.evidence.row_tags.clear();
        self.evidence.unknown_requests.clear();
        self.evidence.usage_unknown.clear();
        self.evidence.charges.clear();
        self.evidence.reported_cost = None;
        self.evidence.straddling_buckets = 0;
        self.evidence.outcomes.clear();
    }

    /// The evidence stream the file belongs to (a gateway log until shown otherwise).
    pub fn stream(&self) -> Stream {
        self.format.map_or(Stream::GatewayLog, Format::stream)
    }

    /// Whether the file says anything about its stream: it was read, and unless it holds
    /// no rows at all (an empty page is evidence of nothing in it), at least one of its
    /// rows could be read. A file whose every row was rejected gives no figure: its
    /// stream's figures are then absent, not zero.
    pub fn gives_evidence(&self) -> bool {
        let l = &self.ledger;
        self.format.is_some() && (l.rows_read == 0 || l.rejected < l.rows_read)
    }
}

/// The report without its rows, as JSON (the rows travel as bytes beside it).
#[derive(Serialize, Deserialize)]
struct Meta {
    name: String,
    fingerprint: Fingerprint,
    format: Option<Format>,
    problem: Option<String>,
    ledger: Ledger,
    #[serde(default)]
    evidence: Evidence,
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
            evidence: self.evidence.clone(),
        };
        let json = serde_json::to_string(&meta).unwrap_or_default();
        (json, self.rows.tables(), self.rows.data())
    }

    /// `rows` is the tables and data of [`FileReport::to_wire`], one after the other.
    pub fn from_wire(json: &str, rows: Vec<u8>) -> Result<FileReport, String> {
        let mut report = FileReport::from_wire_without_rows(json)?;
        let rows = Rows::from_bytes(rows)?;
        let unknown = report.evidence.unknown_total();
        let charged = matches!(report.stream(), Stream::Billing | Stream::AccountTotals);
        if !charged && rows.len() as u64 + unknown != report.ledger.accepted {
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
            evidence: meta.evidence,
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
    /// How delimited text and JSON rows write their cells ([`Rules::cell_formats`]).
    text_cells: CellFormat,
    json_cells: CellFormat,
    ledger: Ledger,
    rows: RowsBuilder,
    format: Option<Format>,
    problem: Option<String>,
    evidence: Evidence,
    charges: evidence::ChargeSums,
    /// The column mapping a file of an unknown export is read through.
    mapping: Option<mapping::Mapping>,
    /// The format the reviewer chose for this file, over detection.
    forced: Option<Format>,
}

impl Filing {
    fn new(name: &str, rules: Rules) -> Filing {
        let (text_cells, json_cells) = rules.cell_formats();
        let forced = rules
            .overrides
            .iter()
            .find(|(file, _)| file == name)
            .map(|o| o.1);
        Filing {
            name: name.to_string(),
            rules,
            text_cells,
            json_cells,
            ledger: Ledger::default(),
            rows: RowsBuilder::default(),
            format: None,
            problem: None,
            evidence: Evidence::default(),
            charges: Default::default(),
            mapping: None,
            forced,
        }
    }

    /// Forgets every row: the file turned out unreadable as a whole.
    fn reset(&mut self) {
        *self = Filing::new(&self.name, self.rules.clone());
    }

    /// For JSON lines whose first record is no export we know and names no gateway
    /// column: a saved mapping made for its keys, else None after saying so (the page
    /// then offers Map columns, as for a CSV header).
    fn json_mapping(
        &mut self,
        first: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<Format> {
        let keys: Vec<String> = first.keys().cloned().collect();
        if let Some(mapping) = self.rules.mappings.iter().find(|m| m.fits(&keys)) {
            self.mapping = Some(mapping.clone());
            return Some(match mapping.stream {
                mapping::MappedStream::Requests => Format::MappedRequests,
                mapping::MappedStream::Charges => Format::MappedCharges,
            });
        }
        self.problem = Some(format!(
            "line 1: expected the fields of an export we know, but found the fields {}; \
             map them to what they hold under \"Map columns\" and the file is read again",
            keys.iter()
                .take(12)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ));
        self.evidence.unmapped_header = keys
            .iter()
            .take(64)
            .map(|k| k.chars().take(80).collect())
            .collect();
        None
    }

    /// The format to read a file as, when it is not a gateway log: the reviewer's
    /// choice, else what detection says. `detected` runs only without a choice.
    fn evidence_format(&self, detected: impl FnOnce() -> Option<Format>) -> Option<Format> {
        match self.forced {
            Some(f) if f.stream() == Stream::GatewayLog => None,
            Some(f) => Some(f),
            None => detected(),
        }
    }

    fn position(&self, line: Option<u64>, row: u64, column: &str) -> Position {
        Position {
            file: self.name.clone(),
            line,
            row: Some(row),
            column: Some(column.to_string()),
            path: None,
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
                return self.ledger.count_rejection(column);
            }
        };
        let rules = &self.rules;
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
        if let Some(id) = row.request_id {
            self.evidence.request_ids.push(evidence::id_hash(id));
        }
        self.evidence.row_tags.push(overlap::row_tag(&row));
        self.rows.push_parts(&row);
    }
}
