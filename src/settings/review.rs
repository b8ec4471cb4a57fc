//! The incident review as the reviewer types it (`review` in the settings document):
//! who owns the incident and who signs it off (roles, not names), the finance time
//! zone, the forecast, the source documents captured beyond the pricing page, and the
//! window buffer. Kept as text, like the rest of the document.
//!
//! Only the window buffer moves a figure (rows in it are counted apart as the files are
//! read), so only its problems make the settings invalid; the rest is checked into
//! [`ValidReview`] with its problems kept beside it as warnings: a half-typed time zone
//! never blanks the figures. What reaches an output is sanitized where it is written
//! (`closure`, `record`), never here.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal::{parse_exact, quote};
use crate::error::Error;
use crate::ingest::parse_timestamp;

use super::ticks::checks;
pub use super::ticks::{Check, CheckText};

/// The widest window buffer, in minutes each side: a day.
pub const LARGEST_BUFFER: u32 = 1440;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewText {
    /// Roles, not names ("platform on-call", "finance reviewer").
    pub incident_owner: String,
    pub finance_reviewer: String,
    /// The IANA zone finance reports in (`Asia/Shanghai`), recorded apart from the UTC
    /// window; the window is also shown in it.
    pub finance_time_zone: String,
    /// Minutes each side of the window whose rows are counted and listed apart, never
    /// priced (posting delay, requests crossing an edge); empty is none.
    pub window_buffer_minutes: String,
    pub forecast: ForecastText,
    /// API documentation pages, help-center answers, support tickets captured for the
    /// review (the pricing page is the rate card's own source).
    pub documents: Vec<DocumentText>,
    /// What the unexplained residual waits on (the next evidence request: "support
    /// confirmation on rounding behavior"); typed, it formally marks it unresolved.
    pub unresolved_pending: String,
    /// Bridge steps the reviewer does not accept as explained yet, by cause
    /// (`quota_mismatch`): their amounts join the unresolved part of the statement.
    pub unresolved_causes: Vec<String>,
    /// Prevention work, tracked apart from the investigation (an action, its owner's
    /// role, a link to the tracked item).
    pub follow_ups: Vec<FollowUpText>,
    /// When the finance reviewer agreed with the final statement (UTC); empty: not yet.
    pub finance_agreed_at: String,
    /// The SHA-256 of the statement agreed with (the page's agree button writes it):
    /// when the statement changes after, the agreement no longer holds. Empty: the
    /// agreement was typed without it and holds for whatever statement there is.
    pub finance_agreed_statement_sha256: String,
    /// For the support packet: the account identifier, written as typed only when
    /// marked safe to share (else hashed); the endpoint paths the incident touched
    /// (comma-separated: the logs do not carry them); the exact question for support
    /// (empty: the packet proposes one from what is unresolved).
    pub account_id: String,
    pub account_id_safe: bool,
    pub endpoint_paths: String,
    pub support_question: String,
    /// The auth scheme's name only (`Bearer`, `x-api-key`), for the contract table:
    /// never a key; a value that is not one short word is not written.
    pub auth_scheme: String,
    /// The reviewer's notes on the assumption register's rows, by row key.
    pub assumptions: Vec<AssumptionText>,
    /// The reviewer's ticks on the checklist items the evidence cannot answer
    /// (deployment history, scheduled jobs, …), by item key (`change_history`). Left
    /// out of the document when empty, so a review with no tick has the digest it had
    /// before ticks existed (its records still verify).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<CheckText>,
}

