//! CometAPI / new-api usage-log rows: the columns we read and their labels ([`columns`]),
//! a row's cells and their reading into a typed row ([`cells`]), a JSON row read
//! without a `Map` ([`json_row`]) and the `other` field ([`other_field`]). The same code
//! serves JSON pages, bare arrays, JSON lines and CSV.
//!
//! Facts this relies on (reference/formats.md §1.3–1.4): `created_at` is Unix seconds
//! (other ways of writing times: `formats::times`);
//! `type` 2 = consume, 5 = error, 6 = refund (1 top-up, 3 manage, 4 system); `quota` is an
//! integer of 1/500,000 USD; `other` is a JSON string holding the ratios that priced the
//! row; `usage_semantic = "anthropic"` means prompt_tokens excludes cache reads and writes.

mod cells;
mod columns;
mod json_row;
mod other_field;

pub use cells::{parse_parts, Cells, RatioSets};
pub use columns::{is_cost, missing_columns, Column, COLUMNS};
pub use json_row::{JsonRow, RowScanner};
pub use other_field::Other;

use crate::decimal::{parse_count_as, parse_integer_as, NumberFormat};

/// A problem with one cell: which column and what is wrong with it.
pub type CellError = (Column, String);

/// A plain count (JSON numbers, `other`): [`count_as`] in [`NumberFormat::Plain`].
pub fn count(text: &str) -> Result<u64, String> {
    count_as(text, NumberFormat::Plain)
}

/// The value of 1 to 19 ASCII digits (which always fit a u64), in one pass; None for
/// anything else. (Checking the digits and then `str::parse` read each cell twice, and
/// `strip_prefix` with a `char` was a call of its own in the page's module.)
#[inline]
fn plain_digits(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |value, &b| {
        b.is_ascii_digit().then(|| value * 10 + u64::from(b - b'0'))
    })
}

/// [`parse_count_as`], with a shortcut for plain digits (nearly every cell): up to 19
/// digits always fit a u64 and mean the same in every number format.
pub fn count_as(text: &str, format: NumberFormat) -> Result<u64, String> {
    match plain_digits(text.as_bytes()) {
        Some(value) => Ok(value),
        None => parse_count_as(text, format),
    }
}

/// [`parse_integer_as`], with the same shortcut for an optional minus and up to 18 digits.
pub fn integer_as(text: &str, format: NumberFormat) -> Result<i64, String> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', digits @ ..] => (true, digits),
        digits => (false, digits),
    };
    // Up to 18 digits: below 10^18, inside an i64 either way.
    match plain_digits(digits).filter(|_| digits.len() <= 18) {
        Some(value) if negative => Ok(-(value as i64)),
        Some(value) => Ok(value as i64),
        None => parse_integer_as(text, format),
    }
}

/// Strips the `'` that fork exports put before cells to defuse spreadsheet formulas.
// A byte compared, not `strip_prefix` with a `char` pattern: in the page's module that
// was a call per cell, ~2% of a worker's time reading a log (docs/benchmarks.md).
#[inline]
pub fn csv_cell(text: &str) -> Option<&str> {
    let text = crate::ingest::text::trim(text);
    let text = match text.as_bytes().first() {
        Some(b'\'') => &text[1..],
        _ => text,
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::{count_as, csv_cell, integer_as};
    use crate::decimal::{parse_count_as, parse_integer_as, NumberFormat};
    use proptest::prelude::*;

    proptest! {
        /// The digits shortcut answers as the full parse does, for any text and every
        /// number format (digits, signs, separators, spaces, overflow).
        #[test]
        fn the_shortcut_reads_as_the_full_parse(
            text in prop_oneof![
                "-?[0-9]{1,21}",
                "[-+ 0-9.,'eE]{0,22}",
                any::<u64>().prop_map(|n| n.to_string()),
                any::<i64>().prop_map(|n| n.to_string()),
            ],
            format in proptest::sample::select(NumberFormat::ALL.to_vec()),
        ) {
            prop_assert_eq!(count_as(&text, format), parse_count_as(&text, format), "{}", text);
            prop_assert_eq!(integer_as(&text, format), parse_integer_as(&text, format), "{}", text);
        }
    }

    #[test]
    fn a_cell_loses_its_spaces_and_one_leading_apostrophe() {
        let cases = [
            ("5", Some("5")),
            ("'5", Some("5")),
            (" '5 ", Some("5")),
            ("''x", Some("'x")),
            ("5'", Some("5'")),
            ("'é", Some("é")),
            ("\u{a0}'7\u{a0}", Some("7")),
            ("'", None),
            ("  ", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(csv_cell(text), want, "{text:?}");
        }
    }
}
