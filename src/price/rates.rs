//! Which rate differs: for each model and dimension whose new-api row ratios price the
//! usage differently from the verified card, the card's price, the price the logged
//! ratios imply (and the ratios), the quantity, and the amount the difference explains.
//! Rows whose ratios match the card are not counted as evidence of a mismatch.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Pricer;
use crate::decimal::{exact_div, exact_mul, serde_str};
use crate::ingest::{GatewayRow, LoggedRatios};
use crate::ratecard::Dimension;

/// One priced quantity of the row being priced: its dimension, quantity, the card's
/// rate with its factors, and the unit the rate is quoted per.
pub(super) type Priced = (Dimension, u64, Decimal, Decimal);

/// A price on the card that the gateway's own ratios say differently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateDifference {
    /// The rate-card label.
    pub model: String,
    pub dimension: Dimension,
    /// The unit both prices are quoted per (1,000,000 tokens, one call).
    #[serde(with = "serde_str")]
    pub unit_size: Decimal,
    /// The card's price, its factors (a discount, FX) applied.
    #[serde(with = "serde_str")]
    pub card_rate: Decimal,
    /// The price the row's ratios imply: model ratio × the dimension's ratio × group
    /// ratio ÷ quota per USD, per unit (a per-call model's logged price × group ratio).
    #[serde(with = "serde_str")]
    pub logged_rate: Decimal,
    /// new-api's model ratio (or, per call, the logged model price), the dimension's
    /// ratio (completion, cache, cache creation; 1 for input) and the group ratio.
    #[serde(with = "serde_str")]
    pub model_ratio: Decimal,
    #[serde(with = "serde_str")]
    pub dimension_ratio: Decimal,
    #[serde(with = "serde_str")]
    pub group_ratio: Decimal,
    pub rows: u64,
    pub quantity: u64,
    /// (logged − card) × quantity ÷ unit: what the difference adds to the recorded charge.
    #[serde(with = "serde_str")]
    pub amount: Decimal,
}

/// Adds `found` to the differences: to the one of the same model, dimension, prices and
/// unit when there is one (its rows, quantity and amount summed), else as a new one.
/// None on overflow.
pub(crate) fn note(differences: &mut Vec<RateDifference>, found: RateDifference) -> Option<()> {
    let same = |d: &&mut RateDifference| {
        (
            d.model.as_str(),
            d.dimension,
            d.card_rate,
            d.logged_rate,
            d.unit_size,
        ) == (
            found.model.as_str(),
            found.dimension,
            found.card_rate,
            found.logged_rate,
            found.unit_size,
        )
    };
    match differences.iter_mut().find(same) {
        Some(d) => {
            d.rows = d.rows.checked_add(found.rows)?;
            d.quantity = d.quantity.checked_add(found.quantity)?;
            d.amount = d.amount.checked_add(found.amount)?;
        }
        None => differences.push(found),
    }
    Some(())
}

/// new-api's ratio for one dimension of a token row (its defaults for unset ones), or
/// None for a dimension the plain formula does not price on its own.
pub fn dimension_ratio(r: &LoggedRatios, dimension: Dimension) -> Option<Decimal> {
    let creation = r
        .cache_creation_ratio
        .unwrap_or(Decimal::from_str("1.25").ok()?);
    Some(match dimension {
        Dimension::UncachedInput => Decimal::ONE,
        Dimension::CachedInput => r.cache_ratio.unwrap_or(Decimal::ONE),
        Dimension::CacheWrite => creation,
        Dimension::CacheWrite1h => match r.cache_creation_ratio_1h {
            Some(ratio) => ratio,
            None => creation.checked_mul(Decimal::from_str("1.6").ok()?)?,
        },
        Dimension::Output | Dimension::Reasoning => r.completion_ratio.unwrap_or(Decimal::ONE),
        _ => return None,
    })
}

/// The price per `unit_size` a row's logged ratios imply for `dimension`, with the model
/// ratio (a per-call row: its logged price) and the dimension's ratio behind it; None
/// when the ratios do not price the dimension on its own (a per-call row's tokens) or
/// the figure is not exact.
pub(super) fn logged_rate(
    row: &GatewayRow,
    r: &LoggedRatios,
    dimension: Dimension,
    unit_size: Decimal,
    per_usd: Decimal,
) -> Option<(Decimal, Decimal, Decimal)> {
    let group = r.group_ratio.unwrap_or(Decimal::ONE);
    match (row.model_price, dimension) {
        (Some(price), Dimension::Calls | Dimension::Images | Dimension::Seconds) => {
            // The multipliers besides the one this dimension counts (a size factor on a
            // video's seconds) are part of the price per unit new-api charged.
            let rest = match r.factors {
                None => Decimal::ONE,
                Some(all) => match dimension {
                    Dimension::Images => exact_div(all, r.images?)?,
                    Dimension::Seconds => exact_div(all, r.seconds?)?,
                    _ => all,
                },
            };
            Some((price, rest, exact_mul(exact_mul(price, rest)?, group)?))
        }
        (Some(_), _) => None,
        (None, _) if r.factors.is_some() => None,
        (None, _) => {
            let (model_ratio, ratio) = (r.model_ratio?, dimension_ratio(r, dimension)?);
            let per_quota = exact_mul(exact_mul(model_ratio, ratio)?, group)?;
            let per_unit = exact_mul(exact_div(per_quota, per_usd)?, unit_size)?;
            Some((model_ratio, ratio, per_unit))
        }
    }
}

impl Pricer<'_> {
    /// Files each priced quantity of a checked row whose logged ratios imply another
    /// price than the card's. Rows new-api priced with another formula (audio, tool
    /// surcharges, multipliers on tokens or on more than one per-call unit) are left to
    /// the step's total.
    pub(super) fn rate_differences(&mut self, row: &GatewayRow, model: &str) -> Option<()> {
        let r = row.ratios.as_ref()?;
        let per_call =
            |d: Dimension| matches!(d, Dimension::Calls | Dimension::Images | Dimension::Seconds);
        // Further multipliers are said per unit only where one unit carries them all.
        let one_unit = r.factors.is_none()
            || (row.model_price.is_some()
                && self.priced.iter().filter(|p| per_call(p.0)).count() == 1);
        let sayable = r.is_plain() || (one_unit && r.is_plain_but_factors());
        if !sayable {
            return None;
        }
        let group = r.group_ratio.unwrap_or(Decimal::ONE);
        let per_usd = self.settings.quota_per_usd;
        for (dimension, quantity, card_rate, unit_size) in std::mem::take(&mut self.priced) {
            let Some(logged) = logged_rate(row, r, dimension, unit_size, per_usd) else {
                // A per-call row's tokens are not priced on their own; anything else
                // that cannot be said ends the row's differences, as it always did.
                match (row.model_price, dimension) {
                    (Some(_), d) if d != Dimension::Calls => continue,
                    _ => return None,
                }
            };
            let (model_ratio, dimension_ratio, logged_rate) = logged;
            if logged_rate == card_rate {
                continue;
            }
            let amount = exact_div(
                exact_mul(Decimal::from(quantity), logged_rate.checked_sub(card_rate)?)?,
                unit_size,
            )?;
            note(
                &mut self.out.bridge.rate_differences,
                RateDifference {
                    model: model.to_string(),
                    dimension,
                    unit_size,
                    card_rate,
                    logged_rate,
                    model_ratio,
                    dimension_ratio,
                    group_ratio: group,
                    rows: 1,
                    quantity,
                    amount,
                },
            )?;
        }
        Some(())
    }
}
