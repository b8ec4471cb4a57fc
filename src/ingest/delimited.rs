//! Delimited text (CSV, semicolon, tab, pipe) read as it arrives, with `csv_core`: the
//! same state machine the `csv` crate runs, fed chunk by chunk instead of pulled from
//! one big buffer. Quoted cells may span lines and chunks; line numbers are those the
//! `csv` crate reports (the line where the record starts).

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

use super::newapi::{self, Cells, Column, COLUMNS};
use super::Filing;

/// The delimiter is the candidate that occurs most often on the header line.
pub fn sniff_delimiter(header: &str) -> u8 {
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|&d| (header.bytes().filter(|&b| b == d).count(), d == b','))
        .unwrap_or(b',')
}

/// Excel's first line `sep=;` names the delimiter (Excel writes it so that a file made in
/// one locale opens in another); the line itself is not part of the table.
pub fn excel_separator(line: &str) -> Option<u8> {
    let line = line.trim_end_matches('\r');
    let named = line.get(..4)?.eq_ignore_ascii_case("sep=");
    match line.as_bytes()[4..] {
        [d @ (b',' | b';' | b'\t' | b'|')] if named => Some(d),
        _ => None,
    }
}

struct Header {
    names: Vec<String>,
    /// For each of our columns, the first header cell that names it.
    index: [Option<usize>; COLUMNS.len()],
}

pub struct Delimited {
    core: Reader,
    delimiter: u8,
    header: Option<Header>,
    /// The header lacks a required column: the rows are not read.
    refused: bool,
    /// The header is that of another evidence stream's export: its format and names.
    evidence: Option<(super::Format, Vec<String>)>,
    /// The first line is Excel's `sep=` line, still to be skipped.
    separator_line: bool,
    fields: Vec<u8>,
    ends: Vec<usize>,
    used: usize,
    ends_used: usize,
    /// The line the record being read starts on.
    line: u64,
    rows: u64,
    /// Line breaks written as a lone '\r' (old Mac files), which csv_core does not count.
    lone_cr: u64,
    /// The last record ended at a '\r' whose next byte is still to come.
    after_cr: bool,
}

impl Delimited {
    pub fn new(delimiter: u8, separator_line: bool) -> Delimited {
        Delimited {
            core: ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            header: None,
            refused: false,
            evidence: None,
            separator_line,
            fields: vec![0; 4096],
            ends: vec![0; 64],
            used: 0,
            ends_used: 0,
            line: 1,
            rows: 0,
            lone_cr: 0,
            after_cr: false,
        }
    }

    pub fn push(&mut self, input: &[u8], filing: &mut Filing) {
        // csv_core takes an empty input as the end of the text; a chunk may decode to none.
        if !input.is_empty() {
            self.read(input, filing);
        }
    }

