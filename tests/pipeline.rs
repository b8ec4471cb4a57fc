//! The native integration tests: the whole pipeline on fixtures. This file holds the
//! shared helpers and the end-to-end checks (the fixture's record, every layout, row
//! conservation, determinism); each subject has a file of its own under tests/pipeline/:
//! hostile inputs, secrets, the CLI, property tests, regressions, real-world traps, the
//! evidence streams, absent figures, audio, overlap, real exports, FOCUS, the causes of
//! the bridge one fixture each, and the
//! explained variance (quota check, stale rates, the bundled sample).
//!
//! Snapshots live in tests/snapshots/ and are checked by hand; CI runs with CI=true, so a
//! missing or changed snapshot fails instead of being written.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

use jiff::Timestamp;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use spend_reconciler::decimal::NumberFormat;
use spend_reconciler::ingest::{self, FileReport, Format};
use spend_reconciler::pipeline::{self, Figures, InputFile, Review};
use spend_reconciler::reconcile::Comparison;
use spend_reconciler::settings::Settings;
use spend_reconciler::Error;

#[path = "pipeline/absent.rs"]
mod absent;
#[path = "pipeline/audio.rs"]
mod audio;
#[path = "pipeline/capture.rs"]
mod capture;
#[path = "pipeline/causes.rs"]
mod causes;
#[path = "pipeline/charts.rs"]
mod charts;
#[path = "pipeline/cli.rs"]
mod cli;
#[path = "pipeline/evidence.rs"]
mod evidence;
#[path = "pipeline/explained.rs"]
mod explained;
#[path = "pipeline/focus.rs"]
mod focus;
#[path = "pipeline/hostile.rs"]
mod hostile;
#[path = "pipeline/incident.rs"]
mod incident;
#[path = "pipeline/ledger.rs"]
mod ledger;
#[path = "pipeline/overlap.rs"]
mod overlap;
#[path = "pipeline/properties.rs"]
mod properties;
#[path = "pipeline/quantities.rs"]
mod quantities;
#[path = "pipeline/real_exports.rs"]
mod real_exports;
#[path = "pipeline/regressions.rs"]
mod regressions;
#[path = "pipeline/secrets.rs"]
mod secrets;
#[path = "pipeline/traps.rs"]
mod traps;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const GENERATED_AT: &str = "2026-01-02T10:00:00Z";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The settings fixture as a JSON value, so tests can alter it without knowing its types.
fn settings_json() -> Value {
    serde_json::from_slice(&fixture("settings.json")).expect("settings.json is JSON")
}

fn settings(value: &Value) -> Settings {
    Settings::from_json(&value.to_string()).expect("a settings document")
}

fn run(files: &[(&str, Vec<u8>)], settings: &Settings) -> Review {
    let to_input = |(name, bytes): &(&str, Vec<u8>)| InputFile {
        name: name.to_string(),
        bytes: bytes.clone(),
    };
    pipeline::run(&files.iter().map(to_input).collect::<Vec<_>>(), settings)
}

fn run_fixture(name: &str) -> Review {
    run(&[(name, fixture(name))], &settings(&settings_json()))
}

fn figures(review: &Review) -> &Figures {
    review
        .figures
        .as_ref()
        .unwrap_or_else(|p| panic!("no figures: {p:?}"))
}

/// The priced usage of a review that has some.
fn pricing(f: &Figures) -> &spend_reconciler::price::Pricing {
    f.pricing.as_ref().expect("usage was priced")
}

fn bridge(f: &Figures) -> &spend_reconciler::classify::Bridge {
    f.bridge.as_ref().expect("a variance to explain")
}

fn record_json(review: &Review) -> String {
    let at: Timestamp = GENERATED_AT.parse().unwrap();
    review
        .record(at)
        .expect("a record once figures exist")
        .to_json()
}

/// Reads one file with the default review rules: no window, the default policy.
fn read(name: &str, bytes: &[u8]) -> FileReport {
    ingest::ingest(name, bytes, Default::default())
}

