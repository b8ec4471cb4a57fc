//! price: usage × the verified rate card → expected charge, one line per model and
//! dimension (and long-context tier), plus the new-api quota consistency check.
//!
//! `amount = quantity × rate ÷ unit size × factors (× FX)`, exact, checked. Each row is
//! priced on its own, so a long-context tier reprices the whole request or none of it.
//! A quantity with no rate is an *unpriced* line, never $0; the outcome policy puts
//! possibly-billed failures in an at-risk figure beside the expected one, not inside it.

mod alias;
mod attribute;
mod dimension;
mod fixed;
pub mod groups;
mod line;
pub mod quota;
mod rates;
mod readings;
mod row_charge;
mod summary;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use alias::AliasGap;
pub use attribute::BridgeInputs;
use dimension::quantities;
pub use line::{day_of, DayLine, LineStatus, PriceLine};
use line::{priced_line, unpriced_line};
use quota::QuotaCheck;
pub use rates::{dimension_ratio, RateDifference};
pub use readings::{FieldGap, FieldGaps, Reading, READINGS};
pub use row_charge::{row_charge, RowCharge};

use crate::error::Error;
use crate::ingest::{GatewayRow, RowKind};
use crate::policy::{Billability, RoundingScope};
use crate::ratecard::Confidence;
use crate::ratecard::{Dimension, Entry};
use crate::settings::ValidSettings;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCharge {
    /// The rate-card label, or the logged name when nothing prices it.
    pub model: String,
    pub logged_as: BTreeSet<String>,
    pub expected: Decimal,
    pub at_risk: Decimal,
    pub complete: bool,
    pub has_rate: bool,
    pub label: Option<Confidence>,
    pub consumed_quota: i64,
    pub refunded_quota: i64,
    /// Σ the requests of the rows whose count is known: 1 a request, a usage bucket's
    /// stated count.
    pub requests: u64,
    /// Usage buckets that do not state their request count: while there is one, the
    /// model's request count is unknown ([`ModelCharge::request_count`]).
    #[serde(default)]
    pub unknown_requests: u64,
    pub failed_requests: u64,
    /// Requests that state no time and stay unpriced because every entry naming the
    /// model has effective dates (none can be said to apply): the reason, shown.
    #[serde(default)]
    pub untimed_unpriced: u64,
}

impl ModelCharge {
    /// The model's request count; None while any bucket does not state its own.
    pub fn request_count(&self) -> Option<u64> {
        (self.unknown_requests == 0).then_some(self.requests)
    }
}

// Serde only carries the figures from the page's worker to the page (`pipeline::Review::to_wire`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    pub lines: Vec<PriceLine>,
    /// The lines split by UTC day (for exports that need charge periods: FOCUS).
    pub days: Vec<DayLine>,
    pub models: Vec<ModelCharge>,
    pub expected: Decimal,
    pub expected_verified: Decimal,
    pub expected_estimated: Decimal,
    pub at_risk: Decimal,
    pub complete: bool,
    pub quota_check: QuotaCheck,
    pub bridge: BridgeInputs,
}

fn overflow(what: &str) -> Error {
    Error::overflow(what)
}

fn add(total: &mut Decimal, value: Decimal, what: &str) -> Result<(), Error> {
    *total = total.checked_add(value).ok_or_else(|| overflow(what))?;
    Ok(())
}

/// quantity × rate ÷ unit size, exactly; None on overflow, or when the amount would
/// need rounding (Decimal would round it, and we never round silently).
pub fn line_amount(quantity: u64, rate: Decimal, unit_size: Decimal) -> Option<Decimal> {
    crate::decimal::exact_div(exact_mul(Decimal::from(quantity), rate)?, unit_size)
}

pub use crate::decimal::exact_mul;

/// A line within its model: dimension, long-context tier, status and rate.
type LineKey = (Dimension, bool, LineStatus, Option<Decimal>);

/// A line's share of one day: the day, quantity and amount.
type DaySum = (Option<jiff::Timestamp>, u64, Option<Decimal>);

struct Pricer<'a> {
    settings: &'a ValidSettings,
    /// Each line by model, then by the rest of its key, with its share of each UTC day
    /// (quantity and amount): looked up by the model's name, so a row allocates nothing.
    lines: BTreeMap<String, BTreeMap<LineKey, (PriceLine, Vec<DaySum>)>>,
    /// The UTC day of the row being priced (None: the row states no time).
    day: Option<jiff::Timestamp>,
    /// The row's priced quantities, for [`Pricer::rate_differences`].
    priced: Vec<rates::Priced>,
    models: BTreeMap<String, ModelCharge>,
    out: Pricing,
}

