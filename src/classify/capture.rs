//! What the evidence cannot price or bill with certainty: charged usage with no verified
//! rate (class unknown), and charged requests whose outcome the policy leaves unknown
//! (a usage-capture gap).

use super::{models, rows, step, BridgeStep, Cause, VarianceClass};
use crate::price::Pricing;

pub(super) fn steps(pricing: &Pricing) -> Vec<BridgeStep> {
    let b = &pricing.bridge;
    vec![
        step(
            VarianceClass::Unknown,
            Cause::UnpricedModel,
            b.unpriced,
            format!(
                "{} charged with usage that has no verified rate{}",
                rows(b.unpriced_rows),
                models(&b.unpriced_models)
            ),
        ),
        step(
            VarianceClass::UsageCaptureGap,
            Cause::FailedRequestCharged,
            b.unknown_outcome,
            format!(
                "{} whose outcome the policy leaves unknown, charged by the provider{}",
                rows(b.unknown_outcome_rows),
                models(&b.unknown_outcome_models)
            ),
        ),
    ]
}
