//! classify: explains the variance as a bridge from expected to billed.
//!
//! Each step names its class (the seed's six), a finer cause, the amount it explains
//! and the evidence behind it. What no step explains is the residual, so that
//! Σ steps + residual = billed − expected, always.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Position};
use crate::price::ModelCharge;
use crate::reconcile::quota_to_usd;
use crate::sanitize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Refund rows returned quota to the account.
    CreditAdjustment,
    /// The provider charged a model that has no verified rate.
    UnpricedModel,
}

impl Cause {
    pub fn describe(self) -> &'static str {
        match self {
            Cause::CreditAdjustment => "credit or adjustment",
            Cause::UnpricedModel => "unpriced model",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BridgeStep {
    pub class: VarianceClass,
    pub cause: Cause,
    #[serde(with = "crate::decimal::serde_str")]
    pub amount: Decimal,
    /// Built from counts and sanitized labels only, never from input text.
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bridge {
    pub steps: Vec<BridgeStep>,
    #[serde(with = "crate::decimal::serde_str")]
    pub residual: Decimal,
}

fn overflow() -> Error {
    Error::overflow(Position::file("variance bridge"), "the variance bridge")
}

/// Builds the bridge for `variance` (billed − expected) from the per-model charges.
pub fn bridge(
    charges: &[ModelCharge],
    variance: Decimal,
    quota_per_usd: Decimal,
) -> Result<Bridge, Error> {
    let mut steps = Vec::new();
    for charge in charges {
        let label = sanitize::label(&charge.model);
        if charge.refunded_quota != 0 {
            let amount = -quota_to_usd(charge.refunded_quota, quota_per_usd)?;
            steps.push(BridgeStep {
                class: VarianceClass::AccountSpecificBillingIssue,
                cause: Cause::CreditAdjustment,
                amount,
                evidence: format!(
                    "refund rows for {label} returned {} quota",
                    charge.refunded_quota
                ),
            });
        }
        if !charge.has_rate && charge.consumed_quota != 0 {
            let amount = quota_to_usd(charge.consumed_quota, quota_per_usd)?;
            steps.push(BridgeStep {
                class: VarianceClass::Unknown,
                cause: Cause::UnpricedModel,
                amount,
                evidence: format!(
                    "{label}: {} requests charged {} quota with no verified rate entered",
                    charge.requests, charge.consumed_quota
                ),
            });
        }
    }
    let explained = steps
        .iter()
        .try_fold(Decimal::ZERO, |sum, s| sum.checked_add(s.amount))
        .ok_or_else(overflow)?;
    let residual = variance.checked_sub(explained).ok_or_else(overflow)?;
    Ok(Bridge { steps, residual })
}
