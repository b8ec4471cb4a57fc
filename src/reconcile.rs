//! reconcile: expected versus what the provider recorded, per model and in total.
//!
//! The provider-side figure for a CometAPI / new-api log is Σ quota ÷ quota-per-USD
//! (500,000 by default), consume rows minus refund rows; else a billing export's or the
//! account totals' charges. Variance is provider minus expected: positive means billed
//! more than expected. A side with no evidence behind it is absent (`None`), never zero,
//! and so is every figure computed from it.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::price::quota::quota_to_usd;
use crate::price::Pricing;

/// Variance percent is shown to 4 decimal places, rounded half away from zero
/// (12.34565 → 12.3457, −0.00005 → −0.0001). Amounts are never rounded.
pub const PERCENT_DECIMALS: u32 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Tolerance {
    #[serde(with = "crate::decimal::serde_str")]
    pub absolute: Decimal,
    #[serde(with = "crate::decimal::serde_str")]
    pub percent: Decimal,
}

/// The difference between two figures that both exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variance {
    pub amount: Decimal,
    /// None when nothing was expected (a percent of zero is meaningless).
    pub percent: Option<Decimal>,
    pub within_tolerance: bool,
}

/// Expected against provider-recorded. Either side is None when no evidence gives it:
/// then the variance and the tolerance verdict are None too (not computed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub expected: Option<Decimal>,
    /// False when some usage had no verified rate: the expected figure is a floor.
    pub expected_complete: bool,
    pub provider: Option<Decimal>,
    pub variance: Option<Decimal>,
    pub variance_percent: Option<Decimal>,
    pub within_tolerance: Option<bool>,
}

/// What a comparison says in one word, the weakest reason first: a side missing, then
/// an expected figure that is only a floor, then the tolerance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No usage evidence: nothing was expected.
    NotComputed,
    /// No provider-side evidence: nothing to compare with.
    NotCompared,
    /// Some usage has no verified rate: the expected figure is a floor.
    Incomplete,
    WithinTolerance,
    OutsideTolerance,
}

impl Verdict {
    /// A name for styling (`verdict-within_tolerance`); the words carry the meaning.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::NotComputed => "not_computed",
            Verdict::NotCompared => "not_compared",
            Verdict::Incomplete => "incomplete",
            Verdict::WithinTolerance => "within_tolerance",
            Verdict::OutsideTolerance => "outside_tolerance",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Verdict::NotComputed => "not computed: no usage evidence",
            Verdict::NotCompared => "not compared: no provider-side evidence",
            Verdict::Incomplete => "incomplete: some usage has no verified rate",
            Verdict::WithinTolerance => "within tolerance",
            Verdict::OutsideTolerance => "outside tolerance",
        }
    }
}

