//! The settings in the record: the document the review ran under, so anyone holding the
//! record and its files can run it again from the record alone (the `verify` module, a
//! floor above), with its digest.
//!
//! Every value is kept as typed but for four kinds, so nothing secret reaches the
//! record: who captured a price and a free-text note are left out (they change no
//! figure and may name people); identifiers (the run id, the provider, model labels and
//! aliases, factor names, file names) pass the same sanitizer the record's own fields
//! use, and pricing-page addresses lose their query strings; any other value that looks
//! secret (a key, a token, an email, an IP address) is replaced by a hash of itself;
//! the incident review's roles, notes and account pass the sanitizers its own output
//! uses (a role that looks like a person, an account not marked safe: hashed).
//! Each value replaced is listed by its path (`rates[2].model`): a review re-run from
//! such a record can differ there, and says so.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::sanitize;
use crate::settings::Settings;

/// Left out of the record's copy (outside the incident review): they change no figure
/// and may name a person.
const LEFT_OUT: [&str; 2] = ["captured_by", "note"];

/// The settings as the record carries them.
pub(super) struct SettingsOut {
    pub document: Settings,
    pub sha256: String,
    pub redacted: Vec<String>,
}

/// The SHA-256 of a settings document written canonically ([`Settings::to_json`]: every
/// field, in a fixed order), in lowercase hex: two documents that differ only in
/// spacing, key order or defaults left out have the same digest.
pub fn settings_sha256(document: &Settings) -> String {
    Sha256::digest(document.to_json().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) fn settings_out(document: &Settings) -> SettingsOut {
    // Through the canonical text both ways, not to_value/from_value: those would put a
    // second serializer and deserializer of the whole settings document into each wasm
    // file (~180 KB before wasm-opt), beside the text ones every build has anyway.
    let mut value: Value =
        serde_json::from_str(&document.to_json()).expect("settings are plain values");
    let mut redacted = Vec::new();
    // The budget review's section changes no figure of the record, and its mapping table
    // names tokens and tenants: it stays in the budget review document, out of here.
    if let Value::Object(map) = &mut value {
        map.remove("budget_review");
    }
    // An account identifier not marked safe to share goes out as a hash, as in the packet.
    let account = &document.review.account_id;
    if !document.review.account_id_safe && !account.trim().is_empty() {
        value["review"]["account_id"] = Value::String(sanitize::account(account, false));
        redacted.push("review.account_id".to_string());
    }
    if let Value::Object(map) = &mut value {
        for (key, child) in map.iter_mut() {
            clean(child, key, key, key, &mut redacted);
        }
    }
    // Only strings were replaced, by strings: the document still reads.
    let document: Settings = serde_json::from_str(&value.to_string())
        .expect("a settings document with strings replaced");
    SettingsOut {
        sha256: settings_sha256(&document),
        document,
        redacted,
    }
}

/// Cleans `value`, found under `key` in the top-level `section`, at `path`.
fn clean(value: &mut Value, section: &str, key: &str, path: &str, redacted: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                clean(child, section, k, &format!("{path}.{k}"), redacted);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                clean(child, section, key, &format!("{path}[{i}]"), redacted);
            }
        }
        Value::String(text) => {
            // A review checklist's note is the reviewer's finding, kept through the
            // free-text sanitizer below (the incident review writes it too).
            if section != "review" && LEFT_OUT.contains(&key) {
                text.clear();
                return;
            }
            if text.trim().is_empty() {
                return;
            }
            let clean = match (section, key) {
                (_, "source_url") | ("review", "url" | "evidence_url") => sanitize::url(text),
                // The incident review as the record's `incident_review` writes it: roles
                // hashed when they look like a person, notes with secrets replaced.
                ("review", "incident_owner" | "finance_reviewer" | "owner") => sanitize::role(text),
                ("review", "account_id") => sanitize::account(text, true),
                // A digest of the statement agreed to, not a secret.
                ("review", "finance_agreed_statement_sha256") => text.trim().to_string(),
                ("review", _) if !sanitize::looks_secret(text) => sanitize::free_text(text),
                ("reconciliation_run_id" | "provider", _) | ("rates", "model") => {
                    sanitize::label(text)
                }
                ("rates", "aliases") | ("factors", "models") => labels(text),
                ("factors", "name") => sanitize::label_text(text),
                ("format_overrides", "file") => sanitize::file_name(text),
                _ if sanitize::looks_secret(text) => sanitize::redacted(text),
                _ => text.trim().to_string(),
            };
            if clean != text.trim() {
                *text = clean;
                redacted.push(path.to_string());
            }
        }
        _ => {}
    }
}

