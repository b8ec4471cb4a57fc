//! Delimited text (CSV, semicolon, tab, pipe) read as it arrives, with `csv_core`: the
//! same state machine the `csv` crate runs, fed chunk by chunk instead of pulled from
//! one big buffer. Quoted cells may span lines and chunks; line numbers are those the
//! `csv` crate reports (the line where the record starts). What a record means is the
//! reader's business that receives it ([`Record`]).

use std::borrow::Cow;

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

use super::damage::Damage;
use one_line::{one_line, Line, Span};

mod one_line;

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

/// One record as read: its cells, the line it starts on, and the first invalid
/// character it holds (then its cells are not to be read: it is rejected whole).
pub struct Record<'r> {
    text: &'r str,
    spans: &'r [Span],
    pub line: u64,
    pub damage: Option<Damage>,
}

/// A cell's text as the record holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawCell<'r> {
    Text(&'r str),
    /// Quoted with its quotes doubled inside (`""` for each `"`), still to be undone.
    Doubled(&'r str),
}

impl<'r> RawCell<'r> {
    /// The cell's text, doubled quotes undone.
    pub fn text(self) -> Cow<'r, str> {
        match self {
            RawCell::Text(text) => Cow::Borrowed(text),
            RawCell::Doubled(raw) => Cow::Owned(raw.replace("\"\"", "\"")),
        }
    }
}

impl<'r> Record<'r> {
    #[inline]
    pub fn raw_cell(&self, i: usize) -> Option<RawCell<'r>> {
        let span = self.spans.get(i)?;
        // Spans start and end at ASCII bytes (a delimiter, a quote, a line's ends) of
        // UTF-8 text, so they always fall between characters.
        let text = self.text.get(span.start..span.end)?;
        Some(if span.doubled {
            RawCell::Doubled(text)
        } else {
            RawCell::Text(text)
        })
    }

    #[inline]
    pub fn cell(&self, i: usize) -> Option<Cow<'r, str>> {
        self.raw_cell(i).map(RawCell::text)
    }

    pub fn cells(&self) -> impl Iterator<Item = Cow<'r, str>> + '_ {
        (0..self.spans.len()).filter_map(|i| self.cell(i))
    }
}

pub struct Delimited {
    core: Reader,
    delimiter: u8,
    /// The first line is Excel's `sep=` line, still to be skipped.
    separator_line: bool,
    /// csv_core's output: the cells of the record it is reading, and their ends.
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// The cells of the record handed on ([`Record`]).
    spans: Vec<Span>,
    used: usize,
    ends_used: usize,
    /// The line the record being read starts on.
    line: u64,
    /// Line breaks written as a lone '\r' (old Mac files), which csv_core does not count.
    lone_cr: u64,
    /// The last record ended at a '\r' whose next byte is still to come.
    after_cr: bool,
    /// The first invalid character of the record being read (or the next to start).
    damage: Option<Damage>,
    /// Records on one line are split without csv_core ([`one_line`]); off only in tests.
    fast: bool,
    /// csv_core stands at a record's start with nothing pending (no '\r' whose '\n' may
    /// follow, no record begun), so a record may be split without it.
    clean: bool,
    /// Line breaks read without csv_core, which its line count does not hold.
    fast_lines: u64,
}

impl Delimited {
    pub fn new(delimiter: u8, separator_line: bool) -> Delimited {
        Delimited {
            core: ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            separator_line,
            fields: vec![0; 4096],
            ends: vec![0; 64],
            spans: vec![Span::default(); 64],
            used: 0,
            ends_used: 0,
            line: 1,
            lone_cr: 0,
            after_cr: false,
            damage: None,
            fast: true,
            clean: true,
            fast_lines: 0,
        }
    }

    /// An invalid character where the text pushed so far ends: the record holding it
    /// (the one being read, or the next if none is) is rejected whole. The text goes on
    /// with U+FFFD, so a line holding only the invalid bytes is still a record.
    pub fn damaged(&mut self, damage: Damage) {
        self.damage.get_or_insert(damage);
    }

    /// Reads on with `input`, handing each record to `sink` until it answers false.
    pub fn push(&mut self, input: &str, sink: &mut impl FnMut(Record) -> bool) {
        // csv_core takes an empty input as the end of the text; a chunk may decode to none.
        if !input.is_empty() {
            self.read(input, sink);
        }
    }

    /// The end of the text: the last record, if one is still open.
    pub fn finish(&mut self, sink: &mut impl FnMut(Record) -> bool) {
        // An empty input tells csv_core the text ended (it may complete a last record).
        self.read("", sink);
    }

