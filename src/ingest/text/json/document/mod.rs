//! A JSON array of rows or a log-API page, read as the text arrives.
//!
//! The document around the rows is walked by a small state machine; each row (and each
//! scalar of the page) is parsed by serde_json from the buffered text, so only the row
//! being read is ever held, rows are handed over as they are parsed, and a file cut off
//! half-way still delivers every row before the cut. Errors read as serde_json's would
//! (same words, same line and column), since the whole-file reader used to be serde_json.

use std::collections::VecDeque;
use std::fmt;

use serde::de::{Deserialize, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Deserializer;

mod list;
mod page;

use super::buffer::{exact, Text};
use super::lines::Sink;
use super::{JsonLayout, RowReader};
use crate::decimal::quote;
use crate::error::{Error, Position};
use crate::ingest::text::damage::Damage;
use crate::ingest::text::decode::Pos;

/// A scalar where rows or a page may be: null is fine (an empty page), anything else is
/// refused with the words the whole-file reader's visitor used.
struct Scalar;

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Scalar, D::Error> {
        de.deserialize_any(Scalar)
    }
}

impl<'de> Visitor<'de> for Scalar {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of log rows or a log-API page")
    }

    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar)
    }
}

enum Outcome {
    Rows,
    NoRows,
    ApiError(String),
}

#[derive(Clone, Copy)]
enum Key {
    Data,
    Success,
    Message,
    Other,
}

enum PageState {
    Key { first: bool },
    AfterComma,
    Colon(Key),
    Value(Key),
}

enum Frame {
    /// A list of rows; `None` before the first element, then "after an element" or
    /// "after a comma".
    List(Option<bool>),
    Page {
        state: PageState,
        success: bool,
        api_error: Option<String>,
        rows: bool,
    },
}

enum Step {
    Go,
    More,
    Stop,
}

/// serde_json's recursion limit, so a deeply nested page fails the same way.
const MAX_DEPTH: usize = 127;

/// A JSON array of rows or a log-API page, its rows read by `R`.
pub struct Document<R> {
    text: Text,
    rows: R,
    stack: Vec<Frame>,
    /// The root value's outcome once it is complete (then only whitespace may follow).
    root: Option<Outcome>,
    count: u64,
    problem: Option<Error>,
    stopped: bool,
    /// Invalid characters not yet read past, where they are in the text as a whole.
    damage: VecDeque<(u64, Damage)>,
    pub layout: JsonLayout,
}

impl<R: RowReader> Document<R> {
    /// `start` is the beginning of the text (it says array or page); push it next.
    pub fn new(start: &str) -> Document<R> {
        let layout = if start.trim_start().starts_with('[') {
            JsonLayout::Array
        } else {
            JsonLayout::LogPage
        };
        Document {
            text: Text::new(),
            rows: R::default(),
            stack: Vec::new(),
            root: None,
            count: 0,
            problem: None,
            stopped: false,
            damage: VecDeque::new(),
            layout,
        }
    }

    /// An invalid character where the text pushed so far ends: the row holding it is
    /// rejected whole (the first one names it); outside any row, or where the JSON does
    /// not read on past it, the document stops there, as broken JSON does.
    pub fn damaged(&mut self, damage: Damage) {
        if !self.stopped {
            let at = self.text.offset(self.text.buf.len());
            self.damage.push_back((at, damage));
        }
    }

    /// Reads on with `text`, which starts at `at` in the file, handing each row of the
    /// list to `sink` as soon as it is whole.
    pub fn push(&mut self, text: &str, at: Pos, sink: &mut Sink<R>) {
        self.text.push(text, at);
        self.run(false, sink);
    }

    pub fn finish(mut self, sink: &mut Sink<R>) -> Option<Error> {
        self.run(true, sink);
        self.problem
    }

    fn run(&mut self, last: bool, sink: &mut Sink<R>) {
        while !self.stopped {
            // Read past outside a row (a row takes those it holds off the queue).
            if let Some((at, damage)) = self.damage.front() {
                if *at < self.text.offset(self.text.pos) {
                    self.problem = Some(damage.breaks_document());
                    self.stopped = true;
                    return;
                }
            }
            let step = match self.stack.last() {
                None if self.root.is_some() => self.trailing(last),
                None => self.document(last),
                Some(Frame::List(_)) => self.list(last, sink),
                Some(Frame::Page { .. }) => self.page(last),
            };
            match step {
                Step::Go => {}
                Step::More => return,
                Step::Stop => self.stopped = true,
            }
        }
    }

    /// The JSON is broken at `at` (1-based: the byte before it).
    fn fail(&mut self, at: usize, what: &str) -> Step {
        let what = format!("this is not valid JSON here: {what}");
        let problem = self.text.problem(at, &what);
        self.broken(at.saturating_sub(1), problem)
    }

