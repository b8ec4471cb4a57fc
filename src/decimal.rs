//! The one place text becomes a number.
//!
//! Every amount, rate and quantity enters through [`parse_exact`], which refuses
//! anything `Decimal::from_str_exact` would have to round. No float is ever involved.

use rust_decimal::prelude::*;

/// Parses a decimal written in plain notation ("2.50", "-0.000002", "59200.0").
///
/// Returns a lowercase "expected …, but found …" sentence on failure, ready to be
/// wrapped in an [`crate::Error`] with the position the caller knows.
pub fn parse_exact(text: &str) -> Result<Decimal, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("expected a number, but found an empty value".to_string());
    }
    // Decimal accepts "_" as a digit separator; in a finance export that is a typo.
    let plain = trimmed
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'));
    if !plain {
        if let Some(value) = parse_scientific(trimmed) {
            return value;
        }
        return Err(format!(
            "expected a number like 12.50, but found {}",
            quote(trimmed)
        ));
    }
    Decimal::from_str_exact(trimmed).map_err(|_| {
        format!(
            "expected a number with at most 28 significant digits, but found {}",
            quote(trimmed)
        )
    })
}

/// JSON writers sometimes emit "1e-6" or "5E+5"; accept them when exactly representable.
fn parse_scientific(text: &str) -> Option<Result<Decimal, String>> {
    let lower = text.to_ascii_lowercase();
    let (mantissa, exponent) = lower.split_once('e')?;
    let mantissa_ok = !mantissa.is_empty()
        && mantissa
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'));
    let exponent_ok = exponent
        .trim_start_matches(['+', '-'])
        .bytes()
        .all(|b| b.is_ascii_digit());
    if !mantissa_ok || !exponent_ok || exponent.trim_start_matches(['+', '-']).is_empty() {
        return None;
    }
    let invalid = || {
        format!(
            "expected a number that fits exactly, but found {}",
            quote(text)
        )
    };
    let Ok(mantissa) = Decimal::from_str_exact(mantissa) else {
        return Some(Err(invalid()));
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return Some(Err(invalid()));
    };
    let mut value = mantissa;
    let ten = Decimal::TEN;
    for _ in 0..exponent.unsigned_abs().min(60) {
        let next = if exponent >= 0 {
            value.checked_mul(ten)
        } else {
            value.checked_div(ten)
        };
        match next {
            Some(next) => value = next,
            None => return Some(Err(invalid())),
        }
    }
    // Division may have rounded away digits when the scale ran out.
    let back = (0..exponent.unsigned_abs()).try_fold(value, |v, _| {
        if exponent >= 0 {
            v.checked_div(ten)
        } else {
            v.checked_mul(ten)
        }
    });
    if back != Some(mantissa) {
        return Some(Err(invalid()));
    }
    Some(Ok(value))
}

/// How a file writes its numbers: which character groups thousands and which one starts
/// the decimals. Spreadsheets export numbers the way the machine's locale displays them,
/// and "1,234" is one thousand two hundred thirty-four in one locale and 1.234 in the
/// next, so the reviewer states it ([`NumberFormat::parse`]); it is never guessed.
///
/// In the settings each format is written as the sample it reads: `1,234.5`, `1.234,5`,
/// `1 234,5`, or empty for [`NumberFormat::Plain`]. Whatever the format, a group holds
/// exactly three digits and grouping is optional (`1234,5` reads under `1.234,5`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NumberFormat {
    /// `1234.5` (also `1e-6`): no grouping, a decimal point; what JSON and database
    /// dumps write. Text with a comma or a space between digits is refused as ambiguous.
    #[default]
    Plain,
    /// `1,234.5`: English-speaking locales.
    CommaThousandsPointDecimal,
    /// `1.234,5`: German, Spanish, Italian, Brazilian… locales.
    PointThousandsCommaDecimal,
    /// `1 234,5`: French, Russian, Nordic… locales (a space, no-break space or narrow
    /// no-break space between groups).
    SpaceThousandsCommaDecimal,
}

impl NumberFormat {
    pub const ALL: [NumberFormat; 4] = [
        NumberFormat::Plain,
        NumberFormat::CommaThousandsPointDecimal,
        NumberFormat::PointThousandsCommaDecimal,
        NumberFormat::SpaceThousandsCommaDecimal,
    ];

