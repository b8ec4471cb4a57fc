//! The review log (seeds 003 and 004): one sanitized pass/fail row per budget review,
//! kept in the settings document so a team carries it across weeks.
//!
//! A row is *admitted* before it joins the log, whether the page adds it or a file
//! brings it: a row with no owner group, no request class or no unit metric is refused
//! with seed 003's reason; the enumerated fields must hold one of their values; every
//! other value is sanitized (roles hashed when they read as a person, URLs without their
//! query strings, the trace marker only ever `redacted`, and free text without keys,
//! emails, IPs, prompts or amounts of money). Admission is idempotent: an admitted row
//! admitted again is unchanged, so a log exported and imported back is identical.

use serde::{Deserialize, Serialize};

use crate::decimal::quote;
use crate::sanitize;

/// One review, as typed or imported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewRowText {
    pub review_date: String,
    /// The operator's team or role (seed 004), never a person's name.
    pub operator: String,
    pub request_class: String,
    pub owner_group: String,
    pub budget_bucket: String,
    /// The unit the spend is read against (seed 003): a request class, workflow step,
    /// 1K tokens …
    pub unit_metric: String,
    pub source_urls_checked: String,
    pub request_pattern_checked: String,
    pub test_environment: String,
    /// `pass` or `fail`.
    pub result_category: String,
    /// `pass` or `fail`, or empty when not run.
    pub happy_path_result: String,
    pub error_path_result: String,
    pub error_category: String,
    pub retry_decision: String,
    /// Whether a trace marker was available: `redacted`, or empty. The marker itself is
    /// never kept.
    pub trace_marker: String,
    pub usage_evidence_location: String,
    /// The role told (seed 004's `budget_owner_notified`).
    pub budget_owner_notified: String,
    pub cost_owner_action: String,
    /// `keep-monitoring`, `update-runbook` or `escalate-review`, or empty.
    pub next_action: String,
    pub notes: String,
}

/// Seed 003's reason for refusing a row.
pub const REFUSAL: &str = "do not approve a token budget change yet";

/// Seed 004's three next actions.
pub const NEXT_ACTIONS: [&str; 3] = ["keep-monitoring", "update-runbook", "escalate-review"];

/// Longest note kept, in characters: a sanitized summary, not a transcript.
const MAX_NOTE: usize = 280;

impl ReviewRowText {
    /// The columns, in the order the CSV form writes them.
    pub const COLUMNS: [&'static str; 20] = [
        "review_date",
        "operator",
        "request_class",
        "owner_group",
        "budget_bucket",
        "unit_metric",
        "source_urls_checked",
        "request_pattern_checked",
        "test_environment",
        "result_category",
        "happy_path_result",
        "error_path_result",
        "error_category",
        "retry_decision",
        "trace_marker",
        "usage_evidence_location",
        "budget_owner_notified",
        "cost_owner_action",
        "next_action",
        "notes",
    ];

    fn slots(&mut self) -> [&mut String; 20] {
        [
            &mut self.review_date,
            &mut self.operator,
            &mut self.request_class,
            &mut self.owner_group,
            &mut self.budget_bucket,
            &mut self.unit_metric,
            &mut self.source_urls_checked,
            &mut self.request_pattern_checked,
            &mut self.test_environment,
            &mut self.result_category,
            &mut self.happy_path_result,
            &mut self.error_path_result,
            &mut self.error_category,
            &mut self.retry_decision,
            &mut self.trace_marker,
            &mut self.usage_evidence_location,
            &mut self.budget_owner_notified,
            &mut self.cost_owner_action,
            &mut self.next_action,
            &mut self.notes,
        ]
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        let at = Self::COLUMNS.iter().position(|c| *c == key)?;
        self.slots().into_iter().nth(at)
    }

    pub fn get(&self, key: &str) -> String {
        let mut copy = self.clone();
        copy.field_mut(key).map(|s| s.clone()).unwrap_or_default()
    }

