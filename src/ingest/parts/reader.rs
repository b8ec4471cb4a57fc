//! What reads the text of a file once it is decoded: held-back starts until the shape
//! and export are known, then the reader of that shape, each row filed as it is read.

use crate::error::{Error, Position};
use crate::ingest::filing::{DelimitedRows, Filing, RecordsJson, LARGEST_DOCUMENT};
use crate::ingest::formats::newapi::{JsonRow, RowScanner};
use crate::ingest::formats::{recognize, Format};
use crate::ingest::text::damage::Damage;
use crate::ingest::text::decode::Pos;
use crate::ingest::text::delimited;
use crate::ingest::text::json::{self, Document, JsonLayout, Lines};
use crate::ingest::text::shape::{self, Shape};

/// A first JSON line longer than this is not a log row: the file is one JSON document.
const LONGEST_FIRST_LINE: usize = 4 << 20;

/// The start of a JSON document that decides which export it is (see [`recognize::document`]).
const DOCUMENT_HEAD: usize = 64 << 10;

pub(super) enum Reader {
    /// The start of the text, until its shape is known.
    Sniff(Held),
    /// A saved web page, or records of an export we do not know: nothing to read, but
    /// the text must still decode.
    Html,
    /// JSON, until it is clear whether it is JSON lines.
    JsonHead(Held),
    /// A JSON document, until its start says which export it is: held until it is
    /// `decide_at` bytes long (longer for report buckets whose results are all empty so
    /// far), or whole.
    DocumentHead {
        start: Held,
        decide_at: usize,
    },
    /// Boxed, like the other readers that hold a buffer and a problem: the ingestor holds
    /// one reader whatever the file's shape.
    Document(Box<Document<RowScanner>>),
    /// JSON of another evidence stream (client log, report page, account totals).
    Evidence(Box<RecordsJson>),
    Lines(Lines<RowScanner>),
    /// Delimited text, until its header line is complete (it decides the delimiter).
    CsvHead(Held),
    Csv(Box<DelimitedRows>),
}

/// The start of the text held back for a decision, and the invalid characters in it
/// (where the text held ends when each came): handed on together, in their order.
#[derive(Default)]
pub(super) struct Held {
    text: String,
    damage: Vec<(usize, Damage)>,
}

impl std::ops::Deref for Held {
    type Target = String;

    fn deref(&self) -> &String {
        &self.text
    }
}

impl Held {
    fn push_str(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// The start as a decision reads it: the text held with `text` after it, or, while
    /// nothing is held (the file's first text), `text` itself. A first chunk (2 MiB in
    /// the page's worker) that decides at once is then read in place, not copied into
    /// each stage's start in turn (two copies: twice the chunk in a worker's memory for good).
    fn with<'a>(&'a mut self, text: &'a str) -> Start<'a> {
        if self.text.is_empty() && self.damage.is_empty() {
            Start::Fresh(text)
        } else {
            self.push_str(text);
            Start::Held(&self.text)
        }
    }

    /// Holds `text` back when [`Held::with`] read it in place and no decision came.
    fn keep(&mut self, fresh: bool, text: &str) {
        if fresh {
            self.push_str(text);
        }
    }
}

/// What a held-back start decides on ([`Held::with`]).
#[derive(Clone, Copy)]
enum Start<'a> {
    /// Text held back before, with the new text after it.
    Held(&'a str),
    /// The new text alone: nothing was held.
    Fresh(&'a str),
}

impl Start<'_> {
    fn fresh(&self) -> bool {
        matches!(self, Start::Fresh(_))
    }
}

impl std::ops::Deref for Start<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Start::Held(text) | Start::Fresh(text) => text,
        }
    }
}

/// The first non-blank line of JSON lines, as an object (None when it is not one).
fn first_record(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let line = text.lines().find(|l| !l.trim().is_empty())?;
    serde_json::from_str(line).ok()
}

