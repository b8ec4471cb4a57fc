//! verify: a reconciliation record checked against its files. The record carries the
//! settings it was made under and each input file's SHA-256, so the review can be run
//! again from the record alone: the same files and settings at the record's
//! `generated_at` give the same record, or this names the first fields that differ and
//! the files whose digest does not match. The command line (`spend-reconciler verify`)
//! and the page's "Verify a record" both call [`verify`]; each passes its files ([`Given`])
//! and the way it runs a review (the native shell's, reading files from the disk, or
//! [`run_in_memory`]), which give the same record.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::pipeline::Given;
use crate::pipeline::{InputFile, Problem, Review};
use crate::record::{settings_sha256, RECORD_SCHEMA_VERSION};
use crate::sanitize;
use crate::settings::Settings;

/// At most this many differing fields are listed; the rest are counted.
const LISTED: usize = 10;

/// What checking a record found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// True only when every file matches its digest, the settings their digest, and the
    /// re-run gives the very same record.
    pub identical: bool,
    /// Files that do not match the record: each named, with both digests.
    pub files: Vec<FileFinding>,
    /// None when the settings match their digest; else the digest found.
    pub settings_digest_found: Option<String>,
    /// Settings values the record replaced to keep secrets out (copied from it).
    pub settings_redacted: Vec<String>,
    /// The first fields that differ, in the record's order.
    pub differences: Vec<Difference>,
    /// How many more fields differ beyond those listed.
    pub more_differences: usize,
    /// Why the re-run made no record at all, when it made none.
    pub no_record: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFinding {
    /// `input_files[1]`, or None for a file given that the record does not list.
    pub path: Option<String>,
    /// The name the record gives the file, or the name of the file given.
    pub name: String,
    pub recorded_sha256: Option<String>,
    /// None when no file given matches it by digest or by name.
    pub found_sha256: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// The field's path in the record: `computed_charge.expected_amount`.
    pub path: String,
    /// Each side as JSON text; None where the field is absent on that side.
    pub recorded: Option<String>,
    pub rerun: Option<String>,
}

/// The file list of a record: name, digest and size of each.
struct Listed {
    name: String,
    sha256: String,
}

/// [`crate::pipeline::run`] on files given in memory, as [`verify`] passes them: the
/// page's way (and the tests').
pub fn run_in_memory(files: &[&InputFile], settings: &Settings) -> Result<Review, String> {
    let files: Vec<InputFile> = files.iter().map(|&f| f.clone()).collect();
    Ok(crate::pipeline::run(&files, settings))
}

/// Checks `record` (its JSON text) against `files`, running the review with `run`.
/// An error is a record that cannot be checked at all (not JSON, another schema
/// version, no settings): a sentence saying why.
pub fn verify<G: Given>(
    record: &str,
    files: &[G],
    run: impl Fn(&[&G], &Settings) -> Result<Review, String>,
) -> Result<Verification, String> {
    let recorded: Value = serde_json::from_str(record)
        .map_err(|e| format!("expected a reconciliation record (JSON), but found {e}"))?;
    let version = recorded.get("schema_version").and_then(Value::as_u64);
    if version != Some(u64::from(RECORD_SCHEMA_VERSION)) {
        let found = version.map_or("no version".to_string(), |v| format!("version {v}"));
        return Err(format!(
            "schema_version: expected a record of schema version {RECORD_SCHEMA_VERSION} (the first to carry its settings), but found {found}"
        ));
    }
    let settings = recorded
        .get("settings")
        .ok_or("settings: expected the settings the record was made under, but found none")?;
    let settings = Settings::from_json(&settings.to_string())
        .map_err(|e| format!("settings: expected a settings document, but found {e}"))?;
    let generated_at = text_at(&recorded, "generated_at")
        .and_then(|t| t.parse::<Timestamp>().ok())
        .ok_or("generated_at: expected a time like 2026-05-11T12:00:00Z, but found none")?;
    let listed = listed_files(&recorded)?;
    let digest = settings_sha256(&settings);
    let settings_digest_found =
        (text_at(&recorded, "settings_sha256") != Some(digest.as_str())).then_some(digest);
    let (inputs, findings) = match_files(&listed, files)?;
    let review = run(&inputs, &settings)?;
    let (differences, more_differences, no_record) = match review.record(generated_at) {
        Some(rerun) => {
            let rerun: Value =
                serde_json::from_str(&rerun.to_json()).expect("a record is JSON by construction");
            let mut found = Vec::new();
            differ(&recorded, &rerun, "", &mut found);
            let more = found.len().saturating_sub(LISTED);
            found.truncate(LISTED);
            (found, more, None)
        }
        None => (Vec::new(), 0, Some(why_no_record(&review))),
    };
    let settings_redacted = recorded
        .get("settings_redacted")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_string))
        .map(Iterator::collect)
        .unwrap_or_default();
    Ok(Verification {
        identical: findings.is_empty()
            && settings_digest_found.is_none()
            && differences.is_empty()
            && no_record.is_none(),
        files: findings,
        settings_digest_found,
        settings_redacted,
        differences,
        more_differences,
        no_record,
    })
}

