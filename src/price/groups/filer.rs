//! Filing rows into groups: each row's key and its share of the group's sums, once
//! per row while the card keeps its shape.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;

use super::{exact, exact_key, ratios_key, Check, DimSum, Group, Groups, Key};
use crate::decimal::Divisor;
use crate::error::Error;
use crate::fast_hash::Fast;
use crate::ingest::{GatewayRow, LoggedRatios, RowKind};
use crate::policy::Billability;
use crate::price::attribute::{file_quota, quota_facts_of, QuotaFacts};
use crate::price::dimension::{quantities, Quantities};
use crate::price::quota::FixedRatios;
use crate::price::{day_of, quota, Pricing};
use crate::ratecard::RateCard;
use crate::settings::ValidSettings;

pub(super) struct Filer {
    pub(super) zone: TimeZone,
    /// The zone's offset in seconds when it never changes: UTC, the finance day when no
    /// finance zone is set (an IANA zone has a history of offsets, so it takes `to_zoned`).
    pub(super) fixed_offset: Option<i32>,
    /// The last finance day found under a fixed offset: its number of days from the
    /// epoch in local time, and its date (rows come in time order, a day at a time).
    pub(super) last_day: Option<(i64, Date)>,
    pub(super) models: HashMap<String, u32, Fast>,
    pub(super) index: HashMap<Key, usize, Fast>,
    /// Each distinct ratio set met (by its exact values), and its place.
    pub(super) ratio_sets: HashMap<[super::Exact; 12], u32, Fast>,
    /// Each set's factors in plain integers, by its place ([`FixedRatios::of`]).
    pub(super) fixed_ratios: Vec<Option<FixedRatios>>,
    /// The settings' quota per USD, every row's divisor.
    pub(super) per_usd: Divisor,
    /// By a model's place: the card's entries that price it (named by it, some price
    /// set), in the card's order, found the first time a row of it is filed.
    pub(super) entries_of: Vec<Option<Vec<u32>>>,
}

/// Where a row's ratio set and model stand among those the filer has met.
#[derive(Clone, Copy)]
pub(super) struct Places {
    /// [`Filer::ratio_set`] of the row's ratios (None: it has none).
    pub(super) ratios: Option<u32>,
    /// [`Filer::model_id`] of its logged model.
    pub(super) model: u32,
}

impl Filer {
    /// The place of a ratio set among those met so far (a new one takes the next).
    pub(super) fn ratio_set(&mut self, r: &LoggedRatios) -> u32 {
        let next = self.ratio_sets.len() as u32;
        let place = *self.ratio_sets.entry(ratios_key(r)).or_insert(next);
        if place == next {
            (self.fixed_ratios).push(FixedRatios::of(r, self.per_usd.value()));
        }
        place
    }

    /// The place of a logged model name among those met so far (a new one takes the next).
    pub(super) fn model_id(&mut self, name: &str) -> u32 {
        let next = self.models.len() as u32;
        match self.models.get(name) {
            Some(&id) => id,
            None => *self.models.entry(name.to_string()).or_insert(next),
        }
    }

    /// The card entry that prices `row` (whose model stands at `place`), as
    /// `RateCard::lookup` finds it: the first in the card's order that names the model,
    /// has a price and is in effect at the row's time. Which entries name a model is
    /// found once per model; each row then only checks their periods.
    fn entry_of(&mut self, row: &GatewayRow, place: u32, card: &RateCard) -> Option<usize> {
        let place = place as usize;
        if self.entries_of.len() <= place {
            self.entries_of.resize(place + 1, None);
        }
        let named = self.entries_of[place].get_or_insert_with(|| {
            let entries = card.entries.iter().enumerate();
            let pricing = entries.filter(|(_, e)| e.names(&row.model) && !e.is_empty());
            pricing.map(|(i, _)| i as u32).collect()
        });
        let at = row.time();
        (named.iter().map(|&i| i as usize)).find(|&i| card.entries[i].in_effect(at))
    }

