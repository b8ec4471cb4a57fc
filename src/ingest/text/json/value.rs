//! A raw JSON value (its text as a `RawValue` holds it) as the text of a cell: strings
//! unescaped, numbers with their exact digits, never through a float.

use std::borrow::Cow;

use serde_json::Value;

/// A JSON value as cell text: strings unescaped, numbers with their exact digits
/// (never through a float), booleans as words, nested values as compact JSON text
/// (some dumps store `other` as an object); null and blank strings are no value.
pub fn cell(raw: &str) -> Option<Cow<'_, str>> {
    let text = match raw.as_bytes().first()? {
        b'"' => string(raw)?,
        b'n' => return None,
        b'{' | b'[' => Cow::Owned(serde_json::from_str::<Value>(raw).ok()?.to_string()),
        b't' | b'f' => Cow::Borrowed(raw),
        _ => number(raw),
    };
    (!crate::ingest::text::trim(&text).is_empty()).then_some(text)
}

/// A number's text as serde_json keeps it (arbitrary_precision): exact digits, but the
/// exponent written `e+5` / `e-5`, so messages quote what they always quoted.
pub fn number(raw: &str) -> Cow<'_, str> {
    let Some(at) = raw.bytes().position(|b| b | 0x20 == b'e') else {
        return Cow::Borrowed(raw);
    };
    let (mantissa, exponent) = (&raw[..at], &raw[at + 1..]);
    let sign = if exponent.starts_with(['+', '-']) {
        ""
    } else {
        "+"
    };
    Cow::Owned(format!("{mantissa}e{sign}{exponent}"))
}

/// The text of a raw JSON string (quotes included, already checked by serde_json);
/// borrowed unless it has escapes.
pub fn string(raw: &str) -> Option<Cow<'_, str>> {
    // Bytes compared, not `char` patterns: those were calls of their own per value in
    // the page's module (docs/benchmarks.md).
    let inner = match raw.as_bytes() {
        [b'"', .., b'"'] => &raw[1..raw.len() - 1],
        _ => return None,
    };
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Some(Cow::Borrowed(inner));
    }
    // `other` is a JSON string holding JSON, so nearly every row has \" escapes, a dozen
    // or more: undo the one-character escapes byte by byte (cheaper than a search and a
    // copy per escape), and leave \u (surrogate pairs) to serde_json. Only ASCII bytes
    // are replaced, so the result is UTF-8 whenever the input was.
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        out.push(match bytes.next()? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            _ => return serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
        });
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_unescape_like_serde_json() {
        for raw in [
            r#""plain""#,
            r#""a\"b\\c\/d\n\t\r\b\f""#,
            r#""\u00e9\ud83d\ude00 x""#,
            r#""{\"k\":1}""#,
        ] {
            let want: String = serde_json::from_str(raw).unwrap();
            assert_eq!(string(raw).as_deref(), Some(want.as_str()), "{raw}");
        }
    }
}
