//! Pricing that touches groups, not rows: one pass over the rows files each under a key
//! of everything the card prices it on (model, the card entry in effect, long-context
//! tier, UTC day, outcome, which dimensions it uses, its logged ratios, its quota check),
//! with exact sums of what enters the price linearly (quantities, quota, recorded and
//! re-derived USD). A rate edit then re-prices the groups: the same lines, days, models
//! and bridge inputs as [`super::price`], to the last digit and decimal place.
//!
//! The groups hold while the card keeps its *shape* (which entries exist, for which
//! models and periods, which prices are set, long-context thresholds), the outcome
//! policy and the quota rules; a change to those builds them again. Whatever the groups
//! cannot reproduce exactly (rounding per row, a sum near Decimal's limits, a group
//! whose rows' mismatch could cancel out row by row) is *declined*: the caller then
//! prices the rows, so no figure ever differs from the row path.

mod exact;
mod fast_hash;
mod ledger;
pub use ledger::LedgerShare;
mod reprice;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;

use fast_hash::Fast;

use super::attribute::{file_quota, quota_facts, QuotaFacts};
use super::dimension::{quantities, Quantities};
use super::{day_of, quota, Pricing};
use crate::error::Error;
use crate::ingest::{GatewayRow, LoggedRatios, RowKind};
use crate::policy::{Billability, Policy, QuotaRounding, RoundingScope};
use crate::ratecard::{Dimension, RateCard};
use crate::settings::ValidSettings;

/// What the groups depend on in the settings: the card without its values, the policy,
/// the quota rules. Equal shapes file every row under the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Shape {
    card: RateCard,
    policy: Policy,
    quota_per_usd: [u8; 16],
    quota_rounding: QuotaRounding,
    /// The dual ledger's days are in this zone.
    finance_zone: Option<String>,
}

impl Shape {
    fn of(settings: &ValidSettings) -> Shape {
        let mut card = settings.rate_card.clone();
        let set = |p: &mut Option<Decimal>| *p = p.map(|_| Decimal::ONE);
        for entry in &mut card.entries {
            entry.prices.iter_mut().for_each(set);
            if let Some(tier) = &mut entry.long_context {
                [&mut tier.input, &mut tier.cached_input, &mut tier.output]
                    .into_iter()
                    .for_each(set);
            }
            entry.token_unit = Decimal::ONE;
            entry.provenance.source_url.clear();
            entry.provenance.captured_by.clear();
            entry.provenance.captured_at = None;
            entry.provenance.label = crate::ratecard::Confidence::Unknown;
        }
        // Factors and FX change values only.
        card.factors.clear();
        Shape {
            card,
            policy: settings.policy,
            quota_per_usd: settings.quota_per_usd.serialize(),
            quota_rounding: settings.quota_rounding,
            finance_zone: settings.review.finance_zone.clone(),
        }
    }
}

/// A decimal by its bytes: value *and* scale, since sums keep the largest scale.
type Exact = [u8; 16];
const NONE: Exact = [0xFF; 16];

fn exact_key(value: Option<Decimal>) -> Exact {
    value.map_or(NONE, |v| v.serialize())
}

/// How a row's quota check came out (rows the policy does not bill are not checked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Check {
    NotBillable,
    Unchecked,
    Consistent,
    Inconsistent,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    model: u32,
    entry: Option<usize>,
    tier: bool,
    day: Option<Timestamp>,
    /// The calendar day in the finance zone (the dual ledger's).
    ledger_day: Option<Date>,
    untimed: bool,
    refund: bool,
    check: Check,
    known: bool,
    /// Which dimensions the rows have a quantity in (bit = `Dimension::index`).
    pattern: u32,
    model_price: Exact,
    ratios: Option<[Exact; 12]>,
}

fn ratios_key(r: &LoggedRatios) -> [Exact; 12] {
    [
        exact_key(r.model_ratio),
        exact_key(r.completion_ratio),
        exact_key(r.cache_ratio),
        exact_key(r.cache_creation_ratio),
        exact_key(r.cache_creation_ratio_1h),
        exact_key(r.group_ratio),
        exact_key(r.model_price),
        exact_key(Some(r.tool_surcharge_usd)),
        exact_key(r.audio_ratio),
        exact_key(r.audio_completion_ratio),
        exact_key(r.audio_input_price),
        NONE,
    ]
}

/// One dimension's quantities over a group's rows, and what their sum's scale needs.
#[derive(Clone, Debug)]
struct DimSum {
    dimension: Dimension,
    sum: u64,
    min: u64,
    max: u64,
    /// The fewest factors 2 and 5 in any row's quantity (trailing decimal zeros of a
    /// row's amount, hence its scale).
    twos: u32,
    fives: u32,
}

/// Rows that price alike, with their sums.
#[derive(Clone, Debug)]
struct Group {
    key: Key,
    /// A row of the group: its logged model, ratios and per-call price.
    model: String,
    ratios: Option<LoggedRatios>,
    model_price: Option<Decimal>,
    rows: u64,
    quota: i64,
    requests: u64,
    unknown_requests: u64,
    failed: u64,
    dims: Vec<DimSum>,
    /// Σ the rows' recorded USD, added as the row path adds them.
    recorded: Decimal,
    /// Σ the rows' re-derived USD.
    derived_usd: Decimal,
    /// Every row's re-derived USD, when they are all the same (per-call rows).
    same_derived: Option<Decimal>,
}