/// A note on one row of the assumption register (`rate:gpt-4o`, `quota_rounding`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssumptionText {
    pub key: String,
    pub owner: String,
    /// What happens if the assumption changes.
    pub fallback: String,
    /// When to look at it again (UTC).
    pub next_review: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumptionNote {
    pub key: String,
    pub owner: Option<Role>,
    pub fallback: String,
    pub next_review: Option<Timestamp>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FollowUpText {
    /// "add a retry budget", "add a parser test for usage.prompt_tokens_details".
    pub action: String,
    pub owner: String,
    pub url: String,
}

/// The forecast for the window: "why did spend exceed the forecast?" is the seed's
/// first scope question.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecastText {
    pub amount: String,
    /// Empty: the billing currency.
    pub currency: String,
    /// The pricing source the forecast used (its URL, or a name such as "finance
    /// spreadsheet 2026-Q2").
    pub pricing_source: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentText {
    /// api_docs, help_center, support_ticket, pricing_page or other.
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub captured_at: String,
    pub purpose: String,
}

/// The kinds of source document, as the record's `source_documents[].type` writes them.
pub const DOCUMENT_KINDS: [&str; 5] = [
    "api_docs",
    "help_center",
    "support_ticket",
    "pricing_page",
    "other",
];

/// A role as typed, and whether it looks like a person (an email, a full name): such a
/// value is warned about and hashed in every output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Role {
    pub text: String,
    pub personal: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forecast {
    pub amount: Decimal,
    pub currency: String,
    pub pricing_source: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub action: String,
    pub owner: Role,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub kind: &'static str,
    pub url: String,
    pub captured_at: Option<Timestamp>,
    pub purpose: String,
}

/// The review checked: exact values where the text allows, its problems kept apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidReview {
    pub incident_owner: Role,
    pub finance_reviewer: Role,
    /// The canonical IANA name; None when none is given or it names no zone.
    pub finance_zone: Option<String>,
    pub forecast: Option<Forecast>,
    pub documents: Vec<Document>,
    pub unresolved_pending: String,
    pub unresolved_causes: Vec<String>,
    /// Follow-ups with an action typed, in order.
    pub follow_ups: Vec<FollowUp>,
    pub finance_agreed_at: Option<Timestamp>,
    pub finance_agreed_statement_sha256: String,
    pub account_id: String,
    pub account_id_safe: bool,
    pub endpoint_paths: Vec<String>,
    pub support_question: String,
    pub auth_scheme: String,
    pub assumptions: Vec<AssumptionNote>,
    /// The reviewer's ticks with something in them, trimmed, in order.
    pub checklist: Vec<Check>,
    /// Warnings by path (`review.finance_time_zone`): shown beside their fields; they
    /// never make the settings invalid.
    pub problems: Vec<Error>,
}

impl ReviewText {
    /// The buffer in minutes (0 when empty); an error for the settings when it is not a
    /// whole number of minutes up to a day.
    pub fn buffer_minutes(&self) -> Result<u32, Error> {
        let text = self.window_buffer_minutes.trim();
        if text.is_empty() {
            return Ok(0);
        }
        text.parse::<u32>()
            .ok()
            .filter(|m| *m <= LARGEST_BUFFER)
            .ok_or_else(|| {
                Error::field(
                    "review.window_buffer_minutes",
                    format!(
                        "expected whole minutes from 0 to {LARGEST_BUFFER} (such as 30 or 60), but found {}",
                        quote(text)
                    ),
                )
            })
    }

