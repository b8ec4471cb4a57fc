//! Rows filed in parts, joined. The page's two workers each file the rows they read (a
//! large file's head and its tail), and the reader joins the tail's groups to its own:
//! the groups one pass over all the rows files, to the last digit and decimal place.
//!
//! Sums do not depend on the order their terms come in while Decimal rounds none of
//! them. The rows' weight ([`super::filer::weight`]) bounds every partial sum of either
//! order; where that bound nears Decimal's limits, or an integer's, the join declines
//! and the caller files all the rows in one pass.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;

use super::exact::at_scale;
use super::{ratios_key, Group, Groups, Key};
use crate::fast_hash::Fast;
use crate::price::{AliasGap, BridgeInputs, FieldGap, FieldGaps, Pricing, QuotaCheck};
use crate::settings::ValidSettings;

/// Below this weight no partial sum of quotas or off-bys (i64) can overflow.
const INTEGER_LIMIT: u128 = 1 << 62;

impl Groups {
    /// [`Groups::build_stored`] over the first `rows` rows of `store` (the part of a
    /// file one worker read, before the other's rows were joined to it; the readers
    /// file theirs as they read: [`super::FiledAsRead`]).
    #[cfg(test)]
    pub fn build_stored_head(
        store: &crate::ingest::Rows,
        rows: usize,
        settings: &ValidSettings,
    ) -> Groups {
        Groups::build_stored_upto(&[store], Some(rows), settings)
    }

    /// How many rows these groups hold.
    pub fn rows(&self) -> u64 {
        self.groups.iter().map(|g| g.rows).sum()
    }

    /// The groups of these rows followed by `later`'s, as one pass over both files them;
    /// None when either declined, they were filed under other shapes, or a sum could
    /// come out otherwise than in one pass.
    pub fn then(mut self, later: Groups) -> Option<Groups> {
        if self.declined.is_some() || later.declined.is_some() || self.shape != later.shape {
            return None;
        }
        let weight = (self.weight.checked_add(later.weight)).filter(|w| *w < INTEGER_LIMIT)?;
        // Every amount a row adds is within its weight ÷ quota per USD, at no more places
        // than the sums end with: below `SAFE` at those places, no partial sum rounds.
        let per_usd = Decimal::deserialize(self.shape.quota_per_usd);
        let bound =
            (Decimal::from(weight).checked_div(per_usd)?.ceil()).checked_add(Decimal::ONE)?;
        at_scale(bound, self.places().max(later.places()))?;
        self.weight = weight;
        let Groups { groups, base, .. } = later;
        join_base(&mut self.base, base)?;
        self.join_groups(groups)?;
        Some(self)
    }

    /// The later part's groups: each under the key one pass gives it (a model or ratio
    /// set new to this part takes the next place), into the group of that key or after
    /// the last, in the order the later part met them.
    fn join_groups(&mut self, later: Vec<Group>) -> Option<()> {
        let mut models: HashMap<String, u32, Fast> = HashMap::default();
        let mut sets: HashMap<_, u32, Fast> = HashMap::default();
        let mut index: HashMap<Key, usize, Fast> = HashMap::default();
        for (at, g) in self.groups.iter().enumerate() {
            models.insert(g.model.clone(), g.key.model);
            if let (Some(r), Some(place)) = (&g.ratios, g.key.ratios) {
                sets.insert(ratios_key(r), place);
            }
            index.insert(g.key.clone(), at);
        }
        let next = |places: &mut dyn Iterator<Item = u32>| places.map(|p| p + 1).max().unwrap_or(0);
        let mut next_model = next(&mut models.values().copied());
        let mut next_set = next(&mut sets.values().copied());
        for mut g in later {
            g.key.model = *models.entry(g.model.clone()).or_insert_with(|| {
                next_model += 1;
                next_model - 1
            });
            g.key.ratios = g.ratios.as_ref().map(|r| {
                *sets.entry(ratios_key(r)).or_insert_with(|| {
                    next_set += 1;
                    next_set - 1
                })
            });
            match index.get(&g.key) {
                Some(&at) => absorb(&mut self.groups[at], g)?,
                None => {
                    index.insert(g.key.clone(), self.groups.len());
                    self.groups.push(g);
                }
            }
        }
        Some(())
    }

