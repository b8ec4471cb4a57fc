//! The baseline (seed 000, "measure request volume before changing traffic"): over the
//! reference period the reviewer marks in the loaded evidence, requests per minute
//! (mean, and the peak minute), outcomes by status class, timeouts, retries, and the
//! mean and p95 input and output tokens and charge per request — for every request, per
//! model, and per model and route.
//!
//! Requests are attempts as the log counts them (retries included; the retries are also
//! counted apart). Usage buckets do not say when within them each request came, so they
//! are in no figure here; nor are rows that state no time. An empty reference period
//! gives no baseline, with the reason, never zeros.

use super::clock::Shown;
use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::percentile::{self, p95};
use super::retry::{class_of, extra_attempts, OutcomeClass};
use super::rows::PricedRow;
use crate::decimal::serde_str;
use crate::error::Error;
use crate::ingest::{LabelField, StatedZone, Window};
use crate::sanitize;
use crate::settings::budget::{MatchField, ValidBudget};

/// Rates, means and percentages are ratios shown to a reader: rounded to this many
/// places, half to even.
pub const RATIO_PLACES: u32 = 10;

/// The route of a row that states none.
pub const NO_ROUTE: &str = "(no route)";

pub fn ratio(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    (!denominator.is_zero())
        .then(|| numerator.checked_div(denominator))
        .flatten()
        .map(|q| q.round_dp_with_strategy(RATIO_PLACES, RoundingStrategy::MidpointNearestEven))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCount {
    pub class: OutcomeClass,
    pub requests: u64,
    /// Percent of the line's requests.
    #[serde(with = "serde_str")]
    pub percent: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineLine {
    /// The rate card's label; None on the line for every model.
    pub model: Option<String>,
    /// The route as a mapping rule names it, else `#` and a hash, or [`NO_ROUTE`];
    /// None on a line for every route.
    pub route: Option<String>,
    pub requests: u64,
    #[serde(with = "serde_str::option")]
    pub per_minute_mean: Option<Decimal>,
    pub peak_minute_requests: u64,
    /// The peak minute's start in the finance time zone (the earliest of equal ones).
    pub peak_minute_start: String,
    pub by_outcome_class: Vec<ClassCount>,
    /// Percent of requests that did not succeed.
    #[serde(with = "serde_str")]
    pub error_rate_percent: Decimal,
    pub timeouts: u64,
    /// Extra attempts (retries) among the requests.
    pub retries: u64,
    #[serde(with = "serde_str")]
    pub input_tokens_mean: Decimal,
    pub input_tokens_p95: u64,
    #[serde(with = "serde_str")]
    pub output_tokens_mean: Decimal,
    pub output_tokens_p95: u64,
    /// The p95's rank among the requests (nearest rank).
    pub p95_rank: usize,
    /// Σ the requests' charges at the verified rates (billable, and those the outcome
    /// policy may bill); None while a request has no rate.
    #[serde(with = "serde_str::option")]
    pub charge: Option<Decimal>,
    #[serde(with = "serde_str::option")]
    pub charge_per_request_mean: Option<Decimal>,
    #[serde(with = "serde_str::option")]
    pub charge_per_request_p95: Option<Decimal>,
    /// Requests with no verified rate.
    pub unpriced: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub start: Timestamp,
    pub end: Timestamp,
    pub time_zone: String,
    /// The period's length in seconds.
    pub seconds: i64,
    pub all: BaselineLine,
    pub by_model: Vec<BaselineLine>,
    pub by_model_and_route: Vec<BaselineLine>,
    /// How the p95 was found (nearest rank; the maximum under 20 values).
    pub p95_method: String,
    pub usage_buckets_not_counted: u64,
    pub untimed_rows: u64,
}

/// None while no reference period is marked; else the baseline, or why there is none.
pub type BaselineAnswer = Option<Result<Baseline, String>>;

fn route_names(budget: &ValidBudget) -> BTreeMap<u64, String> {
    let route = MatchField::Label(LabelField::Route);
    let mut named = BTreeMap::new();
    for rule in budget.rules.iter().filter(|r| r.field == route) {
        named
            .entry(rule.hash)
            .or_insert_with(|| sanitize::label_text(&rule.value));
    }
    named
}

fn zone_of(budget: &ValidBudget) -> (jiff::tz::TimeZone, String) {
    let zone = budget.unit.zone;
    (
        zone.map_or(jiff::tz::TimeZone::UTC, StatedZone::time_zone),
        zone.map_or_else(|| "UTC".to_string(), StatedZone::to_text),
    )
}

fn line(
    model: Option<String>,
    route: Option<String>,
    rows: &[(&PricedRow, bool)],
    seconds: i64,
    zone: &jiff::tz::TimeZone,
) -> Result<BaselineLine, Error> {
    let overflow = || Error::overflow("a baseline figure");
    let n = rows.len() as u64;
    let requests = Decimal::from(n);
    let mut minutes: BTreeMap<i64, u64> = BTreeMap::new();
    let mut classes: BTreeMap<OutcomeClass, u64> = BTreeMap::new();
    let (mut input, mut output, mut charge) = (0u64, 0u64, Some(Decimal::ZERO));
    let mut charges = Vec::new();
    for (row, _) in rows {
        // Only timed rows are in a period.
        if let Some(at) = row.at {
            *minutes.entry(at.as_second().div_euclid(60)).or_default() += 1;
        }
        *classes.entry(class_of(row)).or_default() += 1;
        input = input.checked_add(row.input_tokens).ok_or_else(overflow)?;
        output = output.checked_add(row.output_tokens).ok_or_else(overflow)?;
        charge = match (charge, row.amount) {
            (Some(sum), Some(amount)) => Some(sum.checked_add(amount).ok_or_else(overflow)?),
            _ => None,
        };
        charges.extend(row.amount);
    }
    // The most requests in one minute; the earliest such minute.
    let (peak_minute, peak) =
        minutes.iter().fold(
            (0, 0),
            |best, (m, c)| if *c > best.1 { (*m, *c) } else { best },
        );
    let peak_start = Timestamp::from_second(peak_minute.saturating_mul(60))
        .map(|t| super::clock::local(&t.to_zoned(zone.clone()), Shown::Minute))
        .unwrap_or_default();
    let percent = |count: u64| ratio(Decimal::from(count) * Decimal::ONE_HUNDRED, requests);
    let success = classes.get(&OutcomeClass::Success).copied().unwrap_or(0);
    let inputs: Vec<u64> = rows.iter().map(|(r, _)| r.input_tokens).collect();
    let outputs: Vec<u64> = rows.iter().map(|(r, _)| r.output_tokens).collect();
    let unpriced = n - charges.len() as u64;
    let priced = |value: Option<Decimal>| value.filter(|_| unpriced == 0);
    Ok(BaselineLine {
        model,
        route,
        requests: n,
        per_minute_mean: ratio(requests * Decimal::from(60), Decimal::from(seconds)),
        peak_minute_requests: peak,
        peak_minute_start: peak_start,
        by_outcome_class: classes
            .iter()
            .map(|(class, count)| ClassCount {
                class: *class,
                requests: *count,
                percent: percent(*count).unwrap_or_default(),
            })
            .collect(),
        error_rate_percent: percent(n - success).unwrap_or_default(),
        timeouts: classes.get(&OutcomeClass::Timeout).copied().unwrap_or(0),
        retries: rows.iter().filter(|(_, extra)| *extra).count() as u64,
        input_tokens_mean: ratio(Decimal::from(input), requests).unwrap_or_default(),
        input_tokens_p95: p95(&inputs).map_or(0, |r| r.value),
        output_tokens_mean: ratio(Decimal::from(output), requests).unwrap_or_default(),
        output_tokens_p95: p95(&outputs).map_or(0, |r| r.value),
        p95_rank: percentile::p95_rank(rows.len()),
        charge: priced(charge),
        charge_per_request_mean: priced(charge).and_then(|c| ratio(c, requests)),
        charge_per_request_p95: priced(p95(&charges).map(|r| r.value)),
        unpriced,
    })
}

/// The baseline over `period`, from the stream's priced rows.
pub fn baseline(
    budget: &ValidBudget,
    period: Window,
    rows: &[PricedRow],
) -> Result<Result<Baseline, String>, Error> {
    let (zone, zone_name) = zone_of(budget);
    let requests: Vec<PricedRow> = rows.iter().filter(|r| r.is_request()).cloned().collect();
    let untimed_rows = requests.iter().filter(|r| r.at.is_none()).count() as u64;
    let usage_buckets_not_counted = (rows.len() - requests.len()) as u64;
    let inside: Vec<PricedRow> = requests
        .into_iter()
        .filter(|r| r.at.is_some_and(|at| period.contains(at)))
        .collect();
    let shown = |t: Timestamp| super::clock::local(&t.to_zoned(zone.clone()), Shown::Second);
    if inside.is_empty() {
        let bucket_note = match usage_buckets_not_counted {
            0 => String::new(),
            n => format!(" ({n} usage buckets are not requests and are not counted)"),
        };
        return Ok(Err(format!(
            "expected requests between {} and {} to measure a baseline from, but found none{bucket_note}",
            shown(period.start),
            shown(period.end)
        )));
    }
    let extra = extra_attempts(&inside);
    let pairs: Vec<(&PricedRow, bool)> = inside.iter().zip(extra).collect();
    let seconds = period.end.as_second() - period.start.as_second();
    let names = route_names(budget);
    let route_of = |row: &PricedRow| match row.labels.field(LabelField::Route) {
        0 => NO_ROUTE.to_string(),
        hash => names
            .get(&hash)
            .cloned()
            .unwrap_or_else(|| format!("#{:08x}", hash >> 32)),
    };
    let mut by_model: BTreeMap<String, Vec<(&PricedRow, bool)>> = BTreeMap::new();
    let mut by_route: BTreeMap<(String, String), Vec<(&PricedRow, bool)>> = BTreeMap::new();
    for pair in &pairs {
        let model = sanitize::label(&pair.0.model);
        by_route
            .entry((model.clone(), route_of(pair.0)))
            .or_default()
            .push(*pair);
        by_model.entry(model).or_default().push(*pair);
    }
    let mut models = Vec::new();
    for (model, rows) in by_model {
        models.push(line(Some(model), None, &rows, seconds, &zone)?);
    }
    let mut routes = Vec::new();
    for ((model, route), rows) in by_route {
        routes.push(line(Some(model), Some(route), &rows, seconds, &zone)?);
    }
    Ok(Ok(Baseline {
        start: period.start,
        end: period.end,
        time_zone: zone_name,
        seconds,
        all: line(None, None, &pairs, seconds, &zone)?,
        by_model: models,
        by_model_and_route: routes,
        p95_method: percentile::method(pairs.len()),
        usage_buckets_not_counted,
        untimed_rows,
    }))
}
