//! crosscheck: the evidence streams compared with each other, never blended.
//!
//! Each stream is summed on its own: usage streams (gateway log, client request log,
//! provider usage report) are priced with the same verified rate card; charge streams
//! (billing export, account totals) are summed in the billing currency, with buckets
//! that reach outside the window kept apart. Then every pair the files allow is
//! compared, and each difference is named by the class the seed gives it: client versus
//! gateway usage is a usage-capture gap, billed versus gateway-recorded money an
//! account-specific billing issue, a bucket that straddles the window a time-window
//! mismatch.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal::serde_str;
use crate::error::Error;
use crate::ingest::{FileReport, Stream};
use crate::price::{self, LineStatus, Pricing};
use crate::ratecard::Dimension;

mod compare;
mod incident;
mod repeats;
mod untied;

use crate::settings::ValidSettings;
pub use compare::{
    compare, request_ids, CheckName, CrossCheck, ModelDifference, RequestIds, RequestJoin,
};
pub use incident::{
    incident_facts, Duplicates, IdRef, IncidentFacts, Listing, ModelLabel, Period, References,
    RowRef, StreamFacts,
};
pub use untied::{UntiedCharge, UntiedCharges};

/// One stream's own figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamFigures {
    pub stream: Stream,
    pub files: Vec<String>,
    pub accepted_rows: u64,
    /// Requests whose usage the log does not give (client logs): unknown, not priced.
    pub usage_unknown_requests: u64,
    /// Usage priced with the verified card (usage streams only).
    #[serde(with = "serde_str::option")]
    pub expected_amount: Option<Decimal>,
    pub expected_complete: bool,
    /// Token quantities per dimension (usage streams only).
    pub quantities: BTreeMap<Dimension, u64>,
    /// Cost the client side computed itself (LiteLLM spend, event estimates).
    #[serde(with = "serde_str::option")]
    pub reported_cost: Option<Decimal>,
    /// Σ charges in buckets wholly inside the window (charge streams only).
    #[serde(with = "serde_str::option")]
    pub charged_amount: Option<Decimal>,
    /// Σ charges in buckets that reach outside the window: not comparable as they are.
    #[serde(with = "serde_str")]
    pub straddling_amount: Decimal,
    pub straddling_buckets: u64,
    /// Client requests inside the window by outcome (success, retry attempt, timeout…).
    pub outcomes: BTreeMap<crate::policy::Outcome, u64>,
}

pub(crate) fn overflow(what: &str) -> Error {
    Error::overflow(what)
}

fn sum(values: impl IntoIterator<Item = Decimal>, what: &str) -> Result<Decimal, Error> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
        .ok_or_else(|| overflow(what))
}

/// The files of one stream that give evidence (a file that could not be read, or whose
/// every row was rejected, says nothing: [`FileReport::gives_evidence`]).
pub fn files_of(files: &[FileReport], stream: Stream) -> impl Iterator<Item = &FileReport> {
    files
        .iter()
        .filter(move |f| f.gives_evidence() && f.stream() == stream)
}

/// Prices the rows of one usage stream. Requests whose usage the log does not give
/// (client logs) have no rows: they leave their model, and the total, incomplete.
pub fn price_stream(
    files: &[FileReport],
    stream: Stream,
    settings: &ValidSettings,
) -> Result<Pricing, Error> {
    price_stream_grouped(files, stream, settings, &mut None)
}