    /// The setting's text for this format: a sample number written in it ("" for plain).
    pub fn sample(self) -> &'static str {
        match self {
            NumberFormat::Plain => "",
            NumberFormat::CommaThousandsPointDecimal => "1,234.5",
            NumberFormat::PointThousandsCommaDecimal => "1.234,5",
            NumberFormat::SpaceThousandsCommaDecimal => "1 234,5",
        }
    }

    /// Reads the setting: one of the samples, or empty (also `1234.5`) for plain.
    pub fn parse(text: &str) -> Result<NumberFormat, String> {
        let text = text.trim().replace(['\u{a0}', '\u{202f}'], " ");
        if text == "1234.5" {
            return Ok(NumberFormat::Plain);
        }
        NumberFormat::ALL
            .into_iter()
            .find(|f| f.sample() == text)
            .ok_or_else(|| {
                format!(
                    "expected how the file writes one thousand two hundred thirty-four and a half: \
                     1,234.5 or 1.234,5 or 1 234,5 (or nothing for 1234.5), but found {}",
                    quote(&text)
                )
            })
    }

    /// The decimal separator, and whether `c` separates groups of thousands.
    fn separators(self) -> (char, fn(char) -> bool) {
        match self {
            NumberFormat::Plain => ('.', |_| false),
            NumberFormat::CommaThousandsPointDecimal => ('.', |c| c == ','),
            NumberFormat::PointThousandsCommaDecimal => (',', |c| c == '.'),
            NumberFormat::SpaceThousandsCommaDecimal => {
                (',', |c| matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            }
        }
    }
}

/// Parses a decimal written in `format` ("1.234,5" under [`NumberFormat::PointThousandsCommaDecimal`]),
/// exactly: the separators are removed and the digits go through [`parse_exact`].
/// The shared entry point for every reader of spreadsheet-made files.
pub fn parse_decimal_as(text: &str, format: NumberFormat) -> Result<Decimal, String> {
    let trimmed = text.trim();
    if format == NumberFormat::Plain {
        return parse_exact(trimmed).map_err(|message| ambiguity(trimmed).unwrap_or(message));
    }
    let plain = ungroup(trimmed, format).ok_or_else(|| {
        format!(
            "expected a number written like {}, but found {}",
            format.sample(),
            quote(trimmed)
        )
    })?;
    parse_exact(&plain)
}

/// Text a locale-formatted number would be, read with no format stated.
fn ambiguity(text: &str) -> Option<String> {
    let digits = text.trim_start_matches(['-', '+']);
    let grouped = digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}'));
    grouped.then(|| {
        format!(
            "expected a number written plainly like 1234.5, but found {}, which could mean \
             different numbers depending on the locale; for a CSV written this way, choose \
             its number format (1,234.5 or 1.234,5 or 1 234,5) under \"Numbers in the files\"",
            quote(text)
        )
    })
}

/// `text` in `format` as plain notation, or None when it is not written in that format.
fn ungroup(text: &str, format: NumberFormat) -> Option<String> {
    let (decimal, is_group) = format.separators();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = match unsigned.split_once(decimal) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut plain = String::with_capacity(text.len());
    plain.push_str(sign);
    let groups: Vec<&str> = whole.split(is_group).collect();
    for (i, group) in groups.iter().enumerate() {
        let size_ok = match (groups.len(), i) {
            (1, _) => !group.is_empty(),
            (_, 0) => (1..=3).contains(&group.len()),
            _ => group.len() == 3,
        };
        if !size_ok || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        plain.push_str(group);
    }
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        plain.push('.');
        plain.push_str(fraction);
    }
    Some(plain)
}

/// Parses a whole, non-negative count ("12000", "59200.0", "1e3").
/// A fraction or a sign is an error, never rounded away.
pub fn parse_count(text: &str) -> Result<u64, String> {
    parse_count_as(text, NumberFormat::Plain)
}

/// [`parse_count`] of a count written in `format` ("59.200" under `1.234,5`).
pub fn parse_count_as(text: &str, format: NumberFormat) -> Result<u64, String> {
    let value = parse_whole(text, format)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!(
            "expected a count of zero or more, but found {}",
            quote(text.trim())
        ));
    }
    if !value.fract().is_zero() {
        return Err(format!(
            "expected a whole number, but found {}",
            quote(text.trim())
        ));
    }
    value.to_u64().ok_or_else(|| {
        format!(
            "expected a count that fits, but found {}",
            quote(text.trim())
        )
    })
}

