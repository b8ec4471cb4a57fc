//! Request ids across the request streams: the same id more than once inside the client
//! request log (a timeout or queue replay sends a request again), with what the repeats
//! are expected to cost; and ids one log has and the other lacks. Ids are compared by
//! their hash (`id_hash`) and written only as sanitized references (a short hash of the
//! id, the file and the line), so the list can go to support without the ids.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::incident::RowRef;
use crate::decimal::serde_str;
use crate::ingest::{overlap, FileReport, Request, Stream, LISTED};
use crate::price;
use crate::sanitize;
use crate::settings::ValidSettings;

/// A request as support can be pointed at it: a short hash of its id, its file and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdRef {
    pub reference: String,
    pub at: RowRef,
}

/// An [`IdRef`] as JSON writes it (the record, the support packet): the row's fields
/// beside the reference. The wire to the page (`crate::wire`, not human-readable) reads
/// no flattened struct, so there it goes as the two in order.
#[derive(Serialize)]
struct FlatIdRef<'a> {
    reference: &'a str,
    #[serde(flatten)]
    at: &'a RowRef,
}

#[derive(Deserialize)]
struct OwnedFlatIdRef {
    reference: String,
    #[serde(flatten)]
    at: RowRef,
}

impl Serialize for IdRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let (reference, at) = (self.reference.as_str(), &self.at);
            FlatIdRef { reference, at }.serialize(s)
        } else {
            (&self.reference, &self.at).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for IdRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<IdRef, D::Error> {
        let (reference, at) = if d.is_human_readable() {
            let flat = OwnedFlatIdRef::deserialize(d)?;
            (flat.reference, flat.at)
        } else {
            <(String, RowRef)>::deserialize(d)?
        };
        Ok(IdRef { reference, at })
    }
}

impl IdRef {
    fn of(file: &str, request: &Request) -> IdRef {
        IdRef {
            reference: sanitize::request_reference(request.id),
            at: RowRef::of(file, request.place),
        }
    }

    /// "id-0123456789ab (client.jsonl line 4)".
    pub fn describe(&self) -> String {
        format!("{} ({})", self.reference, self.at.describe())
    }
}

/// Ids counted, and the first [`LISTED`] of them as references.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct References {
    pub count: u64,
    pub ids: Vec<IdRef>,
}

impl References {
    fn note(&mut self, file: &str, request: &Request) {
        self.count += 1;
        if self.ids.len() < LISTED {
            self.ids.push(IdRef::of(file, request));
        }
    }
}

/// Request ids repeated inside the client request log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicates {
    /// Ids seen more than once.
    pub repeated_ids: u64,
    /// The occurrences after the first of each such id: the requests sent again.
    pub repeats: References,
    /// The repeats priced with the verified rate card: those the outcome policy bills,
    /// and those whose outcome it leaves unknown (at risk); None when they cannot be
    /// priced.
    #[serde(with = "serde_str::option")]
    pub expected_cost: Option<Decimal>,
    #[serde(with = "serde_str::option")]
    pub at_risk_cost: Option<Decimal>,
    /// False when a repeat's usage is unknown or its model has no verified rate: the
    /// cost is then a lower bound.
    pub cost_complete: bool,
}

/// A stream's requests, file by file in the order of their periods.
fn requests(files: &[FileReport], stream: Stream) -> impl Iterator<Item = (&FileReport, &Request)> {
    let members = overlap::in_period_order(super::files_of(files, stream));
    (members.into_iter()).flat_map(|f| f.evidence.facts.requests.iter().map(move |r| (f, r)))
}

/// The client log's repeated ids; None without a client request log.
pub(super) fn duplicates(files: &[FileReport], settings: &ValidSettings) -> Option<Duplicates> {
    super::files_of(files, Stream::ClientRequests).next()?;
    let mut seen: BTreeMap<u64, u64> = BTreeMap::new();
    let mut out = Duplicates::default();
    // Stored rows to price, per file (by name: files of one stream have distinct names).
    let mut stored: BTreeMap<&str, HashSet<u64>> = BTreeMap::new();
    let mut all_stored = true;
    for (f, r) in requests(files, Stream::ClientRequests) {
        let times = seen.entry(r.id).or_default();
        *times += 1;
        if *times == 1 {
            continue;
        }
        if *times == 2 {
            out.repeated_ids += 1;
        }
        out.repeats.note(&f.name, r);
        match r.stored {
            Some(i) => {
                stored.entry(&f.name).or_default().insert(i);
            }
            None => all_stored = false,
        }
    }
    let rows = super::files_of(files, Stream::ClientRequests).flat_map(|f| {
        let wanted = stored.get(f.name.as_str());
        f.rows
            .iter()
            .enumerate()
            .filter(move |(i, _)| wanted.is_some_and(|w| w.contains(&(*i as u64))))
            .map(|(_, row)| row)
    });
    let pricing = price::price(rows, settings).ok();
    out.cost_complete = all_stored && pricing.as_ref().is_some_and(|p| p.complete);
    out.expected_cost = pricing.as_ref().map(|p| p.expected);
    out.at_risk_cost = pricing.map(|p| p.at_risk);
    Some(out)
}

/// Ids in the client log and not in the gateway log, and the reverse (each id once, at
/// its first row); None unless both logs are loaded and both carry request ids.
pub(super) fn missing(files: &[FileReport]) -> (Option<References>, Option<References>) {
    let (client, gateway) = (Stream::ClientRequests, Stream::GatewayLog);
    if super::files_of(files, client).next().is_none()
        || super::files_of(files, gateway).next().is_none()
    {
        return (None, None);
    }
    let ids = |stream| -> HashSet<u64> { requests(files, stream).map(|(_, r)| r.id).collect() };
    let lacking = |stream, other: &HashSet<u64>| {
        let mut out = References::default();
        let mut listed = BTreeSet::new();
        for (f, r) in requests(files, stream) {
            if !other.contains(&r.id) && listed.insert(r.id) {
                out.note(&f.name, r);
            }
        }
        out
    };
    let (client_ids, gateway_ids) = (ids(client), ids(gateway));
    // A log that carries no ids at all cannot be compared by id.
    if client_ids.is_empty() || gateway_ids.is_empty() {
        return (None, None);
    }
    (
        Some(lacking(client, &gateway_ids)),
        Some(lacking(gateway, &client_ids)),
    )
}
