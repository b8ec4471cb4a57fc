//! classify: explains the variance as a bridge from expected to billed.
//!
//! Each step names its class (the seed's six), a finer cause, the amount it explains
//! and the evidence behind it. What no step explains is the residual, so that
//! Σ steps + residual = billed − expected, always.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::price::Pricing;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceClass {
    PricingSourceMismatch,
    UsageCaptureGap,
    FieldInterpretationGap,
    TimeWindowMismatch,
    AccountSpecificBillingIssue,
    Unknown,
}

impl VarianceClass {
    pub fn describe(self) -> &'static str {
        match self {
            VarianceClass::PricingSourceMismatch => "pricing-source mismatch",
            VarianceClass::UsageCaptureGap => "usage-capture gap",
            VarianceClass::FieldInterpretationGap => "field interpretation gap",
            VarianceClass::TimeWindowMismatch => "time-window mismatch",
            VarianceClass::AccountSpecificBillingIssue => "account-specific billing issue",
            VarianceClass::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The gateway's logged ratios price the usage differently from the verified card
    /// (a group ratio, a discount, or a stale rate on one side).
    RatioMismatch,
    /// new-api writes integer quota; each row is off by a fraction of one quota.
    IntegerQuotaRounding,
    /// Rows whose quota the gateway's own logged ratios do not explain (beyond ±1).
    QuotaMismatch,
    /// Refund rows returned quota to the account.
    CreditAdjustment,
    /// Charged usage with no verified rate for it.
    UnpricedModel,
    /// Charged rows whose outcome the policy leaves unknown (failures, retries, timeouts).
    FailedRequestCharged,
}

impl Cause {
    pub fn describe(self) -> &'static str {
        match self {
            Cause::RatioMismatch => "gateway ratios differ from the verified rates",
            Cause::IntegerQuotaRounding => "integer-quota rounding",
            Cause::QuotaMismatch => "quota not explained by the row's own ratios",
            Cause::CreditAdjustment => "credit or adjustment",
            Cause::UnpricedModel => "unpriced model or dimension",
            Cause::FailedRequestCharged => "failed or unknown-outcome requests charged",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeStep {
    pub class: VarianceClass,
    pub cause: Cause,
    #[serde(with = "crate::decimal::serde_str")]
    pub amount: Decimal,
    /// Built from counts only, never from input text.
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bridge {
    pub steps: Vec<BridgeStep>,
    #[serde(with = "crate::decimal::serde_str")]
    pub residual: Decimal,
}

fn overflow() -> Error {
    Error::overflow("the variance bridge")
}

fn rows(n: u64) -> String {
    count(n, "row")
}

fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Builds the bridge for `variance` (billed − expected) from what pricing attributed.
pub fn bridge(pricing: &Pricing, variance: Decimal) -> Result<Bridge, Error> {
    let b = &pricing.bridge;
    let q = &pricing.quota_check;
    use Cause::*;
    use VarianceClass::*;
    let models = |set: &std::collections::BTreeSet<String>| {
        let names: Vec<String> = set.iter().map(|m| crate::sanitize::label(m)).collect();
        if names.is_empty() {
            String::new()
        } else {
            format!(" ({})", names.join(", "))
        }
    };
    let candidates = [
        (
            PricingSourceMismatch,
            RatioMismatch,
            b.pricing_mismatch,
            format!(
                "{} whose logged ratios price their usage differently from the verified rates",
                rows(b.pricing_mismatch_rows)
            ),
        ),
        (
            PricingSourceMismatch,
            IntegerQuotaRounding,
            b.quota_rounding,
            format!(
                "{} whose logged quota is within ±1 of the quota their ratios give ({:?} rule)",
                rows(q.consistent_rows),
                q.rule
            ),
        ),
        (
            AccountSpecificBillingIssue,
            QuotaMismatch,
            b.quota_mismatch,
            format!(
                "{} off by more than 1 quota from their own ratios, {} quota in all{}",
                rows(q.inconsistent_rows),
                q.inconsistent_quota,
                models(&b.quota_mismatch_models)
            ),
        ),
        (
            AccountSpecificBillingIssue,
            CreditAdjustment,
            b.refunds,
            format!(
                "{} returned quota{}",
                count(b.refund_rows, "refund row"),
                models(&b.refund_models)
            ),
        ),
        (
            Unknown,
            UnpricedModel,
            b.unpriced,
            format!(
                "{} charged with usage that has no verified rate{}",
                rows(b.unpriced_rows),
                models(&b.unpriced_models)
            ),
        ),
        (
            UsageCaptureGap,
            FailedRequestCharged,
            b.unknown_outcome,
            format!(
                "{} whose outcome the policy leaves unknown, charged by the provider{}",
                rows(b.unknown_outcome_rows),
                models(&b.unknown_outcome_models)
            ),
        ),
    ];
    let steps: Vec<BridgeStep> = candidates
        .into_iter()
        .filter(|(_, _, amount, _)| !amount.is_zero())
        .map(|(class, cause, amount, evidence)| BridgeStep {
            class,
            cause,
            amount,
            evidence,
        })
        .collect();
    let explained = steps
        .iter()
        .try_fold(Decimal::ZERO, |sum, s| sum.checked_add(s.amount))
        .ok_or_else(overflow)?;
    let residual = variance.checked_sub(explained).ok_or_else(overflow)?;
    Ok(Bridge { steps, residual })
}