/// The bridge's amount for one cause (0 when it has no step).
fn cause_amount(
    b: &spend_reconciler::classify::Bridge,
    cause: spend_reconciler::classify::Cause,
) -> Decimal {
    b.steps
        .iter()
        .filter(|s| s.cause == cause)
        .map(|s| s.amount)
        .sum()
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

/// `file, line, row, column: message`, the way the CLI summary prints a rejection.
fn rejection_text(r: &Error) -> String {
    format!("{}: {}", r.position, r.message)
}

/// Checks `text` against tests/snapshots/<name>.snap (every module's snapshots sit there,
/// named by subject rather than by module).
fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// One new-api CSV row and its header, the reference row the hostile and generated
/// inputs vary.
const HEADER: &str = "created_at,type,model_name,quota,prompt_tokens,completion_tokens";
const ROW: &str = "1767225723,2,gpt-4o,1750,59200,100";

fn csv(row: &str) -> Vec<u8> {
    format!("{HEADER}\n{row}\n").into_bytes()
}

/// The same seven log rows in the four layouts we read.
const LAYOUTS: [(&str, Format); 4] = [
    ("cometapi-log-page.json", Format::NewApiLogPage),
    ("cometapi-log-rows.json", Format::NewApiJsonArray),
    ("cometapi-log-rows.jsonl", Format::NewApiJsonLines),
    // Carries one extra row (id 424, quota "abc") that must be rejected.
    ("cometapi-logs.csv", Format::NewApiCsv),
];

// 1. The fixture end to end, pinned by a snapshot and by hand arithmetic.

#[test]
fn log_page_record_matches_snapshot_and_hand_arithmetic() {
    let review = run_fixture("cometapi-log-page.json");
    let f = figures(&review);
    // Window 00:00–01:00 UTC: row 422 (01:03) is outside, row 420 is an error row.
    //   gpt-4o  (5000×2.5 + 8000×1.25 + 600×10)/1e6, uncached = 12000−8000 + 1000 = 0.0285
    //   claude  (1200×3 + 30000×0.30 + 2000×3.75 + 800×15)/1e6, Anthropic-additive = 0.0321
    //   mj      one call × 0.1                                                     = 0.1
    //   provider (12500 + 1750 − 2500 refund + 16050 + 50000) / 500000             = 0.1556
    let total = &f.reconciliation.total;
    assert_eq!(total.expected, Some(dec("0.1606")));
    assert_eq!(total.provider, Some(dec("0.1556")));
    assert_eq!(total.variance, Some(dec("-0.005")));
    assert_eq!(total.variance_percent, Some(dec("-3.1133"))); // −0.005/0.1606 = −3.11332…%
    let model = |name: &str| {
        let found = f.reconciliation.per_model.iter().find(|(m, _)| m == name);
        let (_, c) = found.unwrap_or_else(|| panic!("{name} missing"));
        (c.expected.unwrap(), c.provider.unwrap())
    };
    assert_eq!(model("gpt-4o"), (dec("0.0285"), dec("0.0235")));
    assert_eq!(
        model("claude-sonnet-4-5-20250929"),
        (dec("0.0321"), dec("0.0321"))
    );
    assert_eq!(model("mj_imagine"), (dec("0.1"), dec("0.1")));
    snapshot("log_page_record", &record_json(&review));
}

// 2. Every layout of the same rows gives the same figures and the same ledger.

#[test]
fn every_layout_gives_the_same_figures_and_ledger() {
    let base = run_fixture(LAYOUTS[0].0);
    let base_file = &base.files[0];
    for (name, format) in LAYOUTS {
        let review = run_fixture(name);
        let (file, ledger) = (&review.files[0], &review.files[0].ledger);
        assert_eq!(
            (file.format, &file.problem),
            (Some(format), &None),
            "{name}"
        );
        // The same figures; only the file name each stream lists differs.
        let unnamed = |review: &Review| {
            let mut f = figures(review).clone();
            f.streams.iter_mut().for_each(|s| s.files.clear());
            f
        };
        assert_eq!(unnamed(&review), unnamed(&base), "{name}: figures");
        assert_eq!(file.rows, base_file.rows, "{name}: accepted rows");
        assert_eq!(ledger.accepted, base_file.ledger.accepted, "{name}");
        assert_eq!(ledger.excluded, base_file.ledger.excluded, "{name}");
        if format != Format::NewApiCsv {
            assert_eq!(ledger, &base_file.ledger, "{name}: ledger");
            continue;
        }
        // The CSV's extra row is rejected where it is, and nothing else differs.
        assert_eq!(ledger.rows_read, base_file.ledger.rows_read + 1);
        assert_eq!(ledger.rejected, 1);
        assert_eq!(
            rejection_text(&ledger.rejections[0]),
            "cometapi-logs.csv, line 9, row 8, column quota: \
             expected a whole number, but found \"abc\""
        );
    }
}

#[test]
fn line_numbers_count_every_kind_of_line_end() {
    let lf = fixture("cometapi-logs.csv");
    let text = String::from_utf8(lf.clone()).unwrap();
    let endings = [
        ("lf.csv", lf),
        ("crlf.csv", text.replace('\n', "\r\n").into_bytes()),
        ("cr.csv", text.replace('\n', "\r").into_bytes()),
    ];
    for (name, bytes) in endings {
        let ledger = read(name, &bytes).ledger;
        assert_eq!(
            rejection_text(&ledger.rejections[0]),
            format!(
                "{name}, line 9, row 8, column quota: expected a whole number, but found \"abc\""
            ),
        );
        assert_eq!(ledger.accepted, 7, "{name}");
        // A line end split between two chunks counts the same.
        let mut ingestor = ingest::Ingestor::new(name, ingest::Rules::default());
        bytes.chunks(1).for_each(|byte| ingestor.push(byte));
        assert_eq!(ingestor.finish().ledger, ledger, "{name}, byte by byte");
    }
}

// 3. Conservation on every fixture, alone and all together.

fn assert_conserved(review: &Review, what: &str) {
    for file in &review.files {
        let l = &file.ledger;
        assert!(l.is_balanced(), "{what}/{}: {l:?}", file.name);
        assert_eq!(l.rows_read, l.accepted + l.excluded_total() + l.rejected);
        assert_eq!(
            l.accepted as usize,
            file.rows.len(),
            "{what}: accepted rows kept"
        );
    }
    assert_figures_add_up(figures(review), what);
}

/// Σ bridge steps + residual = variance = recorded − expected, and the models add up to
/// the totals; with no variance, no bridge.
fn assert_figures_add_up(f: &Figures, what: &str) {
    let total = &f.reconciliation.total;
    let (Some(expected), Some(provider), Some(variance)) =
        (total.expected, total.provider, total.variance)
    else {
        return assert!(f.bridge.is_none(), "{what}: a bridge without a variance");
    };
    let explained: Decimal = bridge(f).steps.iter().map(|s| s.amount).sum();
    assert_eq!(explained + bridge(f).residual, variance, "{what}: bridge");
    assert_eq!(provider - expected, variance, "{what}");
    let models = &f.reconciliation.per_model;
    let sum = |side: fn(&Comparison) -> Option<Decimal>| -> Decimal {
        models.iter().map(|(_, c)| side(c).unwrap()).sum()
    };
    assert_eq!(
        (sum(|c| c.expected), sum(|c| c.provider)),
        (expected, provider),
        "{what}"
    );
}

#[test]
fn every_fixture_conserves_rows_and_variance() {
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap())
        // Subfolders hold fixtures of other streams and traps, tested on their own.
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|name| !name.starts_with("settings"))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "fixtures found: {names:?}");
    let all: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (n.as_str(), fixture(n))).collect();
    for file in &all {
        assert_conserved(
            &run(std::slice::from_ref(file), &settings(&settings_json())),
            file.0,
        );
    }
    assert_conserved(&run(&all, &settings(&settings_json())), "all together");
}

// 4. Determinism: the same inputs give the same bytes. (The CLI's tests are in cli.rs.)

/// Where the CLI's tests find the fixture page.

#[test]
fn same_inputs_give_byte_identical_records() {
    let inputs: Vec<(&str, Vec<u8>)> = LAYOUTS.iter().map(|(n, _)| (*n, fixture(n))).collect();
    let once = record_json(&run(&inputs, &settings(&settings_json())));
    let twice = record_json(&run(&inputs, &settings(&settings_json())));
    assert_eq!(once, twice);
}

const PAGE: &str = "tests/fixtures/cometapi-log-page.json";

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_spend-reconciler"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the CLI runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8 output");
    let code = out.status.code().expect("an exit code");
    (code, text(out.stdout), text(out.stderr))
}

fn temp_file(name: &str, text: &str) -> String {
    let path = format!("{}/{name}", env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(&path, text).unwrap();
    path
}
