//! The records of a delimited file, filed by what its header line says: gateway log
//! rows under a new-api header, records of another export under that export's header or
//! a saved column mapping, and one sentence for a header we do not know.

use std::borrow::Cow;

use super::Filing;
use crate::error::{Error, Position};
use crate::ingest::formats::mapping::MappedStream;
use crate::ingest::formats::newapi::{self, Cells, Column, COLUMNS};
use crate::ingest::formats::record_fields::Fields;
use crate::ingest::formats::{recognize, Format, Stream};
use crate::ingest::text::damage::Damage;
use crate::ingest::text::delimited::{Delimited, RawCell, Record};

struct Header {
    names: Vec<String>,
    /// For each of our columns, the first header cell that names it.
    index: [Option<usize>; COLUMNS.len()],
}

pub struct DelimitedRows {
    text: Delimited,
    table: Table,
}

/// What the header said, and the rows read under it.
struct Table {
    header: Option<Header>,
    /// The header lacks a required column: the rows are not read.
    refused: bool,
    /// The header is that of another evidence stream's export: its format and names.
    evidence: Option<(Format, Vec<String>)>,
    rows: u64,
}

impl DelimitedRows {
    pub fn new(delimiter: u8, separator_line: bool) -> DelimitedRows {
        DelimitedRows {
            text: Delimited::new(delimiter, separator_line),
            table: Table {
                header: None,
                refused: false,
                evidence: None,
                rows: 0,
            },
        }
    }

    pub fn push(&mut self, input: &str, filing: &mut Filing) {
        if !self.table.refused {
            let table = &mut self.table;
            self.text
                .push(input, &mut |record| table.record(record, filing));
        }
    }

    /// An invalid character where the text so far ends: its record is rejected whole.
    pub fn damaged(&mut self, damage: Damage) {
        self.text.damaged(damage);
    }

    /// Reads gateway rows under a known header: a later part of the file can be read
    /// apart from the same header.
    pub fn reads_rows(&self) -> bool {
        let t = &self.table;
        t.header.is_some()
            && t.evidence.is_none()
            && !t.refused
            && !self.text.before_separator_line()
    }

    /// No record is half read (the text so far ended a record).
    pub fn at_record_start(&self) -> bool {
        self.text.at_record_start()
    }

    /// Physical lines before the next record, and rows read so far.
    pub fn position(&self) -> (u64, u64) {
        (self.text.line() - 1, self.table.rows)
    }

    /// Counts again from the start, header kept: what follows is a later part.
    pub fn restart(&mut self) {
        self.text.restart();
        self.table.rows = 0;
    }

    /// Ends a part read apart: its last record, then its lines and rows.
    pub fn finish_part(&mut self, filing: &mut Filing) -> (u64, u64) {
        self.finish_text(filing);
        self.position()
    }

    /// Takes in the counts of a later part read apart after this one.
    pub fn join(&mut self, lines: u64, rows: u64) {
        self.text.join(lines);
        self.table.rows += rows;
    }

    pub fn finish(mut self, filing: &mut Filing) {
        self.finish_text(filing);
        let t = &mut self.table;
        if t.header.is_none() && !t.refused && t.evidence.is_none() {
            t.check_header(Vec::new(), self.text.line(), filing);
        }
    }

    fn finish_text(&mut self, filing: &mut Filing) {
        if !self.table.refused {
            let table = &mut self.table;
            self.text.finish(&mut |record| table.record(record, filing));
        }
    }
}