fn text_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key)?.as_str()
}

fn listed_files(record: &Value) -> Result<Vec<Listed>, String> {
    let items = record
        .get("input_files")
        .and_then(Value::as_array)
        .ok_or("input_files: expected the list of the record's files, but found none")?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |key: &str| {
                text_at(item, key)
                    .map(str::to_string)
                    .ok_or_else(|| format!("input_files[{i}].{key}: expected text, but found none"))
            };
            Ok(Listed {
                name: field("name")?,
                sha256: field("sha256")?,
            })
        })
        .collect()
}

/// The files to run the review on, in the record's order, and what does not match:
/// each listed file is the file given with its digest (one given once may stand for a
/// file the record lists twice), else the one given under its name (its digest then
/// differs), else missing; a file given that matches nothing is named too.
fn match_files<'f, G: Given>(
    listed: &[Listed],
    files: &'f [G],
) -> Result<(Vec<&'f G>, Vec<FileFinding>), String> {
    let digests = files
        .iter()
        .map(Given::sha256)
        .collect::<Result<Vec<_>, _>>()?;
    let mut used = vec![false; files.len()];
    let mut chosen: Vec<Option<usize>> = listed
        .iter()
        .map(|l| {
            let at = digests.iter().position(|d| *d == l.sha256)?;
            used[at] = true;
            Some(at)
        })
        .collect();
    for (l, slot) in listed.iter().zip(&mut chosen) {
        if slot.is_none() {
            let named = (0..files.len())
                .find(|&i| !used[i] && sanitize::file_name(files[i].name()) == l.name);
            if let Some(at) = named {
                used[at] = true;
                *slot = Some(at);
            }
        }
    }
    let mut findings = Vec::new();
    for (i, (l, slot)) in listed.iter().zip(&chosen).enumerate() {
        let found = slot.map(|at| digests[at].clone());
        if found.as_deref() != Some(l.sha256.as_str()) {
            findings.push(FileFinding {
                path: Some(format!("input_files[{i}]")),
                name: l.name.clone(),
                recorded_sha256: Some(l.sha256.clone()),
                found_sha256: found,
            });
        }
    }
    for (at, file) in files.iter().enumerate().filter(|(at, _)| !used[*at]) {
        findings.push(FileFinding {
            path: None,
            name: sanitize::file_name(file.name()),
            recorded_sha256: None,
            found_sha256: Some(digests[at].clone()),
        });
    }
    let inputs = chosen.iter().flatten().map(|&at| &files[at]);
    Ok((inputs.collect(), findings))
}

/// Every leaf where `recorded` and `rerun` differ, in the record's order (then the
/// re-run's fields the record lacks).
fn differ(recorded: &Value, rerun: &Value, path: &str, out: &mut Vec<Difference>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (recorded, rerun) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(other) => differ(value, other, &join(key), out),
                    None => out.push(difference(join(key), Some(value), None)),
                }
            }
            for (key, value) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push(difference(join(key), None, Some(value)));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let at = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => differ(x, y, &at, out),
                    (x, y) => out.push(difference(at, x, y)),
                }
            }
        }
        (a, b) if a != b => out.push(difference(path.to_string(), Some(a), Some(b))),
        _ => {}
    }
}

fn difference(path: String, recorded: Option<&Value>, rerun: Option<&Value>) -> Difference {
    Difference {
        path,
        recorded: recorded.map(Value::to_string),
        rerun: rerun.map(Value::to_string),
    }
}