/// A whole file of one line holding one row: JSON lines with a single gateway log row or
/// client record (a page or a report on one line is an object too, but holds its rows
/// under `data` and names no row's keys at its top).
fn one_row(text: &str) -> bool {
    let text = text.trim();
    !text.contains('\n')
        && first_record(text).is_some_and(|r| {
            !r.contains_key("data")
                && (recognize::gateway_like(&r) || recognize::record(&r).is_some())
        })
}

impl Reader {
    /// `text` starts at `at` in the file; the held-back starts always begin the file.
    pub(super) fn push(&mut self, text: &str, at: Pos, last: bool, filing: &mut Filing) {
        match self {
            Reader::Sniff(held) => {
                let start = held.with(text);
                let fresh = start.fresh();
                match shape::shape(&start, last) {
                    None => held.keep(fresh, text),
                    Some(Err(problem)) => {
                        filing.problem = Some(problem);
                        *self = Reader::Html;
                    }
                    Some(Ok(shape)) => {
                        let held = std::mem::take(held);
                        *self = match shape {
                            Shape::Json => Reader::JsonHead(Held::default()),
                            Shape::Delimited => Reader::CsvHead(Held::default()),
                        };
                        self.hand_on(held, fresh.then_some(text), at, last, filing);
                    }
                }
            }
            Reader::Html => {}
            Reader::JsonHead(held) => {
                let start = held.with(text);
                let fresh = start.fresh();
                let Some(lines) = json::looks_like_lines(&start, last, LONGEST_FIRST_LINE) else {
                    return held.keep(fresh, text);
                };
                // Decided only on a whole file shorter than a first line may be, so the
                // answer never depends on how the file arrived in chunks.
                let lines = lines || (last && start.len() < LONGEST_FIRST_LINE && one_row(&start));
                let next = if !lines {
                    Reader::DocumentHead {
                        start: Held::default(),
                        decide_at: DOCUMENT_HEAD,
                    }
                } else {
                    let first = first_record(&start);
                    let detected = first.as_ref().and_then(recognize::record);
                    match filing.evidence_format(|| detected) {
                        Some(format) => {
                            Reader::Evidence(Box::new(RecordsJson::new(format, true, &start)))
                        }
                        // A record naming no gateway column, unless the reviewer chose.
                        None => match first
                            .filter(|r| !recognize::gateway_like(r) && filing.forced.is_none())
                        {
                            Some(first) => match filing.json_mapping(&first) {
                                Some(format) => Reader::Evidence(Box::new(RecordsJson::new(
                                    format, true, &start,
                                ))),
                                None => Reader::Html,
                            },
                            None => Reader::Lines(Lines::new()),
                        },
                    }
                };
                let held = std::mem::take(held);
                *self = next;
                self.hand_on(held, fresh.then_some(text), at, last, filing);
            }
            Reader::DocumentHead { start, decide_at } => {
                start.push_str(text);
                if start.len() < *decide_at && !last {
                    return;
                }
                // Report buckets whose results are all empty so far: look further (up to
                // what a report may hold, re-walked each time the text doubles); never
                // guess which report they are.
                // Walked on at most what a report may hold, so the verdict is the same
                // however the text arrived.
                let mut cap = start.len().min(LARGEST_DOCUMENT);
                while !start.is_char_boundary(cap) {
                    cap -= 1;
                }
                let undecided = filing.forced.is_none()
                    && recognize::buckets(&start[..cap]) == recognize::Buckets::Undecided;
                if undecided && !last && start.len() < LARGEST_DOCUMENT {
                    *decide_at = start.len().saturating_mul(2);
                    return;
                }
                if undecided {
                    let undecided = Error::syntax(Position::default(), recognize::UNDECIDED);
                    filing.problem = Some(undecided);
                    *self = Reader::Html;
                    return;
                }
                let start = std::mem::take(start);
                let array_of =
                    |format| Reader::Evidence(Box::new(RecordsJson::new(format, false, &start)));
                *self = match filing.evidence_format(|| recognize::document(&start)) {
                    Some(format) => array_of(format),
                    // An array of records naming no gateway column, unless the reviewer
                    // chose: mapped as JSON lines are.
                    None => match recognize::first_element(&start).filter(|r| {
                        !r.is_empty() && !recognize::gateway_like(r) && filing.forced.is_none()
                    }) {
                        Some(first) => match filing.json_mapping(&first) {
                            Some(format) => array_of(format),
                            None => Reader::Html,
                        },
                        None => Reader::Document(Box::new(Document::new(&start))),
                    },
                };
                self.replay(start, last, filing);
            }
            Reader::Evidence(json) => json.push(text, at, filing),
            Reader::Document(document) => {
                document.push(text, at, &mut |n, l, r| filing.json_row(n, l, r))
            }
            Reader::Lines(lines) => lines.push(text, &mut |n, l, r| filing.json_row(n, l, r)),
            Reader::CsvHead(held) => {
                let start = held.with(text);
                let fresh = start.fresh();
                let Some(header) = start
                    .split('\n')
                    .next()
                    .filter(|_| last || start.contains('\n'))
                else {
                    return held.keep(fresh, text);
                };
                let csv = match delimited::excel_separator(header) {
                    Some(stated) => DelimitedRows::new(stated, true),
                    None => DelimitedRows::new(delimited::sniff_delimiter(header), false),
                };
                let held = std::mem::take(held);
                *self = Reader::Csv(Box::new(csv));
                self.hand_on(held, fresh.then_some(text), at, last, filing);
            }
            Reader::Csv(csv) => csv.push(text, filing),
        }
    }

