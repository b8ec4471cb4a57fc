//! What a file of a stream other than the gateway log adds beside its rows: the charges
//! summed per bucket, the requests whose usage is unknown, the outcomes of client
//! requests, and the hashed ids and tags that match rows across files.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

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
    #[serde(skip)]
    pub row_tags: Vec<u32>,
    /// Accepted client requests with a request id whose usage the log does not give: they
    /// have no row, so they are matched across files by these ([`super::overlap`]).
    #[serde(skip)]
    pub unknown_requests: Vec<UnknownRequest>,
    /// Per row in `rows`, in row order: the hashed labels and request id a budget review
    /// allocates it by ([`super::labels`]). Kept where the figures are computed.
    #[serde(skip)]
    pub labels: super::labels::RowLabels,
}

/// A client request of unknown usage, as [`super::overlap`] matches it across files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRequest {
    pub key: u64,
    pub model: String,
    pub outcome: Outcome,
}

/// A request id as a 64-bit FNV-1a hash: a million ids collide with a chance of about
/// one in thirty million, and the ids themselves are never kept.
pub fn id_hash(id: &str) -> u64 {
    id.trim().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Evidence {
    pub fn unknown_total(&self) -> u64 {
        self.usage_unknown.values().sum()
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
