//! Attribution: where each priced row's (recorded − expected) goes, so the variance
//! bridge can say which cause explains how much, with the rows and models behind it.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{add, overflow, quota, Pricer};
use crate::decimal::Divisor;
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
    /// Rows another reading of their usage fields explains, and charged rows with no
    /// usage at all: the field interpretation gap, by reading.
    #[serde(default)]
    pub field_gaps: super::FieldGaps,
    /// Rows priced at another card model's rates (their pricing difference).
    #[serde(default)]
    pub alias: super::AliasGap,
    /// Rows new-api lifted to its minimum of 1 quota (their exact quota rounds to 0):
    /// logged − re-derived, instead of rounding.
    #[serde(default)]
    pub minimum_quota: Decimal,
    #[serde(default)]
    pub minimum_rows: u64,
    #[serde(default)]
    pub minimum_models: BTreeSet<String>,
}

/// Where the quota part of a billable row's gap (logged − re-derived) goes. The card
/// plays no part in it, so grouped pricing finds it once per row ([`super::groups`]).
#[derive(Clone, Copy, Debug)]
pub(super) enum QuotaPart {
    /// new-api's 1-quota minimum lifted the row (its exact quota rounds to 0).
    Minimum,
    /// Within ±1 quota: the gateway's rounding.
    Rounding,
    /// Beyond ±1, and another reading of the row's fields gives its logged quota: the
    /// reading's tokens and USD; the rest (within ±1 quota) is rounding.
    Reread {
        reading: super::Reading,
        tokens: u64,
        usd: Decimal,
    },
    /// Beyond ±1, and no reading explains it.
    Mismatch,
}

/// What a billable row's own ratios say about its logged quota.
#[derive(Clone, Copy, Debug)]
pub(super) struct QuotaFacts {
    /// The re-derived quota in USD.
    pub derived_usd: Decimal,
    /// Logged − re-derived, in USD.
    pub logged_vs_derived: Decimal,
    /// Within ±1 quota of the re-derived integer, or explained by another reading.
    pub consistent: bool,
    /// Logged − re-derived integer quota, as [`super::quota::QuotaCheck::inconsistent_quota`] adds it.
    pub off_by: i64,
    pub part: QuotaPart,
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
    quota_facts_of(row, derived, recorded, s, &Divisor::new(s.quota_per_usd))
}

/// [`quota_facts`] of a row whose quota re-derived from its ratios is `derived` (None:
/// its ratios cannot say), the settings' quota per USD as `per_usd`.
pub(super) fn quota_facts_of(
    row: &GatewayRow,
    derived: Option<Decimal>,
    recorded: Decimal,
    s: &crate::settings::ValidSettings,
    per_usd: &Divisor,
) -> Result<Option<QuotaFacts>, Error> {
    let Some(derived) = derived else {
        return Ok(None);
    };
    let ratio_nonzero = row
        .ratios
        .as_ref()
        .is_some_and(|r| r.model_ratio.is_some_and(|m| !m.is_zero()) || row.model_price.is_some());
    let (integer, minimum) = quota::integer_and_minimum(derived, ratio_nonzero, s.quota_rounding);
    let derived_usd = (per_usd.divide(derived)).ok_or_else(|| overflow("the re-derived quota"))?;
    let logged_vs_derived = recorded
        .checked_sub(derived_usd)
        .ok_or_else(|| overflow("quota"))?;
    let (off_by, within) = off_by(row.quota, integer).ok_or_else(|| overflow("quota"))?;
    let part = if within && minimum && row.quota == 1 {
        QuotaPart::Minimum
    } else if within {
        QuotaPart::Rounding
    } else {
        let rule = s.quota_rounding;
        match super::readings::explaining(row, derived, ratio_nonzero, rule, s.quota_per_usd) {
            Some((reading, tokens, usd)) => QuotaPart::Reread {
                reading,
                tokens,
                usd,
            },
            None => QuotaPart::Mismatch,
        }
    };
    Ok(Some(QuotaFacts {
        derived_usd,
        logged_vs_derived,
        consistent: !matches!(part, QuotaPart::Mismatch),
        off_by: i64::try_from(off_by).unwrap_or(i64::MAX),
        part,
    }))
}

/// Logged − re-derived integer quota (truncated), and whether it is within ±1; None when
/// the difference overflows. Every rounding rule gives a whole number (scale 0): then in
/// plain integers, within Decimal's 96 bits, as Decimal would answer.
fn off_by(quota: i64, integer: Decimal) -> Option<(i128, bool)> {
    if integer.scale() == 0 {
        let off_by = i128::from(quota) - integer.mantissa();
        return (off_by.unsigned_abs() < 1 << 96).then_some((off_by, off_by.abs() <= 1));
    }
    let off_by = Decimal::from(quota).checked_sub(integer)?;
    Some((off_by.trunc().mantissa(), off_by.abs() <= Decimal::ONE))
}