    /// An invalid character where the text pushed so far ends: the reader of the file's
    /// shape rejects the row holding it (a start held back keeps it for that reader).
    pub(super) fn damaged(&mut self, damage: Damage) {
        match self {
            Reader::Sniff(held)
            | Reader::JsonHead(held)
            | Reader::CsvHead(held)
            | Reader::DocumentHead { start: held, .. } => {
                held.damage.push((held.text.len(), damage))
            }
            Reader::Html => {}
            Reader::Document(document) => document.damaged(damage),
            Reader::Evidence(json) => json.damaged(damage),
            Reader::Lines(lines) => lines.damaged(damage),
            Reader::Csv(csv) => csv.damaged(damage),
        }
    }

    /// Hands on what a stage decided on: `text` itself when it was read in place
    /// ([`Held::with`]: nothing was held, so it starts the file), else the start held.
    fn hand_on(&mut self, held: Held, fresh: Option<&str>, at: Pos, last: bool, f: &mut Filing) {
        match fresh {
            Some(text) => self.push(text, at, last, f),
            None => self.replay(held, last, f),
        }
    }

    /// Hands on a start held back, each invalid character in it where it was.
    fn replay(&mut self, held: Held, last: bool, filing: &mut Filing) {
        let (mut from, mut at) = (0, Pos::START);
        for (to, damage) in held.damage {
            self.push(&held.text[from..to], at, false, filing);
            self.damaged(damage);
            (from, at) = (to, damage.at);
        }
        self.push(&held.text[from..], at, last, filing);
    }

    pub(super) fn finish(mut self, filing: &mut Filing) {
        // Text held back for a decision is decided now, with what there is.
        self.push("", Pos::START, true, filing);
        let mut sink = |number: u64, line: Option<u64>, row: Result<JsonRow, Damage>| {
            filing.json_row(number, line, row)
        };
        let (layout, problem) = match self {
            Reader::Document(document) => (document.layout, (*document).finish(&mut sink)),
            Reader::Lines(lines) => (JsonLayout::Lines, lines.finish(&mut sink)),
            Reader::Csv(csv) => return csv.finish(filing),
            Reader::Evidence(json) => return json.finish(filing),
            _ => return,
        };
        filing.format = Some(match layout {
            JsonLayout::LogPage => Format::NewApiLogPage,
            JsonLayout::Array => Format::NewApiJsonArray,
            JsonLayout::Lines => Format::NewApiJsonLines,
        });
        filing.problem = problem;
    }
}
