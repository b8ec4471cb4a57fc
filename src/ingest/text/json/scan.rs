//! A fast path for one JSON object: a single pass over the bytes that hands each field's
//! key and the exact text of its value to a callback, with no allocation.
//!
//! It recognizes a strict subset of what serde_json accepts and answers `None` on
//! anything outside it (an escape in a key, a control character, deep nesting, any
//! syntax error, text that ends early), so the caller can re-read that object with
//! serde_json and keep serde_json's verdict and its messages. Whatever it does accept,
//! serde_json accepts too, with the same fields and the same value text (a proptest in
//! `formats/newapi/json_row.rs` holds the two to that).

use std::ops::Range;

use crate::ingest::text::word;

/// Nesting deeper than this is left to serde_json (its own limit is 128).
const MAX_DEPTH: usize = 32;

/// What stops the scan of a string: its closing quote, an escape, a control character.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Reads the object that starts at the first non-whitespace byte of `text`, calling
/// `field(key, value)` for each field in order (`value` is the raw JSON text, as a
/// `RawValue` would hold it). `field` may answer `None` to give up. Returns the offset
/// just past the closing brace and whether the object had any field.
pub fn object<'a>(
    text: &'a str,
    mut field: impl FnMut(&'a str, &'a str) -> Option<()>,
) -> Option<(usize, bool)> {
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut any = false;
    scan.whitespace();
    scan.expect(b'{')?;
    scan.members(b'}', |scan| {
        let (key, value) = scan.field(0)?;
        any = true;
        field(text.get(key)?, text.get(value)?)
    })?;
    Some((scan.at, any))
}

/// [`object`], when the object must be the whole of `text` (whitespace around it aside).
pub fn whole_object<'a>(
    text: &'a str,
    field: impl FnMut(&'a str, &'a str) -> Option<()>,
) -> Option<bool> {
    let (end, any) = object(text, field)?;
    only_whitespace(&text.as_bytes()[end..]).then_some(any)
}

/// The end of the number or literal (`true`, `false`, `null`) at `at`, by the rules
/// used inside an object; None when none starts there. What follows is the caller's.
pub fn scalar_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut scan = Scan { bytes, at };
    match scan.peek()? {
        b'-' | b'0'..=b'9' => scan.number()?,
        b't' => scan.literal(b"true")?,
        b'f' => scan.literal(b"false")?,
        b'n' => scan.literal(b"null")?,
        _ => return None,
    }
    Some(scan.at)
}

