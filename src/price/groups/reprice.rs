//! Pricing a group as the row path prices each of its rows ([`super::super::Pricer::row`],
//! `attribute`, `rate_differences`), with the group's sums in place of a row's values.

use rust_decimal::Decimal;

use super::exact::{self, at_scale};
use super::{Check, Group, Groups};
use crate::decimal::exact_mul;
use crate::error::Error;
use crate::ingest::LoggedRatios;
use crate::price::line::{priced_line, unpriced_line};
use crate::price::rates::{dimension_ratio, note, RateDifference};
use crate::price::row_charge::{factors, rate_of};
use crate::price::{LineStatus, ModelCharge, Pricer, Pricing};
use crate::ratecard::{Dimension, Entry};
use crate::settings::ValidSettings;

/// Why a group cannot stand for its rows: the row path then decides.
struct Declined;

type Step<T> = Result<Result<T, Error>, Declined>;

pub(super) fn price(groups: &Groups, settings: &ValidSettings) -> Option<Result<Pricing, Error>> {
    let mut pricer = Pricer::new(settings);
    pricer.out.bridge = groups.base.bridge.clone();
    pricer.out.quota_check = groups.base.quota_check.clone();
    let mut bound = Decimal::ZERO;
    for group in &groups.groups {
        match pricer.group(group, &mut bound) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Some(Err(error)),
            Err(Declined) => return None,
        }
    }
    // The bridge's sums mix signs; while Σ|terms| stays far from Decimal's limits at
    // their scale, no partial sum of the row path was rounded either.
    let b = &pricer.out.bridge;
    let scale = [b.unpriced, b.pricing_mismatch]
        .iter()
        .map(|v| v.scale())
        .max()
        .unwrap_or(0);
    at_scale(bound.trunc() + Decimal::ONE, scale)?;
    let pricing = pricer.finish();
    // Sums of one sign: the final figure bounds every partial one.
    match &pricing {
        Ok(p) if !within_limits(p) => None,
        _ => Some(pricing),
    }
}

/// Whether every summed figure stays where no step of the row path rounds.
fn within_limits(p: &Pricing) -> bool {
    let safe = |v: &Decimal| at_scale(*v, v.scale()).is_some();
    let lines = p.lines.iter().filter_map(|l| l.amount.as_ref());
    let days = p.days.iter().filter_map(|d| d.amount.as_ref());
    let differences = p.bridge.rate_differences.iter().map(|d| &d.amount);
    let totals = [
        &p.expected,
        &p.at_risk,
        &p.bridge.unknown_outcome,
        &p.bridge.refunds,
    ];
    lines.chain(days).chain(differences).chain(totals).all(safe)
}

/// A value the row path would find too, or the group declines.
fn sure<T>(value: Option<T>) -> Result<T, Declined> {
    value.ok_or(Declined)
}

