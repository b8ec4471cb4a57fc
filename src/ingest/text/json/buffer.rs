//! The text a JSON document reader holds (only what is not yet parsed), where it sits in
//! the file, and serde_json's errors moved to file coordinates and worded for people.

use serde::de::DeserializeOwned;
use serde_json::Deserializer;

use crate::error::{Error, Position};
use crate::ingest::text::decode::Pos;

/// Unconsumed text, and where its first byte sits in the file (for messages).
pub struct Text {
    pub buf: String,
    pub pos: usize,
    line: u64,
    column: u64,
    /// Bytes of text dropped before the buffer's first.
    base: u64,
}

impl Text {
    pub fn new() -> Text {
        Text {
            buf: String::new(),
            pos: 0,
            line: 1,
            column: 0,
            base: 0,
        }
    }

    /// Appends `text`, which starts at `at` in the file; first drops what was consumed,
    /// once that is at least half the buffer (so each byte is moved a bounded number of
    /// times). Where the kept part starts follows from `at`, without rereading the rest.
    pub fn push(&mut self, text: &str, at: Pos) {
        // The end of the file comes as an empty piece with no position of its own.
        if text.is_empty() {
            return;
        }
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            let (consumed, kept) = self.buf.as_bytes().split_at(self.pos);
            let kept_lines = kept.iter().filter(|b| **b == b'\n').count() as u64;
            self.line = at.line.saturating_sub(kept_lines);
            self.column = if kept_lines == 0 {
                at.column.saturating_sub(kept.len() as u64)
            } else {
                match memchr::memrchr(b'\n', consumed) {
                    Some(last) => (consumed.len() - last - 1) as u64,
                    None => self.column + consumed.len() as u64,
                }
            };
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        self.buf.push_str(text);
    }

    /// Where buffer index `i` is in the text as a whole (bytes before it).
    pub fn offset(&self, i: usize) -> u64 {
        self.base + i as u64
    }

    /// The buffer index a serde_json error from parsing `buf[start..]` points at.
    pub fn serde_index(&self, e: &serde_json::Error, start: usize) -> usize {
        let mut i = start.min(self.buf.len());
        for _ in 1..e.line() {
            i = memchr::memchr(b'\n', &self.buf.as_bytes()[i..])
                .map_or(self.buf.len(), |n| i + n + 1);
        }
        (i + e.column().saturating_sub(1)).min(self.buf.len())
    }

    /// serde_json's position of buffer index `i`: line, and bytes since the line start.
    pub fn position(&self, i: usize) -> (u64, u64) {
        let before = &self.buf.as_bytes()[..i.min(self.buf.len())];
        match before.iter().rposition(|b| *b == b'\n') {
            None => (self.line, self.column + before.len() as u64),
            Some(last) => {
                let lines = before.iter().filter(|b| **b == b'\n').count() as u64;
                (self.line + lines, (before.len() - last - 1) as u64)
            }
        }
    }

    /// Skips JSON whitespace and peeks at the next byte.
    pub fn peek(&mut self) -> Option<u8> {
        let bytes = self.buf.as_bytes();
        while let Some(b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(*b);
            }
            self.pos += 1;
        }
        None
    }

    /// The JSON is broken at buffer index `i`: `what`, at its line and column.
    pub fn problem(&self, i: usize, what: &str) -> Error {
        let (line, column) = self.position(i);
        broken(line, column, what)
    }

    /// A serde_json error from parsing `buf[start..]`, moved to file coordinates.
    pub fn serde_problem(&self, e: &serde_json::Error, start: usize) -> Error {
        let (line, column) = match self.position(start) {
            (line, column) if e.line() <= 1 => (line, column + e.column() as u64),
            (line, _) => (line + e.line() as u64 - 1, e.column() as u64),
        };
        broken(line, column, &describe(e))
    }
}

fn broken(line: u64, column: u64, what: &str) -> Error {
    let at = Position::line(line).with_column(&column.to_string());
    Error::syntax(at, format!("{what}; rows before this point were read"))
}

fn describe(e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "the JSON ends too early (the file looks cut off)".to_string();
    }
    // serde_json's text carries its own "at line …"; the caller shows line and column.
    let text = e.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text);
    format!("this is not valid JSON here: {text}")
}

/// The error parsing `text` as a `T` gives (None if it parses).
pub fn exact<T: DeserializeOwned>(text: &str) -> Option<serde_json::Error> {
    T::deserialize(&mut Deserializer::from_str(text)).err()
}
