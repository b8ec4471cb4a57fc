//! The rows of the stream a budget review reads, each priced on its own with the
//! reconciliation's own pricing (`price::price`: the same rates, tiers, factors and FX)
//! and joined with the labels the ingest kept for it.

use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::crosscheck::files_of;
use crate::error::Error;
use crate::ingest::{FileReport, GatewayRow, Labels, RowKind, Stream};
use crate::policy::{Billability, Outcome, RoundingScope};
use crate::price;
use crate::settings::ValidSettings;

/// One request (or usage bucket) as the budget review sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedRow {
    /// None for a request that states no time.
    pub at: Option<Timestamp>,
    /// The model as logged.
    pub logged_model: String,
    /// The rate card's label for it, or the logged name when nothing prices it.
    pub model: String,
    pub outcome: Outcome,
    /// What the outcome policy says of it (a row the policy calls not billable is not
    /// read at all: the ledger lists it as excluded).
    pub billability: Billability,
    /// 1 for a request; a usage bucket's stated count; None when a bucket does not say.
    pub requests: Option<u64>,
    /// Every input token (cached and cache writes included) and every output token.
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// The row's charge at the verified rates; None when any of its usage has no rate.
    pub amount: Option<Decimal>,
    pub labels: Labels,
    /// The request id's hash; 0 without one.
    pub request: u64,
}

impl PricedRow {
    pub fn is_request(&self) -> bool {
        self.requests == Some(1)
    }
}

/// The stream a budget review reads: the one chosen, else the one the reconciliation
/// prices (the gateway's log, else the client's, else the provider's usage report).
pub fn stream_of(files: &[FileReport], chosen: Option<Stream>) -> Option<Stream> {
    let has = |stream: Stream| files_of(files, stream).next().is_some();
    match chosen {
        Some(stream) => has(stream).then_some(stream),
        None => [
            Stream::GatewayLog,
            Stream::ClientRequests,
            Stream::ProviderUsage,
        ]
        .into_iter()
        .find(|s| has(*s)),
    }
}

/// Every usage row of `stream`, priced. Rounding applies only when the documented rule
/// rounds each row: a rule that rounds lines or the total has no place in a row.
pub fn priced_rows(
    files: &[FileReport],
    stream: Stream,
    settings: &ValidSettings,
) -> Result<Vec<PricedRow>, Error> {
    let mut per_row = settings.clone();
    per_row.rounding = settings
        .rounding
        .clone()
        .filter(|r| r.scope == RoundingScope::PerRow);
    let mut out = Vec::new();
    for file in files_of(files, stream) {
        // Labels are kept beside every row; were they not (a report that crossed the
        // worker's wire), the rows go unlabelled rather than mislabelled.
        let labels = &file.evidence.labels;
        let aligned = labels.len() == file.rows.len();
        let mut labels = labels.iter().filter(|_| aligned);
        for row in file.rows.iter() {
            let (labels, request) = labels
                .next()
                .map_or((Labels::default(), 0), |(l, r)| (*l, r));
            if row.kind == RowKind::Refund {
                continue;
            }
            out.push(price_row(row, labels, request, &per_row)?);
        }
    }
    Ok(out)
}

fn price_row(
    row: GatewayRow,
    labels: Labels,
    request: u64,
    settings: &ValidSettings,
) -> Result<PricedRow, Error> {
    let billability = settings.policy.of(row.outcome);
    // A row priced alone, without a whole pricing per row; a rule that rounds lines or
    // the total rounds a one-row pricing too, so it goes the long way.
    let rounds_more =
        (settings.rounding.as_ref()).is_some_and(|r| r.scope != RoundingScope::PerRow);
    let (model, expected, at_risk, complete) = if rounds_more {
        let pricing = price::price(std::iter::once(&row), settings)?;
        let model = (pricing.models.first()).map_or_else(|| row.model.clone(), |m| m.model.clone());
        (model, pricing.expected, pricing.at_risk, pricing.complete)
    } else {
        let charge = price::row_charge(&row, settings)?;
        let model = charge.model.to_string();
        (model, charge.expected, charge.at_risk, charge.complete)
    };
    let amount = match billability {
        Billability::Billable => expected,
        _ => at_risk,
    };
    Ok(PricedRow {
        at: row.time(),
        model,
        outcome: row.outcome,
        billability,
        requests: row.requests,
        input_tokens: row.input_total(),
        output_tokens: row.completion_tokens,
        amount: complete.then_some(amount),
        labels,
        request,
        logged_model: row.model,
    })
}
