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

mod as_read;
pub use as_read::FiledAsRead;
use as_read::StoredPass;
mod exact;
mod filer;
mod ledger;
pub use ledger::LedgerShare;
mod parts;
mod reprice;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Pricing;
use crate::error::Error;
use crate::ingest::{GatewayRow, LoggedRatios};
use crate::policy::{Policy, QuotaRounding, RoundingScope};
use crate::ratecard::{Dimension, RateCard};
use crate::settings::ValidSettings;
use filer::{Filer, Places};

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

impl Shape {
    /// Whether rows filed under `self` file alike under `now`. Every field is named, so
    /// a new one cannot be left out of the comparison.
    fn admits(&self, now: &Shape) -> bool {
        let Shape {
            card: RateCard { entries, factors },
            policy,
            quota_per_usd,
            quota_rounding,
            finance_zone,
        } = now;
        let had = &self.card.entries;
        let (same, added) = entries.split_at(had.len().min(entries.len()));
        had == same
            && added.iter().all(crate::ratecard::Entry::is_empty)
            && self.card.factors == *factors
            && (self.policy, self.quota_per_usd, self.quota_rounding)
                == (*policy, *quota_per_usd, *quota_rounding)
            && self.finance_zone == *finance_zone
    }
}

/// A decimal by its bytes: value *and* scale, since sums keep the largest scale.
type Exact = [u8; 16];
const NONE: Exact = [0xFF; 16];

fn exact_key(value: Option<Decimal>) -> Exact {
    value.map_or(NONE, |v| v.serialize())
}

/// How a row's quota check came out (rows the policy does not bill are not checked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Check {
    NotBillable,
    Unchecked,
    Consistent,
    Inconsistent,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// The row's ratio set, by its place among the sets the filer has met (equal sets,
    /// value and scale, have one place): a few bytes to hash a row, not ~200.
    ratios: Option<u32>,
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
#[derive(Clone, Debug, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
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
    /// Σ over the rows of a bound on any amount a row adds to a sum, in quota
    /// ([`filer::weight`]): every partial sum of the one pass stays below it, however
    /// the rows are split ([`Groups::then`]).
    weight: u128,
}

impl Groups {
    /// Files every row (one pass). An arithmetic error in a row declines the groups:
    /// pricing the rows then reports it where it happens.
    pub fn build<R: std::borrow::Borrow<GatewayRow>>(
        rows: impl IntoIterator<Item = R>,
        settings: &ValidSettings,
    ) -> Groups {
        Groups::build_with(settings, |filer, groups| {
            rows.into_iter().try_for_each(|r| {
                let row = r.borrow();
                let places = Places {
                    ratios: row.ratios.as_ref().map(|r| filer.ratio_set(r)),
                    model: filer.model_id(&row.model),
                };
                filer.file(row, places, settings, groups)
            })
        })
    }

    /// [`Groups::build`] over stored rows, decoded one at a time into one reused row.
    pub fn build_stored<'a>(
        stores: impl IntoIterator<Item = &'a crate::ingest::Rows>,
        settings: &ValidSettings,
    ) -> Groups {
        let stores: Vec<&crate::ingest::Rows> = stores.into_iter().collect();
        Groups::build_stored_upto(&stores, None, settings)
    }

    /// [`Groups::build_stored`] over the first `upto` rows (all: None). Not generic: one
    /// copy of the filing loop ([`StoredPass::file`], which filing as read shares), into
    /// which the size-first page build still inlines each row's steps.
    fn build_stored_upto(
        stores: &[&crate::ingest::Rows],
        upto: Option<usize>,
        settings: &ValidSettings,
    ) -> Groups {
        let mut left = upto.unwrap_or(usize::MAX);
        Groups::build_with(settings, |filer, groups| {
            let mut row = None;
            for store in stores {
                let mut pass = StoredPass::default();
                pass.file(
                    filer,
                    &mut store.iter(),
                    &mut left,
                    &mut row,
                    settings,
                    groups,
                )?;
            }
            Ok(())
        })
    }

    /// Files the rows `each` hands to the filer, which stops at a row that declines.
    fn build_with(
        settings: &ValidSettings,
        each: impl FnOnce(&mut Filer, &mut Groups) -> Result<(), &'static str>,
    ) -> Groups {
        let (mut groups, filer) = Groups::start(settings);
        if let Some(mut filer) = filer {
            if let Err(why) = each(&mut filer, &mut groups) {
                groups.decline(why);
            }
        }
        groups
    }

    /// No groups yet, and the filer of rows under `settings`; None when they decline
    /// every row (amounts rounded row by row).
    fn start(settings: &ValidSettings) -> (Groups, Option<Filer>) {
        let mut groups = Groups {
            shape: Shape::of(settings),
            groups: Vec::new(),
            base: Pricing::default(),
            declined: None,
            weight: 0,
        };
        let per_row = settings.rounding.as_ref();
        if per_row.is_some_and(|r| r.scope == RoundingScope::PerRow) {
            groups.declined = Some("amounts are rounded row by row");
            return (groups, None);
        }
        let zone = (settings.review.finance_zone.as_deref())
            .and_then(|n| jiff::tz::db().get(n).ok())
            .unwrap_or(TimeZone::UTC);
        let filer = Filer {
            fixed_offset: zone.to_fixed_offset().ok().map(|o| o.seconds()),
            last_day: None,
            zone,
            models: HashMap::default(),
            index: HashMap::default(),
            ratio_sets: HashMap::default(),
            fixed_ratios: Vec::new(),
            per_usd: crate::decimal::Divisor::new(settings.quota_per_usd),
            entries_of: Vec::new(),
        };
        (groups, Some(filer))
    }

    /// A row declined the groups (`why`): they stand for no row.
    fn decline(&mut self, why: &'static str) {
        self.declined = Some(why);
        self.groups.clear();
    }

    /// Whether these groups were filed under settings of the same shape: the same, or
    /// with entries that price nothing added at the card's end (a file's new models get
    /// such rows when it loads), which no row is filed under.
    pub fn fit(&self, settings: &ValidSettings) -> bool {
        self.shape.admits(&Shape::of(settings))
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
