//! Retries and failures (seeds 000, 001, 003): how many extra attempts each logical
//! request took, what those attempts met and what they cost; and what failed requests
//! cost under the outcome policy, as a range where the policy does not know whether a
//! failure is billed (low: only what it calls billable; high: the unknown ones too).
//!
//! An attempt is extra when its record says it is a retry (a retry attempt above 0, or
//! the outcome `retry`), or when an earlier row has the same request id (same-id
//! repeats: the earliest by time is the logical request). Usage buckets (a provider's
//! usage report) do not tell attempts apart: they are counted apart, never guessed.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::rows::PricedRow;
use super::tally::Tally;
use crate::decimal::serde_str;
use crate::error::Error;
use crate::ingest::FailureDetail;
use crate::policy::Outcome;

/// What an attempt met, in the classes the seeds name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeClass {
    Success,
    #[serde(rename = "4xx")]
    ClientError4xx,
    #[serde(rename = "429")]
    RateLimited429,
    #[serde(rename = "5xx")]
    ServerError5xx,
    Timeout,
    CancelledStream,
    NetworkFailure,
    /// Refused before the call was made.
    ValidationError,
    /// A failure (or a retry) whose record does not say what it met.
    Unspecified,
}

impl OutcomeClass {
    pub fn name(self) -> &'static str {
        match self {
            OutcomeClass::Success => "success",
            OutcomeClass::ClientError4xx => "4xx",
            OutcomeClass::RateLimited429 => "429",
            OutcomeClass::ServerError5xx => "5xx",
            OutcomeClass::Timeout => "timeout",
            OutcomeClass::CancelledStream => "cancelled_stream",
            OutcomeClass::NetworkFailure => "network_failure",
            OutcomeClass::ValidationError => "validation_error",
            OutcomeClass::Unspecified => "unspecified",
        }
    }
}

/// What a row met: a failure its record names, else what its HTTP status says (a retry
/// attempt's own status), else its outcome.
pub fn class_of(row: &PricedRow) -> OutcomeClass {
    match row.labels.failure {
        Some(FailureDetail::NetworkFailure) => return OutcomeClass::NetworkFailure,
        Some(FailureDetail::ValidationError) => return OutcomeClass::ValidationError,
        None => {}
    }
    let outcome = match row.labels.status {
        Some(status) if row.outcome == Outcome::RetryAttempt => status,
        _ => row.outcome,
    };
    match outcome {
        Outcome::Success => OutcomeClass::Success,
        Outcome::ClientError4xx => OutcomeClass::ClientError4xx,
        Outcome::RateLimited429 => OutcomeClass::RateLimited429,
        Outcome::ServerError5xx => OutcomeClass::ServerError5xx,
        Outcome::ClientTimeout => OutcomeClass::Timeout,
        Outcome::CancelledStream => OutcomeClass::CancelledStream,
        Outcome::RetryAttempt | Outcome::FailedUnspecified => OutcomeClass::Unspecified,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassLine {
    pub class: OutcomeClass,
    pub tally: Tally,
}

impl ClassLine {
    /// What these rows cost if billed, low to high: the policy's billable part, then
    /// with the rows it does not know about. None while no row is priced.
    pub fn range(&self) -> Option<(Decimal, Decimal)> {
        let low = self.tally.expected()?;
        Some((low, low.checked_add(self.tally.at_risk)?))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retries {
    /// Request rows read (every attempt with usage).
    pub attempts: u64,
    pub logical_requests: u64,
    pub extra_attempts: u64,
    /// attempts ÷ logical requests, rounded to 10 places half to even; None without
    /// a logical request.
    #[serde(with = "serde_str::option")]
    pub amplification: Option<Decimal>,
    /// The extra attempts by what they met.
    pub extra_by_class: Vec<ClassLine>,
    /// Every failed request (extra or not) by what it met.
    pub failures_by_class: Vec<ClassLine>,
    /// Usage buckets, which do not tell attempts apart: in no figure here.
    pub usage_buckets: u64,
}

/// Whether each row is an extra attempt, in row order.
pub(super) fn extra_attempts(rows: &[PricedRow]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    // The earliest row of an id is its logical request (untimed rows after timed ones).
    order.sort_by_key(|&i| (rows[i].at.is_none(), rows[i].at, i));
    let mut seen = HashSet::new();
    let mut extra = vec![false; rows.len()];
    for i in order {
        let row = &rows[i];
        let says_retry =
            row.labels.attempt.is_some_and(|a| a > 0) || row.outcome == Outcome::RetryAttempt;
        let repeat = row.request != 0 && !seen.insert(row.request);
        // A retry whose id was not seen before still stands for its logical request.
        extra[i] = repeat || (says_retry && row.request == 0);
    }
    extra
}

pub fn retries(rows: &[PricedRow]) -> Result<Retries, Error> {
    let requests: Vec<&PricedRow> = rows.iter().filter(|r| r.is_request()).collect();
    let owned: Vec<PricedRow> = requests.iter().map(|r| (*r).clone()).collect();
    let extra = extra_attempts(&owned);
    let mut extra_by: BTreeMap<OutcomeClass, Tally> = BTreeMap::new();
    let mut failures: BTreeMap<OutcomeClass, Tally> = BTreeMap::new();
    for (row, extra) in owned.iter().zip(&extra) {
        let class = class_of(row);
        if *extra {
            extra_by.entry(class).or_default().add(row)?;
        }
        if class != OutcomeClass::Success {
            failures.entry(class).or_default().add(row)?;
        }
    }
    let attempts = owned.len() as u64;
    let extra_attempts = extra.iter().filter(|e| **e).count() as u64;
    let logical_requests = attempts - extra_attempts;
    let amplification = (logical_requests > 0)
        .then(|| Decimal::from(attempts).checked_div(Decimal::from(logical_requests)))
        .flatten()
        .map(|a| a.round_dp_with_strategy(10, RoundingStrategy::MidpointNearestEven));
    let lines = |map: BTreeMap<OutcomeClass, Tally>| {
        map.into_iter()
            .map(|(class, tally)| ClassLine { class, tally })
            .collect()
    };
    Ok(Retries {
        attempts,
        logical_requests,
        extra_attempts,
        amplification,
        extra_by_class: lines(extra_by),
        failures_by_class: lines(failures),
        usage_buckets: (rows.len() - requests.len()) as u64,
    })
}
