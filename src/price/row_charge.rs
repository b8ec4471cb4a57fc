//! One row's expected charge on its own: what [`super::price`] gives for that row alone,
//! without the lines, days and bridge inputs it builds. Stages that need a figure per row
//! (the dual ledger's days, the budget review's owners) call this once per row; building
//! a whole pricing per row made the figures of 100k rows four times slower.

use rust_decimal::Decimal;

use super::dimension::quantities;
use super::{add, exact_mul, line_amount, overflow};
use crate::error::Error;
use crate::ingest::{GatewayRow, RowKind};
use crate::policy::{Billability, RoundingScope};
use crate::ratecard::{Confidence, Dimension, Entry, LongContext};
use crate::settings::ValidSettings;

/// A row priced alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowCharge<'a> {
    /// The rate card's label for the row's model, or the logged name when none prices it.
    pub model: &'a str,
    /// The billable amount (0 for a refund or a row the policy does not bill).
    pub expected: Decimal,
    /// The amount of a row the policy does not call billable (possibly billed), else 0.
    pub at_risk: Decimal,
    /// Whether every quantity of the row had a rate (a refund: whether the card names
    /// the model), as [`super::Pricing::complete`] says for the row alone.
    pub complete: bool,
    /// The row's quota: consumed minus refunded.
    pub net_quota: i64,
}

/// The rate of `dimension`: the long-context tier's when the row is in it, else the entry's.
pub(super) fn rate_of(
    entry: Option<&Entry>,
    tier: Option<&LongContext>,
    dimension: Dimension,
) -> Option<Decimal> {
    let tier_rate = tier.and_then(|t| match dimension {
        Dimension::UncachedInput => t.input,
        Dimension::CachedInput => t.cached_input,
        Dimension::Output => t.output,
        _ => None,
    });
    tier_rate.or_else(|| entry.and_then(|e| e.price(dimension)))
}

/// The product of the named factors and FX covering `entry` × `dimension`, and the
/// weakest label among the entry and its factors.
pub(super) fn factors(
    settings: &ValidSettings,
    entry: &Entry,
    dimension: Dimension,
) -> Result<(Decimal, Confidence), Error> {
    let (mut product, mut label) = (Decimal::ONE, entry.provenance.label);
    for f in super::covering(settings, entry, dimension) {
        product = exact_mul(product, f.value).ok_or_else(|| overflow("a factor"))?;
        label = label.max(f.provenance.label);
    }
    if let Some(fx) = &settings.fx {
        product = exact_mul(product, fx.rate).ok_or_else(|| overflow("the FX conversion"))?;
    }
    Ok((product, label))
}

/// quantity × rate ÷ unit size × factors, rounded when the rule rounds each row.
pub(super) fn amount(
    settings: &ValidSettings,
    entry: &Entry,
    dimension: Dimension,
    quantity: u64,
    rate: Decimal,
    factor: Decimal,
    model: &str,
) -> Result<Decimal, Error> {
    let amount = line_amount(quantity, rate, entry.unit_size(dimension))
        .and_then(|a| exact_mul(a, factor))
        .ok_or_else(|| overflow(&format!("the {} charge of {model}", dimension.label())))?;
    let per_row = settings
        .rounding
        .as_ref()
        .filter(|r| r.scope == RoundingScope::PerRow);
    Ok(per_row.map_or(amount, |rounding| rounding.apply(amount)))
}

/// The row priced alone under `settings`.
pub fn row_charge<'a>(
    row: &'a GatewayRow,
    settings: &'a ValidSettings,
) -> Result<RowCharge<'a>, Error> {
    let entry = settings.rate_card.lookup(&row.model, row.time());
    let model: &str = entry.map_or(&row.model, |e| &e.model);
    if row.kind == RowKind::Refund {
        let complete = settings.rate_card.names(&row.model);
        let net_quota = 0i64
            .checked_sub(row.quota)
            .ok_or_else(|| overflow("quota"))?;
        return Ok(RowCharge {
            model,
            expected: Decimal::ZERO,
            at_risk: Decimal::ZERO,
            complete,
            net_quota,
        });
    }
    let billable = settings.policy.of(row.outcome) == Billability::Billable;
    let tier = entry
        .and_then(|e| e.long_context.as_ref())
        .filter(|t| row.input_total() > t.above);
    let (quantities, known) = quantities(row, entry);
    let (mut expected, mut at_risk) = (Decimal::ZERO, Decimal::ZERO);
    let mut complete = known && entry.is_some();
    for (dimension, quantity) in quantities {
        let (Some(entry), Some(rate)) = (entry, rate_of(entry, tier, dimension)) else {
            complete = false;
            continue;
        };
        let (factor, _) = factors(settings, entry, dimension)?;
        let amount = amount(settings, entry, dimension, quantity, rate, factor, model)?;
        match billable {
            true => add(&mut expected, amount, "a row")?,
            false => add(&mut at_risk, amount, "the at-risk total")?,
        }
    }
    Ok(RowCharge {
        model,
        expected,
        at_risk,
        complete,
        net_quota: row.quota,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Ingestor, Rules};
    use crate::settings::Settings;

    /// Every row of the fixtures, priced alone both ways: the same model, amount,
    /// completeness and quota as a whole pricing of that one row.
    #[test]
    fn a_row_alone_is_priced_as_price_prices_it() {
        let settings = Settings::from_json(include_str!("../../tests/fixtures/settings.json"))
            .unwrap()
            .validate()
            .unwrap();
        let files: [(&str, &[u8]); 3] = [
            (
                "page.json",
                include_bytes!("../../tests/fixtures/cometapi-log-page.json"),
            ),
            (
                "logs.csv",
                include_bytes!("../../tests/fixtures/cometapi-logs.csv"),
            ),
            (
                "rows.jsonl",
                include_bytes!("../../tests/fixtures/cometapi-log-rows.jsonl"),
            ),
        ];
        let mut seen = 0;
        for (name, bytes) in files {
            let mut ingestor = Ingestor::new(name, Rules::default());
            ingestor.push(bytes);
            let report = ingestor.finish();
            for row in report.rows.iter() {
                let alone = row_charge(&row, &settings).unwrap();
                let whole = super::super::price(std::iter::once(&row), &settings).unwrap();
                let model = &whole.models[0];
                let net = model.consumed_quota - model.refunded_quota;
                assert_eq!(
                    (alone.model, alone.expected, alone.at_risk),
                    (model.model.as_str(), whole.expected, whole.at_risk),
                    "{name}: {row:?}"
                );
                assert_eq!(
                    (alone.complete, alone.net_quota),
                    (whole.complete, net),
                    "{name}: {row:?}"
                );
                seen += 1;
            }
        }
        assert!(seen > 10, "only {seen} rows");
    }
}
