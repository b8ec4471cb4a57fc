//! Decides what a file is before reading it: encoding, and JSON versus delimited text.
//! Files we cannot read at all get one sentence saying what they look like instead.
//!
//! Every decision looks at a fixed prefix (the first [`HEAD`] bytes, the first characters
//! of the text), never at how the file happened to be cut into chunks.

use super::decode::Encoding;
use crate::error::{Error, Position};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Json,
    Delimited,
}

/// Bytes needed to decide on the encoding: a byte-order mark and the 8 KiB binary sample.
pub const HEAD: usize = 3 + BINARY_SAMPLE;
const BINARY_SAMPLE: usize = 8192;

/// Whole-file check, made at the end: only ASCII whitespace (or nothing) at all.
pub fn empty() -> Error {
    not_an_export("the file is empty")
}

/// What the bytes are instead of a file we read.
fn not_an_export(message: impl Into<String>) -> Error {
    Error::syntax(Position::default(), message)
}

/// From the first [`HEAD`] bytes (fewer for a shorter file): the encoding and the length
/// of its byte-order mark, or why the file is not text we read.
pub fn head(bytes: &[u8]) -> Result<(Encoding, usize), Error> {
    if let Some(what) = foreign_format(bytes) {
        return Err(not_an_export(what));
    }
    let (encoding, bom) = match bytes {
        [0xef, 0xbb, 0xbf, ..] => (Encoding::Utf8, 3),
        [0xff, 0xfe, ..] => (Encoding::Utf16 { little: true }, 2),
        [0xfe, 0xff, ..] => (Encoding::Utf16 { little: false }, 2),
        _ => (Encoding::Utf8, 0),
    };
    let body = &bytes[bom..];
    if encoding == Encoding::Utf8 && body[..body.len().min(BINARY_SAMPLE)].contains(&0) {
        return Err(not_an_export(
            "this is a binary file, not a CSV or JSON export",
        ));
    }
    Ok((encoding, bom))
}

fn foreign_format(bytes: &[u8]) -> Option<String> {
    let says = |what: &str| Some(format!("this is {what}, not a CSV or JSON export"));
    if bytes.starts_with(b"PK\x03\x04") {
        return says("a zip archive or an Excel workbook (.xlsx); save the sheet as CSV");
    }
    if bytes.starts_with(b"%PDF") {
        return says("a PDF document");
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return says("a gzip file inside a gzip file; decompress the outer one first");
    }
    if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        return says("an old Excel workbook (.xls); save the sheet as CSV");
    }
    None
}

/// From the start of the text: JSON or delimited, or why it is not an export (a saved
/// web page). Looks at the first 15 bytes after leading whitespace; None until they are
/// there (or `last`, the whole text).
pub fn shape(text: &str, last: bool) -> Option<Result<Shape, Error>> {
    let trimmed = text.trim_start();
    if trimmed.len() < 15 && !last {
        return None;
    }
    let lower = trimmed.get(..15).unwrap_or("").to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Some(Err(not_an_export(
            "this is a web page (HTML), not an export; save the export itself as CSV or JSON",
        )));
    }
    Some(Ok(if matches!(trimmed.chars().next(), Some('{' | '[')) {
        Shape::Json
    } else {
        Shape::Delimited
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::text::damage::DamagedLines;
    use crate::ingest::text::decode::{Decoder, Piece};

    /// The three decisions in the order the reader makes them, on a whole file (an
    /// invalid character this early refuses it).
    fn sniff(bytes: &[u8]) -> Result<(String, Shape), String> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(empty().to_string());
        }
        let said = |e: Error| e.to_string();
        let (encoding, bom) = head(&bytes[..bytes.len().min(HEAD)]).map_err(said)?;
        let mut decoder = Decoder::new(encoding);
        let (mut text, mut damaged, mut refused) = (String::new(), DamagedLines::default(), None);
        let mut sink = |piece: Piece| match piece {
            Piece::Text(t, _) => text.push_str(t),
            Piece::Damage(d) => refused = refused.take().or(damaged.note(&d).err()),
        };
        decoder.push(&bytes[bom..], &mut sink);
        decoder.finish(&mut sink);
        if let Some(refused) = refused {
            return Err(said(refused));
        }
        let shape = shape(&text, true)
            .expect("decided at the end")
            .map_err(said)?;
        Ok((text, shape))
    }

    #[test]
    fn sniff_table() {
        let ok: [(&[u8], &str, Shape); 5] = [
            (b"{\"data\":1}", "{\"data\":1}", Shape::Json),
            (b"  [1]", "  [1]", Shape::Json),
            (b"\xef\xbb\xbfa,b\n", "a,b\n", Shape::Delimited),
            (b"\xff\xfea\x00,\x00b\x00", "a,b", Shape::Delimited),
            (b"\xfe\xff\x00a\x00;\x00b", "a;b", Shape::Delimited),
        ];
        for (bytes, text, shape) in ok {
            assert_eq!(sniff(bytes), Ok((text.to_string(), shape)));
        }
        let bad: [(&[u8], &str); 8] = [
            (b"", "the file is empty"),
            (b"PK\x03\x04xx", "this is a zip archive or an Excel workbook (.xlsx); save the sheet as CSV, not a CSV or JSON export"),
            (b"%PDF-1.7", "this is a PDF document, not a CSV or JSON export"),
            (b"<!DOCTYPE html><p>502", "this is a web page (HTML), not an export; save the export itself as CSV or JSON"),
            (b"a,b\n\x00\x01", "this is a binary file, not a CSV or JSON export"),
            (b"a,b\nc,\xff\n", "line 2: expected UTF-8 text, but found bytes that are not (save the export as UTF-8)"),
            (b"a,b\nc,\xe2\x82", "line 2: expected UTF-8 text, but found bytes that are not (save the export as UTF-8)"),
            (b"\xff\xfe\x00\xdc", "line 1: the file says it is UTF-16 but holds invalid characters"),
        ];
        for (bytes, message) in bad {
            assert_eq!(sniff(bytes), Err(message.to_string()));
        }
    }
}