/// A comma-separated list of labels, each sanitized where it stands.
fn labels(text: &str) -> String {
    let items: Vec<String> = text
        .split(',')
        .map(str::trim)
        .map(|item| {
            if item.is_empty() {
                String::new()
            } else {
                sanitize::label(item)
            }
        })
        .collect();
    let plain: Vec<&str> = text.split(',').map(str::trim).collect();
    if items.iter().map(String::as_str).eq(plain.iter().copied()) {
        text.trim().to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratecard::{FactorText, RateText};
    use crate::settings::FormatOverride;

    #[test]
    fn the_budget_mapping_stays_out_of_the_record() {
        let text = include_str!("../../tests/fixtures/budget/settings-allocation.json");
        let document = Settings::from_json(text).unwrap();
        assert!(!document.budget_review.is_empty());
        let out = settings_out(&document);
        assert!(out.document.budget_review.is_empty());
        let json = serde_json::to_string(&out.document).unwrap();
        assert!(
            !json.contains("prod-search") && !json.contains("budget_review"),
            "{json}"
        );
    }

    #[test]
    fn identifiers_are_sanitized_secrets_replaced_and_each_listed() {
        let key = "sk-live-4f3a2b1c0d9e8f7a6b5c";
        let mut document = Settings {
            reconciliation_run_id: "rec_001".into(),
            provider: "alice@example.com".into(),
            zoneless_times_offset: "+08:00".into(),
            ..Settings::default()
        };
        document.rates.push(RateText {
            model: "gpt-4o".into(),
            aliases: format!("gpt-4o-2024-08-06, {key}"),
            source_url: "https://pricing.test/p?api_key=x".into(),
            captured_by: "Alice Smith".into(),
            note: "read on the phone".into(),
            input: "2.50".into(),
            captured_at: "2026-01-02T09:00:00+08:00".into(),
            ..RateText::default()
        });
        document.factors.push(FactorText {
            name: "group ratio".into(),
            value: "1.5".into(),
            ..FactorText::default()
        });
        document.format_overrides.push(FormatOverride {
            file: "10.1.2.3 export.csv".into(),
            format: "focus".into(),
        });
        let out = settings_out(&document);
        assert_eq!(
            out.redacted,
            [
                "provider",
                "rates[0].aliases",
                "rates[0].source_url",
                "format_overrides[0].file"
            ]
        );
        let d = &out.document;
        assert_eq!(d.provider, sanitize::label("alice@example.com"));
        assert_eq!(
            d.rates[0].aliases,
            format!("gpt-4o-2024-08-06, {}", sanitize::label(key))
        );
        assert_eq!(d.rates[0].source_url, "https://pricing.test/p");
        assert_eq!(
            (d.rates[0].captured_by.as_str(), d.rates[0].note.as_str()),
            ("", "")
        );
        assert_eq!(d.rates[0].input, "2.50");
        assert_eq!(d.rates[0].captured_at, "2026-01-02T09:00:00+08:00");
        assert_eq!(d.zoneless_times_offset, "+08:00");
        assert_eq!(d.factors[0].name, "group ratio");
        assert!(d.format_overrides[0].file.starts_with("file-"));
        // Sanitizing twice changes nothing more: a record re-run from its own settings
        // carries the same document.
        let again = settings_out(d);
        assert_eq!(again.document, out.document);
        assert!(again.redacted.is_empty(), "{:?}", again.redacted);
        assert_eq!(again.sha256, out.sha256);
    }

    #[test]
    fn the_digest_is_of_the_canonical_document() {
        let spaced = Settings::from_json("{ \"provider\" : \"CometAPI\" }").unwrap();
        let plain = Settings::default();
        assert_eq!(settings_sha256(&spaced), settings_sha256(&plain));
        let other = Settings {
            tolerance: crate::settings::ToleranceText {
                absolute: "0.02".into(),
                percent: "1".into(),
            },
            ..Settings::default()
        };
        assert_ne!(settings_sha256(&other), settings_sha256(&plain));
        assert_eq!(settings_sha256(&plain).len(), 64);
    }
}