    /// The most decimal places any of the sums has.
    fn places(&self) -> u32 {
        let groups = self.groups.iter().flat_map(|g| [g.recorded, g.derived_usd]);
        let base = bridge_decimals(&self.base.bridge);
        groups.chain(base).map(|v| v.scale()).max().unwrap_or(0)
    }
}

/// A group of the later part into the same group of the earlier: its first row's
/// model, ratios and per-call price stay the earlier's.
fn absorb(g: &mut Group, later: Group) -> Option<()> {
    g.rows = g.rows.checked_add(later.rows)?;
    g.quota = g.quota.checked_add(later.quota)?;
    g.requests = g.requests.checked_add(later.requests)?;
    g.unknown_requests = g.unknown_requests.checked_add(later.unknown_requests)?;
    g.failed = g.failed.checked_add(later.failed)?;
    if g.dims.len() != later.dims.len() {
        return None;
    }
    for (d, e) in g.dims.iter_mut().zip(later.dims) {
        if d.dimension != e.dimension {
            return None;
        }
        d.sum = d.sum.checked_add(e.sum)?;
        (d.min, d.max) = (d.min.min(e.min), d.max.max(e.max));
        (d.twos, d.fives) = (d.twos.min(e.twos), d.fives.min(e.fives));
    }
    g.recorded = g.recorded.checked_add(later.recorded)?;
    g.derived_usd = g.derived_usd.checked_add(later.derived_usd)?;
    g.same_derived = match (g.same_derived, later.same_derived) {
        (Some(a), Some(b)) if a.serialize() == b.serialize() => Some(a),
        _ => None,
    };
    Some(())
}

/// The later part's base (what the card plays no part in) added to the earlier's. Every
/// field is named, so a new one cannot be left out.
fn join_base(into: &mut Pricing, later: Pricing) -> Option<()> {
    let Pricing {
        lines,
        days,
        models,
        expected,
        expected_verified,
        expected_estimated,
        at_risk,
        complete,
        quota_check,
        bridge,
    } = later;
    // Only pricing by the card fills these, which the groups leave to `reprice`.
    let card_free = |p: &Pricing| p.lines.is_empty() && p.days.is_empty() && p.models.is_empty();
    let later_free = lines.is_empty() && days.is_empty() && models.is_empty();
    let zero = [expected, expected_verified, expected_estimated, at_risk];
    if !(card_free(into) && later_free && zero.iter().all(Decimal::is_zero)) {
        return None;
    }
    if complete != into.complete {
        return None;
    }
    join_check(&mut into.quota_check, quota_check)?;
    join_bridge(&mut into.bridge, bridge)
}

fn join_check(into: &mut QuotaCheck, later: QuotaCheck) -> Option<()> {
    let QuotaCheck {
        rule,
        consistent_rows,
        inconsistent_rows,
        unchecked_rows,
        inconsistent_quota,
        reread_rows,
    } = later;
    if rule != into.rule {
        return None;
    }
    into.consistent_rows = into.consistent_rows.checked_add(consistent_rows)?;
    into.inconsistent_rows = into.inconsistent_rows.checked_add(inconsistent_rows)?;
    into.unchecked_rows = into.unchecked_rows.checked_add(unchecked_rows)?;
    into.inconsistent_quota = into.inconsistent_quota.checked_add(inconsistent_quota)?;
    into.reread_rows = into.reread_rows.checked_add(reread_rows)?;
    Some(())
}

fn add(into: &mut Decimal, later: Decimal) -> Option<()> {
    *into = into.checked_add(later)?;
    Some(())
}

fn count(into: &mut u64, later: u64) -> Option<()> {
    *into = into.checked_add(later)?;
    Some(())
}

