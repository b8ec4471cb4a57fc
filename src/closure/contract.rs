//! Seed 002's contract details table: six rows (endpoint paths, auth headers, request
//! fields, response fields, error behaviour, rate-limit or billing assumptions), each
//! with the value observed in this incident where the evidence or the review shows it,
//! and the source to check with its capture date. An auth row holds only the scheme's
//! name, never a credential.

use serde::Serialize;

use crate::figures::Figures;
use crate::ingest::Stream;
use crate::policy::{outcome_name, Billability, Outcome};
use crate::sanitize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractRow {
    pub item: &'static str,
    pub verify: &'static str,
    /// None: nothing loaded or typed shows it ("fill from …" in the seed's words).
    pub observed: Option<String>,
    pub source_url: Option<String>,
    pub source_captured_at: Option<String>,
}

/// An auth scheme's name (`Bearer`, `x-api-key`): one short word of letters and dashes.
/// Anything else (a digit, a space, an `sk` prefix) may be a credential pasted by
/// mistake: never written.
fn scheme(text: &str) -> Option<String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let word = !text.is_empty()
        && text.len() <= 24
        && text.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        && !lower.starts_with("sk");
    word.then(|| text.to_string())
}

fn join(parts: Vec<String>) -> Option<String> {
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The first document of a kind the review captured: its URL and capture time.
fn source(figures: &Figures, kinds: &[&str]) -> (Option<String>, Option<String>) {
    let documents = &figures.settings.review.documents;
    let found = kinds
        .iter()
        .find_map(|k| documents.iter().find(|d| d.kind == *k));
    match found {
        Some(d) => (
            Some(sanitize::url(&d.url)),
            d.captured_at.map(|t| t.to_string()),
        ),
        None => (None, None),
    }
}

fn pricing_source(figures: &Figures) -> (Option<String>, Option<String>) {
    let entry = figures
        .settings
        .rate_card
        .entries
        .iter()
        .find(|e| !e.provenance.source_url.is_empty());
    match entry {
        Some(e) => (
            Some(sanitize::url(&e.provenance.source_url)),
            e.provenance.captured_at.map(|t| t.to_string()),
        ),
        None => source(figures, &["pricing_page"]),
    }
}

fn request_fields(figures: &Figures) -> Option<String> {
    let facts = &figures.incident;
    let mut parts = Vec::new();
    let models: Vec<String> = facts
        .streams
        .iter()
        .flat_map(|s| s.models.iter().map(|m| m.logged.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !models.is_empty() {
        parts.push(format!("model: {}", models.join(", ")));
    }
    let retried: u64 = facts.streams.iter().map(|s| s.attempts.retried).sum();
    if retried > 0 {
        parts.push(format!(
            "retry metadata: {} marked as retries",
            super::count(retried, "request")
        ));
    }
    join(parts)
}

fn response_fields(figures: &Figures) -> Option<String> {
    let parts: Vec<String> = figures
        .streams
        .iter()
        .filter(|s| s.stream.is_usage() && !s.quantities.is_empty())
        .map(|s| {
            let fields: Vec<&str> = s
                .quantities
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(d, _)| d.label())
                .collect();
            let unknown = match s.usage_unknown_requests {
                0 => String::new(),
                n => format!(" ({} without usage)", super::count(n, "request")),
            };
            format!(
                "{}: usage {}{unknown}",
                s.stream.describe(),
                fields.join(", ")
            )
        })
        .collect();
    join(parts)
}

fn error_behaviour(figures: &Figures) -> Option<String> {
    let parts: Vec<String> = figures
        .streams
        .iter()
        .filter(|s| s.outcomes.keys().any(|o| *o != Outcome::Success))
        .map(|s| {
            let seen: Vec<String> = s
                .outcomes
                .iter()
                .filter(|(o, _)| **o != Outcome::Success)
                .map(|(o, n)| format!("{} {n}", outcome_name(*o)))
                .collect();
            format!("{}: {}", s.stream.describe(), seen.join(", "))
        })
        .collect();
    let gateway_failed: u64 = figures
        .incident
        .streams
        .iter()
        .filter(|s| s.stream == Stream::GatewayLog)
        .map(|s| s.attempts.failed)
        .sum();
    let mut parts = parts;
    if gateway_failed > 0 {
        parts.push(format!(
            "gateway usage log: {}",
            super::count(gateway_failed, "error row")
        ));
    }
    join(parts)
}

fn billing_assumptions(figures: &Figures) -> Option<String> {
    let s = &figures.settings;
    let rounding = match &s.rounding {
        Some(r) => format!("{} decimals, {}", r.decimals, r.strategy_name),
        None => "rounding unknown until confirmed".into(),
    };
    let billed = |o: Outcome| match s.policy.of(o) {
        Billability::Billable => "billable",
        Billability::NotBillable => "not billable",
        Billability::Unknown => "unknown",
    };
    Some(format!(
        "{} quota per USD ({} to integer quota); {rounding}; failed requests {}, retries {}",
        crate::decimal::format(s.quota_per_usd),
        s.quota_rounding.name(),
        billed(Outcome::ServerError5xx),
        billed(Outcome::RetryAttempt)
    ))
}

/// The six rows, in the seed's order.
pub fn contract(figures: &Figures) -> Vec<ContractRow> {
    let review = &figures.settings.review;
    let docs = source(figures, &["api_docs"]);
    let help = source(figures, &["help_center", "support_ticket", "api_docs"]);
    let endpoints: Vec<String> = review
        .endpoint_paths
        .iter()
        .map(|p| sanitize::label(p))
        .collect();
    let row = |item, verify, observed, (url, at): (Option<String>, Option<String>)| ContractRow {
        item,
        verify,
        observed,
        source_url: url,
        source_captured_at: at,
    };
    vec![
        row("Endpoint paths", "Exact path called by the application, including version prefix and operation", join(endpoints), docs.clone()),
        row("Auth headers", "Header name, token scheme, account/project scoping, and whether multiple credentials were active", scheme(&review.auth_scheme).map(|s| format!("scheme: {s}")), help.clone()),
        row("Request fields", "Model/service identifier, streaming flag, tool or modality fields, max-output controls, retry metadata if sent", request_fields(figures), docs.clone()),
        row("Response fields", "Usage object, request ID, status, finish reason, error object, and any billable usage fields", response_fields(figures), docs),
        row("Error behavior", "Status codes, retryability, partial responses, timeout behavior, and whether the client retried automatically", error_behaviour(figures), help),
        row("Rate-limit or billing assumptions", "Pricing unit, rate source, account-specific terms, reporting delay, rounding, minimums, discounts, and whether failed or retried calls are billable", billing_assumptions(figures), pricing_source(figures)),
    ]
}