/// Parses a whole number that may be negative (quota deltas on settlement rows).
pub fn parse_integer(text: &str) -> Result<i64, String> {
    parse_integer_as(text, NumberFormat::Plain)
}

/// [`parse_integer`] of a number written in `format`.
pub fn parse_integer_as(text: &str, format: NumberFormat) -> Result<i64, String> {
    let value = parse_whole(text, format)?;
    if !value.fract().is_zero() {
        return Err(format!(
            "expected a whole number, but found {}",
            quote(text.trim())
        ));
    }
    value.to_i64().ok_or_else(|| {
        format!(
            "expected a whole number that fits, but found {}",
            quote(text.trim())
        )
    })
}

fn parse_whole(text: &str, format: NumberFormat) -> Result<Decimal, String> {
    let trimmed = text.trim();
    parse_decimal_as(trimmed, format).map_err(|message| match trimmed {
        "" => "expected a whole number, but found an empty value".to_string(),
        // Both say more than "not a whole number": which format, or that one is missing.
        _ if format != NumberFormat::Plain || ambiguity(trimmed).is_some() => message,
        _ => format!("expected a whole number, but found {}", quote(trimmed)),
    })
}

/// Shows a user value in a message: quoted, and cut short so a pasted prompt never
/// floods the screen (the record never carries these messages verbatim anyway).
pub fn quote(text: &str) -> String {
    const MAX: usize = 40;
    let mut shown: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        shown.push('…');
    }
    format!("\"{shown}\"")
}

/// Formats an amount for output: no exponent, trailing zeros dropped, "-0" never shown.
pub fn format(value: Decimal) -> String {
    let normal = value.normalize();
    if normal.is_zero() {
        "0".to_string()
    } else {
        normal.to_string()
    }
}

/// a × b, or None when the product overflows or would need more than 28 decimal
/// places (Decimal would round it silently).
pub fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a, b) = (a.normalize(), b.normalize());
    if a.scale() + b.scale() > 28 {
        return None;
    }
    a.checked_mul(b)
}

/// a ÷ b, or None when b is zero, on overflow, or when the quotient has no exact
/// decimal form within 28 digits (1 ÷ 3). A quotient that used every digit Decimal
/// has is treated as rounded.
pub fn exact_div(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    by_shifting(a, b).or_else(|| by_dividing(a, b))
}

fn by_dividing(a: Decimal, b: Decimal) -> Option<Decimal> {
    let quotient = a.checked_div(b)?;
    let full = quotient.mantissa().unsigned_abs() >= 10u128.pow(27) || quotient.scale() >= 28;
    if full {
        return None;
    }
    (exact_mul(quotient, b)? == a).then_some(quotient)
}

/// a ÷ b without a division, when b is a whole number that divides a power of ten
/// (1,000,000 tokens, 500,000 quota per USD, 1,000 calls): a × (10^k ÷ b), moved k places
/// right. Every row is priced through such divisors, and a Decimal division costs ~20
/// times a multiplication. None leaves the answer to the division, which then finds the
/// same quotient (or none): this path only answers within the limits it checks.
fn by_shifting(a: Decimal, b: Decimal) -> Option<Decimal> {
    shifted(a, shift_of(b)?)
}

/// (k, 10^k ÷ b) for [`by_shifting`]; None when b is not a positive whole number that
/// divides a power of ten.
fn shift_of(b: Decimal) -> Option<(u32, i128)> {
    let b = if b.scale() == 0 { b } else { b.normalize() };
    if b.scale() != 0 || b.is_sign_negative() {
        return None;
    }
    match u64::try_from(b.mantissa()).ok()? {
        // The divisors of every priced row, without the search below.
        1 => Some((0, 1)),
        1_000 => Some((3, 1)),
        500_000 => Some((6, 2)),
        1_000_000 => Some((6, 1)),
        divisor => shift_for(divisor),
    }
}

/// a × multiplier, moved `places` right, in plain integers (Decimal's own
/// multiplication would round a product too long); None beyond 27 digits or scale 27.
fn shifted(a: Decimal, (places, multiplier): (u32, i128)) -> Option<Decimal> {
    const FULL: u128 = 10u128.pow(27);
    // In 64 bits where the product surely fits: WebAssembly multiplies i128 by a call.
    let mantissa = match (i32::try_from(a.mantissa()), i32::try_from(multiplier)) {
        (Ok(a), Ok(k)) => i128::from(i64::from(a) * i64::from(k)),
        _ => a.mantissa().checked_mul(multiplier)?,
    };
    let scale = a.scale() + places;
    if mantissa.unsigned_abs() >= FULL || scale >= 28 {
        return None;
    }
    Some(Decimal::from_i128_with_scale(mantissa, scale))
}