    /// The date of `at` in the finance zone. Under a fixed offset every instant of a
    /// local day has the same date, so a day's date is looked up once, not per row.
    fn ledger_day(&mut self, at: Timestamp) -> Date {
        let Some(offset) = self.fixed_offset else {
            return at.to_zoned(self.zone.clone()).date();
        };
        let day = (at.as_second() + i64::from(offset)).div_euclid(86_400);
        match self.last_day {
            Some((last, date)) if last == day => date,
            _ => {
                let date = at.to_zoned(self.zone.clone()).date();
                self.last_day = Some((day, date));
                date
            }
        }
    }

    /// Files `row`, whose ratio set and model stand at `places`.
    pub(super) fn file(
        &mut self,
        row: &GatewayRow,
        places: Places,
        s: &ValidSettings,
        out: &mut Groups,
    ) -> Result<(), &'static str> {
        let arithmetic = |_: Error| "a row's arithmetic fails";
        let found = self.entry_of(row, places.model, &s.rate_card);
        let entry = found.map(|i| &s.rate_card.entries[i]);
        let recorded =
            (self.per_usd.divide(Decimal::from(row.quota))).ok_or("a row's arithmetic fails")?;
        let refund = row.kind == RowKind::Refund;
        let billable = s.policy.of(row.outcome) == Billability::Billable;
        if !refund && billable && crate::price::readings::usage_missing(row) {
            // Its gap is (recorded − expected) whole, under the card: rare, so the rows
            // are priced one by one rather than the groups keeping another kind.
            return Err("a charged row has no usage");
        }
        if row.ratios.as_ref().is_some_and(|r| r.factors.is_some()) {
            // new-api multiplied its quota by further factors (an image count, seconds,
            // a size): rare (image and video tasks), so such logs are priced row by row.
            return Err("a row's quota has multipliers of its own");
        }
        let facts = if refund || !billable {
            None
        } else {
            // The set's place is by the values `ratios_key` reads; the one it leaves out
            // (`factors`) declined the groups above, so the place's factors are the row's.
            let fixed = (places.ratios)
                .and_then(|i| self.fixed_ratios.get(i as usize))
                .and_then(Option::as_ref);
            let derived = (row.ratios.as_ref())
                .and_then(|r| quota::derive_prepared(row, r, fixed, s.quota_per_usd));
            quota_facts_of(row, derived, recorded, s, &self.per_usd).map_err(arithmetic)?
        };
        let check = match (!refund && billable, facts) {
            (false, _) => Check::NotBillable,
            (true, None) => Check::Unchecked,
            (true, Some(f)) if f.consistent => Check::Consistent,
            (true, Some(_)) => Check::Inconsistent,
        };
        let (dims, known) = if refund {
            (Quantities::default(), true)
        } else {
            quantities(row, entry)
        };
        let tier = entry
            .and_then(|e| e.long_context)
            .is_some_and(|t| row.input_total() > t.above);
        let key = Key {
            model: places.model,
            entry: found,
            tier: tier && !refund,
            day: row.time().and_then(day_of),
            ledger_day: row.time().map(|t| self.ledger_day(t)),
            untimed: row.time().is_none(),
            refund,
            check,
            known,
            pattern: dims.iter().fold(0, |p, (d, _)| p | 1 << d.index()),
            model_price: exact_key(row.model_price),
            ratios: places.ratios,
        };
        let at = match self.index.get(&key) {
            Some(&at) => at,
            None => {
                out.groups.push(Group {
                    key: key.clone(),
                    model: row.model.clone(),
                    ratios: row.ratios.clone(),
                    model_price: row.model_price,
                    rows: 0,
                    quota: 0,
                    requests: 0,
                    unknown_requests: 0,
                    failed: 0,
                    dims: dims
                        .iter()
                        .map(|&(dimension, q)| DimSum {
                            dimension,
                            sum: 0,
                            min: q,
                            max: q,
                            twos: u32::MAX,
                            fives: u32::MAX,
                        })
                        .collect(),
                    recorded: Decimal::ZERO,
                    derived_usd: Decimal::ZERO,
                    same_derived: facts.map(|f| f.derived_usd),
                });
                self.index.insert(key, out.groups.len() - 1);
                out.groups.len() - 1
            }
        };
        let g = &mut out.groups[at];
        let overflow = "a group's sum overflows";
        g.rows += 1;
        g.quota = g.quota.checked_add(row.quota).ok_or(overflow)?;
        match row.requests {
            Some(n) => g.requests = g.requests.checked_add(n).ok_or(overflow)?,
            None => g.unknown_requests += 1,
        }
        g.failed += u64::from(row.outcome.is_failure());
        for (sum, (_, q)) in g.dims.iter_mut().zip(dims.iter()) {
            sum.sum = sum.sum.checked_add(*q).ok_or(overflow)?;
            sum.min = sum.min.min(*q);
            sum.max = sum.max.max(*q);
            // Once some row has no factor 2 and some row none of 5, no row can add places.
            if sum.twos > 0 || sum.fives > 0 {
                let (twos, fives) = exact::twos_and_fives(u128::from(*q));
                sum.twos = sum.twos.min(twos);
                sum.fives = sum.fives.min(fives);
            }
        }
        g.recorded = g.recorded.checked_add(recorded).ok_or(overflow)?;
        if let Some(f) = facts {
            g.derived_usd = g.derived_usd.checked_add(f.derived_usd).ok_or(overflow)?;
            if g.same_derived
                .is_some_and(|d| d.serialize() != f.derived_usd.serialize())
            {
                g.same_derived = None;
            }
        }
        out.weight = (out.weight).saturating_add(weight(row.quota, facts.map(|f| f.off_by)));
        base(&mut out.base, row, recorded, refund, billable, facts).ok_or(overflow)
    }
}

