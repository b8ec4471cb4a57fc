//! reconcile: expected versus what the provider recorded, per model and in total.
//!
//! The provider-side figure for a CometAPI / new-api log is Σ quota ÷ quota-per-USD
//! (500,000 by default), consume rows minus refund rows. Variance is provider minus
//! expected: positive means billed more than expected.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Position};
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub expected: Decimal,
    /// False when some usage had no verified rate: the expected figure is a floor.
    pub expected_complete: bool,
    pub provider: Decimal,
    pub variance: Decimal,
    /// None when nothing was expected (a percent of zero is meaningless).
    pub variance_percent: Option<Decimal>,
    pub within_tolerance: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub per_model: Vec<(String, Comparison)>,
    pub total: Comparison,
}

fn overflow(what: &str) -> Error {
    Error::overflow(Position::file("reconciliation"), what)
}

/// Converts integer quota to USD, exactly.
pub fn quota_to_usd(quota: i64, quota_per_usd: Decimal) -> Result<Decimal, Error> {
    // Exact or nothing: 500,000 divides cleanly, an exotic setting might not.
    crate::decimal::exact_div(Decimal::from(quota), quota_per_usd)
        .ok_or_else(|| overflow("the quota-to-USD conversion"))
}

/// Within tolerance when the charge is complete and the variance is inside either band:
/// |variance| ≤ absolute, or |variance %| ≤ percent.
pub fn compare(
    expected: Decimal,
    complete: bool,
    provider: Decimal,
    tolerance: Tolerance,
) -> Result<Comparison, Error> {
    let variance = provider
        .checked_sub(expected)
        .ok_or_else(|| overflow("the variance"))?;
    let variance_percent = if expected.is_zero() {
        None
    } else {
        let ratio = variance
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
    let in_absolute = variance.abs() <= tolerance.absolute;
    let in_percent = variance_percent.is_some_and(|p| p.abs() <= tolerance.percent);
    Ok(Comparison {
        expected,
        expected_complete: complete,
        provider,
        variance,
        variance_percent,
        within_tolerance: complete && (in_absolute || in_percent),
    })
}

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
            compare(charge.expected, charge.complete, recorded, tolerance)?,
        ));
        provider = provider
            .checked_add(recorded)
            .ok_or_else(|| overflow("the provider total"))?;
    }
    let total = compare(pricing.expected, pricing.complete, provider, tolerance)?;
    Ok(Reconciliation { per_model, total })
}

/// Expected against what a billing export or account totals charged inside the window
/// (buckets reaching outside it are not counted: they cannot be split). A charge is
/// attributed to a model when its item names one the card or the usage knows (OpenAI
/// line items read "model, dimension"); the rest counts in the total only.
pub fn reconcile_charges<'a>(
    pricing: &Pricing,
    charges: impl IntoIterator<Item = &'a crate::ingest::ChargeTotal>,
    card: &crate::ratecard::RateCard,
    tolerance: Tolerance,
) -> Result<Reconciliation, Error> {
    let mut per_item: std::collections::BTreeMap<String, Decimal> = Default::default();
    let mut provider = Decimal::ZERO;
    for charge in charges.into_iter().filter(|c| !c.straddles) {
        let model = charge.item.split(", ").next().unwrap_or("").trim();
        let label = card
            .lookup(model, Some(charge.start))
            .map(|e| e.model.as_str());
        let owner = pricing.models.iter().find(|m| {
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
    for charge in &pricing.models {
        let billed = per_item.get(&charge.model).copied().unwrap_or_default();
        per_model.push((
            charge.model.clone(),
            compare(charge.expected, charge.complete, billed, tolerance)?,
        ));
    }
    let total = compare(pricing.expected, pricing.complete, provider, tolerance)?;
    Ok(Reconciliation { per_model, total })
}
