//! The usage-capture family with what the client saw as the expected side: the client
//! request log's requests joined to the gateway log's charges by request id (hashed as
//! the files are read; never kept as text).
//!
//! The variance is then (gateway recorded − client expected). A gateway row one of the
//! causes below takes goes to it *wholly* (its charge, less what the client expected
//! for the request it pairs with); the gateway rows left (`rest`) are priced again on
//! their own and keep the row causes the other families file (ratio, rounding, a field
//! reading, refunds, unknown outcomes…), so no part of a row counts twice. Precedence:
//!
//! 1. a request id's client attempts pair with its gateway charges (consume rows with
//!    quota) in reading order, the client's successful attempts first;
//! 2. a charge beyond the client's attempts for that id: *retry duplication* (its
//!    charge);
//! 3. a charge paired with a client timeout: *timeout ambiguity*; with a cancelled
//!    stream: *cancelled stream charged* (charge − the client's expected for it);
//! 4. a charge whose id the client log lacks: *gateway charge without a client request*
//!    (its charge);
//! 5. a client request whose id the gateway has no row for: *posting delay* (class
//!    time-window mismatch) when a consume row of that id is stamped after the window's
//!    end within the buffer, else *request the provider never saw*; either way
//!    −(the client's expected for it);
//! 6. every other pair (and a client attempt beyond the charges of an id the gateway
//!    saw) is a request both sides have: its (charge − expected) is the gateway row's
//!    own causes plus what the two logs' usage differs by, which stays in the residual.
//!
//! Rows the join cannot tie (no request id, on either side) stay in the rest and are
//! counted. A join that ties no request at all (the client log holds the provider's
//! response ids, the gateway its own) proposes no step: every figure would be a
//! mismatch of ids, not of usage.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{count, models, step, BridgeStep, Cause, VarianceClass};
use crate::error::Error;
use crate::ingest::{overlap, FileReport, RowKind, Stream};
use crate::policy::Outcome;
use crate::price::{self, quota::quota_to_usd, Pricing};
use crate::settings::ValidSettings;

/// One cause's amount, the requests or rows behind it and their models.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gap {
    pub amount: Decimal,
    pub count: u64,
    pub models: BTreeSet<String>,
}

impl Gap {
    /// One more request or row; `model` None when its usage (and so its model) is not
    /// known.
    fn note(&mut self, amount: Decimal, model: Option<&str>) -> Result<(), Error> {
        self.amount = (self.amount.checked_add(amount)).ok_or_else(overflow)?;
        self.count += 1;
        if let Some(model) = model.filter(|m| !self.models.contains(*m)) {
            self.models.insert(model.to_string());
        }
        Ok(())
    }
}

/// How the join tied the two logs: the client requests paired with a gateway charge, and
/// the rows with no request id on each side (never matched).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinCounts {
    pub tied_requests: u64,
    pub untied_client_requests: u64,
    pub untied_gateway_rows: u64,
}

impl ClientJoin {
    pub fn counts(&self) -> JoinCounts {
        JoinCounts {
            tied_requests: self.tied,
            untied_client_requests: self.untied_client,
            untied_gateway_rows: self.untied_gateway,
        }
    }
}

/// What the join found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientJoin {
    /// The gateway rows no cause here takes, priced on their own: the other families
    /// explain their (recorded − expected).
    pub rest: Pricing,
    pub retries: Gap,
    pub timeouts: Gap,
    pub cancelled: Gap,
    pub unrequested: Gap,
    pub unseen: Gap,
    pub posted_late: Gap,
    /// Requests both logs have (pairs), and the rows with no request id on each side.
    pub tied: u64,
    pub untied_client: u64,
    pub untied_gateway: u64,
}

fn overflow() -> Error {
    Error::overflow("the usage-capture gaps")
}

/// A client attempt: its outcome, what the card expects for it (0 when the policy does
/// not bill it or its usage is unknown) and its model.
struct Attempt {
    outcome: Outcome,
    expected: Decimal,
    model: Option<String>,
}

/// A gateway charge: where its row is (file, stored index), its charge and its model.
struct Charge {
    at: (usize, u64),
    recorded: Decimal,
    model: String,
}

fn files(files: &[FileReport], stream: Stream) -> impl Iterator<Item = (usize, &FileReport)> {
    (files.iter().enumerate()).filter(move |(_, f)| f.gives_evidence() && f.stream() == stream)
}