impl Pricer<'_> {
    fn group(&mut self, g: &Group, bound: &mut Decimal) -> Step<()> {
        let s = self.settings;
        let entry: Option<&Entry> = g.key.entry.map(|i| &s.rate_card.entries[i]);
        let name: &str = entry.map_or(&g.model, |e| &e.model);
        if !self.models.contains_key(name) {
            let charge = ModelCharge {
                model: name.to_string(),
                complete: true,
                ..ModelCharge::default()
            };
            self.models.insert(name.to_string(), charge);
        }
        let charge = self.models.get_mut(name).expect("inserted above");
        charge.logged_as.insert(g.model.clone());
        self.day = g.key.day;
        self.priced.clear();
        let n = g.rows;
        if g.key.refund {
            charge.refunded_quota = sure(charge.refunded_quota.checked_add(g.quota))?;
            return Ok(Ok(()));
        }
        charge.consumed_quota = sure(charge.consumed_quota.checked_add(g.quota))?;
        charge.requests = sure(charge.requests.checked_add(g.requests))?;
        charge.unknown_requests += g.unknown_requests;
        charge.failed_requests += g.failed;
        if g.key.untimed && entry.is_none() && s.rate_card.names(&g.model) {
            charge.untimed_unpriced += n;
        }
        let billable = g.key.check != Check::NotBillable;
        let tier = entry
            .and_then(|e| e.long_context.as_ref())
            .filter(|_| g.key.tier);
        let (mut expected, mut complete) = (Decimal::ZERO, g.key.known);
        // Per dimension, the card's price per unit (factors in) against the logged one.
        let mut per_unit = Vec::new();
        for d in &g.dims {
            let dimension = d.dimension;
            let (Some(entry), Some(rate)) = (entry, rate_of(entry, tier, dimension)) else {
                complete = false;
                let key = (dimension, g.key.tier, LineStatus::Unpriced, None);
                if let Err(e) =
                    self.line(name, key, d.sum, None, || unpriced_line(entry, dimension))
                {
                    return Ok(Err(e));
                }
                continue;
            };
            let (factor, label) = match factors(s, entry, dimension) {
                Ok(f) => f,
                Err(e) => return Ok(Err(e)),
            };
            let unit = entry.unit_size(dimension);
            let amount = sure(exact::amount(d, rate, unit, factor))?;
            let status = if billable {
                LineStatus::Expected
            } else {
                LineStatus::AtRisk
            };
            if billable {
                expected = sure(expected.checked_add(amount))?;
                let card_rate = sure(exact_mul(rate, factor))?;
                self.priced.push((dimension, d.sum, card_rate, unit));
                per_unit.push((d, card_rate, unit));
            }
            let key = (dimension, g.key.tier, status, Some(rate));
            let make = || priced_line(s, entry, dimension, factor, label);
            if let Err(e) = self.line(name, key, d.sum, Some(amount), make) {
                return Ok(Err(e));
            }
        }
        let complete = complete && entry.is_some();
        self.attribute_group(g, expected, complete, &per_unit, bound)?;
        if complete && billable {
            self.differences(g, name)?;
        }
        Ok(Ok(()))
    }

    /// `attribute` for every row of the group at once.
    fn attribute_group(
        &mut self,
        g: &Group,
        expected: Decimal,
        complete: bool,
        per_unit: &[(&super::DimSum, Decimal, Decimal)],
        bound: &mut Decimal,
    ) -> Result<(), Declined> {
        let n = g.rows;
        if g.key.check == Check::NotBillable {
            // Filed with the rows (`Groups::base`): the card plays no part.
            return Ok(());
        }
        let b = &mut self.out.bridge;
        if !complete {
            b.unpriced_rows += n;
            b.unpriced_models.insert(g.model.clone());
            if let Some(charge) = self.models.get_mut(
                g.key
                    .entry
                    .map_or(&g.model, |i| &self.settings.rate_card.entries[i].model),
            ) {
                charge.complete = false;
            }
        }
        let side = match g.key.check {
            Check::Unchecked => g.recorded,
            _ => g.derived_usd,
        };
        // Σ|terms| of the mixed-sign sums, for the bound on their partial sums.
        *bound = sure((bound.checked_add(side.abs())).and_then(|v| v.checked_add(expected.abs())))?;
        let gap = sure(side.checked_sub(expected))?;
        let b = &mut self.out.bridge;
        if g.key.check == Check::Unchecked && complete {
            return Ok(());
        }
        if !complete {
            b.unpriced = sure(b.unpriced.checked_add(gap))?;
            return Ok(());
        }
        let mismatched = mismatched_rows(g, per_unit, self.settings)?;
        if mismatched > 0 && may_be_alias(g, per_unit, self.settings) {
            // Whether a row is priced at another model's rates depends on its time (the
            // other entry in effect): the rows decide.
            return Err(Declined);
        }
        let b = &mut self.out.bridge;
        b.pricing_mismatch_rows += mismatched;
        b.pricing_mismatch = sure(b.pricing_mismatch.checked_add(gap))?;
        Ok(())
    }

    /// `rate_differences` for every row of the group at once.
    fn differences(&mut self, g: &Group, model: &str) -> Result<(), Declined> {
        let Some(r) = g.ratios.as_ref() else {
            return Ok(());
        };
        if !r.is_plain() {
            return Ok(());
        }
        let group = r.group_ratio.unwrap_or(Decimal::ONE);
        let per_usd = self.settings.quota_per_usd;
        for (dimension, quantity, card_rate, unit_size) in std::mem::take(&mut self.priced) {
            let Some((model_ratio, dimension_ratio, logged_rate)) =
                logged(g.model_price, r, dimension, group, per_usd, unit_size)
            else {
                match g.model_price {
                    Some(_) if dimension != Dimension::Calls => continue,
                    _ => return Ok(()),
                }
            };
            if logged_rate == card_rate {
                continue;
            }
            let Some(difference) = logged_rate.checked_sub(card_rate) else {
                return Ok(());
            };
            let amount = sure(exact::difference(dim(g, dimension), difference, unit_size))?;
            let found = RateDifference {
                model: model.to_string(),
                dimension,
                unit_size,
                card_rate,
                logged_rate,
                model_ratio,
                dimension_ratio,
                group_ratio: group,
                rows: g.rows,
                quantity,
                amount,
            };
            sure(note(&mut self.out.bridge.rate_differences, found))?;
        }
        Ok(())
    }
}

fn dim(g: &Group, dimension: Dimension) -> &super::DimSum {
    (g.dims.iter().find(|d| d.dimension == dimension)).expect("a priced quantity is the group's")
}

