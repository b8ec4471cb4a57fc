//! price: usage × verified rates → expected charge, one line per model and dimension.
//!
//! `amount = quantity × rate ÷ unit size`, exact, with checked arithmetic. A quantity
//! with no rate is an *unpriced* line: it has no amount, and the model's expected
//! charge is marked incomplete. Nothing is ever priced at $0 by default.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Position};
use crate::ingest::newapi::{GatewayRow, RowKind};
use crate::settings::{Confidence, Rate};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    UncachedInput,
    CachedInput,
    CacheWrite,
    Output,
    Calls,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::UncachedInput,
        Dimension::CachedInput,
        Dimension::CacheWrite,
        Dimension::Output,
        Dimension::Calls,
    ];

    pub fn unit(self) -> &'static str {
        match self {
            Dimension::Calls => "per call",
            _ => "per 1M tokens",
        }
    }

    fn unit_size(self) -> Decimal {
        match self {
            Dimension::Calls => Decimal::ONE,
            _ => Decimal::from(1_000_000u32),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dimension::UncachedInput => "input (uncached)",
            Dimension::CachedInput => "cached input",
            Dimension::CacheWrite => "cache write",
            Dimension::Output => "output",
            Dimension::Calls => "calls",
        }
    }

    fn rate(self, rate: &Rate) -> Option<Decimal> {
        match self {
            Dimension::UncachedInput => rate.input_per_million,
            Dimension::CachedInput => rate.cached_input_per_million,
            Dimension::CacheWrite => rate.cache_write_per_million,
            Dimension::Output => rate.output_per_million,
            Dimension::Calls => rate.per_call,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriceLine {
    pub dimension: Dimension,
    pub quantity: u64,
    pub rate: Option<Decimal>,
    /// None when unpriced.
    pub amount: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelCharge {
    pub model: String,
    pub lines: Vec<PriceLine>,
    /// Σ priced line amounts.
    pub expected: Decimal,
    /// False when any line with a quantity has no rate.
    pub complete: bool,
    pub label: Confidence,
    pub has_rate: bool,
    /// Σ quota of consume rows (may include negative settlement deltas).
    pub consumed_quota: i64,
    /// Σ quota of refund rows, as a positive number.
    pub refunded_quota: i64,
    pub requests: u64,
}

/// Per-model usage totals, the quantities behind the price lines.
#[derive(Default)]
struct Usage {
    quantities: BTreeMap<Dimension, u64>,
    consumed_quota: i64,
    refunded_quota: i64,
    requests: u64,
}

fn overflow(what: &str) -> Error {
    Error::overflow(Position::file("usage totals"), what)
}

fn add(total: &mut u64, value: u64, what: &str) -> Result<(), Error> {
    *total = total.checked_add(value).ok_or_else(|| overflow(what))?;
    Ok(())
}

/// Prices every model in `rows`; rows must already be inside the window.
pub fn price<'a>(
    rows: impl IntoIterator<Item = &'a GatewayRow>,
    rates: &BTreeMap<String, Rate>,
) -> Result<Vec<ModelCharge>, Error> {
    let mut usage: BTreeMap<&str, Usage> = BTreeMap::new();
    for row in rows {
        let entry = usage.entry(row.model.as_str()).or_default();
        let quota_sum = |total: i64| {
            total
                .checked_add(row.quota)
                .ok_or_else(|| overflow("quota"))
        };
        if row.kind == RowKind::Refund {
            entry.refunded_quota = quota_sum(entry.refunded_quota)?;
            continue;
        }
        entry.consumed_quota = quota_sum(entry.consumed_quota)?;
        add(&mut entry.requests, 1, "request count")?;
        let rate = rates.get(&row.model).filter(|r| !r.is_empty());
        let per_call = row.model_price.is_some()
            || rate.is_some_and(|r| r.per_call.is_some() && !r.prices_tokens());
        let q = &mut entry.quantities;
        if per_call {
            add(q.entry(Dimension::Calls).or_default(), 1, "calls")?;
            continue;
        }
        // Rows were checked at ingest: uncached input is never negative here.
        let uncached = row.uncached_input().unwrap_or(0);
        add(
            q.entry(Dimension::UncachedInput).or_default(),
            uncached,
            "input tokens",
        )?;
        add(
            q.entry(Dimension::CachedInput).or_default(),
            row.cache_read_tokens,
            "cached tokens",
        )?;
        add(
            q.entry(Dimension::CacheWrite).or_default(),
            row.cache_write_tokens,
            "cache write tokens",
        )?;
        add(
            q.entry(Dimension::Output).or_default(),
            row.completion_tokens,
            "output tokens",
        )?;
    }
    let rate_of = |model: &str| rates.get(model).filter(|r| !r.is_empty());
    usage
        .into_iter()
        .map(|(model, usage)| charge(model, usage, rate_of(model)))
        .collect()
}

fn charge(model: &str, usage: Usage, rate: Option<&Rate>) -> Result<ModelCharge, Error> {
    let mut lines = Vec::new();
    let mut expected = Decimal::ZERO;
    let mut complete = true;
    for dimension in Dimension::ALL {
        let quantity = usage.quantities.get(&dimension).copied().unwrap_or(0);
        let rate_value = rate.and_then(|r| dimension.rate(r));
        // A zero quantity with no rate is simply not used; show only what matters.
        if quantity == 0 && rate_value.is_none() {
            continue;
        }
        let amount = match rate_value {
            Some(rate_value) => {
                let amount =
                    line_amount(quantity, rate_value, dimension.unit_size()).ok_or_else(|| {
                        overflow(&format!("the {} charge of {model}", dimension.label()))
                    })?;
                expected = expected
                    .checked_add(amount)
                    .ok_or_else(|| overflow("the expected total"))?;
                Some(amount)
            }
            None => {
                complete = false;
                None
            }
        };
        lines.push(PriceLine {
            dimension,
            quantity,
            rate: rate_value,
            amount,
        });
    }
    Ok(ModelCharge {
        model: model.to_string(),
        lines,
        expected,
        complete: complete && rate.is_some(),
        label: rate.map_or(Confidence::Unknown, |r| r.label),
        has_rate: rate.is_some(),
        consumed_quota: usage.consumed_quota,
        refunded_quota: usage.refunded_quota,
        requests: usage.requests,
    })
}

/// quantity × rate ÷ unit size, exactly; None on overflow, or when the quotient would
/// need more than 28 decimal places (Decimal would round it, and we never round silently).
pub fn line_amount(quantity: u64, rate: Decimal, unit_size: Decimal) -> Option<Decimal> {
    let product = Decimal::from(quantity).checked_mul(rate)?;
    let amount = product.checked_div(unit_size)?;
    (amount.checked_mul(unit_size)? == product).then_some(amount)
}
