//! The text readers: bytes to text (gzip, UTF-8 or UTF-16, what the bytes are), and text
//! to records (delimited text, JSON). They know CSV and JSON, and no export: what a
//! record means is the formats' business (`ingest::formats`).

pub mod damage;
pub mod decode;
pub mod delimited;
pub mod gzip;
pub mod json;
pub mod shape;
pub mod word;

/// `text.trim()`, answered without decoding a character when both ends are printable
/// ASCII (nearly every cell): no Unicode space can then be at either end.
#[inline]
pub fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn trim_is_str_trim(text in "[ \t\u{a0}\u{3000}a-z0-9é\r\n]{0,8}") {
            prop_assert_eq!(super::trim(&text), text.trim());
        }
    }
}