    /// Checks everything but the buffer; never fails: problems are warnings.
    pub fn validate(&self, billing_currency: &str) -> ValidReview {
        let mut problems = Vec::new();
        let mut role = |path: &str, text: &str| {
            let personal = crate::sanitize::looks_personal(text);
            if personal {
                problems.push(Error::field(
                    path,
                    // The value itself is not repeated: the warning reaches the record.
                    "expected a role such as \"finance reviewer\" or \"platform on-call\", but found a value that looks like an email or a person's name: it is hashed in every output".to_string(),
                ));
            }
            Role {
                text: text.trim().to_string(),
                personal,
            }
        };
        let incident_owner = role("review.incident_owner", &self.incident_owner);
        let finance_reviewer = role("review.finance_reviewer", &self.finance_reviewer);
        let owners: Vec<Role> = self
            .assumptions
            .iter()
            .enumerate()
            .map(|(i, a)| role(&format!("review.assumptions[{i}].owner"), &a.owner))
            .collect();
        let follow_ups = self
            .follow_ups
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.action.trim().is_empty())
            .map(|(i, f)| FollowUp {
                action: f.action.trim().to_string(),
                owner: role(&format!("review.follow_ups[{i}].owner"), &f.owner),
                url: f.url.trim().to_string(),
            })
            .collect();
        let finance_zone = finance_zone(&self.finance_time_zone, &mut problems);
        let forecast = self.forecast(billing_currency, &mut problems);
        let documents = self
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.url.trim().is_empty() || !d.purpose.trim().is_empty())
            .map(|(i, d)| document(i, d, &mut problems))
            .collect();
        let assumptions: Vec<AssumptionNote> = self
            .assumptions
            .iter()
            .zip(owners)
            .enumerate()
            .map(|(i, (a, owner))| AssumptionNote {
                key: a.key.trim().to_string(),
                owner: (!owner.text.is_empty()).then_some(owner),
                fallback: a.fallback.trim().to_string(),
                next_review: match a.next_review.trim() {
                    "" => None,
                    text => parse_timestamp(text)
                        .map_err(|m| {
                            let path = format!("review.assumptions[{i}].next_review");
                            problems.push(Error::field(&path, m))
                        })
                        .ok(),
                },
            })
            .collect();
        let finance_agreed_at = match self.finance_agreed_at.trim() {
            "" => None,
            text => parse_timestamp(text)
                .map_err(|m| problems.push(Error::field("review.finance_agreed_at", m)))
                .ok(),
        };
        ValidReview {
            incident_owner,
            finance_reviewer,
            finance_zone,
            forecast,
            documents,
            unresolved_pending: self.unresolved_pending.trim().to_string(),
            unresolved_causes: self.unresolved_causes.clone(),
            follow_ups,
            finance_agreed_at,
            finance_agreed_statement_sha256: self
                .finance_agreed_statement_sha256
                .trim()
                .to_ascii_lowercase(),
            account_id: self.account_id.trim().to_string(),
            account_id_safe: self.account_id_safe,
            endpoint_paths: self
                .endpoint_paths
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            support_question: self.support_question.trim().to_string(),
            auth_scheme: self.auth_scheme.trim().to_string(),
            assumptions,
            checklist: checks(&self.checklist),
            problems,
        }
    }

    fn forecast(&self, billing: &str, problems: &mut Vec<Error>) -> Option<Forecast> {
        let f = &self.forecast;
        if f.amount.trim().is_empty() {
            return None;
        }
        let amount = parse_exact(&f.amount)
            .and_then(|a| match a.is_sign_negative() && !a.is_zero() {
                true => Err(format!(
                    "expected zero or more, but found {}",
                    quote(f.amount.trim())
                )),
                false => Ok(a),
            })
            .map_err(|m| problems.push(Error::field("review.forecast.amount", m)))
            .ok()?;
        let currency = match f.currency.trim() {
            "" => billing.to_string(),
            code => code.to_ascii_uppercase(),
        };
        Some(Forecast {
            amount,
            currency,
            pricing_source: f.pricing_source.trim().to_string(),
        })
    }
}

/// An IANA zone name (`Asia/Shanghai`, any letter case), never an offset: finance
/// reports follow a place's clocks, daylight saving included.
fn finance_zone(text: &str, problems: &mut Vec<Error>) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let zone = (!text.starts_with(['+', '-']))
        .then(|| jiff::tz::db().get(text).ok())
        .flatten();
    let name = zone
        .as_ref()
        .and_then(|z| z.iana_name().map(str::to_string));
    if name.is_none() {
        problems.push(Error::field(
            "review.finance_time_zone",
            format!(
                "expected an IANA time zone such as Asia/Shanghai or America/New_York, but found {}",
                quote(text)
            ),
        ));
    }
    name
}

