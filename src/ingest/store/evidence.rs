//! What a file of a stream other than the gateway log adds beside its rows: the charges
//! summed per bucket, the requests whose usage is unknown, the outcomes of client
//! requests, and the hashed ids and tags that match rows across files.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::facts::Place;
use crate::decimal::serde_str;
use crate::policy::Outcome;

/// Money charged in one bucket for one item, summed over the file's records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeTotal {
    pub start: Timestamp,
    pub end: Timestamp,
    pub item: String,
    pub currency: String,
    #[serde(with = "serde_str")]
    pub amount: Decimal,
    /// The bucket reaches outside the incident window: it cannot be split, so its amount
    /// is kept apart (a time-window mismatch), never silently counted in or out.
    pub straddles: bool,
}

/// What a file of another stream adds to its ledger and rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Accepted requests whose usage the log does not give, per model: unknown, not zero.
    pub usage_unknown: BTreeMap<String, u64>,
    /// Σ the cost the client side computed itself (LiteLLM `spend`, an event's estimate).
    #[serde(default, with = "serde_str::option")]
    pub reported_cost: Option<Decimal>,
    pub charges: Vec<ChargeTotal>,
    /// Usage buckets accepted although they reach outside the window.
    pub straddling_buckets: u64,
    /// The header of a CSV export we do not know and no saved mapping fits: the page
    /// offers to map its columns.
    #[serde(default)]
    pub unmapped_header: Vec<String>,
    /// Client requests inside the window by what happened to them (accepted or excluded
    /// by the outcome policy): how many were retries, timeouts, 429s...
    #[serde(default)]
    pub outcomes: BTreeMap<crate::policy::Outcome, u64>,
    /// What the rows say about the incident beyond their usage (rows in the window
    /// buffer...): counts and places, never text.
    #[serde(default)]
    pub facts: super::facts::Facts,
    /// The request ids of accepted rows, hashed (`id_hash`), for joining streams. They
    /// stay where the figures are computed (the worker, the CLI): never on the wire.
    #[serde(skip)]
    pub request_ids: Vec<u64>,
    /// Per row in `rows` (accepted gateway log rows, client requests of known usage), in
    /// row order, the part of its identity the compact rows do not keep
    /// ([`super::overlap::row_tag`], [`super::overlap::request_tag`]), so rows that
    /// overlapping files share count once. Kept where the figures are computed.
    /// Shared: the worker's kept report and the copies the figures are computed from
    /// hold one list (4 bytes a row), copied only by a file whose rows another holds too.
    #[serde(skip)]
    pub row_tags: std::sync::Arc<Vec<u32>>,
    /// Every in-window client request with a request id and a time, in reading order, and
    /// what it added to the counts above: a request another file holds too takes back
    /// exactly that ([`Evidence::take_back`], [`super::overlap`]). Kept where the figures
    /// are computed.
    #[serde(skip)]
    pub counted: Vec<CountedRequest>,
    /// Per row in `rows`, in row order: the hashed labels and request id a budget review
    /// allocates it by ([`super::labels`]). Kept where the figures are computed.
    /// Shared as `row_tags` is.
    #[serde(skip)]
    pub labels: std::sync::Arc<super::labels::RowLabels>,
}

/// A client request as [`super::overlap`] matches it across files, and what it added
/// to its file's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountedRequest {
    pub place: Place,
    pub outcome: Outcome,
    /// Its row in `rows` (billed, usage known); None: no row, matched by `key`
    /// ([`super::overlap::unknown_key`]).
    pub stored: Option<u64>,
    pub key: u64,
    /// Accepted without a row: a request of unknown usage of `model` (else excluded by
    /// the outcome policy, or it has a row).
    pub usage_unknown: Option<String>,
    pub logged_at_start: bool,
    pub straddles_end: bool,
    pub reported_cost: Option<Decimal>,
}

