//! Seed 002's incident review checklist (evidence capture, usage validation, pricing
//! validation, remediation), each item either answered from the loaded evidence, with
//! the figure and the files it came from, or left for the reviewer to tick.

use serde::Serialize;

use crate::classify::VarianceClass;
use crate::crosscheck::{IdRef, IncidentFacts, Listing, References, StreamFacts};
use crate::decimal::format;
use crate::figures::Figures;
use crate::ingest::Stream;

use super::items::{Key, ITEMS};
use super::remedies;
use super::ticks::{tick, Tick};

/// The seed's four lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum List {
    EvidenceCapture,
    UsageValidation,
    PricingValidation,
    Remediation,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub list: List,
    /// The item's stable key (`change_history`): what the reviewer's tick names.
    pub key: &'static str,
    /// The item as the seed words it.
    pub item: &'static str,
    /// The answer the loaded evidence gives, in words; None: the reviewer ticks it.
    pub answer: Option<String>,
    /// Where the answer came from (the streams and their files, sanitized).
    pub source: Option<String>,
    /// The reviewer's tick, note and evidence link (sanitized); None when nothing is
    /// typed for the item.
    pub reviewer: Option<Tick>,
}

/// How many listed references a sentence names before "and N more".
const NAMED: usize = 5;

fn listing_words(listing: &Listing) -> String {
    let named: Vec<String> = listing
        .rows
        .iter()
        .take(NAMED)
        .map(|r| r.describe())
        .collect();
    more(named, listing.count)
}

fn refs_words(refs: &References) -> String {
    let named: Vec<String> = refs.ids.iter().take(NAMED).map(IdRef::describe).collect();
    more(named, refs.count)
}

fn more(mut named: Vec<String>, count: u64) -> String {
    let rest = count.saturating_sub(named.len() as u64);
    if rest > 0 {
        named.push(format!("and {rest} more"));
    }
    named.join(", ")
}

