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

/// Words a role is made of ("finance reviewer", "Platform SRE on-call"): a value made
/// of these is a role even when it is capitalized like a name.
const ROLE_WORDS: &[&str] = &[
    "owner",
    "reviewer",
    "review",
    "finance",
    "finops",
    "platform",
    "sre",
    "ops",
    "on-call",
    "oncall",
    "incident",
    "lead",
    "team",
    "engineer",
    "engineering",
    "manager",
    "head",
    "director",
    "analyst",
    "billing",
    "support",
    "controller",
    "accountant",
    "cfo",
    "cto",
    "vp",
    "commander",
    "duty",
    "infra",
    "infrastructure",
    "data",
    "ml",
    "ai",
    "product",
    "security",
    "accounting",
    "treasury",
    "procurement",
    "operations",
    "of",
    "and",
    "the",
];

/// Whether a value typed where a role belongs looks like a person instead: an email, or
/// two to four capitalized words none of which is a role word ("Jane Doe", "Li Wei").
/// Such a value is hashed in every output (see [`role`]).
pub fn looks_personal(text: &str) -> bool {
    let text = text.trim();
    let email = text.contains('@') && text.rsplit('@').next().is_some_and(|d| d.contains('.'));
    let words: Vec<&str> = text.split_whitespace().collect();
    let name_like = (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().any(char::is_lowercase)
                && w.chars().all(|c| c.is_alphabetic() || "'-.".contains(c))
                && !ROLE_WORDS.contains(&w.to_lowercase().as_str())
        });
    email || name_like
}

/// A role as outputs write it: kept when it reads as a role, hashed when it looks like a
/// person (an email, a full name) or a secret.
pub fn role(text: &str) -> String {
    if looks_personal(text) {
        format!("redacted-{}", short_hash(text.trim()))
    } else {
        label_text(text)
    }
}

/// Longest free text an output keeps of one note, in characters.
const MAX_TEXT: usize = 500;

/// A note the reviewer typed (an explanation, a question, a statement): kept word by
/// word, each word that looks like a key, token, JWT, email or IP replaced by a short
/// hash of itself; URLs lose their query strings; cut at 500 characters. Control
/// characters become spaces.
pub fn free_text(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = Vec::new();
    let mut secret_next = false;
    for word in clean.split_whitespace() {
        let bare = word.trim_matches(|c: char| ",;()[]<>\"'".contains(c));
        let lower = bare.to_ascii_lowercase();
        let scheme = lower.starts_with("bearer") || lower.starts_with("basic");
        let jwt = bare.starts_with("eyJ") && bare.matches('.').count() >= 1;
        let secret = secret_next || jwt || looks_secret(bare) && !is_url(bare);
        secret_next = scheme && bare.len() <= "bearer:".len();
        if is_url(bare) {
            out.push(word.replace(bare, &url(bare)));
        } else if secret {
            out.push(format!("[redacted-{}]", short_hash(bare)));
        } else {
            out.push(word.to_string());
        }
    }
    let joined = out.join(" ");
    match joined.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => format!("{}…", &joined[..at]),
        None => joined,
    }
}

fn is_url(word: &str) -> bool {
    word.starts_with("https://") || word.starts_with("http://")
}

/// An account identifier: as typed only when the reviewer marked it safe to share
/// (and it holds no secret), else a short hash of it.
pub fn account(text: &str, safe: bool) -> String {
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else if safe && !looks_secret(text) && text.chars().count() <= MAX_LABEL {
        text.to_string()
    } else {
        format!("account-{}", short_hash(text))
    }
}

/// A request id as a reference that can go to support: a short hash of the id (from its
/// FNV-1a hash, as the ingest keeps it), never the id.
pub fn request_reference(id_hash: u64) -> String {
    // Mixed first (the splitmix64 finalizer): ids that differ in one character would
    // otherwise give references that differ in one digit.
    let mut z = id_hash;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    format!("id-{:012x}", z >> 16)
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

    #[test]
    fn roles_that_look_like_people_are_hashed() {
        let roles = [
            ("Finance reviewer", false),
            ("FinOps Lead", false),
            ("Platform SRE on-call", false),
            ("incident owner", false),
            ("Jane Doe", true),
            ("Li Wei", true),
            ("jane.doe@example.com", true),
            ("Mary-Ann O'Neil Smith", true),
        ];
        for (text, personal) in roles {
            assert_eq!(looks_personal(text), personal, "{text}");
            assert_eq!(role(text).starts_with("redacted-"), personal, "{text}");
        }
    }

    #[test]
    fn free_text_keeps_words_and_hides_secrets() {
        let cases = [
            ("retry budget after timeouts", "retry budget after timeouts"),
            (
                "see https://x.com/t?key=sk-1 now",
                "see https://x.com/t now",
            ),
            ("line1\nline2", "line1 line2"),
        ];
        for (input, want) in cases {
            assert_eq!(free_text(input), want);
        }
        let secrets = [
            "key sk-live-abcdef1234567890",
            "mail alice@example.com today",
            "from 10.1.2.3 at noon",
            "Authorization: Bearer abc.def.ghi",
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        ];
        for text in secrets {
            let out = free_text(text);
            for planted in ["sk-live", "alice@", "10.1.2.3", "abc.def.ghi", "eyJhbGci"] {
                assert!(!out.contains(planted), "{text} -> {out}");
            }
            assert!(out.contains("[redacted-"), "{text} -> {out}");
        }
        assert_eq!(free_text(&"a".repeat(600)).chars().count(), 501);
    }

    #[test]
    fn accounts_are_hashed_unless_safe() {
        assert_eq!(account("acct-42", true), "acct-42");
        assert!(account("acct-42", false).starts_with("account-"));
        assert!(account("alice@example.com", true).starts_with("account-"));
        assert_eq!(account(" ", false), "");
        let (a, b) = (request_reference(1), request_reference(2));
        assert_eq!((a.len(), b.len()), (15, 15));
        // Neighbouring hashes give references with nothing in common at the start.
        assert_ne!(a[..6], b[..6]);
    }
}