    fn read(&mut self, mut input: &[u8], filing: &mut Filing) {
        if let Some(&next) = input.first() {
            if std::mem::take(&mut self.after_cr) && next != b'\n' {
                self.lone_cr += 1;
            }
        }
        while !self.refused {
            let (result, read, wrote, ended) = self.core.read_record(
                input,
                &mut self.fields[self.used..],
                &mut self.ends[self.ends_used..],
            );
            // A CRLF record ends at its '\r'; csv_core counts the '\n' only when it reads
            // on, so the next record starts one line further than `core.line()` says yet.
            let pending_newline = read > 0 && input[read - 1] == b'\r';
            input = &input[read..];
            self.used += wrote;
            self.ends_used += ended;
            match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return,
                ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    self.record(filing);
                    self.used = 0;
                    self.ends_used = 0;
                    // The '\r' ends a line whether a '\n' follows (csv_core counts it
                    // then) or not (counted in `lone_cr` once the next byte is seen).
                    self.line = self.core.line() + self.lone_cr + u64::from(pending_newline);
                    if pending_newline {
                        match input.first() {
                            Some(b'\n') => {}
                            Some(_) => self.lone_cr += 1,
                            None => self.after_cr = true,
                        }
                    }
                }
            }
        }
    }

    /// Reads gateway rows under a known header: a later part of the file can be read
    /// apart from the same header.
    pub fn reads_rows(&self) -> bool {
        self.header.is_some() && self.evidence.is_none() && !self.refused && !self.separator_line
    }

    /// No record is half read (the text so far ended a record). csv_core writes every
    /// byte of a quoted cell, a line break too, so a cell still open holds bytes.
    pub fn at_record_start(&self) -> bool {
        self.used == 0 && self.ends_used == 0
    }

    /// Physical lines before the next record, and rows read so far.
    pub fn position(&self) -> (u64, u64) {
        (self.line - 1, self.rows)
    }

    /// Counts again from the start, header kept: what follows is a later part.
    pub fn restart(&mut self) {
        self.core = ReaderBuilder::new().delimiter(self.delimiter).build();
        self.used = 0;
        self.ends_used = 0;
        self.line = 1;
        self.rows = 0;
        self.lone_cr = 0;
        self.after_cr = false;
    }

    /// Ends a part read apart: its last record, then its lines and rows.
    pub fn finish_part(&mut self, filing: &mut Filing) -> (u64, u64) {
        self.read(&[], filing);
        self.position()
    }

    /// Takes in the counts of a later part read apart after this one.
    pub fn join(&mut self, lines: u64, rows: u64) {
        self.line += lines;
        self.rows += rows;
    }

    pub fn finish(mut self, filing: &mut Filing) {
        // An empty input tells csv_core the text ended (it may complete a last record).
        self.read(&[], filing);
        if self.header.is_none() && !self.refused && self.evidence.is_none() {
            self.check_header(Vec::new(), filing);
        }
    }

    fn record(&mut self, filing: &mut Filing) {
        // The text is valid UTF-8 and csv_core only removes ASCII quotes, so this holds.
        let Ok(text) = std::str::from_utf8(&self.fields[..self.used]) else {
            return;
        };
        let ends = &self.ends[..self.ends_used];
        let cell = |i: usize| {
            let start = match i.checked_sub(1) {
                Some(before) => *ends.get(before)?,
                None => 0,
            };
            text.get(start..*ends.get(i)?)
        };
        if std::mem::take(&mut self.separator_line) {
            return;
        }
        if let Some((format, names)) = &self.evidence {
            self.rows += 1;
            let cells: Vec<&str> = (0..ends.len()).filter_map(cell).collect();
            let cell_format = filing.text_cells.clone();
            let fields = super::fields::Fields::Csv {
                header: names,
                cells: &cells,
                format: &cell_format,
            };
            return filing.evidence_record(*format, Some(self.line), self.rows, &fields);
        }
        let Some(header) = &self.header else {
            let names = (0..ends.len())
                .filter_map(cell)
                .map(str::to_string)
                .collect();
            return self.check_header(names, filing);
        };
        self.rows += 1;
        let mut row = Cells::default();
        for column in COLUMNS {
            let text = header.index[column as usize]
                .and_then(cell)
                .and_then(newapi::csv_cell);
            row.set(column, text.map(Into::into));
        }
        let parsed = newapi::parse_parts(&row, &mut filing.rows, &filing.text_cells);
        let column = match &parsed {
            Err((column, _)) => header.index[*column as usize].and_then(|i| header.names.get(i)),
            Ok(_) => None,
        };
        filing.file_row(
            Some(self.line),
            self.rows,
            column.map(String::as_str),
            parsed,
        );
    }

    fn check_header(&mut self, names: Vec<String>, filing: &mut Filing) {
        let columns: Vec<Option<Column>> = names.iter().map(|h| Column::from_header(h)).collect();
        let present: Vec<Column> = columns.iter().flatten().copied().collect();
        let missing = newapi::missing_columns(&present);
        let chosen = filing
            .forced
            .is_some_and(|f| f.stream() != super::Stream::GatewayLog);
        if !missing.is_empty() || chosen {
            if let Some(format) = filing.evidence_format(|| super::detect::header(&names)) {
                filing.format = Some(format);
                self.evidence = Some((format, names));
                return;
            }
            let mapping = filing.rules.mappings.iter().find(|m| m.fits(&names));
            if let Some(mapping) = mapping.filter(|_| filing.forced.is_none()) {
                let format = match mapping.stream {
                    super::mapping::MappedStream::Requests => super::Format::MappedRequests,
                    super::mapping::MappedStream::Charges => super::Format::MappedCharges,
                };
                filing.mapping = Some(mapping.clone());
                filing.format = Some(format);
                self.evidence = Some((format, names));
                return;
            }
            let a_log = present.iter().any(|c| c.names_a_log());
            if !a_log && !names.is_empty() && filing.forced.is_none() {
                filing.problem =
                    Some(format!(
                    "line {}: expected the header of an export we know, but found the columns {}; \
                     map them to what they hold under \"Map columns\" and the file is read again",
                    self.line,
                    names.iter().take(12).map(|n| n.trim()).collect::<Vec<_>>().join(", ")
                ));
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
                "line {}: expected the usage-log columns {}, but found the columns {}",
                self.line,
                missing.join(", "),
                found.join(", ")
            );
            let cost = names.iter().find(|h| super::labels::is_cost(h));
            if let (Some(cost), true) = (cost, missing.contains(&"quota")) {
                problem.push_str(&format!(
                    "; the {} column is the quota shown as money (rounded, at the site's own \
                     quota per USD), so it is not read in its place: export the raw quota \
                     column (quota or 额度)",
                    cost.trim()
                ));
            }
            filing.problem = Some(problem);
            self.refused = true;
            return;
        }
        let mut index = [None; COLUMNS.len()];
        for column in COLUMNS {
            index[column as usize] = columns.iter().position(|c| *c == Some(column));
        }
        filing.format = Some(super::Format::NewApiCsv);
        self.header = Some(Header { names, index });
    }
}