fn why_no_record(review: &Review) -> String {
    match &review.figures {
        Err(Problem::NothingRead) => "none of the files gave a row that could be read".into(),
        Err(Problem::Settings(errors)) => format!(
            "the record's settings are not valid: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Err(Problem::Arithmetic(error)) => format!("the figures overflowed: {error}"),
        Ok(_) => "the figures were computed but no record was made".into(),
    }
}

impl Verification {
    /// The verdict in a word or two: what the command line prints first, the page shows
    /// as the status.
    pub fn verdict(&self) -> &'static str {
        if self.identical {
            "identical"
        } else {
            "different"
        }
    }

    /// Every finding in words, most telling first: the files, the settings' digest,
    /// then the first fields that differ. Empty when identical.
    pub fn findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let short = |d: &str| d.get(..12).unwrap_or(d).to_string();
        for f in &self.files {
            out.push(match (&f.path, &f.recorded_sha256, &f.found_sha256) {
                (Some(path), Some(want), Some(got)) => format!(
                    "{path} {}: expected SHA-256 {}…, but found {}… (the file given under this name is not the one the record was made from)",
                    f.name, short(want), short(got)
                ),
                (Some(path), Some(want), None) => format!(
                    "{path} {}: expected a file with SHA-256 {}…, but found none among the files given",
                    f.name, short(want)
                ),
                (_, _, got) => format!(
                    "{}: expected only the record's files, but found one it does not list (SHA-256 {}…)",
                    f.name,
                    short(got.as_deref().unwrap_or(""))
                ),
            });
        }
        if let Some(found) = &self.settings_digest_found {
            out.push(format!(
                "settings_sha256: expected the digest of the record's settings, but found {}… (the settings were changed after the record was written)",
                short(found)
            ));
        }
        if !self.settings_redacted.is_empty() {
            out.push(format!(
                "settings_redacted: the record replaced {} to keep secrets out, so a re-run can differ there",
                self.settings_redacted.join(", ")
            ));
        }
        if let Some(why) = &self.no_record {
            out.push(format!("the re-run made no record: {why}"));
        }
        let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "nothing".into());
        for d in &self.differences {
            out.push(format!(
                "{}: expected {} (the record), but found {} (the re-run)",
                d.path,
                side(&d.recorded),
                side(&d.rerun)
            ));
        }
        if self.more_differences > 0 {
            out.push(format!(
                "and {} more field(s) differ",
                self.more_differences
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[&InputFile], settings: &Settings) -> Result<Review, String> {
        run_in_memory(files, settings)
    }

    const LOG: &[u8] = include_bytes!("../tests/fixtures/cometapi-log-page.json");
    const CLIENT: &[u8] = include_bytes!("../tests/fixtures/evidence/client-openai-chat.jsonl");
    const SETTINGS: &str = include_str!("../tests/fixtures/settings.json");

    fn file(name: &str, bytes: &[u8]) -> InputFile {
        InputFile {
            name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    fn record(files: &[InputFile]) -> String {
        let settings = Settings::from_json(SETTINGS).unwrap();
        let at = "2026-01-02T10:00:00Z".parse().unwrap();
        crate::pipeline::run(files, &settings)
            .record(at)
            .unwrap()
            .to_json()
    }

    #[test]
    fn a_record_and_its_files_are_identical_in_any_order() {
        let files = [file("log.json", LOG), file("client.jsonl", CLIENT)];
        let text = record(&files);
        let reversed = [files[1].clone(), files[0].clone()];
        let v = verify(&text, &reversed, run).unwrap();
        assert!(v.identical, "{:?}", v.findings());
        assert_eq!((v.verdict(), v.findings().len()), ("identical", 0));
    }

    #[test]
    fn each_kind_of_difference_is_named() {
        let files = [file("log.json", LOG), file("client.jsonl", CLIENT)];
        let text = record(&files);
        // One byte changed in the client log: the file is named, and the figures it
        // changes are listed.
        let mut changed = CLIENT.to_vec();
        let at = changed.iter().position(|b| b.is_ascii_digit()).unwrap();
        changed[at] = if changed[at] == b'9' {
            b'8'
        } else {
            changed[at] + 1
        };
        let v = verify(
            &text,
            &[files[0].clone(), file("client.jsonl", &changed)],
            run,
        )
        .unwrap();
        assert!(!v.identical);
        assert_eq!(v.files.len(), 1);
        assert_eq!(v.files[0].path.as_deref(), Some("input_files[1]"));
        assert_eq!(v.files[0].name, "client.jsonl");
        let first = &v.findings()[0];
        assert!(
            first.starts_with("input_files[1] client.jsonl: expected SHA-256 "),
            "{first}"
        );
        assert!(v
            .differences
            .iter()
            .any(|d| d.path.starts_with("input_files[1].sha256")));
        // A file missing, and one the record does not list.
        let v = verify(&text, &[files[0].clone(), file("other.csv", b"a,b\n")], run).unwrap();
        let findings = v.findings();
        assert!(
            findings[0].contains("expected a file with SHA-256"),
            "{findings:?}"
        );
        assert!(findings[1].starts_with("other.csv: expected only the record's files"));
        // The settings edited inside the record: their digest no longer matches, and
        // the figures they change differ.
        let mut edited: Value = serde_json::from_str(&text).unwrap();
        edited["settings"]["rates"][1]["output"] = "11".into();
        let v = verify(&edited.to_string(), &files, run).unwrap();
        assert!(v.settings_digest_found.is_some());
        let paths: Vec<&str> = v.differences.iter().map(|d| d.path.as_str()).collect();
        assert!(
            paths.contains(&"computed_charge.expected_amount"),
            "{paths:?}"
        );
        assert!(paths.len() <= LISTED);
        // A figure edited in the record: named with both values.
        let mut edited: Value = serde_json::from_str(&text).unwrap();
        edited["computed_charge"]["expected_amount"] = "1".into();
        let v = verify(&edited.to_string(), &files, run).unwrap();
        assert_eq!(
            v.findings(),
            ["computed_charge.expected_amount: expected \"1\" (the record), but found \"0.1606\" (the re-run)"]
        );
    }

    /// The expected side chosen inside the record (what the client saw, then back to
    /// the gateway log's rows): the settings' digest no longer matches and the figures
    /// the choice moves are named; a record written before the choice existed (no
    /// `expected_side` in its settings) still verifies.
    #[test]
    fn a_changed_expected_side_is_noticed() {
        let files = [file("log.json", LOG), file("client.jsonl", CLIENT)];
        let text = record(&files);
        let recorded: Value = serde_json::from_str(&text).unwrap();
        assert!(recorded["settings"].get("expected_side").is_none());
        assert!(verify(&text, &files, run).unwrap().identical);
        let mut edited = recorded.clone();
        edited["settings"]["expected_side"] = "client_requests".into();
        let v = verify(&edited.to_string(), &files, run).unwrap();
        assert!(!v.identical);
        assert!(v.settings_digest_found.is_some());
        let paths: Vec<&str> = v.differences.iter().map(|d| d.path.as_str()).collect();
        assert!(
            paths.contains(&"computed_charge.expected_amount"),
            "{paths:?}"
        );
        // The check crosses from the page's worker to the page whole (src/wire).
        let sent = crate::wire::to_bytes(&v).unwrap();
        assert_eq!(crate::wire::from_bytes::<Verification>(&sent).unwrap(), v);
        // Made under the client's side, the record verifies as it is, and its choice
        // taken out is noticed the same way.
        let mut settings = Settings::from_json(SETTINGS).unwrap();
        settings.expected_side = "client_requests".into();
        let at = "2026-01-02T10:00:00Z".parse().unwrap();
        let chosen = crate::pipeline::run(&files, &settings)
            .record(at)
            .unwrap()
            .to_json();
        assert!(verify(&chosen, &files, run).unwrap().identical);
        let mut undone: Value = serde_json::from_str(&chosen).unwrap();
        undone["settings"]["expected_side"] = "".into();
        let v = verify(&undone.to_string(), &files, run).unwrap();
        assert!(!v.identical && v.settings_digest_found.is_some());
    }

    #[test]
    fn a_record_that_cannot_be_checked_says_why() {
        let text = record(&[file("log.json", LOG)]);
        let mut old: Value = serde_json::from_str(&text).unwrap();
        old["schema_version"] = 2.into();
        let cases = [
            ("{", "expected a reconciliation record (JSON), but found"),
            (
                &old.to_string(),
                "schema_version: expected a record of schema version 3 (the first to carry its settings), but found version 2",
            ),
        ];
        for (text, want) in cases {
            let problem = verify(text, &[], run).unwrap_err();
            assert!(problem.starts_with(want), "{problem}");
        }
    }
}
