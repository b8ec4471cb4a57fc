//! The support packet seed 002 asks for when a provider-side question remains: its ten
//! items, built from the figures and the typed review, every value through the
//! sanitizer (an account id not marked safe to share is hashed; request ids are short
//! hashes with file and line; URLs lose their queries). Written as JSON and as Markdown
//! to paste into a ticket; the page and the CLI write the same bytes.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::crosscheck::{IdRef, References};
use crate::decimal::{format, serde_str};
use crate::figures::Figures;
use crate::sanitize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Packet {
    /// As typed when marked safe to share, else `account-` and a short hash; None when
    /// none is given.
    pub account_identifier: Option<String>,
    pub incident_window_utc: Option<WindowUtc>,
    pub endpoint_paths: Vec<String>,
    /// Each logged label and the rate card entry it matched.
    pub model_labels: Vec<String>,
    /// Requests to look up: ids missing from a log, and repeated ids.
    pub request_references: Vec<Reference>,
    pub usage_rollup: Vec<Usage>,
    pub pricing_sources: Vec<String>,
    pub expected_charge: Vec<Amount>,
    pub provider_charge: Option<Amount>,
    pub question: String,
    /// Whether the question was typed by the reviewer or proposed from the figures.
    pub question_proposed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowUtc {
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// Why the request is listed ("in the client log, missing from the gateway log").
    pub why: &'static str,
    #[serde(flatten)]
    pub id: IdRef,
}

/// One stream's usage: requests and token quantities by dimension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub stream: String,
    pub accepted_rows: u64,
    pub quantities: Vec<(String, u64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Amount {
    pub what: String,
    #[serde(with = "serde_str")]
    pub amount: Decimal,
    pub currency: String,
}

fn references(figures: &Figures) -> Vec<Reference> {
    let facts = &figures.incident;
    let listed = |refs: Option<&References>, why: &'static str| -> Vec<Reference> {
        refs.map_or_else(Vec::new, |r| {
            let ids = r.ids.iter().cloned();
            ids.map(|id| Reference { why, id }).collect()
        })
    };
    let mut out = listed(
        facts.client_not_in_gateway.as_ref(),
        "in the client log, missing from the gateway log",
    );
    out.extend(listed(
        facts.gateway_not_in_client.as_ref(),
        "in the gateway log, missing from the client log",
    ));
    out.extend(listed(
        facts.duplicates.as_ref().map(|d| &d.repeats),
        "sent again with the same request id",
    ));
    out
}

fn usage(figures: &Figures) -> Vec<Usage> {
    let streams = figures.streams.iter().filter(|s| s.stream.is_usage());
    streams
        .map(|s| Usage {
            stream: s.stream.describe().to_string(),
            accepted_rows: s.accepted_rows,
            quantities: s
                .quantities
                .iter()
                .map(|(d, n)| (d.label().to_string(), *n))
                .collect(),
        })
        .collect()
}

fn expected(figures: &Figures) -> Vec<Amount> {
    let currency = &figures.settings.billing_currency;
    let amount = |what: String, amount| Amount {
        what,
        amount,
        currency: currency.clone(),
    };
    let Some(pricing) = &figures.pricing else {
        return Vec::new();
    };
    let mut out: Vec<Amount> = pricing
        .models
        .iter()
        .map(|m| amount(sanitize::label(&m.model), m.expected))
        .collect();
    out.push(amount("total".into(), pricing.expected));
    out
}

/// A question from what the figures leave open, for the reviewer to edit.
fn proposed_question(figures: &Figures) -> String {
    let currency = &figures.settings.billing_currency;
    let total = &figures.reconciliation.total;
    let provider = sanitize::label(&figures.settings.provider);
    let (Some(expected), Some(recorded)) = (total.expected, total.provider) else {
        return format!(
            "Which {provider} charges and usage records cover the incident window above?"
        );
    };
    let residual = figures
        .bridge
        .as_ref()
        .map_or(Decimal::ZERO, |b| b.residual);
    let mut question = format!(
        "{provider} recorded {} {currency} for the window above; our recomputation from the usage and the published rates gives {} {currency}.",
        format(recorded),
        format(expected)
    );
    if !residual.is_zero() {
        question.push_str(&format!(
            " After refunds and the causes we can see, {} {currency} remains unexplained: which billing rule (rounding, minimums, billable failed or retried requests) accounts for it?",
            format(residual)
        ));
    } else {
        question.push_str(" Please confirm the billing rules behind the difference.");
    }
    question
}

/// The packet for the figures and the review typed in their settings.
pub fn packet(figures: &Figures) -> Packet {
    let review = &figures.settings.review;
    let currency = figures.settings.billing_currency.clone();
    let facts = &figures.incident;
    let mut labels: Vec<String> = facts
        .streams
        .iter()
        .flat_map(|s| &s.models)
        .map(|m| match &m.priced_as {
            Some(p) if *p != m.logged => format!("{} (priced as {p})", m.logged),
            Some(_) => m.logged.clone(),
            None => format!("{} (no rate card entry)", m.logged),
        })
        .collect();
    labels.sort();
    labels.dedup();
    let provider_charge = figures.reconciliation.total.provider.map(|amount| Amount {
        what: figures
            .recorded_stream
            .map_or("provider-side figure".into(), |s| s.describe().to_string()),
        amount,
        currency: currency.clone(),
    });
    let typed = sanitize::free_text(&review.support_question);
    Packet {
        account_identifier: (!review.account_id.is_empty())
            .then(|| sanitize::account(&review.account_id, review.account_id_safe)),
        incident_window_utc: figures.settings.window.map(|w| WindowUtc {
            start: w.start.to_string(),
            end: w.end.to_string(),
        }),
        endpoint_paths: review
            .endpoint_paths
            .iter()
            .map(|p| sanitize::label(p))
            .collect(),
        model_labels: labels,
        request_references: references(figures),
        usage_rollup: usage(figures),
        pricing_sources: super::checklist::pricing_pages(figures)
            .map_or_else(Vec::new, |p| p.split(", ").map(str::to_string).collect()),
        expected_charge: expected(figures),
        provider_charge,
        question_proposed: typed.is_empty(),
        question: if typed.is_empty() {
            proposed_question(figures)
        } else {
            typed
        },
    }
}

impl Packet {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The packet as Markdown, the ten items in the seed's order.
    pub fn to_markdown(&self) -> String {
        let none = |what: &str| format!("_{what}_");
        let list = |items: Vec<String>, empty: &str| match items.is_empty() {
            true => format!("{}\n", none(empty)),
            false => items.iter().map(|i| format!("- {i}\n")).collect(),
        };
        let money = |a: &Amount| format!("{}: {} {}", a.what, format(a.amount), a.currency);
        let mut out = String::from("# Support packet\n\n");
        let mut item = |title: &str, body: String| {
            out.push_str(&format!("## {title}\n\n{body}\n"));
        };
        item(
            "Account identifier",
            self.account_identifier
                .clone()
                .map_or_else(|| none("not given") + "\n", |a| format!("{a}\n")),
        );
        item(
            "Incident window (UTC)",
            self.incident_window_utc.as_ref().map_or_else(
                || none("no window set") + "\n",
                |w| format!("{} to {} (end exclusive)\n", w.start, w.end),
            ),
        );
        item(
            "Affected endpoint paths",
            list(self.endpoint_paths.clone(), "not in the loaded evidence"),
        );
        item(
            "Affected model labels",
            list(self.model_labels.clone(), "none"),
        );
        let refs = self
            .request_references
            .iter()
            .map(|r| format!("{}: {}", r.id.describe(), r.why))
            .collect();
        item(
            "Request ids (short hashes, with file and line)",
            list(refs, "none listed"),
        );
        let usage = self
            .usage_rollup
            .iter()
            .map(|u| {
                let q: Vec<String> = u
                    .quantities
                    .iter()
                    .map(|(d, n)| format!("{d} {n}"))
                    .collect();
                format!("{}: {} rows; {}", u.stream, u.accepted_rows, q.join(", "))
            })
            .collect();
        item("Usage rollup (sanitized)", list(usage, "no usage evidence"));
        item(
            "Pricing source and capture time",
            list(self.pricing_sources.clone(), "no source cited"),
        );
        item(
            "Expected charge",
            list(
                self.expected_charge.iter().map(money).collect(),
                "not computed",
            ),
        );
        item(
            "Provider-side charge questioned",
            self.provider_charge
                .as_ref()
                .map_or_else(|| none("not computed") + "\n", |a| money(a) + "\n"),
        );
        let proposed = if self.question_proposed {
            " (proposed from the figures)"
        } else {
            ""
        };
        item(
            &format!("Question{proposed}"),
            format!("{}\n", self.question),
        );
        out
    }
}