impl Comparison {
    pub fn verdict(&self) -> Verdict {
        match (self.expected, self.provider, self.within_tolerance) {
            (None, _, _) => Verdict::NotComputed,
            (_, None, _) => Verdict::NotCompared,
            _ if !self.expected_complete => Verdict::Incomplete,
            (_, _, Some(true)) => Verdict::WithinTolerance,
            _ => Verdict::OutsideTolerance,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub per_model: Vec<(String, Comparison)>,
    pub total: Comparison,
}

fn overflow(what: &str) -> Error {
    Error::overflow(what)
}

/// Within tolerance when the charge is complete and the variance is inside either band:
/// |variance| ≤ absolute, or |variance %| ≤ percent.
pub fn variance(
    expected: Decimal,
    complete: bool,
    provider: Decimal,
    tolerance: Tolerance,
) -> Result<Variance, Error> {
    let amount = provider
        .checked_sub(expected)
        .ok_or_else(|| overflow("the variance"))?;
    let percent = if expected.is_zero() {
        None
    } else {
        let ratio = amount
            .checked_div(expected)
            .ok_or_else(|| overflow("the variance percent"))?;
        let percent = ratio
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or_else(|| overflow("the variance percent"))?;
        Some(
            percent
                .round_dp_with_strategy(PERCENT_DECIMALS, RoundingStrategy::MidpointAwayFromZero),
        )
    };
    let in_absolute = amount.abs() <= tolerance.absolute;
    let in_percent = percent.is_some_and(|p| p.abs() <= tolerance.percent);
    Ok(Variance {
        amount,
        percent,
        within_tolerance: complete && (in_absolute || in_percent),
    })
}

/// [`variance`] when both sides exist; else the comparison says what is missing.
pub fn compare(
    expected: Option<Decimal>,
    complete: bool,
    provider: Option<Decimal>,
    tolerance: Tolerance,
) -> Result<Comparison, Error> {
    let v = match (expected, provider) {
        (Some(e), Some(p)) => Some(variance(e, complete, p, tolerance)?),
        _ => None,
    };
    Ok(Comparison {
        expected,
        expected_complete: expected.is_some() && complete,
        provider,
        variance: v.map(|v| v.amount),
        variance_percent: v.and_then(|v| v.percent),
        within_tolerance: v.map(|v| v.within_tolerance),
    })
}

/// Expected against the gateway's own quota, per model and in total.
pub fn reconcile(
    pricing: &Pricing,
    quota_per_usd: Decimal,
    tolerance: Tolerance,
) -> Result<Reconciliation, Error> {
    let mut per_model = Vec::new();
    let mut provider = Decimal::ZERO;
    for charge in &pricing.models {
        let net_quota = charge
            .consumed_quota
            .checked_sub(charge.refunded_quota)
            .ok_or_else(|| overflow("quota"))?;
        let recorded = quota_to_usd(net_quota, quota_per_usd)?;
        per_model.push((
            charge.model.clone(),
            compare(
                Some(charge.expected),
                charge.complete,
                Some(recorded),
                tolerance,
            )?,
        ));
        provider = provider
            .checked_add(recorded)
            .ok_or_else(|| overflow("the provider total"))?;
    }
    let total = compare(
        Some(pricing.expected),
        pricing.complete,
        Some(provider),
        tolerance,
    )?;
    Ok(Reconciliation { per_model, total })
}

/// The expected charge alone, when no file gives a provider-side figure: nothing to
/// compare it with, so no variance.
pub fn expected_only(pricing: &Pricing, tolerance: Tolerance) -> Result<Reconciliation, Error> {
    let mut per_model = Vec::new();
    for charge in &pricing.models {
        let c = compare(Some(charge.expected), charge.complete, None, tolerance)?;
        per_model.push((charge.model.clone(), c));
    }
    let total = compare(Some(pricing.expected), pricing.complete, None, tolerance)?;
    Ok(Reconciliation { per_model, total })
}

/// Neither side: no usage and no provider-side figure (only files that give neither).
pub fn nothing() -> Reconciliation {
    Reconciliation {
        per_model: Vec::new(),
        total: Comparison {
            expected: None,
            expected_complete: false,
            provider: None,
            variance: None,
            variance_percent: None,
            within_tolerance: None,
        },
    }
}

/// Expected against what a billing export or account totals charged inside the window
/// (buckets reaching outside it are not counted: they cannot be split). A charge is
/// attributed to a model when its item names one the card or the usage knows (OpenAI
/// line items read "model, dimension"); the rest counts in the total only. Without
/// usage evidence (`pricing` None) only the charged total stands.
pub fn reconcile_charges<'a>(
    pricing: Option<&Pricing>,
    charges: impl IntoIterator<Item = &'a crate::ingest::ChargeTotal>,
    card: &crate::ratecard::RateCard,
    tolerance: Tolerance,
) -> Result<Reconciliation, Error> {
    let models = pricing.map_or(&[][..], |p| p.models.as_slice());
    let mut per_item: std::collections::BTreeMap<String, Decimal> = Default::default();
    let mut provider = Decimal::ZERO;
    for charge in charges.into_iter().filter(|c| !c.straddles) {
        let model = charge.item.split(", ").next().unwrap_or("").trim();
        let label = card
            .lookup(model, Some(charge.start))
            .map(|e| e.model.as_str());
        let owner = models.iter().find(|m| {
            m.model == model || m.logged_as.contains(model) || label == Some(m.model.as_str())
        });
        if let Some(owner) = owner {
            let slot = per_item.entry(owner.model.clone()).or_default();
            *slot = slot
                .checked_add(charge.amount)
                .ok_or_else(|| overflow("a model's charges"))?;
        }
        provider = provider
            .checked_add(charge.amount)
            .ok_or_else(|| overflow("the provider total"))?;
    }
    let mut per_model = Vec::new();
    for charge in models {
        let billed = per_item.get(&charge.model).copied().unwrap_or_default();
        per_model.push((
            charge.model.clone(),
            compare(
                Some(charge.expected),
                charge.complete,
                Some(billed),
                tolerance,
            )?,
        ));
    }
    let total = compare(
        pricing.map(|p| p.expected),
        pricing.is_some_and(|p| p.complete),
        Some(provider),
        tolerance,
    )?;
    Ok(Reconciliation { per_model, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn tolerance(absolute: &str, percent: &str) -> Tolerance {
        Tolerance {
            absolute: d(absolute),
            percent: d(percent),
        }
    }

    #[test]
    fn a_missing_side_speaks_first_then_a_floor_then_the_tolerance() {
        let t = tolerance("0.01", "1");
        let cases = [
            (None, true, Some("1"), Verdict::NotComputed),
            (None, true, None, Verdict::NotComputed),
            (Some("1"), true, None, Verdict::NotCompared),
            (Some("1"), false, None, Verdict::NotCompared),
            (Some("1"), false, Some("1"), Verdict::Incomplete),
            (Some("1"), true, Some("1.01"), Verdict::WithinTolerance),
            (Some("1"), true, Some("1.02"), Verdict::OutsideTolerance),
        ];
        for (expected, complete, provider, verdict) in cases {
            let c = compare(expected.map(d), complete, provider.map(d), t).unwrap();
            assert_eq!(c.verdict(), verdict, "{expected:?} {complete} {provider:?}");
        }
    }

    #[test]
    fn variance_and_tolerance_by_hand() {
        // (expected, complete, provider, tolerance abs, %, variance, percent, within)
        let cases = [
            // Exactly at the absolute band: inside (≤).
            ("10", true, "10.5", "0.5", "0", "0.5", Some("5"), true),
            // Exactly at the percent band: inside.
            ("200", true, "202", "0", "1", "2", Some("1"), true),
            // Just past both bands.
            (
                "200",
                true,
                "202.01",
                "2",
                "1",
                "2.01",
                Some("1.005"),
                false,
            ),
            // Zero expected: no percent; only the absolute band can hold it.
            ("0", true, "0.01", "0.01", "100", "0.01", None, true),
            ("0", true, "0.02", "0.01", "100", "0.02", None, false),
            // A refund larger than the usage: billed below zero.
            ("1", true, "-0.5", "0", "0", "-1.5", Some("-150"), false),
            // Incomplete expected: never within tolerance, whatever the bands.
            ("10", false, "10", "1", "1", "0", Some("0"), false),
            // The percent rounds half away from zero at 4 places: 1/3 → 33.3333.
            ("3", true, "4", "0", "0", "1", Some("33.3333"), false),
            ("-3", true, "-4", "0", "0", "-1", Some("33.3333"), false),
        ];
        for (expected, complete, provider, abs, pct, amount, percent, within) in cases {
            let v = variance(d(expected), complete, d(provider), tolerance(abs, pct)).unwrap();
            let want = Variance {
                amount: d(amount),
                percent: percent.map(d),
                within_tolerance: within,
            };
            assert_eq!(v, want, "{expected} vs {provider}");
        }
    }

    #[test]
    fn a_missing_side_leaves_every_derived_figure_absent() {
        let t = tolerance("1000", "100");
        let cases = [
            (None, Some("5")),
            (Some("5"), None),
            (None::<&str>, None::<&str>),
        ];
        for (expected, provider) in cases {
            let c = compare(expected.map(d), true, provider.map(d), t).unwrap();
            assert_eq!(c.expected, expected.map(d));
            assert_eq!(c.provider, provider.map(d));
            assert_eq!(
                (c.variance, c.variance_percent, c.within_tolerance),
                (None, None, None),
                "{expected:?} vs {provider:?}: nothing compared, nothing claimed"
            );
            assert_eq!(
                c.expected_complete,
                expected.is_some(),
                "an absent figure is never complete"
            );
        }
        let both = compare(Some(d("5")), true, Some(d("5")), t).unwrap();
        assert_eq!(both.within_tolerance, Some(true));
        assert!(both.expected_complete);
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let t = tolerance("0", "0");
        assert!(variance(Decimal::MIN, true, Decimal::MAX, t).is_err());
        assert!(quota_to_usd(1, d("3")).is_err(), "1/3 is not exact");
        assert_eq!(quota_to_usd(250_000, d("500000")).unwrap(), d("0.5"));
    }
}
