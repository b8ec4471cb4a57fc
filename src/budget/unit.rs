//! Unit cost (FinOps unit economics): the expected charge divided by the unit the
//! reviewer picked — a successful request, 1,000 tokens, a request of each request
//! class, or a business unit they counted per owner group — by owner group (request
//! class for `request`) and model, and per day or hour in the finance time zone, to see
//! how it moved across the window. A count that is unknown or zero gives no unit cost,
//! never a zero one.

use super::clock::Shown;
use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::allocate::Allocated;
use super::rows::PricedRow;
use super::tally::Tally;
use crate::decimal::serde_str;
use crate::error::Error;
use crate::settings::budget::{Period, UnitMetric, UnitSettings};

/// A unit cost is a ratio shown to a reader, not a charge: it is rounded to this many
/// decimal places, half to even (1 ÷ 3 has no exact decimal form).
pub const PER_UNIT_PLACES: u32 = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitLine {
    /// The owner group (the request class under the `request` metric); None: unallocated.
    pub group: Option<String>,
    /// None: every model of the group.
    pub model: Option<String>,
    pub tally: Tally,
    /// How many units: None when unknown (a usage bucket that does not count its
    /// requests, an owner group with no business unit count, a period under
    /// `business_unit`, whose counts cover the whole window).
    #[serde(with = "serde_str::option")]
    pub units: Option<Decimal>,
    #[serde(with = "serde_str::option")]
    pub per_unit: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodLine {
    /// The period's start in the finance time zone: `2026-01-01` or
    /// `2026-01-01T08:00+08:00`.
    pub start: String,
    pub tally: Tally,
    #[serde(with = "serde_str::option")]
    pub units: Option<Decimal>,
    #[serde(with = "serde_str::option")]
    pub per_unit: Option<Decimal>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCost {
    pub metric: UnitMetric,
    pub unit_name: String,
    pub period: Period,
    /// The finance time zone as the settings state it; `UTC` when they do not.
    pub time_zone: String,
    pub by_group: Vec<UnitLine>,
    pub by_group_and_model: Vec<UnitLine>,
    pub by_period: Vec<PeriodLine>,
    /// Rows that state no time: in the lines by group, in no period.
    pub untimed_rows: u64,
}

/// The units a tally holds under `metric`; `count` is the group's business units.
fn units(metric: UnitMetric, tally: &Tally, count: Option<u64>) -> Option<Decimal> {
    match metric {
        UnitMetric::SuccessfulRequest => tally
            .request_count()
            .map(|_| Decimal::from(tally.successful)),
        // Exact: thousands are three decimal places of the same integer.
        UnitMetric::Tokens1k => tally
            .tokens()
            .map(|t| Decimal::from_i128_with_scale(i128::from(t), 3)),
        UnitMetric::Request => tally.request_count().map(Decimal::from),
        UnitMetric::BusinessUnit => count.map(Decimal::from),
    }
}

fn per_unit(tally: &Tally, units: Option<Decimal>) -> Option<Decimal> {
    let units = units.filter(|u| !u.is_zero())?;
    let quotient = tally.expected()?.checked_div(units)?;
    Some(quotient.round_dp_with_strategy(PER_UNIT_PLACES, RoundingStrategy::MidpointNearestEven))
}

/// The period a time falls in, as its start in `zone`.
fn period_of(at: jiff::Timestamp, period: Period, zone: &jiff::tz::TimeZone) -> String {
    let zoned = at.to_zoned(zone.clone());
    match period {
        Period::Day => super::clock::local(&zoned, Shown::Date),
        // With the offset, so the hour a clock repeats in autumn is two periods.
        Period::Hour => super::clock::local(&zoned, Shown::Hour),
    }
}

pub fn unit_cost(
    settings: &UnitSettings,
    rows: &[PricedRow],
    allocated: &[Allocated],
) -> Result<UnitCost, Error> {
    let metric = settings.metric;
    // The request class under `request`, else the owner group.
    let dimension = if metric == UnitMetric::Request { 2 } else { 0 };
    let zone = settings
        .zone
        .map_or(jiff::tz::TimeZone::UTC, |z| z.time_zone());
    let mut groups: BTreeMap<(bool, Option<String>), Tally> = BTreeMap::new();
    let mut models: BTreeMap<(bool, Option<String>, String), Tally> = BTreeMap::new();
    let mut periods: BTreeMap<String, Tally> = BTreeMap::new();
    let mut untimed_rows = 0;
    for (row, allocated) in rows.iter().zip(allocated) {
        let group = allocated[dimension].clone();
        // Named groups first, in name order; the unallocated one last.
        let key = (group.is_none(), group);
        models
            .entry((key.0, key.1.clone(), row.model.clone()))
            .or_default()
            .add(row)?;
        groups.entry(key).or_default().add(row)?;
        match row.at {
            Some(at) => periods
                .entry(period_of(at, settings.period, &zone))
                .or_default()
                .add(row)?,
            None => untimed_rows += 1,
        }
    }
    let count = |group: &Option<String>| {
        let group = group.as_deref()?;
        let found = settings.counts.iter().find(|(owner, _)| owner == group);
        found.map(|(_, count)| *count)
    };
    let line = |group: Option<String>, model: Option<String>, tally: Tally| {
        let units = units(metric, &tally, count(&group));
        UnitLine {
            per_unit: per_unit(&tally, units),
            group,
            model,
            tally,
            units,
        }
    };
    let by_group = groups
        .into_iter()
        .map(|((_, group), tally)| line(group, None, tally))
        .collect();
    let by_group_and_model = models
        .into_iter()
        .map(|((_, group, model), tally)| line(group, Some(model), tally))
        .collect();
    let by_period = periods
        .into_iter()
        .map(|(start, tally)| {
            let units = units(metric, &tally, None);
            PeriodLine {
                per_unit: per_unit(&tally, units),
                start,
                tally,
                units,
            }
        })
        .collect();
    Ok(UnitCost {
        metric,
        unit_name: settings.unit_name.clone(),
        period: settings.period,
        time_zone: settings
            .zone
            .map_or_else(|| "UTC".to_string(), |z| z.to_text()),
        by_group,
        by_group_and_model,
        by_period,
        untimed_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(requests: Option<u64>, successful: u64, tokens: u64, expected: &str) -> Tally {
        Tally {
            rows: 1,
            requests: requests.unwrap_or(0),
            uncounted_buckets: u64::from(requests.is_none()),
            successful,
            input_tokens: tokens,
            expected: expected.parse().unwrap(),
            ..Tally::default()
        }
    }

    #[test]
    fn units_and_unit_cost_by_metric() {
        let d = |t: &str| Some(t.parse::<Decimal>().unwrap());
        // (metric, tally, business units, units, per unit)
        let cases = [
            (
                UnitMetric::SuccessfulRequest,
                tally(Some(3), 2, 0, "0.01"),
                None,
                d("2"),
                d("0.005"),
            ),
            (
                UnitMetric::SuccessfulRequest,
                tally(Some(3), 0, 0, "0.01"),
                None,
                d("0"),
                None,
            ),
            (
                UnitMetric::SuccessfulRequest,
                tally(None, 2, 0, "0.01"),
                None,
                None,
                None,
            ),
            (
                UnitMetric::Tokens1k,
                tally(Some(1), 1, 3_300, "0.0105"),
                None,
                d("3.3"),
                d("0.0031818182"),
            ),
            (
                UnitMetric::Request,
                tally(Some(3), 1, 0, "0.01"),
                None,
                d("3"),
                d("0.0033333333"),
            ),
            (
                UnitMetric::BusinessUnit,
                tally(Some(3), 1, 0, "0.014"),
                Some(3),
                d("3"),
                d("0.0046666667"),
            ),
            (
                UnitMetric::BusinessUnit,
                tally(Some(3), 1, 0, "0.014"),
                None,
                None,
                None,
            ),
        ];
        for (metric, tally, count, want_units, want_per_unit) in cases {
            let got = units(metric, &tally, count);
            assert_eq!(
                (got, per_unit(&tally, got)),
                (want_units, want_per_unit),
                "{metric:?} {tally:?}"
            );
        }
        let half = tally(Some(1), 1, 0, "0.00000000005");
        assert_eq!(
            per_unit(&half, d("1")),
            d("0"),
            "half to even, at 10 places"
        );
    }
}