/// A divisor that many quotients share (the quota per USD of every row): how
/// [`exact_div`] moves by it is found once, not for each quotient.
#[derive(Clone, Copy, Debug)]
pub struct Divisor {
    value: Decimal,
    shift: Option<(u32, i128)>,
}

impl Divisor {
    pub fn new(value: Decimal) -> Divisor {
        Divisor {
            value,
            shift: shift_of(value),
        }
    }

    pub fn value(&self) -> Decimal {
        self.value
    }

    /// `exact_div(a, self.value())`.
    pub fn divide(&self, a: Decimal) -> Option<Decimal> {
        if self.value.is_zero() {
            return None;
        }
        (self.shift)
            .and_then(|shift| shifted(a, shift))
            .or_else(|| by_dividing(a, self.value))
    }
}

/// (k, 10^k ÷ divisor) for the least k that makes 10^k a multiple of `divisor`; None
/// when no power of ten is (the divisor has a prime factor other than 2 and 5).
pub(crate) fn shift_for(divisor: u64) -> Option<(u32, i128)> {
    let twos = divisor.trailing_zeros();
    let mut rest = divisor >> twos;
    let mut fives = 0u32;
    while rest.is_multiple_of(5) {
        rest /= 5;
        fives += 1;
    }
    if rest != 1 {
        return None;
    }
    let places = twos.max(fives);
    // 10^places ÷ divisor = 2^(places − twos) × 5^(places − fives), a whole number.
    let multiplier = 2i128
        .checked_pow(places - twos)?
        .checked_mul(5i128.checked_pow(places - fives)?)?;
    Some((places, multiplier))
}

/// serde helpers: decimals travel as JSON strings, and are read back exactly.
pub mod serde_str {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format(*value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_exact(&text).map_err(serde::de::Error::custom)
    }

    pub mod option {
        use rust_decimal::Decimal;
        use serde::Serializer;

        pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match value {
                // `serialize_some`, not the text alone: the same JSON, and the page's
                // wire form (src/wire) marks an option's value.
                Some(value) => s.serialize_some(&super::super::format(*value)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: serde::Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Decimal>, D::Error> {
            use serde::Deserialize;
            match Option::<String>::deserialize(deserializer)? {
                Some(text) => super::super::parse_exact(&text)
                    .map(Some)
                    .map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn parse_exact_table() {
        let ok = [
            ("2.50", "2.50"),
            (" 10 ", "10"),
            ("-0.000002", "-0.000002"),
            ("59200.0", "59200.0"),
            ("1e-6", "0.000001"),
            ("5E+5", "500000"),
        ];
        for (input, expected) in ok {
            assert_eq!(parse_exact(input).unwrap(), d(expected), "{input}");
        }
        let bad = [
            ("", "expected a number, but found an empty value"),
            ("12,5", "expected a number like 12.50, but found \"12,5\""),
            ("1_000", "expected a number like 12.50, but found \"1_000\""),
            ("abc", "expected a number like 12.50, but found \"abc\""),
            ("NaN", "expected a number like 12.50, but found \"NaN\""),
            (
                "0.12345678901234567890123456789",
                "expected a number with at most 28 significant digits, but found \"0.12345678901234567890123456789\"",
            ),
        ];
        for (input, expected) in bad {
            assert_eq!(parse_exact(input).unwrap_err(), expected, "{input}");
        }
    }

    #[test]
    fn parse_count_table() {
        assert_eq!(parse_count("59200.0"), Ok(59200));
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(
            parse_count("1.5").unwrap_err(),
            "expected a whole number, but found \"1.5\""
        );
        assert_eq!(
            parse_count("-3").unwrap_err(),
            "expected a count of zero or more, but found \"-3\""
        );
        assert_eq!(parse_integer("-120"), Ok(-120));
        assert_eq!(
            parse_integer("abc").unwrap_err(),
            "expected a whole number, but found \"abc\""
        );
    }

    #[test]
    fn exact_arithmetic_table() {
        assert_eq!(exact_div(d("10"), d("3")), None);
        assert_eq!(exact_div(d("10"), d("4")), Some(d("2.5")));
        assert_eq!(exact_div(d("1"), d("0")), None);
        assert_eq!(exact_div(d("12500"), d("500000")), Some(d("0.025")));
        assert_eq!(
            exact_mul(d("0.00000000000001"), d("0.000000000000001")),
            None
        );
        assert_eq!(exact_mul(d("2.50"), d("0.8")), Some(d("2")));
    }

    #[test]
    fn format_drops_trailing_zeros() {
        assert_eq!(format(d("0.025000")), "0.025");
        assert_eq!(format(d("-0.000")), "0");
        assert_eq!(format(d("1200")), "1200");
    }

    #[test]
    fn parse_decimal_as_table() {
        use NumberFormat::*;
        let ok = [
            ("1234.5", Plain, "1234.5"),
            ("1,234.5", CommaThousandsPointDecimal, "1234.5"),
            ("-12,345,678.90", CommaThousandsPointDecimal, "-12345678.90"),
            ("1234.5", CommaThousandsPointDecimal, "1234.5"),
            ("1.234,5", PointThousandsCommaDecimal, "1234.5"),
            ("1.234", PointThousandsCommaDecimal, "1234"),
            ("0,000002", PointThousandsCommaDecimal, "0.000002"),
            ("1 234,5", SpaceThousandsCommaDecimal, "1234.5"),
            (
                "1\u{a0}234\u{202f}567,25",
                SpaceThousandsCommaDecimal,
                "1234567.25",
            ),
            ("+7", SpaceThousandsCommaDecimal, "7"),
        ];
        for (input, format, expected) in ok {
            assert_eq!(parse_decimal_as(input, format), Ok(d(expected)), "{input}");
        }
        let bad = [
            ("1,234", Plain, "expected a number written plainly like 1234.5, but found \"1,234\", which could mean different numbers depending on the locale; for a CSV written this way, choose its number format (1,234.5 or 1.234,5 or 1 234,5) under \"Numbers in the files\""),
            ("1.234.567", Plain, "expected a number written plainly like 1234.5, but found \"1.234.567\", which could mean different numbers depending on the locale; for a CSV written this way, choose its number format (1,234.5 or 1.234,5 or 1 234,5) under \"Numbers in the files\""),
            ("12,34", CommaThousandsPointDecimal, "expected a number written like 1,234.5, but found \"12,34\""),
            ("1234.5", PointThousandsCommaDecimal, "expected a number written like 1.234,5, but found \"1234.5\""),
            ("1,5,0", PointThousandsCommaDecimal, "expected a number written like 1.234,5, but found \"1,5,0\""),
            ("1 234.5", SpaceThousandsCommaDecimal, "expected a number written like 1 234,5, but found \"1 234.5\""),
            ("1e3", CommaThousandsPointDecimal, "expected a number written like 1,234.5, but found \"1e3\""),
            ("-", CommaThousandsPointDecimal, "expected a number written like 1,234.5, but found \"-\""),
            ("", PointThousandsCommaDecimal, "expected a number written like 1.234,5, but found \"\""),
        ];
        for (input, format, expected) in bad {
            assert_eq!(
                parse_decimal_as(input, format).unwrap_err(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn parse_count_as_table() {
        use NumberFormat::*;
        assert_eq!(
            parse_count_as("59,200.0", CommaThousandsPointDecimal),
            Ok(59200)
        );
        assert_eq!(
            parse_count_as("59.200", PointThousandsCommaDecimal),
            Ok(59200)
        );
        assert_eq!(
            parse_count_as("59 200,0", SpaceThousandsCommaDecimal),
            Ok(59200)
        );
        assert_eq!(
            parse_integer_as("-1.250", PointThousandsCommaDecimal),
            Ok(-1250)
        );
        let bad = [
            ("59200.5", Plain, "expected a whole number, but found \"59200.5\""),
            ("59.200,5", PointThousandsCommaDecimal, "expected a whole number, but found \"59.200,5\""),
            ("-3", PointThousandsCommaDecimal, "expected a count of zero or more, but found \"-3\""),
            ("59,200", Plain, "expected a number written plainly like 1234.5, but found \"59,200\", which could mean different numbers depending on the locale; for a CSV written this way, choose its number format (1,234.5 or 1.234,5 or 1 234,5) under \"Numbers in the files\""),
            ("59200.0", PointThousandsCommaDecimal, "expected a number written like 1.234,5, but found \"59200.0\""),
            ("", CommaThousandsPointDecimal, "expected a whole number, but found an empty value"),
        ];
        for (input, format, expected) in bad {
            assert_eq!(
                parse_count_as(input, format).unwrap_err(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn number_format_setting_table() {
        for format in NumberFormat::ALL {
            assert_eq!(NumberFormat::parse(format.sample()), Ok(format));
        }
        assert_eq!(NumberFormat::parse(" 1234.5 "), Ok(NumberFormat::Plain));
        assert_eq!(
            NumberFormat::parse("1\u{a0}234,5"),
            Ok(NumberFormat::SpaceThousandsCommaDecimal)
        );
        assert_eq!(
            NumberFormat::parse("de-DE").unwrap_err(),
            "expected how the file writes one thousand two hundred thirty-four and a half: 1,234.5 or 1.234,5 or 1 234,5 (or nothing for 1234.5), but found \"de-DE\""
        );
    }

    /// `value` as a spreadsheet in `format` would show it, grouped or not.
    fn write_as(value: Decimal, format: NumberFormat, grouped: bool) -> String {
        let plain = value.to_string();
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let (decimal, group) = match format {
            NumberFormat::Plain => (".", ""),
            NumberFormat::CommaThousandsPointDecimal => (".", ","),
            NumberFormat::PointThousandsCommaDecimal => (",", "."),
            NumberFormat::SpaceThousandsCommaDecimal => (",", "\u{a0}"),
        };
        let mut out = sign.to_string();
        for (i, c) in whole.chars().enumerate() {
            if grouped && !group.is_empty() && i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push_str(group);
            }
            out.push(c);
        }
        if !fraction.is_empty() {
            out.push_str(decimal);
            out.push_str(fraction);
        }
        out
    }

    #[test]
    fn shift_for_table() {
        let table = [
            (1, Some((0, 1))),
            (2, Some((1, 5))),
            (8, Some((3, 125))),
            (25, Some((2, 4))),
            (1_000, Some((3, 1))),
            (500_000, Some((6, 2))),
            (1 << 40, Some((40, 5i128.pow(40)))),
            (3, None),
            (12, None),
            (1_000_001, None),
        ];
        for (divisor, want) in table {
            assert_eq!(shift_for(divisor), want, "{divisor}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in ".{0,40}") {
            let _ = parse_exact(&text);
            let _ = parse_count(&text);
            for format in NumberFormat::ALL {
                let _ = parse_decimal_as(&text, format);
                let _ = parse_count_as(&text, format);
            }
        }

        #[test]
        fn written_in_a_format_reads_back(
            mantissa in any::<i64>(),
            scale in 0u32..=10,
            format in 0usize..4,
            grouped: bool,
        ) {
            let value = Decimal::new(mantissa, scale);
            let format = NumberFormat::ALL[format];
            let text = write_as(value, format, grouped);
            prop_assert_eq!(parse_decimal_as(&text, format), Ok(value), "{}", text);
        }

        /// The shortcut answers only what the division answers, with the same value.
        /// (The divisors include the shortcut's table, found without the search.)
        #[test]
        fn shifting_agrees_with_dividing(
            mantissa in any::<i64>(),
            high in 0i64..=1 << 30,
            scale in 0u32..=28,
            divisor in 0usize..16,
        ) {
            const DIVISORS: [&str; 16] = [
                "1", "2", "5", "8", "10", "25", "1000", "500000", "1000000", "1000000000",
                "1099511627776", "95367431640625", "3", "12", "0.5", "100000000000000000000",
            ];
            let a = Decimal::from_i128_with_scale(
                (i128::from(high) << 64) | i128::from(mantissa as u64), scale);
            let b = d(DIVISORS[divisor]);
            let quick = by_shifting(a, b);
            if quick.is_some() {
                prop_assert_eq!(quick, by_dividing(a, b), "{} ÷ {}", a, b);
            }
            prop_assert_eq!(exact_div(a, b), by_dividing(a, b).or(quick));
            prop_assert_eq!(Divisor::new(b).divide(a), exact_div(a, b));
        }

        #[test]
        fn format_round_trips(mantissa in any::<i64>(), scale in 0u32..=18) {
            let value = Decimal::new(mantissa, scale);
            prop_assert_eq!(parse_exact(&format(value)).unwrap(), value);
        }
    }
}