/// The price the logged ratios imply for `dimension`, as `rate_differences` finds it:
/// (model ratio, the dimension's ratio, the price per unit); None where it gives up.
fn logged(
    model_price: Option<Decimal>,
    r: &LoggedRatios,
    dimension: Dimension,
    group: Decimal,
    per_usd: Decimal,
    unit_size: Decimal,
) -> Option<(Decimal, Decimal, Decimal)> {
    use crate::decimal::exact_div;
    match (model_price, dimension) {
        (Some(price), Dimension::Calls) => Some((price, Decimal::ONE, exact_mul(price, group)?)),
        (Some(_), _) => None,
        (None, _) => {
            let (model_ratio, ratio) = (r.model_ratio?, dimension_ratio(r, dimension)?);
            let per_quota = exact_mul(exact_mul(model_ratio, ratio)?, group)?;
            let per_unit = exact_mul(exact_div(per_quota, per_usd)?, unit_size)?;
            Some((model_ratio, ratio, per_unit))
        }
    }
}

/// How many of the group's rows re-derive to another amount than their expected one.
/// Exact without the rows when each row's (re-derived − expected) cannot be zero for
/// some rows and not others: all rows alike, or every per-unit difference of one sign.
fn mismatched_rows(
    g: &Group,
    per_unit: &[(&super::DimSum, Decimal, Decimal)],
    s: &ValidSettings,
) -> Result<u64, Declined> {
    let alike = g.dims.iter().all(|d| d.min == d.max);
    if let (Some(derived), true) = (g.same_derived, alike) {
        // One row stands for all: its expected amount is Σ quantity × card rate ÷ unit.
        let mut one = Decimal::ZERO;
        for (d, card_rate, unit) in per_unit {
            let amount = crate::decimal::exact_div(
                exact_mul(Decimal::from(d.min), *card_rate).ok_or(Declined)?,
                *unit,
            );
            one = sure(one.checked_add(sure(amount)?))?;
        }
        return Ok(if derived == one { 0 } else { g.rows });
    }
    // Plain token rows: re-derived = Σ quantity × model ratio × the dimension's ratio ×
    // group ratio ÷ quota per USD, the same dimensions the card prices.
    let r = g.ratios.as_ref().ok_or(Declined)?;
    let token_only = g.dims.iter().all(|d| {
        !matches!(
            d.dimension,
            Dimension::Calls
                | Dimension::AudioInput
                | Dimension::AudioCachedInput
                | Dimension::AudioOutput
        )
    });
    if g.model_price.is_some() || !r.is_plain() || !token_only || per_unit.len() != g.dims.len() {
        return Err(Declined);
    }
    let model_ratio = r.model_ratio.ok_or(Declined)?;
    let group = r.group_ratio.unwrap_or(Decimal::ONE);
    let (mut above, mut below) = (false, false);
    for (d, card_rate, unit) in per_unit {
        // Compared without dividing: logged × unit against card × quota per USD.
        let logged = match dimension_ratio(r, d.dimension) {
            Some(ratio) => exact_mul(
                exact_mul(exact_mul(model_ratio, ratio).ok_or(Declined)?, group).ok_or(Declined)?,
                *unit,
            ),
            None if d.dimension == Dimension::ToolCalls => Some(Decimal::ZERO),
            None => None,
        };
        let logged = sure(logged)?;
        let card = sure(exact_mul(*card_rate, s.quota_per_usd))?;
        above |= logged > card;
        below |= logged < card;
    }
    match (above, below) {
        (false, false) => Ok(0),
        (true, true) => Err(Declined),
        _ => Ok(g.rows),
    }
}

/// Whether some row of the group could be an alias of another card model (`alias_of`):
/// its logged rates differ from its own entry's and another model's entry, in effect at
/// any time, has exactly those rates. False only when no row can be one.
fn may_be_alias(
    g: &Group,
    per_unit: &[(&super::DimSum, Decimal, Decimal)],
    s: &ValidSettings,
) -> bool {
    let Some(r) = g.ratios.as_ref() else {
        return false;
    };
    if !r.is_plain() || g.key.tier || per_unit.is_empty() {
        return false;
    }
    let group = r.group_ratio.unwrap_or(Decimal::ONE);
    let mut rates = Vec::with_capacity(per_unit.len());
    for (d, card_rate, unit) in per_unit {
        let Some((_, _, rate)) =
            logged(g.model_price, r, d.dimension, group, s.quota_per_usd, *unit)
        else {
            // Not found the way the groups find it: let the rows say.
            return true;
        };
        rates.push((d.dimension, *unit, *card_rate, rate));
    }
    if rates.iter().all(|(_, _, card, rate)| card == rate) {
        return false;
    }
    let own = g.key.entry.map(|i| &s.rate_card.entries[i].model);
    s.rate_card.entries.iter().any(|other| {
        Some(&other.model) != own
            && rates.iter().all(|&(dimension, unit, _, rate)| {
                let priced = other.price(dimension).and_then(|price| {
                    let (factor, _) = factors(s, other, dimension).ok()?;
                    exact_mul(price, factor)
                });
                other.unit_size(dimension) == unit && priced == Some(rate)
            })
    })
}