/// The client's attempts by id hash, in reading order, and how many have no id.
fn attempts(
    all: &[FileReport],
    settings: &ValidSettings,
) -> Result<(BTreeMap<u64, Vec<Attempt>>, u64), Error> {
    let (mut out, mut untied) = (BTreeMap::<u64, Vec<Attempt>>::new(), 0u64);
    // In the order of their periods: an id's attempts in the order sent.
    let client = overlap::in_period_order(files(all, Stream::ClientRequests).map(|(_, f)| f));
    for f in client {
        let facts = &f.evidence.facts;
        let wanted: HashSet<u64> = facts.requests.iter().filter_map(|r| r.stored).collect();
        let mut priced = BTreeMap::new();
        for (i, row) in f.rows.iter().enumerate() {
            if wanted.contains(&(i as u64)) {
                let charge = price::row_charge(&row, settings)?;
                priced.insert(i as u64, (charge.expected, Some(row.model.clone())));
            }
        }
        let a = facts.attempts;
        let all = a.succeeded + a.failed + a.retried;
        untied += all.saturating_sub(facts.requests.len() as u64);
        for r in &facts.requests {
            let (expected, model) =
                (r.stored.and_then(|s| priced.get(&s).cloned())).unwrap_or((Decimal::ZERO, None));
            let outcome = r.outcome.unwrap_or(Outcome::Success);
            let attempt = Attempt {
                outcome,
                expected,
                model,
            };
            out.entry(r.id).or_default().push(attempt);
        }
    }
    // Successful attempts pair first (a timeout retried under the same id and charged
    // once is the success's charge).
    for list in out.values_mut() {
        list.sort_by_key(|a| a.outcome != Outcome::Success);
    }
    Ok((out, untied))
}

/// The gateway's charges by id hash in reading order, every id it has a row for, the
/// ids posted after the window's end, and how many consume rows have no id.
type Charges = (BTreeMap<u64, Vec<Charge>>, HashSet<u64>, HashSet<u64>, u64);

fn charges(all: &[FileReport], settings: &ValidSettings) -> Result<Charges, Error> {
    let (mut out, mut seen, mut posted) = (
        BTreeMap::<u64, Vec<Charge>>::new(),
        HashSet::new(),
        HashSet::new(),
    );
    let mut untied = 0u64;
    for (at, f) in files(all, Stream::GatewayLog) {
        let facts = &f.evidence.facts;
        let ids: BTreeMap<u64, u64> = (facts.requests.iter())
            .filter_map(|r| r.stored.map(|s| (s, r.id)))
            .collect();
        seen.extend(facts.requests.iter().map(|r| r.id));
        posted.extend(facts.posted_after.iter().copied());
        for (i, row) in f.rows.iter().enumerate() {
            if row.kind == RowKind::Refund {
                continue;
            }
            let Some(id) = ids.get(&(i as u64)) else {
                untied += 1;
                continue;
            };
            if row.quota > 0 {
                let recorded = quota_to_usd(row.quota, settings.quota_per_usd)?;
                let (at, model) = ((at, i as u64), row.model.clone());
                out.entry(*id).or_default().push(Charge {
                    at,
                    recorded,
                    model,
                });
            }
        }
    }
    Ok((out, seen, posted, untied))
}

/// The join of the client's requests and the gateway's charges (see the module's
/// precedence), and the gateway rows left priced on their own.
pub fn join(all: &[FileReport], settings: &ValidSettings) -> Result<ClientJoin, Error> {
    let (client, untied_client) = attempts(all, settings)?;
    let (mut charged, seen, posted, untied_gateway) = charges(all, settings)?;
    let mut out = ClientJoin {
        untied_client,
        untied_gateway,
        ..ClientJoin::default()
    };
    let tied = client.keys().filter(|id| charged.contains_key(id)).count();
    let mut taken: HashSet<(usize, u64)> = HashSet::new();
    if tied > 0 {
        for (id, attempts) in &client {
            let charges = charged.remove(id).unwrap_or_default();
            let mut charges = charges.into_iter();
            for attempt in attempts {
                let Some(charge) = charges.next() else {
                    if seen.contains(id) {
                        continue;
                    }
                    let gap = match posted.contains(id) {
                        true => &mut out.posted_late,
                        false => &mut out.unseen,
                    };
                    gap.note(-attempt.expected, attempt.model.as_deref())?;
                    continue;
                };
                out.tied += 1;
                let gap = match attempt.outcome {
                    Outcome::ClientTimeout => &mut out.timeouts,
                    Outcome::CancelledStream => &mut out.cancelled,
                    _ => continue,
                };
                let amount = charge.recorded.checked_sub(attempt.expected);
                gap.note(amount.ok_or_else(overflow)?, Some(&charge.model))?;
                taken.insert(charge.at);
            }
            for extra in charges {
                out.retries.note(extra.recorded, Some(&extra.model))?;
                taken.insert(extra.at);
            }
        }
        for extra in charged.into_values().flatten() {
            out.unrequested.note(extra.recorded, Some(&extra.model))?;
            taken.insert(extra.at);
        }
    }
    let rest = files(all, Stream::GatewayLog).flat_map(|(at, f)| {
        let taken = &taken;
        (f.rows.iter().enumerate())
            .filter(move |(i, _)| !taken.contains(&(at, *i as u64)))
            .map(|(_, row)| row)
    });
    out.rest = price::price(rest, settings)?;
    Ok(out)
}