impl Table {
    /// Files one record; false once the header is refused (the rest is not read).
    fn record(&mut self, record: Record, filing: &mut Filing) -> bool {
        if let Some(damage) = record.damage {
            if self.header.is_none() && self.evidence.is_none() {
                // A damaged header (past the first lines: after blank lines, or with
                // cells over many lines) cannot be read: refused as the first lines are.
                let message =
                    "expected UTF-8 text, but found bytes that are not (save the export as UTF-8)";
                filing.problem = Some(Error::syntax(Position::line(damage.at.line), message));
                self.refused = true;
                return false;
            }
            self.rows += 1;
            filing.reject_damaged(Some(record.line), self.rows, damage);
            return true;
        }
        if let Some((format, names)) = &self.evidence {
            self.rows += 1;
            let cells: Vec<Cow<str>> = record.cells().collect();
            let cells: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
            let cell_format = filing.text_cells.clone();
            let fields = Fields::Csv {
                header: names,
                cells: &cells,
                format: &cell_format,
            };
            filing.evidence_record(*format, Some(record.line), self.rows, &fields);
            return true;
        }
        let Some(header) = &self.header else {
            let names = record.cells().map(Cow::into_owned).collect();
            self.check_header(names, record.line, filing);
            return !self.refused;
        };
        self.rows += 1;
        let mut row = Cells::default();
        for column in COLUMNS {
            match header.index[column as usize].and_then(|i| record.raw_cell(i)) {
                // Read in place, its doubled quotes and all (see `Cells::set_doubled_other`).
                Some(RawCell::Doubled(raw)) if column == Column::Other => {
                    row.set_doubled_other(raw)
                }
                Some(RawCell::Text(text)) => {
                    row.set(column, newapi::csv_cell(text).map(Cow::Borrowed))
                }
                Some(doubled) => {
                    let text = doubled.text();
                    row.set(
                        column,
                        newapi::csv_cell(&text).map(|t| Cow::Owned(t.to_string())),
                    )
                }
                None => row.set(column, None),
            }
        }
        let parsed = newapi::parse_parts(&row, &mut filing.rows, &filing.text_cells);
        let column = match &parsed {
            Err((column, _)) => header.index[*column as usize].and_then(|i| header.names.get(i)),
            Ok(_) => None,
        };
        filing.file_row(
            Some(record.line),
            self.rows,
            column.map(String::as_str),
            parsed,
        );
        true
    }

    fn check_header(&mut self, names: Vec<String>, line: u64, filing: &mut Filing) {
        let columns: Vec<Option<Column>> = names.iter().map(|h| Column::from_header(h)).collect();
        let present: Vec<Column> = columns.iter().flatten().copied().collect();
        let missing = newapi::missing_columns(&present);
        let chosen = filing
            .forced
            .is_some_and(|f| f.stream() != Stream::GatewayLog);
        if !missing.is_empty() || chosen {
            if let Some(format) = filing.evidence_format(|| recognize::header(&names)) {
                filing.format = Some(format);
                self.evidence = Some((format, names));
                return;
            }
            let mapping = filing.rules.mappings.iter().find(|m| m.fits(&names));
            if let Some(mapping) = mapping.filter(|_| filing.forced.is_none()) {
                let format = match mapping.stream {
                    MappedStream::Requests => Format::MappedRequests,
                    MappedStream::Charges => Format::MappedCharges,
                };
                filing.mapping = Some(mapping.clone());
                filing.format = Some(format);
                self.evidence = Some((format, names));
                return;
            }
            let a_log = present.iter().any(|c| c.names_a_log());
            if !a_log && !names.is_empty() && filing.forced.is_none() {
                let message = format!(
                    "expected the header of an export we know, but found the columns {}; \
                     map them to what they hold under \"Map columns\" and the file is read again",
                    names
                        .iter()
                        .take(12)
                        .map(|n| n.trim())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                filing.problem = Some(Error::syntax(Position::line(line), message));
                filing.evidence.unmapped_header = names
                    .iter()
                    .take(64)
                    .map(|n| n.trim().chars().take(80).collect())
                    .collect();
                self.refused = true;
                return;
            }
            let found: Vec<&str> = names.iter().take(12).map(String::as_str).collect();
            let mut problem = format!(
                "expected the usage-log columns {}, but found the columns {}",
                missing.join(", "),
                found.join(", ")
            );
            let cost = names.iter().find(|h| newapi::is_cost(h));
            if let (Some(cost), true) = (cost, missing.contains(&"quota")) {
                problem.push_str(&format!(
                    "; the {} column is the quota shown as money (rounded, at the site's own \
                     quota per USD), so it is not read in its place: export the raw quota \
                     column (quota or 额度)",
                    cost.trim()
                ));
            }
            filing.problem = Some(Error::syntax(Position::line(line), problem));
            self.refused = true;
            return;
        }
        let mut index = [None; COLUMNS.len()];
        for column in COLUMNS {
            index[column as usize] = columns.iter().position(|c| *c == Some(column));
        }
        filing.format = Some(Format::NewApiCsv);
        self.header = Some(Header { names, index });
    }
}