impl Pricer<'_> {
    fn row(&mut self, row: &GatewayRow) -> Result<(), Error> {
        let s = self.settings;
        let entry = s.rate_card.lookup(&row.model, row.time());
        let name: &str = entry.map_or(&row.model, |e| &e.model);
        if !self.models.contains_key(name) {
            let charge = ModelCharge {
                model: name.to_string(),
                complete: true,
                ..ModelCharge::default()
            };
            self.models.insert(name.to_string(), charge);
        }
        let charge = self.models.get_mut(name).expect("inserted above");
        if !charge.logged_as.contains(&row.model) {
            charge.logged_as.insert(row.model.clone());
        }
        let recorded = quota::quota_to_usd(row.quota, s.quota_per_usd)?;
        self.day = row.time().and_then(day_of);
        self.priced.clear();
        if row.kind == RowKind::Refund {
            charge.refunded_quota = charge
                .refunded_quota
                .checked_add(row.quota)
                .ok_or_else(|| overflow("quota"))?;
            let b = &mut self.out.bridge;
            b.refund_rows += 1;
            b.refund_models.insert(row.model.clone());
            return add(&mut b.refunds, -recorded, "refunds");
        }
        charge.consumed_quota = charge
            .consumed_quota
            .checked_add(row.quota)
            .ok_or_else(|| overflow("quota"))?;
        match row.requests {
            Some(n) => {
                charge.requests = charge
                    .requests
                    .checked_add(n)
                    .ok_or_else(|| overflow("requests"))?
            }
            None => charge.unknown_requests += 1,
        }
        charge.failed_requests += u64::from(row.outcome.is_failure());
        if row.time().is_none() && entry.is_none() && s.rate_card.names(&row.model) {
            charge.untimed_unpriced += 1;
        }
        let billable = s.policy.of(row.outcome) == Billability::Billable;
        let tier = entry
            .and_then(|e| e.long_context)
            .filter(|t| row.input_total() > t.above);
        let (quantities, known) = quantities(row, entry);
        let (mut row_expected, mut row_complete) = (Decimal::ZERO, known);
        for (dimension, quantity) in quantities {
            let rate = row_charge::rate_of(entry, tier.as_ref(), dimension);
            let (Some(entry), Some(rate)) = (entry, rate) else {
                row_complete = false;
                self.line(
                    name,
                    (dimension, tier.is_some(), LineStatus::Unpriced, None),
                    quantity,
                    None,
                    || unpriced_line(entry, dimension),
                )?;
                continue;
            };
            let (factor, label) = row_charge::factors(s, entry, dimension)?;
            let amount = row_charge::amount(s, entry, dimension, quantity, rate, factor, name)?;
            let status = if billable {
                LineStatus::Expected
            } else {
                LineStatus::AtRisk
            };
            if billable {
                add(&mut row_expected, amount, "a row")?;
                let card_rate = exact_mul(rate, factor).ok_or_else(|| overflow("a rate"))?;
                let unit_size = entry.unit_size(dimension);
                self.priced
                    .push((dimension, quantity, card_rate, unit_size));
            }
            // The line's texts are built once, when the row is its first.
            let settings = self.settings;
            self.line(
                name,
                (dimension, tier.is_some(), status, Some(rate)),
                quantity,
                Some(amount),
                || priced_line(settings, entry, dimension, factor, label),
            )?;
        }
        let complete = row_complete && entry.is_some();
        let aliased = self.attribute(row, recorded, row_expected, complete, billable)?;
        if complete && billable && !aliased {
            self.rate_differences(row, name);
        }
        Ok(())
    }
}

fn covering<'a>(
    settings: &'a ValidSettings,
    entry: &'a Entry,
    dimension: Dimension,
) -> impl Iterator<Item = &'a crate::ratecard::Factor> + 'a {
    settings
        .rate_card
        .factors
        .iter()
        .filter(move |f| f.covers(entry, dimension))
}

/// The named factors and FX [`Pricer::factors`] multiplied, as a line shows them.
fn factor_names(settings: &ValidSettings, entry: &Entry, dimension: Dimension) -> Vec<String> {
    let mut names: Vec<String> = covering(settings, entry, dimension)
        .map(|f| format!("{} ×{}", f.name, crate::decimal::format(f.value)))
        .collect();
    if let Some(fx) = &settings.fx {
        names.push(format!(
            "FX {}→{} ×{}",
            fx.from,
            fx.to,
            crate::decimal::format(fx.rate)
        ));
    }
    names
}

