//! JSON lines ([`Lines`]): every non-blank line is one row, read as the text arrives;
//! and the test that tells JSON lines from one JSON document ([`looks_like_lines`]).

use super::{Object, RowReader};
use crate::error::{Error, Position};
use crate::ingest::text::damage::Damage;

/// Receives `(row number, physical line (JSON lines only), row)`; a JSON line that is
/// not an object arrives as [`RowReader::not_an_object`], a row holding an invalid
/// character as that character (the first), rejected whole.
pub type Sink<'s, R> = dyn FnMut(u64, Option<u64>, Result<<R as RowReader>::Row<'_>, Damage>) + 's;

/// JSON lines: every non-blank line is one row; a broken line is one rejected row.
/// Lines are read straight from each chunk; only a line cut by the chunk's end is kept.
pub struct Lines<R> {
    rows: R,
    partial: String,
    line: u64,
    count: u64,
    problem: Option<Error>,
    /// The first invalid character of the line being read.
    damage: Option<Damage>,
}

impl<R: RowReader> Lines<R> {
    pub fn new() -> Lines<R> {
        Lines {
            rows: R::default(),
            partial: String::new(),
            line: 0,
            count: 0,
            problem: None,
            damage: None,
        }
    }

    /// The line being read holds an invalid character here: it is rejected whole.
    pub fn damaged(&mut self, damage: Damage) {
        self.damage.get_or_insert(damage);
    }

    pub fn push(&mut self, text: &str, sink: &mut Sink<R>) {
        let mut rest = text;
        if !self.partial.is_empty() {
            let Some(end) = memchr::memchr(b'\n', rest.as_bytes()) else {
                return self.partial.push_str(rest);
            };
            let mut line = std::mem::take(&mut self.partial);
            line.push_str(&rest[..end]);
            self.line(&line, sink);
            rest = &rest[end + 1..];
            self.partial = line;
            self.partial.clear();
        }
        while let Some(end) = memchr::memchr(b'\n', rest.as_bytes()) {
            self.line(&rest[..end], sink);
            rest = &rest[end + 1..];
        }
        self.partial.push_str(rest);
    }

    /// Lines and rows read so far: where a part of the file read apart starts counting.
    pub fn position(&self) -> (u64, u64) {
        (self.line, self.count)
    }

    /// Nothing of a line is held (the text so far ended with a line break).
    pub fn at_line_start(&self) -> bool {
        self.partial.is_empty()
    }

    /// Counts again from the start: the text that follows is a later part of the file.
    pub fn restart(&mut self) {
        *self = Lines::new();
    }

    /// Ends a part read apart: its last line, its counts and its first broken line.
    pub fn finish_part(&mut self, sink: &mut Sink<R>) -> (u64, u64, Option<Error>) {
        if !self.partial.is_empty() {
            let last = std::mem::take(&mut self.partial);
            self.text(&last, sink);
        }
        (self.line, self.count, self.problem.take())
    }

    /// Takes in a later part read apart after this one ([`Lines::finish_part`]).
    /// Its problem's line counts from the part's start: it moves down by the lines before.
    pub fn join(&mut self, lines: u64, count: u64, problem: Option<Error>) {
        if self.problem.is_none() {
            self.problem = problem.map(|mut p| {
                p.position.line = p.position.line.map(|l| l + self.line);
                p
            });
        }
        self.line += lines;
        self.count += count;
    }

    pub fn finish(mut self, sink: &mut Sink<R>) -> Option<Error> {
        if !self.partial.is_empty() {
            let last = std::mem::take(&mut self.partial);
            // The final line has no \n, so `str::lines` keeps any \r on it: keep it too.
            self.text(&last, sink);
        }
        self.problem
    }

    /// A line that ended with \n; `str::lines` drops the \r of a \r\n: so do we.
    fn line(&mut self, line: &str, sink: &mut Sink<R>) {
        self.text(line.strip_suffix('\r').unwrap_or(line), sink);
    }

    fn text(&mut self, line: &str, sink: &mut Sink<R>) {
        self.line += 1;
        if let Some(damage) = self.damage.take() {
            self.count += 1;
            return sink(self.count, Some(self.line), Err(damage));
        }
        if crate::ingest::text::trim(line).is_empty() {
            return;
        }
        self.count += 1;
        if let Some(row) = self.rows.scan_line(line) {
            return sink(self.count, Some(self.line), Ok(row));
        }
        match R::parse_line(line) {
            Some(row) => sink(self.count, Some(self.line), Ok(row)),
            None => {
                let column = serde_json::from_str::<Object>(line)
                    .err()
                    .map_or(0, |e| e.column());
                sink(self.count, Some(self.line), Ok(R::not_an_object()));
                let number = self.line;
                self.problem.get_or_insert_with(|| {
                    let at = Position::line(number).with_column(&column.to_string());
                    let message = "this line is not a JSON object; it was rejected and the other lines were read";
                    Error::syntax(at, message)
                });
            }
        }
    }
}

/// JSON lines when the first non-blank line starts an object, another non-blank line
/// follows, and one of the two is a whole JSON object (so a broken first row does not
/// turn the file into one broken document). Decided on the first `limit` bytes (a first
/// line longer than that is not a log row). None: not enough text yet.
pub fn looks_like_lines(text: &str, last: bool, limit: usize) -> Option<bool> {
    let mut cut = text.len().min(limit);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let complete = last || text.len() >= limit;
    let mut lines = text[..cut].split('\n');
    // The last piece may be a line still arriving; it counts only once the text is complete.
    let mut pieces = Vec::new();
    while let Some(line) = lines.next() {
        let whole = lines.clone().next().is_some() || complete;
        if !line.trim().is_empty() {
            pieces.push((line.trim(), whole));
            if pieces.len() == 2 {
                break;
            }
        }
    }
    let object = |line: &str| serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok();
    match pieces.as_slice() {
        [(first, _), ..] if !first.starts_with('{') => Some(false),
        [] | [_] if !complete => None,
        [(first, true), _] if object(first) => Some(true),
        [_, (second, true)] => Some(second.starts_with('{') && object(second)),
        [_, (_, false)] => None,
        _ => Some(false),
    }
}