fn per_stream(
    facts: &IncidentFacts,
    word: impl Fn(&StreamFacts) -> Option<String>,
) -> Option<String> {
    let parts: Vec<String> = facts
        .streams
        .iter()
        .filter_map(|s| word(s).map(|w| format!("{}: {w}", s.stream.describe())))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn is_request_stream(stream: Stream) -> bool {
    matches!(stream, Stream::GatewayLog | Stream::ClientRequests)
}

fn sources(figures: &Figures, streams: &[Stream]) -> Option<String> {
    let parts: Vec<String> = figures
        .streams
        .iter()
        .filter(|s| streams.is_empty() || streams.contains(&s.stream))
        .map(|s| format!("{} ({})", s.stream.describe(), s.files.join(", ")))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Count successful / failed / retried requests, per request stream.
fn attempts(facts: &IncidentFacts, pick: fn(&StreamFacts) -> u64) -> Option<String> {
    per_stream(facts, |s| {
        is_request_stream(s.stream).then(|| pick(s).to_string())
    })
}

fn duplicates(figures: &Figures) -> Option<String> {
    let d = figures.incident.duplicates.as_ref()?;
    if d.repeated_ids == 0 {
        return Some("no request id appears twice in the client request log".into());
    }
    let currency = &figures.settings.billing_currency;
    let cost = match (d.expected_cost, d.at_risk_cost) {
        (Some(e), Some(r)) => format!(
            "; priced at the verified rates they cost {} {currency} expected and {} {currency} at risk (outcomes the policy leaves unknown){}",
            format(e),
            format(r),
            if d.cost_complete { "" } else { ", a lower bound: some repeats have no known usage or rate" }
        ),
        _ => "; their cost cannot be computed".into(),
    };
    Some(format!(
        "{} repeated in the client request log, {} sent again: {}{cost}",
        super::count(d.repeated_ids, "request id"),
        super::count(d.repeats.count, "request"),
        refs_words(&d.repeats),
    ))
}

fn compare_ids(facts: &IncidentFacts) -> Option<String> {
    let (Some(client), Some(gateway)) =
        (&facts.client_not_in_gateway, &facts.gateway_not_in_client)
    else {
        return None;
    };
    let side = |refs: &References, noun: &str, log: &str| match refs.count {
        0 => format!("no {noun} missing from the {log}"),
        n => format!(
            "{} missing from the {log}: {}",
            super::count(n, noun),
            refs_words(refs)
        ),
    };
    Some(format!(
        "{}; {}",
        side(client, "client request id", "gateway log"),
        side(gateway, "gateway request id", "client log")
    ))
}

/// Client rows with no end time; gateway rows of a successful stream with no completion
/// tokens (a log that says which rows were streamed).
fn logged_at_start(facts: &IncidentFacts) -> Option<String> {
    per_stream(facts, |s| {
        let (noun, why, none) = match s.stream {
            Stream::ClientRequests => (
                "successful request",
                "no end time",
                "every successful request logged with its end",
            ),
            Stream::GatewayLog if s.stream_flagged > 0 => (
                "successful stream row",
                "no completion tokens",
                "no successful stream row without completion tokens",
            ),
            _ => return None,
        };
        Some(match s.logged_at_start.count {
            0 => none.to_string(),
            n => format!(
                "{} logged at start ({why}): {}",
                super::count(n, noun),
                listing_words(&s.logged_at_start)
            ),
        })
    })
}

fn boundary(facts: &IncidentFacts) -> Option<String> {
    let straddles = per_stream(facts, |s| {
        let n = s.straddle_start.count + s.straddle_end.count;
        (s.stream == Stream::ClientRequests).then(|| match n {
            0 => "no request crosses an edge".to_string(),
            _ => format!(
                "{} across the start{}, {} across the end{}",
                s.straddle_start.count,
                colon(&s.straddle_start),
                s.straddle_end.count,
                colon(&s.straddle_end)
            ),
        })
    });
    let buffer = (facts.buffer_minutes > 0)
        .then(|| {
            per_stream(facts, |s| {
                Some(format!(
                    "{} within {} min before the start, {} after the end",
                    super::rows(s.before_window.count),
                    facts.buffer_minutes,
                    s.after_window.count
                ))
            })
        })
        .flatten();
    match (straddles, buffer) {
        (Some(a), Some(b)) => Some(format!("{a}; window buffer: {b}")),
        (a, b) => a.or(b.map(|b| format!("window buffer: {b}"))),
    }
}

fn colon(listing: &Listing) -> String {
    match listing.count {
        0 => String::new(),
        _ => format!(" ({})", listing_words(listing)),
    }
}

fn models(facts: &IncidentFacts, matched: bool) -> Option<String> {
    per_stream(facts, |s| {
        let names: Vec<String> = s
            .models
            .iter()
            .map(|m| match (matched, &m.priced_as) {
                (false, _) => m.logged.clone(),
                (true, Some(label)) => format!("{} → {label}", m.logged),
                (true, None) => format!("{} → no rate card entry", m.logged),
            })
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    })
}

fn currency_and_period(facts: &IncidentFacts) -> Option<String> {
    per_stream(facts, |s| {
        let currency = match s.currencies.is_empty() {
            true => "no currency".to_string(),
            false => s.currencies.join(", "),
        };
        let period = s
            .period
            .as_ref()
            .map_or("no rows in the window".into(), |p| {
                format!("{} to {}", p.first, p.last)
            });
        Some(format!("{currency}, {period}"))
    })
}

fn forecast_source(figures: &Figures) -> Option<String> {
    let forecast = super::frame::forecast(figures)?;
    forecast.same_pricing_source.map(|same| match same {
        true => format!("yes: {}", forecast.pricing_source),
        false => format!("no: the forecast used {}", forecast.pricing_source),
    })
}

fn total(figures: &Figures, provider: bool) -> Option<String> {
    let t = &figures.reconciliation.total;
    let amount = if provider { t.provider } else { t.expected }?;
    Some(format!(
        "{} {}",
        format(amount),
        figures.settings.billing_currency
    ))
}

/// The checklist, in the seed's order: each item the evidence can answer is answered.
pub fn checklist(figures: &Figures) -> Vec<Item> {
    ITEMS
        .iter()
        .map(|&(list, key, item, evidence)| {
            let (answer, source) = evidence.map_or((None, None), |k| answer(figures, k));
            Item {
                list,
                key,
                item,
                source: answer.as_ref().and(source),
                answer,
                reviewer: tick(figures, key),
            }
        })
        .collect()
}

fn answer(figures: &Figures, key: Key) -> (Option<String>, Option<String>) {
    let facts = &figures.incident;
    let requests = [Stream::GatewayLog, Stream::ClientRequests];
    let of = |streams: &[Stream]| sources(figures, streams);
    let the = |what: &str| Some(what.to_string());
    let present = |streams: &[Stream]| {
        let loaded = figures.streams.iter().any(|s| streams.contains(&s.stream));
        loaded.then(|| "loaded".to_string())
    };
    let charges = [Stream::Billing, Stream::AccountTotals];
    match key {
        Key::Roles => {
            let frame = super::frame::frame(figures);
            let roles = match (frame.incident_owner, frame.finance_reviewer) {
                (Some(o), Some(f)) => Some(format!("incident owner: {o}; finance reviewer: {f}")),
                _ => None,
            };
            (roles, the("the review"))
        }
        Key::Window => {
            let window = figures.settings.window;
            let words = window.map(|w| format!("{} to {}", w.start, w.end));
            (words, the("the settings"))
        }
        Key::FinanceZone => {
            let zoned = super::frame::frame(figures).window_in_finance_zone;
            (zoned.map(|z| z.words), the("the review"))
        }
        Key::PricingPage => (pricing_pages(figures), the("the rate card's sources")),
        Key::ApiDocs => {
            let documents = &figures.settings.review.documents;
            let n = documents.iter().filter(|d| d.kind == "api_docs").count() as u64;
            let words = (n > 0).then(|| super::count(n, "API documentation page"));
            (words, the("the review's source documents"))
        }
        Key::Billing => (present(&charges), of(&charges)),
        Key::GatewayLog => (present(&[Stream::GatewayLog]), of(&[Stream::GatewayLog])),
        Key::ClientLog => (
            present(&[Stream::ClientRequests]),
            of(&[Stream::ClientRequests]),
        ),
        Key::Succeeded => (attempts(facts, |s| s.attempts.succeeded), of(&requests)),
        Key::Failed => (attempts(facts, |s| s.attempts.failed), of(&requests)),
        Key::Retried => (attempts(facts, |s| s.attempts.retried), of(&requests)),
        Key::Duplicates => (duplicates(figures), of(&[Stream::ClientRequests])),
        Key::CompareIds => (compare_ids(facts), of(&requests)),
        Key::LoggedAtStart => (logged_at_start(facts), of(&requests)),
        Key::Boundary => (boundary(facts), of(&[])),
        Key::Untied => (untied(facts), of(&[Stream::GatewayLog, Stream::Billing])),
        Key::Labels => (models(facts, false), of(&[])),
        Key::Matched => (models(facts, true), the("the rate card")),
        Key::CurrencyPeriod => (currency_and_period(facts), of(&[])),
        Key::Forecast => (forecast_source(figures), the("the review's forecast")),
        Key::Expected => (total(figures, false), of(&[])),
        Key::Recorded => (total(figures, true), of(&[])),
        Key::PricedApart => (remedies::priced_apart(figures), the("the rate card")),
        Key::Factors => (remedies::factors(figures), the("the rate card's factors")),
        Key::StaleRate => (
            remedies::suggest_for_class(figures, VarianceClass::PricingSourceMismatch),
            the("the variance bridge"),
        ),
        Key::ParserTest => (
            remedies::suggest_for_class(figures, VarianceClass::FieldInterpretationGap),
            the("the variance bridge"),
        ),
        Key::RetryBudget => (
            remedies::retry_budget(figures),
            of(&[Stream::ClientRequests]),
        ),
        Key::SupportPacket => (
            remedies::support_packet(figures),
            the("the final statement"),
        ),
        Key::FinalRecord => (remedies::final_record(figures), the("the review")),
    }
}

/// The pricing pages the rate card cites, with when each was captured.
pub(super) fn pricing_pages(figures: &Figures) -> Option<String> {
    let mut pages: Vec<String> = figures
        .settings
        .rate_card
        .entries
        .iter()
        .filter(|e| !e.is_empty() && !e.provenance.source_url.is_empty())
        .map(|e| {
            let url = crate::sanitize::url(&e.provenance.source_url);
            match e.provenance.captured_at {
                Some(at) => format!("{url} (captured {at})"),
                None => url,
            }
        })
        .collect();
    pages.sort();
    pages.dedup();
    (!pages.is_empty()).then(|| pages.join(", "))
}

/// Records that cannot be tied to a charge line: gateway rows no client row has, and
/// billing lines no usage row stands behind.
fn untied(facts: &IncidentFacts) -> Option<String> {
    let gateway = facts
        .gateway_not_in_client
        .as_ref()
        .map(|refs| match refs.count {
            0 => "every gateway request id has a client request".into(),
            n => format!(
                "{} no client request has: {}",
                super::count(n, "gateway row"),
                refs_words(refs)
            ),
        });
    let billing = facts.billing_without_usage.as_ref().map(|b| match b.count {
        0 => "every billing line has usage of its model in its period".to_string(),
        n => {
            let named = b.lines.iter().take(NAMED).map(|l| {
                format!(
                    "{} {} to {} ({} {}, {})",
                    l.item,
                    l.start,
                    l.end,
                    format(l.amount),
                    l.currency,
                    l.file
                )
            });
            format!(
                "{} with no usage of its model in its period: {}",
                super::count(n, "billing line"),
                more(named.collect(), n)
            )
        }
    });
    match (gateway, billing) {
        (Some(g), Some(b)) => Some(format!("{g}; {b}")),
        (g, b) => g.or(b),
    }
}