/// Files a billable row's quota part (`facts.part`) in `out`: the one place both the
/// row path and the groups' base do it, so they cannot drift apart.
pub(super) fn file_quota(
    out: &mut super::Pricing,
    row: &GatewayRow,
    facts: &QuotaFacts,
) -> Result<(), Error> {
    let b = &mut out.bridge;
    let check = &mut out.quota_check;
    match facts.part {
        QuotaPart::Minimum => {
            // Charged new-api's 1-quota minimum: the lift is the minimum's, not rounding.
            check.consistent_rows += 1;
            b.minimum_rows += 1;
            if !b.minimum_models.contains(&row.model) {
                b.minimum_models.insert(row.model.clone());
            }
            add(
                &mut b.minimum_quota,
                facts.logged_vs_derived,
                "the minimum quota",
            )
        }
        QuotaPart::Rounding => {
            check.consistent_rows += 1;
            add(
                &mut b.quota_rounding,
                facts.logged_vs_derived,
                "quota rounding",
            )
        }
        QuotaPart::Reread {
            reading,
            tokens,
            usd,
        } => {
            check.reread_rows += 1;
            (b.field_gaps.note(reading, row, usd, tokens)).ok_or_else(|| overflow("fields"))?;
            let rest = facts
                .logged_vs_derived
                .checked_sub(usd)
                .ok_or_else(|| overflow("quota rounding"))?;
            add(&mut b.quota_rounding, rest, "quota rounding")
        }
        QuotaPart::Mismatch => {
            check.inconsistent_rows += 1;
            if !b.quota_mismatch_models.contains(&row.model) {
                b.quota_mismatch_models.insert(row.model.clone());
            }
            check.inconsistent_quota = check.inconsistent_quota.saturating_add(facts.off_by);
            add(
                &mut b.quota_mismatch,
                facts.logged_vs_derived,
                "quota mismatch",
            )
        }
    }
}

impl Pricer<'_> {
    /// Files the row's (recorded − expected) under the causes the evidence supports, and
    /// says whether its pricing part went to an alias (its rates are then not listed as
    /// differing from the card).
    ///
    /// A consume row whose ratios re-derive its quota is checked whatever the card says
    /// (the check is the gateway's own consistency): its gap splits into the quota part
    /// (logged − re-derived: rounding within ±1, else a mismatch) and the pricing part
    /// (re-derived − expected), which is a pricing-source difference when the card prices
    /// the row and unpriced usage when it does not. When the quota part is beyond ±1 and
    /// another reading of the row's fields gives the logged quota, that reading's
    /// difference is a field interpretation gap and only the rest is rounding.
    ///
    /// Precedence, so each part of a row counts under one cause: unknown outcome (the
    /// whole row), then usage missing (the whole row), then the quota part (the 1-quota
    /// minimum, rounding, a field reading plus rounding, or a quota mismatch) and the
    /// pricing part (unpriced usage, else an alias priced at another model's rates, else
    /// a ratio mismatch).
    pub(super) fn attribute(
        &mut self,
        row: &GatewayRow,
        recorded: Decimal,
        expected: Decimal,
        complete: bool,
        billable: bool,
    ) -> Result<bool, Error> {
        let s = self.settings;
        let b = &mut self.out.bridge;
        if !billable {
            b.unknown_outcome_rows += 1;
            b.unknown_outcome_models.insert(row.model.clone());
            return add(&mut b.unknown_outcome, recorded, "at-risk rows").map(|_| false);
        }
        // A charged row with every usage field empty: its whole charge is the gap (no
        // usage, nothing to price or re-derive), before unpriced usage or the quota check.
        if super::readings::usage_missing(row) {
            self.out.quota_check.unchecked_rows += 1;
            let gap = recorded
                .checked_sub(expected)
                .ok_or_else(|| overflow("missing usage"))?;
            return (b.field_gaps.note_missing(row, gap))
                .map(|_| false)
                .ok_or_else(|| overflow("missing usage"));
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
                return Ok(false);
            }
            let gap = recorded
                .checked_sub(expected)
                .ok_or_else(|| overflow("unpriced usage"))?;
            return add(&mut self.out.bridge.unpriced, gap, "unpriced usage").map(|_| false);
        };
        file_quota(&mut self.out, row, &facts)?;
        let mismatch = facts
            .derived_usd
            .checked_sub(expected)
            .ok_or_else(|| overflow("pricing mismatch"))?;
        let b = &mut self.out.bridge;
        if !complete {
            return add(&mut b.unpriced, mismatch, "unpriced usage").map(|_| false);
        }
        if mismatch.is_zero() {
            return Ok(false);
        }
        // Only a row priced differently is looked at as an alias: most rows are not.
        let entry = s.rate_card.lookup(&row.model, row.time());
        let alias = entry.and_then(|entry| self.alias_of(row, entry));
        let b = &mut self.out.bridge;
        if let Some(other) = alias {
            b.alias.rows += 1;
            b.alias.pairs.insert((row.model.clone(), other));
            return add(&mut b.alias.amount, mismatch, "an alias's pricing").map(|_| true);
        }
        b.pricing_mismatch_rows += 1;
        add(&mut b.pricing_mismatch, mismatch, "pricing mismatch").map(|_| false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn off_by_at_decimals_edge() {
        let top = (1i128 << 96) - 1;
        for (quota, mantissa) in [
            (-1, top),
            (0, top),
            (1, -top),
            (i64::MIN, top),
            (i64::MAX, -top),
            (i64::MAX, top),
            (5, 4),
            (5, 7),
        ] {
            let integer = Decimal::from_i128_with_scale(mantissa, 0);
            let by_decimal = Decimal::from(quota)
                .checked_sub(integer)
                .map(|d| (d.trunc().mantissa(), d.abs() <= Decimal::ONE));
            assert_eq!(off_by(quota, integer), by_decimal, "{quota} − {integer}");
        }
    }

    proptest! {
        /// In plain integers, what Decimal says: the same difference and verdict, and
        /// None where Decimal's subtraction overflows.
        #[test]
        fn off_by_is_decimals(
            quota in prop_oneof![-5i64..5, any::<i64>()],
            mantissa in prop_oneof![-5i128..5, any::<i128>()],
            scale in prop_oneof![Just(0u32), 0u32..=28],
        ) {
            let integer = Decimal::from_i128_with_scale(mantissa % (1i128 << 96), scale);
            let by_decimal = Decimal::from(quota)
                .checked_sub(integer)
                .map(|d| (d.trunc().mantissa(), d.abs() <= Decimal::ONE));
            prop_assert_eq!(off_by(quota, integer), by_decimal);
        }
    }
}