/// A request id as a 64-bit FNV-1a hash: a million ids collide with a chance of about
/// one in thirty million, and the ids themselves are never kept.
pub fn id_hash(id: &str) -> u64 {
    id.trim().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Evidence {
    /// Room for the rest of the file's per-row and per-request lists ([`super::room`]).
    pub fn reserve(&mut self, expected: super::room::Expected) {
        expected.reserve(&mut self.request_ids);
        expected.reserve(&mut self.counted);
        self.facts.reserve(expected);
    }

    pub fn unknown_total(&self) -> u64 {
        self.usage_unknown.values().sum()
    }

    /// Takes back every count `request` added when it was read (its row, its request id
    /// in the facts and its ledger bucket are the caller's): the one place a request
    /// another file holds too is uncounted, so no reader sees it twice.
    pub fn take_back(&mut self, request: &CountedRequest) {
        if let Some(count) = self.outcomes.get_mut(&request.outcome) {
            *count = count.saturating_sub(1);
        }
        self.outcomes.retain(|_, count| *count > 0);
        let facts = &mut self.facts;
        facts.attempts.forget(request.outcome);
        if request.logged_at_start {
            facts.logged_at_start.forget(request.place);
        }
        if request.straddles_end {
            facts.straddle_end.forget(request.place);
        }
        if let (Some(sum), Some(cost)) = (self.reported_cost, request.reported_cost) {
            self.reported_cost = Some(sum.saturating_sub(cost));
        }
        if let Some(model) = &request.usage_unknown {
            if let Some(count) = self.usage_unknown.get_mut(model) {
                *count = count.saturating_sub(1);
            }
            self.usage_unknown.retain(|_, count| *count > 0);
        }
    }
}

/// Charges as they are read, summed by bucket, item, currency and straddling.
pub type ChargeSums = BTreeMap<(Timestamp, Timestamp, String, String, bool), Decimal>;

pub fn finish_charges(sums: ChargeSums) -> Vec<ChargeTotal> {
    sums.into_iter()
        .map(
            |((start, end, item, currency, straddles), amount)| ChargeTotal {
                start,
                end,
                item,
                currency,
                amount,
                straddles,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts as reading `requests` leaves them (what `filing` notes for each).
    fn read(requests: &[CountedRequest]) -> Evidence {
        let mut out = Evidence::default();
        for r in requests {
            *out.outcomes.entry(r.outcome).or_default() += 1;
            out.facts.attempts.note(r.outcome);
            if r.logged_at_start {
                out.facts.logged_at_start.note(r.place);
            }
            if r.straddles_end {
                out.facts.straddle_end.note(r.place);
            }
            if let Some(cost) = r.reported_cost {
                out.reported_cost = Some(out.reported_cost.unwrap_or_default() + cost);
            }
            if let Some(model) = &r.usage_unknown {
                *out.usage_unknown.entry(model.clone()).or_default() += 1;
            }
        }
        out
    }

    /// Taking a request back leaves the counts of a file that never held it (the cost
    /// sum stays, at zero, as a file whose costs were all elsewhere).
    #[test]
    fn taking_a_request_back_leaves_what_the_others_add() {
        let request =
            |row: u64, outcome: Outcome, unknown: bool, cost: Option<&str>| CountedRequest {
                place: Place {
                    line: Some(row + 1),
                    row,
                },
                outcome,
                stored: (!unknown).then_some(row),
                key: row,
                usage_unknown: unknown.then(|| "gpt-4o".to_string()),
                logged_at_start: outcome == Outcome::Success,
                straddles_end: row.is_multiple_of(2),
                reported_cost: cost.map(|c| Decimal::from_str_exact(c).unwrap()),
            };
        let all = [
            request(1, Outcome::Success, false, Some("0.015")),
            request(2, Outcome::RetryAttempt, false, Some("0.01")),
            request(3, Outcome::ClientTimeout, true, None),
            request(4, Outcome::Success, true, None),
        ];
        for taken in 0..all.len() {
            let mut evidence = read(&all);
            evidence.take_back(&all[taken]);
            let rest: Vec<CountedRequest> = (all.iter().enumerate())
                .filter(|(i, _)| *i != taken)
                .map(|(_, r)| r.clone())
                .collect();
            assert_eq!(evidence, read(&rest), "taking back {taken}");
        }
    }
}