    /// Reads `text` (empty: the end of the text), handing each record to `sink` until
    /// it answers false.
    fn read(&mut self, text: &str, sink: &mut impl FnMut(Record) -> bool) {
        let mut input = text.as_bytes();
        if let Some(&next) = input.first() {
            if std::mem::take(&mut self.after_cr) && next != b'\n' {
                self.lone_cr += 1;
            }
        }
        loop {
            if self.fast && self.clean && self.at_record_start() {
                let at = text.len() - input.len();
                let consumed = match one_line(input, self.delimiter, &mut self.spans) {
                    // A record starts after a line break, at a character's start.
                    Line::Record {
                        consumed,
                        line,
                        cells,
                    } => match text.get(at..at + line) {
                        Some(line) => {
                            let go_on = self.hand_on(line, cells, sink);
                            self.fast_lines += 1;
                            // As after csv_core's records: every line break read so far.
                            self.line = self.core.line() + self.fast_lines + self.lone_cr;
                            if !go_on {
                                // Not read any further: the record's bytes are read all the same.
                                return;
                            }
                            consumed
                        }
                        None => 0,
                    },
                    Line::Empty { consumed } => {
                        // Counted for the records after the next, not for the next (the
                        // csv crate's line is where csv_core stood when the record began).
                        self.fast_lines += 1;
                        consumed
                    }
                    Line::Unsure => 0,
                };
                if consumed > 0 {
                    input = &input[consumed..];
                    continue;
                }
            }
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
            // Bytes read without ending a record may have begun one (an opening quote
            // writes nothing): the fast split waits for csv_core's next record.
            self.clean &= read == 0 || result == ReadRecordResult::Record;
            match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return,
                ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    let go_on = self.core_record(sink);
                    self.used = 0;
                    self.ends_used = 0;
                    // The '\r' ends a line whether a '\n' follows (csv_core counts it
                    // then) or not (counted in `lone_cr` once the next byte is seen).
                    self.line = self.core.line()
                        + self.fast_lines
                        + self.lone_cr
                        + u64::from(pending_newline);
                    // After a '\r', csv_core has yet to see whether a '\n' follows.
                    self.clean = !pending_newline;
                    if pending_newline {
                        match input.first() {
                            Some(b'\n') => {}
                            Some(_) => self.lone_cr += 1,
                            None => self.after_cr = true,
                        }
                    }
                    if !go_on {
                        return;
                    }
                }
            }
        }
    }

    /// Excel's `sep=` line is still to come (the header has not been read).
    pub fn before_separator_line(&self) -> bool {
        self.separator_line
    }

    /// No record is half read (the text so far ended a record). csv_core writes every
    /// byte of a quoted cell, a line break too, so a cell still open holds bytes.
    pub fn at_record_start(&self) -> bool {
        self.used == 0 && self.ends_used == 0
    }

    /// The line the next record starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Counts lines again from 1: what follows is a later part of the text.
    pub fn restart(&mut self) {
        self.core = ReaderBuilder::new().delimiter(self.delimiter).build();
        self.used = 0;
        self.ends_used = 0;
        self.line = 1;
        self.lone_cr = 0;
        self.after_cr = false;
        self.damage = None;
        self.clean = true;
        self.fast_lines = 0;
    }

    /// Takes in the lines of a later part read apart after this one.
    pub fn join(&mut self, lines: u64) {
        self.line += lines;
    }

    /// Hands the record of `cells` spans of `text` that [`one_line`] read to `sink`
    /// (Excel's `sep=` line aside); its answer.
    fn hand_on(&mut self, text: &str, cells: usize, sink: &mut impl FnMut(Record) -> bool) -> bool {
        let damage = self.damage.take();
        if std::mem::take(&mut self.separator_line) {
            return true;
        }
        sink(Record {
            text,
            spans: &self.spans[..cells],
            line: self.line,
            damage,
        })
    }

    /// Hands the record csv_core just read to `sink` (Excel's `sep=` line aside); its
    /// answer.
    fn core_record(&mut self, sink: &mut impl FnMut(Record) -> bool) -> bool {
        let damage = self.damage.take();
        // The text is valid UTF-8 and csv_core only removes ASCII quotes, so this holds.
        let Ok(text) = std::str::from_utf8(&self.fields[..self.used]) else {
            return true;
        };
        if std::mem::take(&mut self.separator_line) {
            return true;
        }
        let ends = &self.ends[..self.ends_used];
        if self.spans.len() < ends.len() {
            self.spans.resize(ends.len(), Span::default());
        }
        let mut start = 0;
        for (span, &end) in self.spans.iter_mut().zip(ends) {
            *span = Span {
                start,
                end,
                doubled: false,
            };
            start = end;
        }
        sink(Record {
            text,
            spans: &self.spans[..ends.len()],
            line: self.line,
            damage,
        })
    }
}