/// Prices every accepted gateway row (already inside the window).
/// Rows may be borrowed or owned, so a compact store can stream decoded rows through
/// without expanding the whole file first.
pub fn price<R: std::borrow::Borrow<GatewayRow>>(
    rows: impl IntoIterator<Item = R>,
    settings: &ValidSettings,
) -> Result<Pricing, Error> {
    let mut pricer = Pricer::new(settings);
    for row in rows {
        pricer.row(row.borrow())?;
    }
    pricer.finish()
}

impl<'a> Pricer<'a> {
    fn new(settings: &'a ValidSettings) -> Pricer<'a> {
        Pricer {
            settings,
            lines: BTreeMap::new(),
            day: None,
            priced: Vec::new(),
            models: BTreeMap::new(),
            out: Pricing::default(),
        }
    }

    /// The lines, days and models summed so far, rounded and totalled as the rules say.
    fn finish(self) -> Result<Pricing, Error> {
        let settings = self.settings;
        let Pricer {
            lines,
            mut models,
            mut out,
            ..
        } = self;
        let mut window_lines = Vec::with_capacity(lines.len());
        for (line, days) in lines.into_values().flat_map(BTreeMap::into_values) {
            out.days
                .extend(days.into_iter().map(|(day, quantity, amount)| DayLine {
                    day,
                    model: line.model.clone(),
                    dimension: line.dimension,
                    long_context: line.long_context,
                    status: line.status,
                    rate: line.rate,
                    quantity,
                    amount,
                }));
            window_lines.push(line);
        }
        // Day by day, each day's lines in the window lines' order.
        out.days.sort_by(|a, b| {
            let key = |d: &DayLine| {
                (
                    d.day,
                    d.model.clone(),
                    d.dimension,
                    d.long_context,
                    d.status,
                    d.rate,
                )
            };
            key(a).cmp(&key(b))
        });
        let per_line = settings
            .rounding
            .as_ref()
            .filter(|r| r.scope == RoundingScope::PerLine);
        out.complete = true;
        for mut line in window_lines {
            if let (Some(rounding), Some(amount)) = (per_line, line.amount) {
                line.amount = Some(rounding.apply(amount));
            }
            let charge = models
                .get_mut(&line.model)
                .expect("every line has its model");
            let amount = line.amount.unwrap_or(Decimal::ZERO);
            match line.status {
                LineStatus::Expected => {
                    add(&mut charge.expected, amount, "a model total")?;
                    add(&mut out.expected, amount, "the expected total")?;
                    let bucket = if line.label == Confidence::Verified {
                        &mut out.expected_verified
                    } else {
                        &mut out.expected_estimated
                    };
                    add(bucket, amount, "the expected total")?;
                    charge.label = Some(charge.label.map_or(line.label, |l| l.max(line.label)));
                }
                LineStatus::AtRisk => {
                    add(&mut charge.at_risk, amount, "the at-risk total")?;
                    add(&mut out.at_risk, amount, "the at-risk total")?;
                }
                LineStatus::Unpriced => charge.complete = false,
            }
            out.lines.push(line);
        }
        if let Some(rounding) = settings
            .rounding
            .as_ref()
            .filter(|r| r.scope == RoundingScope::PerTotal)
        {
            out.expected = rounding.apply(out.expected);
        }
        for charge in models.values_mut() {
            charge.has_rate = charge.logged_as.iter().any(|m| settings.rate_card.names(m));
            charge.complete &= charge.has_rate;
            out.complete &= charge.complete;
        }
        out.quota_check.rule = settings.quota_rounding;
        // Sums of both signs whose trailing zeros depend on where the rows' running sum
        // passed through zero (Decimal keeps a zero operand's places); their value is what
        // counts, so they are kept in their shortest form, whichever order rows came in.
        let b = &mut out.bridge;
        b.pricing_mismatch = b.pricing_mismatch.normalize();
        b.unpriced = b.unpriced.normalize();
        out.bridge.rate_differences.sort_by(|a, b| {
            (&a.model, a.dimension, a.card_rate, a.logged_rate).cmp(&(
                &b.model,
                b.dimension,
                b.card_rate,
                b.logged_rate,
            ))
        });
        out.models = models.into_values().collect();
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests;
