//! [`RecordsJson`]: the JSON of a non-gateway export read as it arrives: JSON lines
//! row by row, a JSON array element by element (a bare array of report buckets bucket
//! by bucket, each read as a page's `data` is), report pages and account answers whole
//! (up to [`LARGEST_DOCUMENT`]: they are small).

use serde_json::{Map, Value};

use super::Filing;
use crate::error::{Error, Position};
use crate::ingest::formats::record_fields::Fields;
use crate::ingest::formats::{recognize, Format};
use crate::ingest::text::damage::Damage;
use crate::ingest::text::decode::Pos;
use crate::ingest::text::json::{Document, Objects};

/// A JSON report read whole larger than this is refused with a sentence (reports are
/// small; a client log this large should come as JSON lines or CSV, which stream).
pub const LARGEST_DOCUMENT: usize = 16 << 20;

/// JSON records of a non-gateway export, as the text arrives.
pub struct RecordsJson {
    format: Format,
    lines: bool,
    /// A JSON array of records, streamed element by element.
    array: Option<Document<Objects>>,
    /// Records filed so far, numbered as rows (a bucket's results one each).
    records: Records,
    text: String,
    line: u64,
    count: u64,
    too_large: bool,
    /// The first invalid character of the line being read (JSON lines), or of the
    /// document read whole.
    damage: Option<Damage>,
}

/// How the elements of a JSON array become records, and how many were filed.
struct Records {
    /// The array holds report buckets: each element's results are the records, as in
    /// a page's `data` ([`recognize::results`]).
    buckets: bool,
    filed: u64,
}

impl RecordsJson {
    /// `start` is the beginning of the text (it says whether a document is an array).
    pub fn new(format: Format, lines: bool, start: &str) -> RecordsJson {
        let array = (!lines && start.trim_start().starts_with('[')).then(|| Document::new(start));
        let records = Records {
            buckets: array.is_some() && recognize::in_buckets(format),
            filed: 0,
        };
        RecordsJson {
            format,
            lines,
            array,
            records,
            text: String::new(),
            line: 0,
            count: 0,
            too_large: false,
            damage: None,
        }
    }

    /// An invalid character where the text so far ends: the line (JSON lines) or the
    /// array element holding it is rejected whole; a document read whole is not read.
    pub fn damaged(&mut self, damage: Damage) {
        match &mut self.array {
            Some(array) => array.damaged(damage),
            None => _ = self.damage.get_or_insert(damage),
        }
    }

    pub fn push(&mut self, text: &str, at: Pos, filing: &mut Filing) {
        let (format, records) = (self.format, &mut self.records);
        if let Some(array) = &mut self.array {
            return array.push(text, at, &mut |_, _, map| {
                records.element(format, map, filing)
            });
        }
        if !self.lines {
            if self.text.len() + text.len() > LARGEST_DOCUMENT {
                self.too_large = true;
                self.text = String::new();
            }
            if !self.too_large {
                self.text.push_str(text);
            }
            return;
        }
        self.text.push_str(text);
        let mut done = 0;
        while let Some(end) = memchr::memchr(b'\n', &self.text.as_bytes()[done..]) {
            let line = self.text[done..done + end].to_string();
            self.one_line(&line, filing);
            done += end + 1;
        }
        self.text.drain(..done);
    }

    fn one_line(&mut self, line: &str, filing: &mut Filing) {
        self.line += 1;
        if let Some(damage) = self.damage.take() {
            self.count += 1;
            return filing.reject_damaged(Some(self.line), self.count, damage);
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            return;
        }
        self.count += 1;
        match serde_json::from_str::<Map<String, Value>>(line) {
            Ok(map) => {
                let cells = filing.json_cells.clone();
                let fields = Fields::Json(&map, &cells);
                filing.evidence_record(self.format, Some(self.line), self.count, &fields)
            }
            Err(e) => {
                let message = format!("expected a JSON object on this line, but found text that is not one (column {})", e.column());
                filing.reject_row(Some(self.line), self.count, &message)
            }
        }
    }

    pub fn finish(mut self, filing: &mut Filing) {
        filing.format = Some(self.format);
        let (format, records) = (self.format, &mut self.records);
        if let Some(array) = self.array.take() {
            filing.problem = array.finish(&mut |_, _, map| records.element(format, map, filing));
            return;
        }
        if self.lines {
            let rest = std::mem::take(&mut self.text);
            if !rest.is_empty() {
                self.one_line(&rest, filing);
            }
            return;
        }
        if self.too_large {
            let message = format!(
                "this {} is a JSON document larger than {} MiB; export it in smaller pages, or as JSON lines or CSV, which are read as they stream",
                format_name(self.format),
                LARGEST_DOCUMENT >> 20
            );
            filing.problem = Some(Error::syntax(Position::default(), message));
            return;
        }
        if let Some(damage) = self.damage {
            filing.problem = Some(damage.spoils_document());
            return;
        }
        let records = serde_json::from_str::<Value>(&self.text)
            .map_err(|e| {
                let at = Position::line(e.line() as u64).with_column(&e.column().to_string());
                let message = format!("the JSON is broken here ({e}); no row was read");
                Error::syntax(at, message)
            })
            .and_then(|v| recognize::records(v).map_err(|m| Error::syntax(Position::default(), m)));
        match records {
            Ok(found) => {
                for map in found {
                    self.records.file(format, map, filing);
                }
            }
            Err(problem) => filing.problem = Some(problem),
        }
    }
}

fn format_name(format: Format) -> &'static str {
    format.stream().describe()
}

impl Records {
    /// One element of a JSON array: a record, or a bucket of them.
    fn element(
        &mut self,
        format: Format,
        map: Result<Option<Map<String, Value>>, Damage>,
        filing: &mut Filing,
    ) {
        let map = match map {
            Ok(map) => map,
            Err(damage) => {
                self.filed += 1;
                return filing.reject_damaged(None, self.filed, damage);
            }
        };
        if !self.buckets {
            return self.file(format, map, filing);
        }
        let bucket = map.map_or(Value::Null, Value::Object);
        for record in recognize::results(bucket) {
            self.file(format, record, filing);
        }
    }

    /// Files the next record (None: not a JSON object, rejected as such).
    fn file(&mut self, format: Format, map: Option<Map<String, Value>>, filing: &mut Filing) {
        self.filed += 1;
        let Some(map) = map else {
            let message =
                "expected a JSON object with the record's fields, but found something else";
            return filing.reject_row(None, self.filed, message);
        };
        let cells = filing.json_cells.clone();
        filing.evidence_record(format, None, self.filed, &Fields::Json(&map, &cells));
    }
}