pub(super) fn steps(join: &ClientJoin) -> Vec<BridgeStep> {
    use Cause::*;
    use VarianceClass::{TimeWindowMismatch, UsageCaptureGap};
    let untied = match (join.untied_client, join.untied_gateway) {
        (0, 0) => String::new(),
        (client, gateway) => format!(
            "; not tied, without a request id: {} and {}",
            count(client, "client request"),
            count(gateway, "gateway row")
        ),
    };
    let said = |gap: &Gap, what: &str| format!("{what}{}{untied}", models(&gap.models));
    let requests = |gap: &Gap| count(gap.count, "client request");
    let charges = |gap: &Gap| count(gap.count, "gateway charge");
    let cases = [
        (
            UsageCaptureGap,
            RetryDuplication,
            &join.retries,
            format!(
                "{} beyond the client's attempts of the same request id",
                charges(&join.retries)
            ),
        ),
        (
            UsageCaptureGap,
            TimeoutAmbiguity,
            &join.timeouts,
            format!(
                "{} that timed out at the client, charged by the gateway",
                requests(&join.timeouts)
            ),
        ),
        (
            UsageCaptureGap,
            CancelledStreamCharged,
            &join.cancelled,
            format!(
                "{} whose stream the client cancelled, charged by the gateway",
                requests(&join.cancelled)
            ),
        ),
        (
            UsageCaptureGap,
            ChargeWithoutClientRequest,
            &join.unrequested,
            format!(
                "{} whose request id the client log does not have",
                charges(&join.unrequested)
            ),
        ),
        (
            UsageCaptureGap,
            RequestNeverSeen,
            &join.unseen,
            format!(
                "{} whose request id the gateway log has no row for",
                requests(&join.unseen)
            ),
        ),
        (
            TimeWindowMismatch,
            PostingDelay,
            &join.posted_late,
            format!(
                "{} inside the window the gateway stamped after its end, within the buffer",
                requests(&join.posted_late)
            ),
        ),
    ];
    cases
        .into_iter()
        .map(|(class, cause, gap, what)| step(class, cause, gap.amount, said(gap, &what)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(amount: &str, count: u64, models: &[&str]) -> Gap {
        Gap {
            amount: amount.parse().unwrap(),
            count,
            models: models.iter().map(|m| m.to_string()).collect(),
        }
    }

    /// Each step says its counts and models, and the untied rows only when there are
    /// some; the classes are the seed's.
    #[test]
    fn the_steps_say_what_the_join_found() {
        let join = ClientJoin {
            retries: gap("0.03", 2, &["gpt-4o"]),
            posted_late: gap("-0.015", 1, &[]),
            untied_gateway: 1,
            ..ClientJoin::default()
        };
        let found = steps(&join);
        // (cause, class, amount, evidence)
        let cases = [
            (
                Cause::RetryDuplication,
                VarianceClass::UsageCaptureGap,
                "0.03",
                "2 gateway charges beyond the client's attempts of the same request id (gpt-4o); not tied, without a request id: 0 client requests and 1 gateway row",
            ),
            (
                Cause::PostingDelay,
                VarianceClass::TimeWindowMismatch,
                "-0.015",
                "1 client request inside the window the gateway stamped after its end, within the buffer; not tied, without a request id: 0 client requests and 1 gateway row",
            ),
        ];
        for (cause, class, amount, evidence) in cases {
            let s = found.iter().find(|s| s.cause == cause).unwrap();
            assert_eq!(s.class, class, "{cause:?}");
            assert_eq!(s.amount, amount.parse::<Decimal>().unwrap(), "{cause:?}");
            assert_eq!(s.evidence, evidence, "{cause:?}");
        }
        let quiet = steps(&ClientJoin {
            unseen: gap("-0.008", 1, &["gpt-4o"]),
            ..ClientJoin::default()
        });
        let unseen = quiet.iter().find(|s| s.cause == Cause::RequestNeverSeen);
        assert_eq!(
            unseen.unwrap().evidence,
            "1 client request whose request id the gateway log has no row for (gpt-4o)"
        );
    }
}
