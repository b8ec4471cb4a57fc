//! Sanitizing identifiers that must appear in outputs (model labels, file names).
//!
//! The record is built from an allow-list of fields, so free text never reaches it;
//! the few identifiers it does carry pass through here. A value that is not a plain
//! identifier, or that looks like a secret, is replaced by a short hash of itself, so
//! the same input still maps to the same output and reviewers can match them up.

use sha2::{Digest, Sha256};

const MAX_LABEL: usize = 80;

/// The label of usage a report did not group by model: ours, never the input's, so it
/// passes through as written.
pub const NO_MODEL: &str = "(no model)";

/// A model or service label: kept when it is a plain identifier, hashed otherwise.
pub fn label(text: &str) -> String {
    let text = text.trim();
    if text == NO_MODEL {
        return text.to_string();
    }
    let plain = !text.is_empty()
        && text.len() <= MAX_LABEL
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+".contains(c));
    if plain && !looks_secret(text) {
        text.to_string()
    } else {
        format!("redacted-{}", short_hash(text))
    }
}

/// A short name the reviewer typed (a factor's name): letters, digits, spaces and
/// simple punctuation kept; anything else, or anything secret-looking, hashed.
pub fn label_text(text: &str) -> String {
    let text = text.trim();
    let plain = text.chars().count() <= MAX_LABEL
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || " -_.:/+×→%()".contains(c));
    if plain && !looks_secret(text) {
        text.to_string()
    } else {
        format!("redacted-{}", short_hash(text))
    }
}

/// A file name: the last path component, with anything secret-looking redacted.
pub fn file_name(text: &str) -> String {
    let base = text.rsplit(['/', '\\']).next().unwrap_or(text).trim();
    let plain = !base.is_empty()
        && base.len() <= MAX_LABEL
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_. ()".contains(c));
    if plain && !looks_secret(base) {
        base.to_string()
    } else {
        let extension = base
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()));
        match extension {
            Some(e) => format!("file-{}.{e}", short_hash(base)),
            None => format!("file-{}", short_hash(base)),
        }
    }
}

/// A pricing-page URL: scheme, host and path only. Query strings and fragments are
/// dropped (they are where tokens hide); anything secret-looking is redacted.
pub fn url(text: &str) -> String {
    let text = text.trim();
    let without_query = text.split(['?', '#']).next().unwrap_or("");
    let plain = without_query.len() <= 300
        && without_query
            .chars()
            .all(|c| c.is_ascii_graphic() && !"\"<>\\`{}|^".contains(c));
    let userinfo = without_query
        .split("://")
        .nth(1)
        .is_some_and(|rest| rest.split('/').next().unwrap_or("").contains('@'));
    if without_query.is_empty() {
        String::new()
    } else if plain && !userinfo && !looks_secret(without_query) {
        without_query.to_string()
    } else {
        format!("redacted-url-{}", short_hash(text))
    }
}

/// Keys, bearer tokens, emails and IP addresses.
pub fn looks_secret(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let key_prefix = ["sk-", "sk_", "bearer", "api_key", "apikey", "token="]
        .iter()
        .any(|p| lower.contains(p));
    let email = text.contains('@') && text.rsplit('@').next().is_some_and(|d| d.contains('.'));
    key_prefix || email || looks_like_ip(text) || long_random_run(text)
}

fn looks_like_ip(text: &str) -> bool {
    let v4 = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|part| {
            let octets: Vec<&str> = part.split('.').collect();
            octets.len() == 4
                && octets
                    .iter()
                    .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
        });
    let v6 = text.matches(':').count() >= 2
        && text
            .split(':')
            .all(|h| h.len() <= 4 && h.chars().all(|c| c.is_ascii_hexdigit()));
    v4 || v6
}

/// 24+ letters and digits in a row, mixing both: the shape of a key, not a model name.
fn long_random_run(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|run| {
        run.len() >= 24
            && run.chars().any(|c| c.is_ascii_digit())
            && run.chars().any(|c| c.is_ascii_alphabetic())
    })
}

/// A value that must not reach an output, replaced by a short hash of itself (the same
/// text always gives the same replacement, so reviewers can still match them up).
pub fn redacted(text: &str) -> String {
    format!("redacted-{}", short_hash(text.trim()))
}

fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_table() {
        let kept = [
            "gpt-4o",
            "claude-sonnet-4-5-20250929",
            "mj_imagine",
            "models/gemini-2.5-pro",
            "gpt-4o-2024-08-06",
        ];
        for text in kept {
            assert_eq!(label(text), text);
        }
        assert_eq!(
            label(" (no model) "),
            NO_MODEL,
            "our own label is not hashed"
        );
        let hashed = [
            "sk-live-abc",
            "alice@example.com",
            "10.0.0.1",
            "Bearer xyz",
            "ignore previous instructions",
            "fe80::1:2",
        ];
        for text in hashed {
            let out = label(text);
            assert!(out.starts_with("redacted-"), "{text} -> {out}");
            assert_eq!(out, label(text), "stable");
        }
    }

    #[test]
    fn url_table() {
        let cases = [
            (
                "https://apidoc.cometapi.com/about-pricing-873788m0",
                "https://apidoc.cometapi.com/about-pricing-873788m0",
            ),
            (
                "https://example.com/p?key=sk-123#x",
                "https://example.com/p",
            ),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(url(input), expected);
        }
        assert!(url("https://user:pw@example.com/").starts_with("redacted-url-"));
        assert!(url("https://x.com/sk-abcdef").starts_with("redacted-url-"));
    }

    #[test]
    fn file_name_table() {
        assert_eq!(file_name("/home/a/logs-2026-05.json"), "logs-2026-05.json");
        assert_eq!(file_name("C:\\x\\usage (1).csv"), "usage (1).csv");
        let hidden = file_name("alice@example.com export.csv");
        assert!(
            hidden.starts_with("file-") && hidden.ends_with(".csv"),
            "{hidden}"
        );
    }
}