/// Every row of one stream filed in groups, under the settings' shape.
#[derive(Clone, Debug)]
pub struct Groups {
    shape: Shape,
    groups: Vec<Group>,
    /// What the card plays no part in, summed row by row as the row path sums it (the
    /// quota check, refunds, rows of unknown outcome), so even the decimal places of
    /// sums of mixed signs are the row path's.
    base: Pricing,
    /// Why the groups cannot stand for the rows (None: they can).
    declined: Option<&'static str>,
}

impl Groups {
    /// Files every row (one pass). An arithmetic error in a row declines the groups:
    /// pricing the rows then reports it where it happens.
    pub fn build<R: std::borrow::Borrow<GatewayRow>>(
        rows: impl IntoIterator<Item = R>,
        settings: &ValidSettings,
    ) -> Groups {
        Groups::build_with(settings, |file| {
            rows.into_iter().try_for_each(|r| file(r.borrow()))
        })
    }

    /// [`Groups::build`] over stored rows, decoded one at a time into one reused row.
    pub fn build_stored<'a>(
        stores: impl IntoIterator<Item = &'a crate::ingest::Rows>,
        settings: &ValidSettings,
    ) -> Groups {
        Groups::build_with(settings, |file| {
            let mut row = None;
            for store in stores {
                let mut rows = store.iter();
                while rows.next_into(&mut row) {
                    row.as_ref().map_or(Ok(()), &mut *file)?;
                }
            }
            Ok(())
        })
    }

    /// Files the rows `each` hands to its argument, which stops at a row that declines.
    fn build_with(
        settings: &ValidSettings,
        each: impl FnOnce(
            &mut dyn FnMut(&GatewayRow) -> Result<(), &'static str>,
        ) -> Result<(), &'static str>,
    ) -> Groups {
        let mut groups = Groups {
            shape: Shape::of(settings),
            groups: Vec::new(),
            base: Pricing::default(),
            declined: None,
        };
        let per_row = settings.rounding.as_ref();
        if per_row.is_some_and(|r| r.scope == RoundingScope::PerRow) {
            groups.declined = Some("amounts are rounded row by row");
            return groups;
        }
        let zone = (settings.review.finance_zone.as_deref())
            .and_then(|n| jiff::tz::db().get(n).ok())
            .unwrap_or(TimeZone::UTC);
        let mut filer = Filer {
            zone,
            models: HashMap::default(),
            index: HashMap::default(),
        };
        if let Err(why) = each(&mut |row| filer.file(row, settings, &mut groups)) {
            groups.declined = Some(why);
            groups.groups.clear();
        }
        groups
    }

    /// Whether these groups were filed under settings of the same shape.
    pub fn fit(&self, settings: &ValidSettings) -> bool {
        self.shape == Shape::of(settings)
    }

    /// How many groups stand for the rows (a figure for the benchmarks).
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The pricing of the rows from their groups; None when the groups cannot give the
    /// row path's figures exactly (then price the rows), or do not fit the settings.
    pub fn price(&self, settings: &ValidSettings) -> Option<Result<Pricing, Error>> {
        if self.declined.is_some() || !self.fit(settings) {
            return None;
        }
        if settings
            .rounding
            .as_ref()
            .is_some_and(|r| r.scope == RoundingScope::PerRow)
        {
            return None;
        }
        reprice::price(self, settings)
    }
}

struct Filer {
    zone: TimeZone,
    models: HashMap<String, u32, Fast>,
    index: HashMap<Key, usize, Fast>,
}

impl Filer {
    fn file(
        &mut self,
        row: &GatewayRow,
        s: &ValidSettings,
        out: &mut Groups,
    ) -> Result<(), &'static str> {
        let arithmetic = |_: Error| "a row's arithmetic fails";
        let card = &s.rate_card;
        let found = (card.lookup(&row.model, row.time()))
            .and_then(|e| card.entries.iter().position(|x| std::ptr::eq(x, e)));
        let entry = found.map(|i| &s.rate_card.entries[i]);
        let recorded = quota::quota_to_usd(row.quota, s.quota_per_usd).map_err(arithmetic)?;
        let refund = row.kind == RowKind::Refund;
        let billable = s.policy.of(row.outcome) == Billability::Billable;
        if !refund && billable && super::readings::usage_missing(row) {
            // Its gap is (recorded − expected) whole, under the card: rare, so the rows
            // are priced one by one rather than the groups keeping another kind.
            return Err("a charged row has no usage");
        }
        let facts = if refund || !billable {
            None
        } else {
            quota_facts(row, recorded, s).map_err(arithmetic)?
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
        let next = self.models.len() as u32;
        let model = match self.models.get(row.model.as_str()) {
            Some(&id) => id,
            None => *self.models.entry(row.model.clone()).or_insert(next),
        };
        let key = Key {
            model,
            entry: found,
            tier: tier && !refund,
            day: row.time().and_then(day_of),
            ledger_day: row.time().map(|t| t.to_zoned(self.zone.clone()).date()),
            untimed: row.time().is_none(),
            refund,
            check,
            known,
            pattern: dims.iter().fold(0, |p, (d, _)| p | 1 << d.index()),
            model_price: exact_key(row.model_price),
            ratios: row.ratios.as_ref().map(ratios_key),
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
        base(&mut out.base, row, recorded, refund, billable, facts).ok_or(overflow)
    }
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
