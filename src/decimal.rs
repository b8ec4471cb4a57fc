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

/// Parses a whole, non-negative count ("12000", "59200.0", "1e3").
/// A fraction or a sign is an error, never rounded away.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let value = parse_whole(text)?;
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
    let value = parse_whole(text)?;
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

fn parse_whole(text: &str) -> Result<Decimal, String> {
    parse_exact(text).map_err(|_| match text.trim() {
        "" => "expected a whole number, but found an empty value".to_string(),
        trimmed => format!("expected a whole number, but found {}", quote(trimmed)),
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
    let quotient = a.checked_div(b)?;
    let full = quotient.mantissa().unsigned_abs() >= 10u128.pow(27) || quotient.scale() >= 28;
    if full {
        return None;
    }
    (exact_mul(quotient, b)? == a).then_some(quotient)
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
                Some(value) => s.serialize_str(&super::super::format(*value)),
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

    proptest! {
        #[test]
        fn parse_never_panics(text in ".{0,40}") {
            let _ = parse_exact(&text);
            let _ = parse_count(&text);
        }

        #[test]
        fn format_round_trips(mantissa in any::<i64>(), scale in 0u32..=18) {
            let value = Decimal::new(mantissa, scale);
            prop_assert_eq!(parse_exact(&format(value)).unwrap(), value);
        }
    }
}
