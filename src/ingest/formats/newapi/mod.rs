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

/// [`parse_count_as`], with a shortcut for plain digits (nearly every cell): up to 19
/// digits always fit a u64 and mean the same in every number format.
pub fn count_as(text: &str, format: NumberFormat) -> Result<u64, String> {
    if !text.is_empty() && text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(value) = text.parse() {
            return Ok(value);
        }
    }
    parse_count_as(text, format)
}

/// [`parse_integer_as`], with the same shortcut for an optional minus and up to 18 digits.
pub fn integer_as(text: &str, format: NumberFormat) -> Result<i64, String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(value) = text.parse() {
            return Ok(value);
        }
    }
    parse_integer_as(text, format)
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
    use super::csv_cell;

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
