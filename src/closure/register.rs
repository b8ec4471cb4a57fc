//! The assumption register (seed 001 §1), pre-filled from the review itself: each rate
//! and what its label says, each outcome the policy leaves unknown that the logs show,
//! the quota and amount rounding rules, an FX rate, a zoneless-time offset, each column
//! mapping. The reviewer adds owner, fallback and next review date per row (the
//! settings' `review.assumptions`, by key); rows not verified that have no owner, and
//! review dates already past, are flagged.

use jiff::Timestamp;
use serde::Serialize;

use crate::figures::Figures;
use crate::ingest::Stream;
use crate::policy::{outcome_name, Billability, Outcome};
use crate::ratecard::Confidence;
use crate::sanitize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assumption {
    /// Stable across reviews (`rate:gpt-4o`, `outcome:retry_attempt`, `quota_rounding`):
    /// what the reviewer's notes are kept under.
    pub key: String,
    pub assumption: String,
    pub statement: String,
    pub source: Option<String>,
    pub accessed: Option<String>,
    /// The system (part of the reconciliation) depending on it.
    pub system: &'static str,
    pub owner: Option<String>,
    pub fallback: Option<String>,
    pub next_review: Option<String>,
    pub verified: bool,
    /// "no owner", "review date passed".
    pub flags: Vec<String>,
}

struct Row {
    key: String,
    assumption: String,
    statement: String,
    source: Option<String>,
    accessed: Option<Timestamp>,
    system: &'static str,
    verified: bool,
}

fn rows(figures: &Figures) -> Vec<Row> {
    let s = &figures.settings;
    let mut out = Vec::new();
    for e in s.rate_card.entries.iter().filter(|e| !e.is_empty()) {
        let model = sanitize::label(&e.model);
        let label = format!("{:?}", e.provenance.label).to_lowercase();
        out.push(Row {
            key: format!("rate:{model}"),
            assumption: format!("the rates of {model}"),
            statement: format!(
                "{model} is priced at the rate card's rates, labelled {label}, in {}",
                e.currency
            ),
            source: (!e.provenance.source_url.is_empty())
                .then(|| sanitize::url(&e.provenance.source_url)),
            accessed: e.provenance.captured_at,
            system: "expected charge",
            verified: e.provenance.label == Confidence::Verified,
        });
    }
    let seen = |o: Outcome| {
        figures
            .streams
            .iter()
            .any(|st| st.outcomes.get(&o).is_some_and(|n| *n > 0))
            || (o == Outcome::FailedUnspecified
                && figures
                    .incident
                    .streams
                    .iter()
                    .any(|st| st.stream == Stream::GatewayLog && st.attempts.failed > 0))
    };
    for o in Outcome::ALL
        .into_iter()
        .filter(|o| s.policy.of(*o) == Billability::Unknown && seen(*o))
    {
        let name = outcome_name(o);
        out.push(Row {
            key: format!("outcome:{name}"),
            assumption: format!("whether {name} requests are billed"),
            statement: format!(
                "{name} requests are neither counted as billed nor as free: their cost is at risk"
            ),
            source: None,
            accessed: None,
            system: "expected charge (at risk)",
            verified: false,
        });
    }
    if figures
        .streams
        .iter()
        .any(|st| st.stream == Stream::GatewayLog)
    {
        out.push(Row {
            key: "quota_rounding".into(),
            assumption: "how the gateway turns exact quota into an integer".into(),
            statement: format!(
                "each row's quota is the exact amount rounded by {}",
                s.quota_rounding.name()
            ),
            source: None,
            accessed: None,
            system: "quota consistency check",
            verified: false,
        });
    }
    out.push(match &s.rounding {
        Some(r) => Row {
            key: "amount_rounding".into(),
            assumption: "how charged amounts are rounded".into(),
            statement: format!("{} decimals, {}", r.decimals, r.strategy_name),
            source: (!r.source_url.is_empty()).then(|| sanitize::url(&r.source_url)),
            accessed: None,
            system: "expected charge",
            verified: !r.source_url.is_empty(),
        },
        None => Row {
            key: "amount_rounding".into(),
            assumption: "how charged amounts are rounded".into(),
            statement: "unknown until confirmed: expected amounts are not rounded".into(),
            source: None,
            accessed: None,
            system: "variance",
            verified: false,
        },
    });
    if let Some(fx) = &s.fx {
        out.push(Row {
            key: "fx".into(),
            assumption: format!("the {} to {} rate", fx.from, fx.to),
            statement: format!(
                "1 {} = {} {}",
                fx.from,
                crate::decimal::format(fx.rate),
                fx.to
            ),
            source: (!fx.source_url.is_empty()).then(|| sanitize::url(&fx.source_url)),
            accessed: fx.captured_at,
            system: "expected charge in the billing currency",
            verified: false,
        });
    }
    if let Some(zone) = &s.zoneless_zone {
        out.push(Row {
            key: "zoneless_offset".into(),
            assumption: "the zone of times written without one".into(),
            statement: format!(
                "times without a zone were written at {}",
                match zone {
                    crate::ingest::StatedZone::Offset(o) => o.to_string(),
                    crate::ingest::StatedZone::Named(n) => n.as_str().to_string(),
                }
            ),
            source: None,
            accessed: None,
            system: "incident window",
            verified: false,
        });
    }
    for (i, m) in s.mappings.iter().enumerate() {
        out.push(Row {
            key: format!("mapping:{i}"),
            assumption: format!("the columns of a {} export", m.text.stream),
            statement: format!("{} columns read as the mapping says", m.text.header.len()),
            source: None,
            accessed: None,
            system: "evidence reading",
            verified: false,
        });
    }
    out
}

/// The register, its rows flagged as of `today` (when known: a review date is judged
/// against the record's generation time, never a clock of the core's own).
pub fn register(figures: &Figures, today: Option<Timestamp>) -> Vec<Assumption> {
    let notes = &figures.settings.review.assumptions;
    rows(figures)
        .into_iter()
        .map(|row| {
            let note = notes.iter().find(|n| n.key == row.key);
            let owner = note
                .and_then(|n| n.owner.as_ref())
                .filter(|o| !o.text.is_empty())
                .map(|o| sanitize::role(&o.text));
            let fallback = note
                .map(|n| sanitize::free_text(&n.fallback))
                .filter(|f| !f.is_empty());
            let next_review = note.and_then(|n| n.next_review);
            let mut flags = Vec::new();
            if !row.verified && owner.is_none() {
                flags.push("no owner".to_string());
            }
            if let (Some(next), Some(today)) = (next_review, today) {
                if next < today {
                    flags.push("review date passed".to_string());
                }
            }
            Assumption {
                key: row.key,
                assumption: row.assumption,
                statement: row.statement,
                source: row.source,
                accessed: row.accessed.map(|t| t.to_string()),
                system: row.system,
                owner,
                fallback,
                next_review: next_review.map(|t| t.to_string()),
                verified: row.verified,
                flags,
            }
        })
        .collect()
}
