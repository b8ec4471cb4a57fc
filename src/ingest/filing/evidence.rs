//! The evidence streams other than the gateway log, kept apart as the seed asks: client
//! request logs, provider usage reports, billing exports and account totals. Each record
//! is filed in the ledger: client requests and usage buckets become rows priced like
//! gateway rows; charges are summed per bucket.

use jiff::Timestamp;

use super::{Filing, UntimedRequests};
use crate::ingest::formats::client;
use crate::ingest::formats::record_fields::{FieldError, Fields};
use crate::ingest::formats::reports::{self, Charge};
use crate::ingest::formats::row::{Counts, Parts, RowKind, TokenSemantic, UNTIMED};
use crate::ingest::formats::{Format, Stream};
use crate::ingest::store::evidence::{id_hash, CountedRequest};
use crate::ingest::store::facts::{Place, Request};
use crate::ingest::store::ledger::ExclusionRule;
use crate::ingest::store::overlap;
use crate::policy::{Billability, Outcome};

/// Added to the sentence that rejects a client request stating no time.
const UNTIMED_HINT: &str = "to count requests without a time (the incident window cannot be applied to them), set \"Requests without a time\" to count (untimed_requests: \"count\")";

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

    /// Files one record of a non-gateway export.
    pub(super) fn evidence_record(
        &mut self,
        format: Format,
        line: Option<u64>,
        number: u64,
        fields: &Fields,
    ) {
        self.place = Place { line, row: number };
        self.record_labels = super::labels::of_record(fields);
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
        if let Err((column, message)) = result {
            self.reject_value(line, number, &column, message);
        }
    }

    fn known_record(&mut self, format: Format, fields: &Fields) -> Result<(), FieldError> {
        match format.stream() {
            Stream::ClientRequests => client::parse(format, fields)
                .and_then(|r| self.client(r, || client::no_time(format))),
            Stream::ProviderUsage => reports::usage(format, fields).map(|b| self.bucket(b)),
            _ => reports::charge(format, fields).and_then(|c| self.charge(c)),
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
        let facts = &mut self.evidence.facts;
        let mut straddles_end = false;
        if let (Some(w), Some(at), Some(end)) = (self.rules.window, row.at, row.end) {
            if at < w.start && end > w.start {
                facts.straddle_start.note(self.place);
            } else if w.contains(at) && end > w.end {
                facts.straddle_end.note(self.place);
                straddles_end = true;
            }
        }
        match row.at {
            Some(at) if self.rules.window.is_some_and(|w| !w.contains(at)) => {
                let side = self
                    .rules
                    .window
                    .and_then(|w| w.buffer_side(at, self.rules.buffer_minutes));
                if let Some(side) = side {
                    facts.note_buffer(side, self.place);
                }
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
        let facts = &mut self.evidence.facts;
        facts.attempts.note(row.outcome);
        if let Some(at) = row.at {
            facts.note_time(at);
        }
        let logged_at_start =
            row.ends_logged && row.end.is_none() && row.outcome == Outcome::Success;
        if logged_at_start {
            facts.logged_at_start.note(self.place);
        }
        // Every request in the window, billed or not: a replay or a missing id shows
        // whatever the policy makes of it. Only a billed one of known usage has a row.
        let billed = self.rules.policy.of(row.outcome) != Billability::NotBillable;
        if let Some(id) = &row.request_id {
            facts.requests.push(Request {
                id: id_hash(id),
                place: self.place,
                stored: (billed && row.counts.is_some()).then_some(self.rows.len() as u64),
                outcome: Some(row.outcome),
            });
        }
        // What the request adds to the counts, so a copy in another file takes it back.
        let matched_by = row.at.and(row.request_id.as_deref());
        let tag = overlap::request_tag(matched_by);
        let key = row
            .at
            .and_then(|at| overlap::unknown_key(tag, at, &row.model, row.outcome));
        let mut counted = key.map(|key| CountedRequest {
            place: self.place,
            outcome: row.outcome,
            stored: None,
            key,
            usage_unknown: None,
            logged_at_start,
            straddles_end,
            reported_cost: None,
        });
        if !billed {
            self.ledger.exclude(ExclusionRule::NonBillableOutcome);
            self.evidence.counted.extend(counted);
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
        if let Some(counted) = &mut counted {
            counted.reported_cost = row.reported_cost;
            counted.stored = row.counts.is_some().then_some(self.rows.len() as u64);
            counted.usage_unknown = row.counts.is_none().then(|| row.model.clone());
        }
        self.evidence.counted.extend(counted);
        match (row.counts, row.at) {
            (Some(counts), at) => {
                self.row_tags.push(tag);
                let at = at.unwrap_or(UNTIMED);
                self.push_usage(at, &row.model, row.outcome, counts, row.semantic, Some(1))
            }
            (None, _) => *self.evidence.usage_unknown.entry(row.model).or_default() += 1,
        }
        Ok(())
    }

    fn bucket(&mut self, bucket: Option<reports::UsageBucket>) {
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
        semantic: TokenSemantic,
        requests: Option<u64>,
    ) {
        let (labels, request) = self.record_labels;
        self.labels.push(labels, request);
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
            token_name: None,
            group: None,
            stream: None,
        });
    }
}