/// [`price_stream`] from the stream's rows in groups ([`price::groups`]): filed once and
/// kept in `groups` while the card keeps its shape, so a rate edit prices groups, not
/// rows. Where the groups decline, the rows are priced: the figures are the same.
pub fn price_stream_grouped(
    files: &[FileReport],
    stream: Stream,
    settings: &ValidSettings,
    groups: &mut Option<price::groups::Groups>,
) -> Result<Pricing, Error> {
    let rows = || files_of(files, stream).flat_map(|f| f.rows.iter());
    if !groups.as_ref().is_some_and(|g| g.fit(settings)) {
        let stores = files_of(files, stream).map(|f| &f.rows);
        *groups = Some(price::groups::Groups::build_stored(stores, settings));
    }
    let grouped = groups.as_ref().and_then(|g| g.price(settings));
    let mut pricing = match grouped {
        Some(pricing) => pricing?,
        None => price::price(rows(), settings)?,
    };
    for f in files_of(files, stream) {
        for model in f.evidence.usage_unknown.keys() {
            pricing.complete = false;
            for charge in pricing.models.iter_mut() {
                if charge.logged_as.contains(model) {
                    charge.complete = false;
                }
            }
        }
    }
    Ok(pricing)
}

/// Every stream present, with its own figures (the gateway's pricing is passed in, so it
/// is computed once).
pub fn streams(
    files: &[FileReport],
    settings: &ValidSettings,
    gateway: Option<&Pricing>,
) -> Result<(Vec<StreamFigures>, Pricings), Error> {
    let mut pricings = Pricings::new();
    let read = files.iter().filter(|f| f.gives_evidence());
    let mut present: Vec<Stream> = read.map(FileReport::stream).collect();
    present.sort();
    present.dedup();
    let mut out = Vec::new();
    for stream in present {
        let members: Vec<&FileReport> = files_of(files, stream).collect();
        let mut figures = StreamFigures {
            stream,
            files: members
                .iter()
                .map(|f| crate::sanitize::file_name(&f.name))
                .collect(),
            accepted_rows: members.iter().map(|f| f.ledger.accepted).sum(),
            usage_unknown_requests: members.iter().map(|f| f.evidence.unknown_total()).sum(),
            expected_amount: None,
            expected_complete: false,
            quantities: BTreeMap::new(),
            reported_cost: None,
            charged_amount: None,
            straddling_amount: Decimal::ZERO,
            straddling_buckets: members.iter().map(|f| f.evidence.straddling_buckets).sum(),
            outcomes: BTreeMap::new(),
        };
        for f in &members {
            for (outcome, n) in &f.evidence.outcomes {
                *figures.outcomes.entry(*outcome).or_default() += n;
            }
        }
        let costs: Vec<Decimal> = members
            .iter()
            .filter_map(|f| f.evidence.reported_cost)
            .collect();
        if !costs.is_empty() {
            figures.reported_cost = Some(sum(costs, "the client-computed cost")?);
        }
        if stream.is_usage() {
            let own;
            let pricing = match (stream, gateway) {
                (Stream::GatewayLog, Some(p)) => p,
                _ => {
                    own = price_stream(files, stream, settings)?;
                    &own
                }
            };
            figures.expected_amount = Some(pricing.expected);
            figures.expected_complete = pricing.complete && figures.usage_unknown_requests == 0;
            for line in pricing
                .lines
                .iter()
                .filter(|l| l.status != LineStatus::AtRisk)
            {
                let q = figures.quantities.entry(line.dimension).or_default();
                *q = q.saturating_add(line.quantity);
            }
            pricings.insert(stream, pricing.clone());
        } else {
            let charges = members.iter().flat_map(|f| f.evidence.charges.iter());
            let (straddling, inside): (Vec<_>, Vec<_>) = charges.partition(|c| c.straddles);
            figures.charged_amount = Some(sum(inside.iter().map(|c| c.amount), "the charges")?);
            figures.straddling_amount = sum(straddling.iter().map(|c| c.amount), "the charges")?;
            let mut buckets: Vec<_> = straddling.iter().map(|c| (c.start, c.end)).collect();
            buckets.dedup();
            figures.straddling_buckets = buckets.len() as u64;
        }
        out.push(figures);
    }
    Ok((out, pricings))
}

/// Each usage stream's pricing, for the model-by-model comparisons.
pub type Pricings = BTreeMap<Stream, Pricing>;
