//! Attribution: where each priced row's (recorded − expected) goes, so the variance
//! bridge can say which cause explains how much, with the rows and models behind it.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{add, overflow, quota, Pricer};
use crate::error::Error;
use crate::ingest::GatewayRow;

/// Where each row's (recorded − expected) went, for the variance bridge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeInputs {
    /// Gateway ratios price the usage differently from the verified card.
    pub pricing_mismatch: Decimal,
    /// Logged quota vs exact re-derived quota on rows within ±1 quota.
    pub quota_rounding: Decimal,
    /// Logged quota vs re-derived quota on rows further off than ±1.
    pub quota_mismatch: Decimal,
    /// Recorded charges of usage the card does not fully price.
    pub unpriced: Decimal,
    /// Recorded charges of rows whose outcome the policy calls unknown.
    pub unknown_outcome: Decimal,
    pub refunds: Decimal,
    pub refund_rows: u64,
    /// Priced rows whose re-derived quota differs from their expected charge.
    pub pricing_mismatch_rows: u64,
    pub unpriced_rows: u64,
    pub unknown_outcome_rows: u64,
    /// Which models each cause touched (logged names), for the bridge's evidence.
    pub refund_models: BTreeSet<String>,
    pub unpriced_models: BTreeSet<String>,
    pub unknown_outcome_models: BTreeSet<String>,
    pub quota_mismatch_models: BTreeSet<String>,
    /// The card's prices the logged ratios imply differently, model by model.
    pub rate_differences: Vec<super::RateDifference>,
}

/// What a billable row's own ratios say about its logged quota: the card plays no part,
/// so grouped pricing finds it once per row ([`super::groups`]), not on every re-price.
#[derive(Clone, Copy, Debug)]
pub(super) struct QuotaFacts {
    /// The re-derived quota in USD.
    pub derived_usd: Decimal,
    /// Logged − re-derived, in USD.
    pub logged_vs_derived: Decimal,
    /// Within ±1 quota of the re-derived integer.
    pub consistent: bool,
    /// Logged − re-derived integer quota, as [`super::quota::QuotaCheck::inconsistent_quota`] adds it.
    pub off_by: i64,
}

/// The quota check of one billable row; None when its ratios cannot re-derive its quota.
pub(super) fn quota_facts(
    row: &GatewayRow,
    recorded: Decimal,
    s: &crate::settings::ValidSettings,
) -> Result<Option<QuotaFacts>, Error> {
    let derived = row
        .ratios
        .as_ref()
        .and_then(|r| quota::derive(row, r, s.quota_per_usd));
    let Some(derived) = derived else {
        return Ok(None);
    };
    let ratio_nonzero = row
        .ratios
        .as_ref()
        .is_some_and(|r| r.model_ratio.is_some_and(|m| !m.is_zero()) || row.model_price.is_some());
    let integer = quota::to_integer(derived, ratio_nonzero, s.quota_rounding);
    let derived_usd = crate::decimal::exact_div(derived, s.quota_per_usd)
        .ok_or_else(|| overflow("the re-derived quota"))?;
    let logged_vs_derived = recorded
        .checked_sub(derived_usd)
        .ok_or_else(|| overflow("quota"))?;
    let off_by = Decimal::from(row.quota)
        .checked_sub(integer)
        .ok_or_else(|| overflow("quota"))?;
    Ok(Some(QuotaFacts {
        derived_usd,
        logged_vs_derived,
        consistent: off_by.abs() <= Decimal::ONE,
        off_by: i64::try_from(off_by.trunc().mantissa()).unwrap_or(i64::MAX),
    }))
}

impl Pricer<'_> {
    /// Files `rows` rows' quota check, `facts` holding their sums (one row: its own).
    pub(super) fn file_quota(
        &mut self,
        facts: &QuotaFacts,
        rows: u64,
        model: &str,
    ) -> Result<(), Error> {
        let b = &mut self.out.bridge;
        let check = &mut self.out.quota_check;
        if facts.consistent {
            check.consistent_rows += rows;
            add(
                &mut b.quota_rounding,
                facts.logged_vs_derived,
                "quota rounding",
            )
        } else {
            check.inconsistent_rows += rows;
            if !b.quota_mismatch_models.contains(model) {
                b.quota_mismatch_models.insert(model.to_string());
            }
            check.inconsistent_quota = check.inconsistent_quota.saturating_add(facts.off_by);
            add(
                &mut b.quota_mismatch,
                facts.logged_vs_derived,
                "quota mismatch",
            )
        }
    }

    /// Files the row's (recorded − expected) under the causes the evidence supports.
    ///
    /// A consume row whose ratios re-derive its quota is checked whatever the card says
    /// (the check is the gateway's own consistency): its gap splits into the quota part
    /// (logged − re-derived: rounding within ±1, else a mismatch) and the pricing part
    /// (re-derived − expected), which is a pricing-source difference when the card prices
    /// the row and unpriced usage when it does not.
    pub(super) fn attribute(
        &mut self,
        row: &GatewayRow,
        recorded: Decimal,
        expected: Decimal,
        complete: bool,
        billable: bool,
    ) -> Result<(), Error> {
        let s = self.settings;
        let b = &mut self.out.bridge;
        if !billable {
            b.unknown_outcome_rows += 1;
            b.unknown_outcome_models.insert(row.model.clone());
            return add(&mut b.unknown_outcome, recorded, "at-risk rows");
        }
        if !complete {
            b.unpriced_rows += 1;
            b.unpriced_models.insert(row.model.clone());
            if let Some(charge) = self.models.get_mut(
                self.settings
                    .rate_card
                    .lookup(&row.model, row.time())
                    .map_or(&row.model, |e| &e.model),
            ) {
                charge.complete = false;
            }
        }
        let Some(facts) = quota_facts(row, recorded, s)? else {
            self.out.quota_check.unchecked_rows += 1;
            if complete {
                return Ok(());
            }
            let gap = recorded
                .checked_sub(expected)
                .ok_or_else(|| overflow("unpriced usage"))?;
            return add(&mut self.out.bridge.unpriced, gap, "unpriced usage");
        };
        self.file_quota(&facts, 1, &row.model)?;
        let b = &mut self.out.bridge;
        let derived_usd = facts.derived_usd;
        let mismatch = derived_usd
            .checked_sub(expected)
            .ok_or_else(|| overflow("pricing mismatch"))?;
        if !complete {
            return add(&mut b.unpriced, mismatch, "unpriced usage");
        }
        if !mismatch.is_zero() {
            b.pricing_mismatch_rows += 1;
        }
        add(&mut b.pricing_mismatch, mismatch, "pricing mismatch")
    }
}