fn document(index: usize, d: &DocumentText, problems: &mut Vec<Error>) -> Document {
    let path = |field: &str| format!("review.documents[{index}].{field}");
    let kind = DOCUMENT_KINDS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(d.kind.trim()))
        .copied()
        .unwrap_or_else(|| {
            problems.push(Error::field(
                &path("type"),
                format!(
                    "expected {}, but found {}",
                    DOCUMENT_KINDS.join(", "),
                    quote(d.kind.trim())
                ),
            ));
            "other"
        });
    let captured_at = match d.captured_at.trim() {
        "" => None,
        text => parse_timestamp(text)
            .map_err(|m| problems.push(Error::field(&path("captured_at"), m)))
            .ok(),
    };
    Document {
        kind,
        url: d.url.trim().to_string(),
        captured_at,
        purpose: d.purpose.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(review: &ReviewText) -> Vec<String> {
        let valid = review.validate("USD");
        valid.problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn each_problem_is_a_warning_at_its_path() {
        type Edit = fn(&mut ReviewText);
        let cases: [(Edit, &str); 6] = [
            (|r| r.finance_time_zone = "+08:00".into(),
                "review.finance_time_zone: expected an IANA time zone such as Asia/Shanghai or America/New_York, but found \"+08:00\""),
            (|r| r.finance_time_zone = "Shanghai".into(),
                "review.finance_time_zone: expected an IANA time zone such as Asia/Shanghai or America/New_York, but found \"Shanghai\""),
            (|r| r.incident_owner = "Jane Doe".into(),
                "review.incident_owner: expected a role such as \"finance reviewer\" or \"platform on-call\", but found a value that looks like an email or a person's name: it is hashed in every output"),
            (|r| r.forecast.amount = "-3".into(),
                "review.forecast.amount: expected zero or more, but found \"-3\""),
            (|r| r.documents = vec![DocumentText { kind: "wiki".into(), url: "https://x".into(), ..DocumentText::default() }],
                "review.documents[0].type: expected api_docs, help_center, support_ticket, pricing_page, other, but found \"wiki\""),
            (|r| r.documents = vec![DocumentText { kind: "api_docs".into(), url: "https://x".into(), captured_at: "yesterday".into(), ..DocumentText::default() }],
                "review.documents[0].captured_at: expected a UTC time like 2026-05-11T08:00:00Z (or with an offset such as +08:00), but found \"yesterday\""),
        ];
        for (edit, want) in cases {
            let mut review = ReviewText::default();
            edit(&mut review);
            assert_eq!(problems(&review), [want]);
        }
    }

    #[test]
    fn a_review_reads_into_exact_values() {
        let review = ReviewText {
            incident_owner: "platform on-call".into(),
            finance_reviewer: "FinOps lead".into(),
            finance_time_zone: "asia/shanghai".into(),
            window_buffer_minutes: "30".into(),
            forecast: ForecastText {
                amount: "0.10".into(),
                currency: "".into(),
                pricing_source: "finance sheet".into(),
            },
            documents: vec![DocumentText {
                kind: "API_DOCS".into(),
                url: "https://apidoc.cometapi.com/".into(),
                captured_at: "2026-05-11T11:05:00Z".into(),
                purpose: "contract".into(),
            }],
            ..ReviewText::default()
        };
        let valid = review.validate("USD");
        assert!(valid.problems.is_empty(), "{:?}", valid.problems);
        assert_eq!(valid.finance_zone.as_deref(), Some("Asia/Shanghai"));
        let forecast = valid.forecast.unwrap();
        assert_eq!(
            (forecast.amount.to_string(), forecast.currency.as_str()),
            ("0.10".into(), "USD")
        );
        assert_eq!(valid.documents[0].kind, "api_docs");
        assert_eq!(review.buffer_minutes().unwrap(), 30);
    }

    /// Everything typed for the review survives the settings document's export and
    /// import (what the page keeps, and what the CLI reads).
    #[test]
    fn the_review_round_trips_through_the_settings_document() {
        let fixture = include_str!("../../tests/fixtures/incident/settings.json");
        let settings = crate::settings::Settings::from_json(fixture).unwrap();
        assert_eq!(settings.review.follow_ups.len(), 2);
        let mut edited = crate::settings::Settings::default();
        let edit = crate::settings::SettingsEdit::Review(Box::new(settings.review.clone()));
        edited.apply(edit).unwrap();
        let again = crate::settings::Settings::from_json(&edited.to_json()).unwrap();
        assert_eq!(again.review, settings.review);
        // An unknown key in the review is refused, as everywhere in the document.
        let typo = fixture.replace("\"unresolved_pending\"", "\"unresolved_pendin\"");
        assert!(crate::settings::Settings::from_json(&typo).is_err());
    }

    /// Only the window buffer of the review moves a figure: the page recomputes for it,
    /// and takes every other note without asking the worker.
    #[test]
    fn only_the_buffer_of_the_review_moves_figures() {
        type Edit = fn(&mut crate::settings::Settings);
        let cases: [(Edit, bool); 5] = [
            (
                |s| s.review.incident_owner = "platform on-call".into(),
                false,
            ),
            (|s| s.review.support_question = "why?".into(), false),
            (|s| s.review.follow_ups.push(FollowUpText::default()), false),
            (|s| s.review.window_buffer_minutes = "30".into(), true),
            (|s| s.tolerance.percent = "2".into(), true),
        ];
        for (i, (edit, moves)) in cases.into_iter().enumerate() {
            let before = crate::settings::Settings::default();
            let mut after = before.clone();
            edit(&mut after);
            assert_eq!(after.moves_figures_from(&before), moves, "case {i}");
        }
    }

    #[test]
    fn the_buffer_is_whole_minutes_up_to_a_day() {
        let cases = [
            ("", Some(0)),
            ("60", Some(60)),
            ("1440", Some(1440)),
            ("1441", None),
            ("0.5", None),
            ("-5", None),
        ];
        for (text, want) in cases {
            let review = ReviewText {
                window_buffer_minutes: text.into(),
                ..ReviewText::default()
            };
            assert_eq!(review.buffer_minutes().ok(), want, "{text}");
        }
    }
}