/// A bound, in quota, on any amount one row adds to a sum: its logged quota `q`; with a
/// quota check, its re-derived quota (within 1 of a whole number `off_by` from `q`:
/// at most |q| + |off_by| + 2), logged − re-derived, another reading's part (that
/// reading lands within 1 of `q` again) and what that part leaves. Each is within
/// 4|q| + 2|off_by| + 6. An `off_by` at `i64::MAX` stands for one that did not fit
/// (`quota_facts_of`), so it bounds nothing: past any limit [`Groups::then`] takes.
pub(super) fn weight(quota: i64, off_by: Option<i64>) -> u128 {
    if off_by == Some(i64::MAX) {
        return 1 << 100;
    }
    let (q, o) = (quota.unsigned_abs(), off_by.map_or(0, i64::unsigned_abs));
    4 * u128::from(q) + 2 * u128::from(o) + 6
}

/// The row's share of what the card plays no part in, as `Pricer::row` and `attribute` file it.
fn base(
    out: &mut Pricing,
    row: &GatewayRow,
    recorded: Decimal,
    refund: bool,
    billable: bool,
    facts: Option<QuotaFacts>,
) -> Option<()> {
    let b = &mut out.bridge;
    let check = &mut out.quota_check;
    if refund {
        b.refund_rows += 1;
        if !b.refund_models.contains(&row.model) {
            b.refund_models.insert(row.model.clone());
        }
        b.refunds = b.refunds.checked_add(-recorded)?;
    } else if !billable {
        b.unknown_outcome_rows += 1;
        if !b.unknown_outcome_models.contains(&row.model) {
            b.unknown_outcome_models.insert(row.model.clone());
        }
        b.unknown_outcome = b.unknown_outcome.checked_add(recorded)?;
    } else if let Some(f) = facts {
        return file_quota(out, row, &f).ok();
    } else {
        check.unchecked_rows += 1;
    }
    Some(())
}
