//! The account-specific family: quota the rows' own ratios do not explain (beyond one
//! quota either way), new-api's minimum charge of 1 quota, and refunds that returned
//! quota to the account.

use super::{count, models, rows, step, their, BridgeStep, Cause, VarianceClass};
use crate::price::Pricing;

pub(super) fn steps(pricing: &Pricing) -> Vec<BridgeStep> {
    let (b, q) = (&pricing.bridge, &pricing.quota_check);
    let class = VarianceClass::AccountSpecificBillingIssue;
    vec![
        step(
            class,
            Cause::QuotaMismatch,
            b.quota_mismatch,
            format!(
                "{} off by more than 1 quota from {} own ratios, {} quota in all{}",
                rows(q.inconsistent_rows),
                their(q.inconsistent_rows),
                q.inconsistent_quota,
                models(&b.quota_mismatch_models)
            ),
        ),
        step(
            class,
            Cause::MinimumCharge,
            b.minimum_quota,
            format!(
                "{} charged new-api's minimum of 1 quota where their ratios give less{}",
                rows(b.minimum_rows),
                models(&b.minimum_models)
            ),
        ),
        step(
            class,
            Cause::CreditAdjustment,
            b.refunds,
            format!(
                "{} returned quota{}",
                count(b.refund_rows, "refund row"),
                models(&b.refund_models)
            ),
        ),
    ]
}
