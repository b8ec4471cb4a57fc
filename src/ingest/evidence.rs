//! The evidence streams other than the gateway log, kept apart as the seed asks: client
//! request logs, provider usage reports, billing exports and account totals. This module
//! reads their JSON (lines stream row by row; report pages and arrays are read whole,
//! up to [`LARGEST_DOCUMENT`], see `evidence_json.rs`) and files each record in the ledger: client requests and
//! usage buckets become rows priced like gateway rows; charges are summed per bucket.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::billing::{self, Charge};
use super::client;
use super::fields::{FieldError, Fields};
use super::ledger::{self, ExclusionRule};
use super::newapi::{Counts, Parts, RowKind, UNTIMED};
use super::{Filing, Format, UntimedRequests};
use crate::decimal::serde_str;
use crate::policy::Billability;
use crate::policy::Outcome;

/// Added to the sentence that rejects a client request stating no time.
const UNTIMED_HINT: &str = "to count requests without a time (the incident window cannot be applied to them), set \"Requests without a time\" to count (untimed_requests: \"count\")";

/// A JSON report read whole larger than this is refused with a sentence (reports are
/// small; a client log this large should come as JSON lines or CSV, which stream).
pub const LARGEST_DOCUMENT: usize = 16 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// CometAPI / new-api logs: per request, priced in quota by the gateway.
    GatewayLog,
    /// What the caller saw per request.
    ClientRequests,
    /// Token usage the provider counted, per time bucket.
    ProviderUsage,
    /// Money the provider charged, per time bucket.
    Billing,
    /// Account-side daily totals (CometAPI's balance query).
    AccountTotals,
}

impl Stream {
    pub fn describe(self) -> &'static str {
        match self {
            Stream::GatewayLog => "gateway usage log",
            Stream::ClientRequests => "client request log",
            Stream::ProviderUsage => "provider usage report",
            Stream::Billing => "billing export",
            Stream::AccountTotals => "account totals",
        }
    }

    /// Streams whose rows are token usage, priced with the rate card.
    pub fn is_usage(self) -> bool {
        matches!(
            self,
            Stream::GatewayLog | Stream::ClientRequests | Stream::ProviderUsage
        )
    }
}

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
    /// The request ids of accepted rows, hashed ([`id_hash`]), for joining streams. They
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

/// Where a bucket lies against the window.
enum Placement {
    Inside,
    Outside,
    Straddles,
}

impl Filing {
    fn place(&self, start: Timestamp, end: Timestamp) -> Placement {
        match self.rules.window {
            None => Placement::Inside,
            // A point in time (a mapped row without an end): inside or out.
            Some(w) if start == end => match w.contains(start) {
                true => Placement::Inside,
                false => Placement::Outside,
            },
            Some(w) if end <= w.start || start >= w.end => Placement::Outside,
            Some(w) if start >= w.start && end <= w.end => Placement::Inside,
            Some(_) => Placement::Straddles,
        }
    }

    pub(super) fn reject_field(
        &mut self,
        line: Option<u64>,
        number: u64,
        (column, message): FieldError,
    ) {
        if self.ledger.rejections.len() < ledger::KEPT_REJECTIONS {
            let mut position = self.position(line, number, &column);
            if column.is_empty() {
                position.column = None;
            }
            return self.ledger.reject(position, message);
        }
        self.ledger.count_rejection(&column);
    }

    /// Files one record of a non-gateway export.
    pub(super) fn evidence_record(
        &mut self,
        format: Format,
        line: Option<u64>,
        number: u64,
        fields: &Fields,
    ) {
        let mapping = self.mapping.take();
        let result = match (format, &mapping) {
            (Format::MappedRequests, Some(m)) => m
                .request(fields)
                .and_then(|r| self.client(r, || m.no_time())),
            (Format::MappedCharges, Some(m)) => {
                let currency = self
                    .rules
                    .currency
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                m.charge(fields, &currency)
                    .and_then(|c| self.charge(Some(c)))
            }
            _ => self.known_record(format, fields),
        };
        self.mapping = mapping;
        if let Err(problem) = result {
            self.reject_field(line, number, problem);
        }
    }

    fn known_record(&mut self, format: Format, fields: &Fields) -> Result<(), FieldError> {
        match format.stream() {
            Stream::ClientRequests => client::parse(format, fields)
                .and_then(|r| self.client(r, || client::no_time(format))),
            Stream::ProviderUsage => billing::usage(format, fields).map(|b| self.bucket(b)),
            _ => billing::charge(format, fields).and_then(|c| self.charge(c)),
        }
    }