fn join_bridge(into: &mut BridgeInputs, later: BridgeInputs) -> Option<()> {
    let BridgeInputs {
        pricing_mismatch,
        quota_rounding,
        quota_mismatch,
        unpriced,
        unknown_outcome,
        refunds,
        refund_rows,
        pricing_mismatch_rows,
        unpriced_rows,
        unknown_outcome_rows,
        refund_models,
        unpriced_models,
        unknown_outcome_models,
        quota_mismatch_models,
        rate_differences,
        field_gaps,
        alias,
        minimum_quota,
        minimum_rows,
        minimum_models,
    } = later;
    // Rate differences are the card's, listed in the order rows meet them: never in a base.
    if !(rate_differences.is_empty() && into.rate_differences.is_empty()) {
        return None;
    }
    add(&mut into.pricing_mismatch, pricing_mismatch)?;
    add(&mut into.quota_rounding, quota_rounding)?;
    add(&mut into.quota_mismatch, quota_mismatch)?;
    add(&mut into.unpriced, unpriced)?;
    add(&mut into.unknown_outcome, unknown_outcome)?;
    add(&mut into.refunds, refunds)?;
    add(&mut into.minimum_quota, minimum_quota)?;
    count(&mut into.refund_rows, refund_rows)?;
    count(&mut into.pricing_mismatch_rows, pricing_mismatch_rows)?;
    count(&mut into.unpriced_rows, unpriced_rows)?;
    count(&mut into.unknown_outcome_rows, unknown_outcome_rows)?;
    count(&mut into.minimum_rows, minimum_rows)?;
    let union = |into: &mut BTreeSet<String>, later: BTreeSet<String>| into.extend(later);
    union(&mut into.refund_models, refund_models);
    union(&mut into.unpriced_models, unpriced_models);
    union(&mut into.unknown_outcome_models, unknown_outcome_models);
    union(&mut into.quota_mismatch_models, quota_mismatch_models);
    union(&mut into.minimum_models, minimum_models);
    join_gaps(&mut into.field_gaps, field_gaps)?;
    let AliasGap {
        amount,
        rows,
        pairs,
    } = alias;
    add(&mut into.alias.amount, amount)?;
    count(&mut into.alias.rows, rows)?;
    into.alias.pairs.extend(pairs);
    Some(())
}

fn join_gaps(into: &mut FieldGaps, later: FieldGaps) -> Option<()> {
    let FieldGaps {
        cached_beside_prompt,
        cached_inside_prompt,
        reasoning_beside_output,
        cache_write_as_input,
        missing_usage,
    } = later;
    join_gap(&mut into.cached_beside_prompt, cached_beside_prompt)?;
    join_gap(&mut into.cached_inside_prompt, cached_inside_prompt)?;
    join_gap(&mut into.reasoning_beside_output, reasoning_beside_output)?;
    join_gap(&mut into.cache_write_as_input, cache_write_as_input)?;
    join_gap(&mut into.missing_usage, missing_usage)
}

fn join_gap(into: &mut FieldGap, later: FieldGap) -> Option<()> {
    let FieldGap {
        amount,
        rows,
        tokens,
        quota,
        models,
    } = later;
    add(&mut into.amount, amount)?;
    count(&mut into.rows, rows)?;
    count(&mut into.tokens, tokens)?;
    into.quota = into.quota.checked_add(quota)?;
    into.models.extend(models);
    Some(())
}

/// Every amount a bridge sums, for the places its sums have.
fn bridge_decimals(b: &BridgeInputs) -> impl Iterator<Item = Decimal> + '_ {
    let g = &b.field_gaps;
    let gaps = [
        &g.cached_beside_prompt,
        &g.cached_inside_prompt,
        &g.reasoning_beside_output,
        &g.cache_write_as_input,
        &g.missing_usage,
    ];
    let sums = [
        b.pricing_mismatch,
        b.quota_rounding,
        b.quota_mismatch,
        b.unpriced,
        b.unknown_outcome,
        b.refunds,
        b.minimum_quota,
        b.alias.amount,
    ];
    sums.into_iter()
        .chain(gaps.into_iter().map(|gap| gap.amount))
}

impl Groups {
    /// The groups as the page's wire carries them from one worker to the other; None
    /// when they declined. Their shape stays behind: the two workers file under the
    /// same settings text, which the receiver checks before [`Groups::from_wire`].
    pub fn to_wire(&self) -> Option<Vec<u8>> {
        if self.declined.is_some() {
            return None;
        }
        crate::wire::to_bytes(&(&self.groups, &self.base, self.weight)).ok()
    }

    /// Groups [`Groups::to_wire`] wrote, filed under `settings`.
    pub fn from_wire(bytes: &[u8], settings: &ValidSettings) -> Option<Groups> {
        let (groups, base, weight) = crate::wire::from_bytes(bytes).ok()?;
        Some(Groups {
            shape: super::Shape::of(settings),
            groups,
            base,
            declined: None,
            weight,
        })
    }
}