/// Whether `rest` is JSON whitespace only (what serde_json allows after a value).
pub fn only_whitespace(rest: &[u8]) -> bool {
    rest.iter()
        .all(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
}

// `other` as new-api's JSON rows carry it: an object written inside a JSON string
// (`"{\"model_ratio\":1.25,\"cache_tokens\":0}"`), read in place. Unescaping the
// string into a new one and scanning that took about a fifth of reading a JSON row. Its
// CSV exports carry the same object in a quoted cell, each quote doubled
// (`"{""model_ratio"":1.25}"`), read in place the same way.
// Only the plain shape is read here: keys and string values whose only escapes are their
// own quotes, numbers, `true`, `false`, `null` and spaces. Anything else (another escape,
// a nested value, any syntax error) answers None, and the caller unescapes the string
// and reads it as before; a proptest in `other_field.rs` holds the two readings to the same
// result.

/// A field's value as found: a number or literal (its JSON text), or a string's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escaped<'a> {
    Scalar(&'a str),
    Text(&'a str),
}

/// The JSON string's quote escape: `\"`, for [`quoted_object`] of the text between a
/// JSON string's quotes.
pub const BACKSLASH: u8 = b'\\';
/// A quoted CSV cell's: `""`, for [`quoted_object`] of the text between the cell's quotes,
/// each quote of the JSON doubled (`{""k"":1}`). A backslash there (an escape inside a
/// JSON string) answers None, as in a JSON string.
pub const DOUBLED: u8 = b'"';

/// Reads the escaped object `inner` (the text between a JSON string's or a CSV cell's
/// quotes), its quotes each written as `escape` and a quote ([`BACKSLASH`], [`DOUBLED`]),
/// calling `field(key, value)` for each field in order; `field` may answer None to give up.
pub fn quoted_object<'a>(
    inner: &'a str,
    escape: u8,
    mut field: impl FnMut(&'a str, Escaped<'a>) -> Option<()>,
) -> Option<()> {
    let mut scan = Scan {
        bytes: inner.as_bytes(),
        at: 0,
    };
    scan.spaces();
    scan.expect(b'{')?;
    scan.spaces();
    if scan.peek() == Some(b'}') {
        scan.at += 1;
    } else {
        loop {
            let key = inner.get(scan.escaped_string(escape)?)?;
            scan.spaces();
            scan.expect(b':')?;
            scan.spaces();
            let value = scan.escaped_value(inner, escape)?;
            field(key, value)?;
            scan.spaces();
            match scan.next()? {
                b',' => scan.spaces(),
                b'}' => break,
                _ => return None,
            }
        }
    }
    scan.spaces();
    (scan.at == inner.len()).then_some(())
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Past the closing quote of a string with no escape (keys).
    fn plain_string(&mut self) -> Option<()> {
        self.skip_to_stop();
        (self.next()? == b'"').then_some(())
    }

    /// To the next quote, backslash or control character (or the end): eight bytes at a
    /// time while there are eight (`text::word`).
    fn skip_to_stop(&mut self) {
        while let Some(bytes) = self.bytes.get(self.at..self.at + word::WORD) {
            let mut eight = [0u8; word::WORD];
            eight.copy_from_slice(bytes);
            let x = u64::from_le_bytes(eight);
            let stops = word::equal(x, b'"') | word::equal(x, b'\\') | word::below(x, 0x20);
            if stops != 0 {
                self.at += (stops.trailing_zeros() / 8) as usize;
                return;
            }
            self.at += word::WORD;
        }
        while let Some(&b) = self.bytes.get(self.at) {
            if STRING_STOP[b as usize] {
                return;
            }
            self.at += 1;
        }
    }

    /// Past the closing quote of a string value: the escapes serde_json checks when it
    /// skips a string (one-character ones, and \u with four hex digits).
    fn string(&mut self) -> Option<()> {
        loop {
            self.skip_to_stop();
            match self.next()? {
                b'"' => return Some(()),
                b'\\' => match self.next()? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        let hex = self.bytes.get(self.at..self.at + 4)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        self.at += 4;
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    /// Spaces only: in an escaped object a tab or line break would be an escape.
    fn spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    /// A quote written as `escape` and a quote, text with no quote, backslash or control
    /// character, and such a quote again (`\"…\"`, or `""…""`): the span of the text
    /// between (which the outer string or cell cannot hold raw either).
    fn escaped_string(&mut self, escape: u8) -> Option<Range<usize>> {
        self.expect(escape)?;
        self.expect(b'"')?;
        let start = self.at;
        // One pass to the first quote, backslash or control character: only the closing
        // escaped quote may end the text; a search for it and a second pass for the
        // others cost twice as much on a log's short keys and values.
        self.skip_to_stop();
        let end = self.at;
        self.expect(escape)?;
        self.expect(b'"')?;
        Some(start..end)
    }

    fn escaped_value<'a>(&mut self, inner: &'a str, escape: u8) -> Option<Escaped<'a>> {
        let start = self.at;
        if self.peek()? == escape {
            return inner.get(self.escaped_string(escape)?).map(Escaped::Text);
        }
        self.at = scalar_end(self.bytes, start)?;
        inner.get(start..self.at).map(Escaped::Scalar)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; what follows is the caller's.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => {
                self.at += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return None;
                }
            }
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.at += 1;
                self.string()
            }
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'{' | b'[' if depth >= MAX_DEPTH => None,
            b'{' => self.nested_object(depth + 1),
            b'[' => self.array(depth + 1),
            _ => None,
        }
    }

    /// The members of an object or array whose opening bracket was just read, each
    /// read by `member`, up to and past the `close` bracket.
    fn members(
        &mut self,
        close: u8,
        mut member: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.whitespace();
        if self.peek()? == close {
            self.at += 1;
            return Some(());
        }
        loop {
            member(self)?;
            self.whitespace();
            match self.next()? {
                b',' => self.whitespace(),
                b if b == close => return Some(()),
                _ => return None,
            }
        }
    }

    /// One `"key": value` of an object: the spans of the key's text and of the value.
    fn field(&mut self, depth: usize) -> Option<(Range<usize>, Range<usize>)> {
        self.expect(b'"')?;
        let key_start = self.at;
        self.plain_string()?;
        let key = key_start..self.at - 1;
        self.whitespace();
        self.expect(b':')?;
        self.whitespace();
        let value_start = self.at;
        self.value(depth)?;
        Some((key, value_start..self.at))
    }

    fn nested_object(&mut self, depth: usize) -> Option<()> {
        self.at += 1;
        self.members(b'}', |scan| scan.field(depth).map(|_| ()))
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.at += 1;
        self.members(b']', |scan| scan.value(depth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the object ends, and its fields as (key, raw value).
    type Read = Option<(usize, Vec<(String, String)>)>;

    fn fields(text: &str) -> Read {
        let mut seen = Vec::new();
        let (end, any) = object(text, |k, v| {
            seen.push((k.to_string(), v.to_string()));
            Some(())
        })?;
        assert_eq!(any, !seen.is_empty());
        Some((end, seen))
    }

    #[test]
    fn reads_fields_and_their_raw_text() {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        let cases: [(&str, Read); 10] = [
            ("{}", Some((2, vec![]))),
            (" { } x", Some((4, vec![]))),
            (
                r#"{"a":1,"b" : "x\"y" ,"c":[1,{"d":null}],"e":-0.5e+3}"#,
                Some((
                    52,
                    vec![
                        pair("a", "1"),
                        pair("b", r#""x\"y""#),
                        pair("c", r#"[1,{"d":null}]"#),
                        pair("e", "-0.5e+3"),
                    ],
                )),
            ),
            (
                r#"{"u":"\u00e9\uD800"}"#,
                Some((20, vec![pair("u", r#""\u00e9\uD800""#)])),
            ),
            // Left to serde_json: escaped keys, bad escapes, control characters, syntax.
            (r#"{"\u0061":1}"#, None),
            (r#"{"a":"\x"}"#, None),
            ("{\"a\":\"\t\"}", None),
            (r#"{"a":01}"#, None),
            (r#"{"a":1,}"#, None),
            (r#"{"a":1"#, None),
        ];
        for (text, want) in cases {
            assert_eq!(fields(text), want, "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_left_to_serde_json() {
        let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(40), "]".repeat(40));
        assert_eq!(fields(&deep), None);
        let shallow = format!(r#"{{"a":{}{}}}"#, "[".repeat(10), "]".repeat(10));
        assert!(fields(&shallow).is_some());
    }

    #[test]
    fn whole_object_allows_only_whitespace_after() {
        let none = |_: &str, _: &str| Some(());
        assert_eq!(whole_object(" {\"a\":1}\r\n", none), Some(true));
        assert_eq!(whole_object("{} x", none), None);
        assert_eq!(whole_object("{\"a\":1}", |_, _| None), None);
    }

    type Fields<'a> = Option<Vec<(String, Escaped<'a>)>>;

    fn escaped_fields(inner: &str) -> Fields<'_> {
        quoted_fields(inner, BACKSLASH)
    }

    fn quoted_fields(inner: &str, escape: u8) -> Fields<'_> {
        let mut seen = Vec::new();
        quoted_object(inner, escape, |k, v| {
            seen.push((k.to_string(), v));
            Some(())
        })?;
        Some(seen)
    }

    #[test]
    fn reads_the_plain_shape_and_leaves_the_rest() {
        use Escaped::{Scalar, Text};
        let f = |k: &str, v| (k.to_string(), v);
        let cases: [(&str, Fields); 14] = [
            (r"{}", Some(vec![])),
            (r" { } ", Some(vec![])),
            (
                r#"{\"model_ratio\":1.25, \"frt\" : -1,\"s\":\"anthropic\",\"b\":true,\"n\":null}"#,
                Some(vec![
                    f("model_ratio", Scalar("1.25")),
                    f("frt", Scalar("-1")),
                    f("s", Text("anthropic")),
                    f("b", Scalar("true")),
                    f("n", Scalar("null")),
                ]),
            ),
            (
                r#"{\"e\":2.5E-3,\"z\":0}"#,
                Some(vec![f("e", Scalar("2.5E-3")), f("z", Scalar("0"))]),
            ),
            (r#"{\"\":\"\"}"#, Some(vec![f("", Text(""))])),
            // Left to the unescaping reader: other escapes, nesting, anything not JSON.
            (r#"{\"a\":\"x\\\"y\"}"#, None),
            (r#"{\"a\":\"\u00e9\"}"#, None),
            (r#"{\"a\":[1]}"#, None),
            (r#"{\"a\":{}}"#, None),
            (r#"{\"a\":01}"#, None),
            (r#"{\"a\":1,}"#, None),
            (r#"{\"a\":1} x"#, None),
            (r#"{\"a\":1"#, None),
            ("{\\\"a\\\":\t1}", None),
        ];
        for (inner, want) in cases {
            assert_eq!(escaped_fields(inner), want, "{inner}");
        }
    }

    #[test]
    fn reads_a_csv_cells_doubled_quotes_as_escaped_ones() {
        use Escaped::{Scalar, Text};
        let f = |k: &str, v| (k.to_string(), v);
        let cases: [(&str, Fields); 6] = [
            (
                r#"{""model_ratio"":1.5, ""s"" : ""anthropic"",""frt"":-1}"#,
                Some(vec![
                    f("model_ratio", Scalar("1.5")),
                    f("s", Text("anthropic")),
                    f("frt", Scalar("-1")),
                ]),
            ),
            (r#" {} "#, Some(vec![])),
            // A JSON escape inside a string, a backslash-escaped quote, a lone quote.
            (r#"{""a"":""x""y""}"#, None),
            (r#"{"a":1}"#, None),
            (r#"{""a"":"x""}"#, None),
            ("{\"\"a\"\":\t1}", None),
        ];
        for (inner, want) in cases {
            assert_eq!(quoted_fields(inner, DOUBLED), want, "{inner}");
        }
    }
}