    /// Files one client request. One that states no time is rejected with `no_time`'s
    /// sentence, or counted without the window when the reviewer chose so; it is then
    /// never matched with another file's requests (its identity lacks the time).
    fn client(
        &mut self,
        row: client::ClientRow,
        no_time: impl FnOnce() -> FieldError,
    ) -> Result<(), FieldError> {
        match row.at {
            Some(at) if self.rules.window.is_some_and(|w| !w.contains(at)) => {
                self.ledger.exclude(ExclusionRule::OutsideWindow);
                return Ok(());
            }
            None if self.rules.untimed == UntimedRequests::Reject => {
                let (column, message) = no_time();
                return Err((column, format!("{message}; {UNTIMED_HINT}")));
            }
            _ => {}
        }
        *self.evidence.outcomes.entry(row.outcome).or_default() += 1;
        if self.rules.policy.of(row.outcome) == Billability::NotBillable {
            self.ledger.exclude(ExclusionRule::NonBillableOutcome);
            return Ok(());
        }
        match row.at {
            Some(_) => self.ledger.accept(),
            None => self.ledger.accept_without_time(),
        }
        if let Some(id) = &row.request_id {
            self.evidence.request_ids.push(id_hash(id));
        }
        if let Some(cost) = row.reported_cost {
            let sum = self.evidence.reported_cost.unwrap_or_default();
            self.evidence.reported_cost = Some(sum.saturating_add(cost));
        }
        let matched_by = row.at.and(row.request_id.as_deref());
        let tag = super::overlap::request_tag(matched_by);
        match (row.counts, row.at) {
            (Some(counts), at) => {
                self.evidence.row_tags.push(tag);
                let at = at.unwrap_or(UNTIMED);
                self.push_usage(at, &row.model, row.outcome, counts, row.semantic, Some(1))
            }
            (None, at) => {
                let key =
                    at.and_then(|at| super::overlap::unknown_key(tag, at, &row.model, row.outcome));
                if let Some(key) = key {
                    self.evidence.unknown_requests.push(UnknownRequest {
                        key,
                        model: row.model.clone(),
                        outcome: row.outcome,
                    });
                }
                *self.evidence.usage_unknown.entry(row.model).or_default() += 1
            }
        }
        Ok(())
    }

    fn bucket(&mut self, bucket: Option<billing::UsageBucket>) {
        let Some(bucket) = bucket else {
            return self.ledger.exclude(ExclusionRule::NotUsage);
        };
        match self.place(bucket.start, bucket.end) {
            Placement::Outside => return self.ledger.exclude(ExclusionRule::OutsideWindow),
            Placement::Straddles => self.evidence.straddling_buckets += 1,
            Placement::Inside => {}
        }
        self.ledger.accept();
        let model = bucket.model.clone();
        self.push_usage(
            bucket.start,
            &model,
            Outcome::Success,
            bucket.counts,
            bucket.semantic,
            bucket.requests,
        );
    }

    fn charge(&mut self, charge: Option<Charge>) -> Result<(), FieldError> {
        let Some(charge) = charge else {
            self.ledger.exclude(ExclusionRule::NotUsage);
            return Ok(());
        };
        if let Some(expected) = self.rules.currency {
            if !expected.eq_ignore_ascii_case(&charge.currency) {
                return Err((
                    "currency".into(),
                    format!(
                        "expected amounts in the billing currency {expected}, but found {}",
                        charge.currency
                    ),
                ));
            }
        }
        let straddles = match self.place(charge.start, charge.end) {
            Placement::Outside => {
                self.ledger.exclude(ExclusionRule::OutsideWindow);
                return Ok(());
            }
            Placement::Straddles => true,
            Placement::Inside => false,
        };
        self.ledger.accept();
        let key = (
            charge.start,
            charge.end,
            charge.item,
            charge.currency,
            straddles,
        );
        let sum = self.charges.entry(key).or_default();
        *sum = sum.checked_add(charge.amount).ok_or_else(|| {
            (
                "amount".to_string(),
                "expected amounts whose sum fits, but found them too large".to_string(),
            )
        })?;
        Ok(())
    }

    fn push_usage(
        &mut self,
        at: Timestamp,
        model: &str,
        outcome: Outcome,
        counts: Counts,
        semantic: super::newapi::TokenSemantic,
        requests: Option<u64>,
    ) {
        self.rows.push_parts(&Parts {
            at,
            kind: RowKind::Consume,
            outcome,
            model,
            quota: 0,
            counts,
            requests,
            semantic,
            ratios: None,
            request_id: None,
            id: None,
        });
    }
}