    /// The row as it joins the log, or each refused column with its reason.
    pub fn admit(&self) -> Result<ReviewRowText, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let mut row = self.clone();
        for (key, what) in [
            ("owner_group", "an owner group"),
            ("request_class", "a request class"),
            ("unit_metric", "a unit metric"),
        ] {
            if self.get(key).trim().is_empty() {
                problems.push((
                    key,
                    format!("expected {what}, but found nothing: {REFUSAL}"),
                ));
            }
        }
        let date = self.review_date.trim();
        match date.parse::<jiff::civil::Date>() {
            Ok(day) if date.len() == 10 => row.review_date = day.to_string(),
            _ => problems.push((
                "review_date",
                format!("expected a date like 2026-07-02, but found {}", quote(date)),
            )),
        }
        let pass_fail = |text: &str, required: bool| -> Result<String, String> {
            match text.trim().to_ascii_lowercase().as_str() {
                "" if !required => Ok(String::new()),
                word @ ("pass" | "fail") => Ok(word.to_string()),
                _ => Err(format!(
                    "expected pass or fail, but found {}",
                    quote(text.trim())
                )),
            }
        };
        for (key, required) in [
            ("result_category", true),
            ("happy_path_result", false),
            ("error_path_result", false),
        ] {
            match pass_fail(&self.get(key), required) {
                Ok(word) => *row.field_mut(key).expect("a column") = word,
                Err(message) => problems.push((key, message)),
            }
        }
        let next = self
            .next_action
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '_'], "-");
        if next.is_empty() || NEXT_ACTIONS.contains(&next.as_str()) {
            row.next_action = next;
        } else {
            let message = format!(
                "expected keep-monitoring, update-runbook or escalate-review, but found {}",
                quote(self.next_action.trim())
            );
            problems.push(("next_action", message));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for key in [
            "request_class",
            "owner_group",
            "budget_bucket",
            "unit_metric",
            "request_pattern_checked",
            "test_environment",
            "error_category",
        ] {
            let slot = row.field_mut(key).expect("a column");
            *slot = sanitize::label_text(slot);
        }
        row.operator = sanitize::role(&row.operator);
        row.budget_owner_notified = sanitize::role(&row.budget_owner_notified);
        row.source_urls_checked = sources(&row.source_urls_checked);
        row.trace_marker = if row.trace_marker.trim().is_empty() {
            String::new()
        } else {
            "redacted".to_string()
        };
        for key in [
            "retry_decision",
            "usage_evidence_location",
            "cost_owner_action",
            "notes",
        ] {
            let slot = row.field_mut(key).expect("a column");
            *slot = note(slot);
        }
        Ok(row)
    }
}

/// The sources checked: each URL without its query string, any other word as a label,
/// one space between them.
fn sources(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.starts_with("https://") || w.starts_with("http://") {
                sanitize::url(w)
            } else {
                sanitize::label_text(w)
            }
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that put an amount of money after (or before) them.
const MONEY_WORDS: &[&str] = &[
    "balance",
    "balances",
    "credit",
    "credits",
    "remaining",
    "bill",
    "billed",
    "invoice",
    "invoiced",
    "total",
    "spent",
    "spend",
    "charge",
    "charged",
    "cost",
    "price",
    "usd",
    "eur",
    "gbp",
    "cny",
    "jpy",
    "rmb",
    "dollars",
    "euros",
    "yuan",
];

/// Free text as the log keeps it: [`sanitize::free_text`] (keys, tokens, emails and
/// IPs hashed, URLs without queries), then whatever follows `prompt:` or `response:`
/// dropped, quoted passages of more than six words dropped, amounts of money (a number
/// with a currency sign, or beside a word like balance, credits or USD) dropped, and
/// the whole cut at 280 characters.
pub fn note(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let cut = [
        "prompt:",
        "prompt=",
        "response:",
        "completion:",
        "messages:",
    ]
    .iter()
    .filter_map(|m| lower.find(m))
    .min();
    let text = match cut {
        Some(at) if text.is_char_boundary(at) => format!("{} [prompt removed]", &text[..at]),
        _ => text.to_string(),
    };
    let parts: Vec<&str> = text.split('"').collect();
    let mut kept = String::new();
    for (i, part) in parts.iter().enumerate() {
        let quoted = i % 2 == 1;
        let closed = i + 1 < parts.len();
        if quoted && part.split_whitespace().count() > 6 {
            kept.push_str("[quoted text removed]");
        } else {
            if quoted {
                kept.push('"');
            }
            kept.push_str(part);
            if quoted && closed {
                kept.push('"');
            }
        }
    }
    let clean = sanitize::free_text(&kept);
    let words: Vec<&str> = clean.split(' ').collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let money_word = |w: Option<&&str>| w.is_some_and(|w| MONEY_WORDS.contains(&bare(w).as_str()));
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let digits = word.chars().any(|c| c.is_ascii_digit());
        let sign = word.contains(['$', '€', '£', '¥']);
        let near =
            money_word(i.checked_sub(1).and_then(|j| words.get(j))) || money_word(words.get(i + 1));
        let date_like = word.len() >= 8 && word.matches('-').count() == 2;
        if digits && (sign || near) && !date_like {
            out.push("[amount removed]".to_string());
        } else {
            out.push(word.to_string());
        }
    }
    let joined = out.join(" ");
    match joined.char_indices().nth(MAX_NOTE) {
        Some((at, _)) => format!("{}…", &joined[..at]),
        None => joined,
    }
}

#[cfg(test)]
pub mod tests;
