//! Re-deriving a new-api row's quota from the ratios logged in its own `other` field:
//! an internal consistency check, independent of the reviewer's rate card.
//!
//! The formula (reference/formats.md §1.3, new-api `text_quota.go`), for token rows:
//!
//! ```text
//! (uncached + cache_read × cache_ratio + cache_write × cache_creation_ratio
//!   + cache_write_1h × ratio_1h + completion × completion_ratio) × model_ratio × group_ratio
//! ```
//!
//! Per-call rows cost `model_price × quota_per_usd × group_ratio`; tool surcharges add
//! `price × count ÷ 1000 × group_ratio × quota_per_usd`. Unset ratios take new-api's
//! defaults: cache 1, cache creation 1.25, 1-hour write 1.6 × creation, group 1.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ingest::newapi::{GatewayRow, LoggedRatios};
use crate::policy::QuotaRounding;

/// Quota before the gateway turns it into an integer; None when the row's ratios
/// are not enough to say (no model ratio on a token row) or the figure overflows.
pub fn derive(row: &GatewayRow, r: &LoggedRatios, quota_per_usd: Decimal) -> Option<Decimal> {
    let group = r.group_ratio.unwrap_or(Decimal::ONE);
    let surcharge = r
        .tool_surcharge_usd
        .checked_mul(group)?
        .checked_mul(quota_per_usd)?;
    if let Some(price) = row.model_price {
        return price
            .checked_mul(quota_per_usd)?
            .checked_mul(group)?
            .checked_add(surcharge);
    }
    let model_ratio = r.model_ratio?;
    let creation_ratio = r
        .cache_creation_ratio
        .unwrap_or(Decimal::from_str("1.25").ok()?);
    let hour_ratio = match r.cache_creation_ratio_1h {
        Some(ratio) => ratio,
        None => creation_ratio.checked_mul(Decimal::from_str("1.6").ok()?)?,
    };
    let terms = [
        (row.uncached_input()?, Decimal::ONE),
        (row.cache_read_tokens, r.cache_ratio.unwrap_or(Decimal::ONE)),
        (row.cache_write_tokens, creation_ratio),
        (row.cache_write_1h_tokens, hour_ratio),
        (
            row.completion_tokens,
            r.completion_ratio.unwrap_or(Decimal::ONE),
        ),
    ];
    let mut weighted = Decimal::ZERO;
    for (tokens, ratio) in terms {
        weighted = weighted.checked_add(Decimal::from(tokens).checked_mul(ratio)?)?;
    }
    weighted
        .checked_mul(model_ratio)?
        .checked_mul(group)?
        .checked_add(surcharge)
}

/// The integer quota the gateway would have written: its rounding, and at least 1
/// whenever the ratio is non-zero and the exact quota is not positive.
pub fn to_integer(exact: Decimal, ratio_nonzero: bool, rule: QuotaRounding) -> Decimal {
    let integer = rule.apply(exact);
    if ratio_nonzero && integer <= Decimal::ZERO && exact >= Decimal::ZERO {
        Decimal::ONE
    } else {
        integer
    }
}

/// What the check found over all gateway rows that carry ratios.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaCheck {
    pub rule: QuotaRounding,
    /// Rows whose logged quota is within ±1 of the re-derived integer quota.
    pub consistent_rows: u64,
    /// Rows further off than ±1: the gateway's own ratios do not explain the charge.
    pub inconsistent_rows: u64,
    /// Rows without the ratios needed to re-derive their quota.
    pub unchecked_rows: u64,
    /// Σ (logged − re-derived integer) over inconsistent rows, in quota.
    pub inconsistent_quota: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::newapi::{Outcome, RowKind, TokenSemantic};

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn row(
        prompt: u64,
        completion: u64,
        cache: u64,
        write: u64,
        semantic: TokenSemantic,
    ) -> GatewayRow {
        GatewayRow {
            at: jiff::Timestamp::UNIX_EPOCH,
            kind: RowKind::Consume,
            outcome: Outcome::Success,
            model: "m".into(),
            quota: 0,
            prompt_tokens: prompt,
            completion_tokens: completion,
            cache_read_tokens: cache,
            cache_write_tokens: write,
            cache_write_1h_tokens: 0,
            reasoning_tokens: 0,
            tool_calls: 0,
            semantic,
            model_price: None,
            ratios: None,
        }
    }

    #[test]
    fn worked_examples_from_the_reference() {
        let q = d("500000");
        // gpt-4o: (4,000 + 8,000×0.5 + 500×4) × 1.25 = 12,500.
        let gpt = LoggedRatios {
            model_ratio: Some(d("1.25")),
            completion_ratio: Some(d("4")),
            cache_ratio: Some(d("0.5")),
            group_ratio: Some(d("1")),
            ..LoggedRatios::default()
        };
        assert_eq!(
            derive(
                &row(12_000, 500, 8_000, 0, TokenSemantic::Inclusive),
                &gpt,
                q
            ),
            Some(d("12500"))
        );
        // Claude, Anthropic semantics: (1,200 + 30,000×0.1 + 2,000×1.25 + 800×5) × 1.5 = 16,050.
        let claude = LoggedRatios {
            model_ratio: Some(d("1.5")),
            completion_ratio: Some(d("5")),
            cache_ratio: Some(d("0.1")),
            cache_creation_ratio: Some(d("1.25")),
            group_ratio: Some(d("1")),
            ..LoggedRatios::default()
        };
        assert_eq!(
            derive(
                &row(1_200, 800, 30_000, 2_000, TokenSemantic::Additive),
                &claude,
                q
            ),
            Some(d("16050"))
        );
        // Per call: 0.1 × 500,000 × 1 = 50,000.
        let mut call = row(0, 0, 0, 0, TokenSemantic::Inclusive);
        call.model_price = Some(d("0.1"));
        assert_eq!(derive(&call, &LoggedRatios::default(), q), Some(d("50000")));
        // Group ratio 0.8 (a discount applied through the group): 12,500 × 0.8.
        let discounted = LoggedRatios {
            group_ratio: Some(d("0.8")),
            ..gpt
        };
        assert_eq!(
            derive(
                &row(12_000, 500, 8_000, 0, TokenSemantic::Inclusive),
                &discounted,
                q
            ),
            Some(d("10000"))
        );
    }

    #[test]
    fn minimum_one_quota_and_rules() {
        assert_eq!(to_integer(d("0.3"), true, QuotaRounding::Round), d("1"));
        assert_eq!(to_integer(d("0"), false, QuotaRounding::Round), d("0"));
        assert_eq!(to_integer(d("7.5"), true, QuotaRounding::Truncate), d("7"));
        assert_eq!(to_integer(d("7.01"), true, QuotaRounding::Ceil), d("8"));
    }
}