    /// Out of text: wait for more, or, at the end of the file, it was cut off.
    fn out(&mut self, last: bool) -> Step {
        if !last {
            return Step::More;
        }
        let what = "the JSON ends too early (the file looks cut off)";
        let end = self.text.buf.len();
        let problem = self.text.problem(end, what);
        self.broken(end, problem)
    }

    /// The JSON broke at buffer index `i`, with `problem`. An invalid character at or
    /// before it is the likelier cause (a quote or a comma damaged): it is named instead.
    fn broken(&mut self, i: usize, problem: Error) -> Step {
        self.problem = Some(match self.damage.front() {
            Some((at, damage)) if *at <= self.text.offset(i) => damage.breaks_document(),
            _ => problem,
        });
        Step::Stop
    }

    /// A serde_json error parsing the buffer from `start`: the document stops there.
    fn serde_broken(&mut self, e: &serde_json::Error, start: usize) -> Step {
        let problem = self.text.serde_problem(e, start);
        self.broken(self.text.serde_index(e, start), problem)
    }

    /// A value the rows may sit in: the root, or the value of `data` / `items`.
    fn document(&mut self, last: bool) -> Step {
        let Some(b) = self.text.peek() else {
            return self.out(last);
        };
        if matches!(b, b'[' | b'{') {
            if self.stack.len() >= MAX_DEPTH {
                return self.fail(self.text.pos + 1, "recursion limit exceeded");
            }
            self.text.pos += 1;
            self.stack.push(match b {
                b'[' => Frame::List(None),
                _ => Frame::Page {
                    state: PageState::Key { first: true },
                    success: true,
                    api_error: None,
                    rows: false,
                },
            });
            return Step::Go;
        }
        // Anything else is parsed as the whole-file reader did, for the same verdict:
        // scalars are the wrong type. Null as a page's `data` or `items` is the empty list
        // (Go writes an empty slice as null: new-api's last page, a filter with no rows).
        let (start, end) = match self.raw::<Scalar>(last) {
            Ok(span) => span,
            Err(step) => return step,
        };
        self.text.pos = end;
        let null = self.text.buf.get(start..end) == Some("null");
        if null && !self.stack.is_empty() {
            return self.deliver(Outcome::Rows);
        }
        self.deliver(Outcome::NoRows)
    }

    /// Hands a finished value's outcome to the page it is the `data` of, or the root.
    fn deliver(&mut self, outcome: Outcome) -> Step {
        match self.stack.last_mut() {
            None => self.root = Some(outcome),
            Some(Frame::Page { state, rows, .. }) => {
                *rows |= matches!(outcome, Outcome::Rows);
                *state = PageState::Key { first: false };
            }
            Some(Frame::List(_)) => {}
        }
        Step::Go
    }

    fn trailing(&mut self, last: bool) -> Step {
        if self.text.peek().is_some() {
            return self.fail(self.text.pos + 1, "trailing characters");
        }
        if !last {
            return Step::More;
        }
        self.problem = match self.root.take() {
            Some(Outcome::Rows) => None,
            Some(Outcome::ApiError(message)) => Some(Error::syntax(
                Position::line(1),
                format!(
                    "the log API answered with an error instead of rows: {}",
                    quote(&message)
                ),
            )),
            _ => Some(Error::syntax(
                Position::line(1),
                "expected log rows (a list, or an object with data.items), but found neither",
            )),
        };
        Step::Stop
    }

    /// The span of the next complete value, checked as a `T` (what the whole-file reader
    /// parsed there, so a broken value fails with the same words and column).
    fn raw<T: DeserializeOwned>(&mut self, last: bool) -> Result<(usize, usize), Step> {
        let pos = self.text.pos;
        let rest = &self.text.buf[pos..];
        let mut de = Deserializer::from_str(rest);
        let raw = <&RawValue>::deserialize(&mut de).and_then(|raw| {
            T::deserialize(&mut Deserializer::from_str(raw.get()))?;
            Ok(raw)
        });
        match raw.map_err(|e| exact::<T>(rest).unwrap_or(e)) {
            Ok(raw) => {
                let start = raw.get().as_ptr() as usize - rest.as_ptr() as usize;
                let end = start + raw.get().len();
                // A number at the end of the buffer may go on in the next chunk.
                if end == rest.len() && !last {
                    return Err(Step::More);
                }
                Ok((pos + start, pos + end))
            }
            Err(e) if e.is_eof() && !last => Err(Step::More),
            Err(e) => Err(self.serde_broken(&e, pos)),
        }
    }
}

/// The first invalid character before `end` (an offset in the text as a whole): in the
/// row that ends there, as every one before it was read past. All of them leave the queue.
fn spoiled(damage: &mut VecDeque<(u64, Damage)>, end: u64) -> Option<Damage> {
    let first = damage.front().filter(|(at, _)| *at < end).map(|(_, d)| *d);
    while damage.front().is_some_and(|(at, _)| *at < end) {
        damage.pop_front();
    }
    first
}
