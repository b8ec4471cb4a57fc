//! Money as a finance reader reads it: a currency sign or code, thousands grouped, a
//! fixed number of decimals, a sign convention said in words. For screens and
//! sentences only: the record and the CSVs keep the exact decimal text.
//!
//! Amounts are rounded half away from zero to [`SHOWN_DECIMALS`] places for display;
//! the exact value goes beside it (a tooltip on the page, the record for a ticket).
//!
//! ```
//! use spend_reconciler::money::{money, percent, signed};
//! let d = |t: &str| t.parse().unwrap();
//! assert_eq!(money(d("1234.5"), "USD"), "$1,234.5000");
//! assert_eq!(money(d("0.1606"), "EUR"), "€0.1606");
//! assert_eq!(money(d("-0.005"), "USD"), "−$0.0050");
//! assert_eq!(money(d("0.00004"), "USD"), "<$0.0001");
//! assert_eq!(money(d("12"), "CHF"), "12.0000 CHF");
//! assert_eq!(signed(d("-0.005"), "USD"), "−$0.0050 (billed less than expected)");
//! assert_eq!(signed(d("0.25"), "USD"), "+$0.2500 (billed more than expected)");
//! assert_eq!(percent(d("-3.1133")), "−3.11%");
//! ```

use rust_decimal::{Decimal, RoundingStrategy};

/// Decimals on screen: AI spend is often fractions of a cent per model, so two would
/// show many real amounts as $0.00.
pub const SHOWN_DECIMALS: u32 = 4;

/// The sign or code a currency is written with: `$1.00` or `1.00 CHF`.
fn sign(currency: &str) -> Option<&'static str> {
    match currency.trim().to_ascii_uppercase().as_str() {
        "USD" | "" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// `1234567.8` → `1,234,567.8000`, at `decimals` places.
fn grouped(magnitude: Decimal, decimals: u32) -> String {
    let rounded =
        magnitude.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{rounded:.*}", decimals as usize);
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

fn with_currency(magnitude: &str, currency: &str) -> String {
    match sign(currency) {
        Some(sign) => format!("{sign}{magnitude}"),
        None => format!("{magnitude} {}", currency.trim().to_ascii_uppercase()),
    }
}

/// An amount as money, rounded for display; a non-zero amount that would round to
/// zero is "<$0.0001", never "$0.0000".
pub fn money(amount: Decimal, currency: &str) -> String {
    let smallest = Decimal::new(1, SHOWN_DECIMALS);
    let rounded =
        amount.round_dp_with_strategy(SHOWN_DECIMALS, RoundingStrategy::MidpointAwayFromZero);
    if !amount.is_zero() && rounded.is_zero() {
        let shown = with_currency(&grouped(smallest, SHOWN_DECIMALS), currency);
        return if amount.is_sign_negative() {
            format!(">−{shown}")
        } else {
            format!("<{shown}")
        };
    }
    let shown = with_currency(&grouped(amount.abs(), SHOWN_DECIMALS), currency);
    if amount.is_sign_negative() && !amount.is_zero() {
        format!("−{shown}")
    } else {
        shown
    }
}

/// A variance (recorded − expected) with its sign and what the sign means.
pub fn signed(variance: Decimal, currency: &str) -> String {
    let shown = money(variance, currency);
    if variance.is_zero() {
        format!("{shown} (billed as expected)")
    } else if variance.is_sign_negative() {
        format!("{shown} (billed less than expected)")
    } else {
        format!("+{shown} (billed more than expected)")
    }
}

/// A percent to two places, with `%` and a true minus sign.
pub fn percent(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.2}%", rounded.abs());
    if rounded.is_sign_negative() && !rounded.is_zero() {
        format!("−{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn money_by_hand() {
        let cases = [
            ("0", "USD", "$0.0000"),
            ("1234567.891", "USD", "$1,234,567.8910"),
            ("999.99995", "USD", "$1,000.0000"),
            ("-1000", "GBP", "−£1,000.0000"),
            ("0.00005", "USD", "$0.0001"),
            ("0.000049", "USD", "<$0.0001"),
            ("-0.000049", "USD", ">−$0.0001"),
            ("5", "cny", "5.0000 CNY"),
        ];
        for (amount, currency, want) in cases {
            assert_eq!(money(d(amount), currency), want, "{amount} {currency}");
        }
        assert_eq!(percent(d("0")), "0.00%");
        assert_eq!(percent(d("12.345")), "12.35%");
        assert_eq!(percent(d("-0.004")), "0.00%", "no minus on a rounded zero");
        assert_eq!(signed(d("0"), "USD"), "$0.0000 (billed as expected)");
    }
}
