//! The dual ledger hand-checked on two finance days across a daylight-saving change:
//! `ledger/dst-two-days.json`, five gateway rows, with America/New_York as the finance
//! zone. Clocks there go from EST (−05:00) to EDT (−04:00) at 02:00 on 2026-03-08, so
//! 2026-03-07 runs 05:00Z → 05:00Z (24 h) and 2026-03-08 runs 05:00Z → 04:00Z (23 h).
//!
//! gpt-4o at 2.50 input / 10 output per 1M tokens; 500,000 quota per USD.
//!
//! | row | at (UTC)   | New York          | tokens in/out | estimated             | quota | reconciled |
//! |-----|------------|-------------------|---------------|-----------------------|-------|------------|
//! | 901 | 03-08 02:30 | 03-07 21:30 EST  | 10,000 / 1,000 | 0.025 + 0.01 = 0.035 | 17,500 | 0.035 |
//! | 902 | 03-08 04:30 | 03-07 23:30 EST  | 2,000 / 500   | 0.005 + 0.005 = 0.01  | 5,500 | 0.011 |
//! | 903 | 03-08 05:30 | 03-08 00:30 EST  | 4,000 / 0     | 0.01                  | 5,000 | 0.01 |
//! | 904 | 03-08 12:00 | 03-08 08:00 EDT  | mystery-model, no rate | unknown      | 1,000 | 0.002 |
//! | 905 | 03-09 03:30 | 03-08 23:30 EDT  | 1,000 / 1,000 | 0.0025 + 0.01 = 0.0125 | 7,500 | 0.015 |
//!
//! New York days: 03-07 gpt-4o 0.045 vs 23,000 quota = 0.046 (variance 0.001);
//! 03-08 gpt-4o 0.0225 vs 12,500 quota = 0.025 (variance 0.0025); 03-08 mystery-model
//! unknown vs 0.002. In UTC the same rows fall on other days: 03-08 gpt-4o 0.055 vs
//! 28,000 quota = 0.056; 03-09 gpt-4o 0.0125 vs 0.015.

use super::*;
use spend_reconciler::dual_ledger::LedgerLine;
use spend_reconciler::outputs::{dual_ledger_csv, CsvStyle};

const FILE: &str = "ledger/dst-two-days.json";

/// (day, model, estimated, reconciled, variance, provisional).
type Line = (
    String,
    String,
    Option<Decimal>,
    Option<Decimal>,
    Option<Decimal>,
    bool,
);

fn ledger_settings(zone: &str) -> Settings {
    let mut doc = settings_json();
    doc["incident_window_utc"] = json!({
        "start": "2026-03-07T05:00:00Z",
        "end": "2026-03-09T04:00:00Z",
    });
    doc["review"] = json!({ "finance_time_zone": zone });
    settings(&doc)
}

fn review(zone: &str) -> Review {
    run(&[(FILE, fixture(FILE))], &ledger_settings(zone))
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn money(text: &str) -> Option<Decimal> {
    (!text.is_empty()).then(|| text.parse().unwrap())
}

/// (day, model, estimated, reconciled, variance, provisional); "" is unknown.
fn lines(review: &Review, at: &str) -> Vec<Line> {
    let f = figures(review);
    let lines: Vec<LedgerLine> = f.dual_ledger.lines_at(ts(at), f.settings.quota_per_usd);
    lines
        .into_iter()
        .map(|l| {
            (
                l.day.unwrap_or_default(),
                l.model,
                l.estimated,
                l.reconciled,
                l.variance,
                l.provisional,
            )
        })
        .collect()
}

fn line(day: &str, model: &str, e: &str, r: &str, v: &str, provisional: bool) -> Line {
    (
        day.into(),
        model.into(),
        money(e),
        money(r),
        money(v),
        provisional,
    )
}

#[test]
fn new_york_days_across_the_clock_change_hand_checked() {
    let review = review("America/New_York");
    let f = figures(&review);
    assert_eq!(f.dual_ledger.zone, "America/New_York");
    // 03-07 ended 05:00Z on the 8th: settled from 05:00Z on the 9th. 03-08 lasted 23
    // hours and ended 04:00Z on the 9th: settled from 04:00Z on the 10th (a fixed
    // −05:00 offset would wait until 05:00Z).
    let cases = [
        (
            "2026-03-10T03:59:59Z",
            vec![
                line("2026-03-07", "gpt-4o", "0.045", "0.046", "0.001", false),
                line("2026-03-08", "gpt-4o", "0.0225", "0.025", "0.0025", true),
                line("2026-03-08", "mystery-model", "", "0.002", "", true),
            ],
        ),
        (
            "2026-03-10T04:00:00Z",
            vec![
                line("2026-03-07", "gpt-4o", "0.045", "0.046", "0.001", false),
                line("2026-03-08", "gpt-4o", "0.0225", "0.025", "0.0025", false),
                line("2026-03-08", "mystery-model", "", "0.002", "", false),
            ],
        ),
    ];
    for (at, want) in cases {
        assert_eq!(lines(&review, at), want, "as of {at}");
    }
}

#[test]
fn without_a_finance_zone_the_days_are_utc() {
    let review = review("");
    assert_eq!(figures(&review).dual_ledger.zone, "UTC");
    assert_eq!(
        lines(&review, "2026-03-10T00:00:00Z"),
        vec![
            line("2026-03-08", "gpt-4o", "0.055", "0.056", "0.001", false),
            line("2026-03-08", "mystery-model", "", "0.002", "", false),
            line("2026-03-09", "gpt-4o", "0.0125", "0.015", "0.0025", true),
        ]
    );
}

#[test]
fn the_days_add_up_to_the_headline_per_model() {
    // Neither column is the headline's, but over the window they sum to it: gpt-4o
    // expected 0.0675, recorded 35,500 quota = 0.071.
    let review = review("America/New_York");
    let f = figures(&review);
    let (_, gpt) = f
        .reconciliation
        .per_model
        .iter()
        .find(|(m, _)| m == "gpt-4o")
        .unwrap();
    let sum = |pick: fn(&LedgerLine) -> Option<Decimal>| {
        lines_of(f)
            .iter()
            .filter(|l| l.model == "gpt-4o")
            .map(|l| pick(l).unwrap())
            .sum::<Decimal>()
    };
    assert_eq!(Some(sum(|l| l.estimated)), gpt.expected);
    assert_eq!(Some(sum(|l| l.reconciled)), gpt.provider);
    assert_eq!(gpt.provider, money("0.071"));
}

fn lines_of(f: &Figures) -> Vec<LedgerLine> {
    f.dual_ledger
        .lines_at(ts("2026-03-10T00:00:00Z"), f.settings.quota_per_usd)
}

#[test]
fn the_csv_and_the_record_carry_the_same_lines() {
    let review = review("America/New_York");
    let f = figures(&review);
    let at = ts("2026-03-10T03:59:59Z");
    let csv = dual_ledger_csv(f, CsvStyle::default(), at);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(
        rows[0].starts_with(
            "Day,Time zone,Model,Estimated cost,Reconciled cost,Variance,Currency,Provisional,"
        ),
        "{csv}"
    );
    assert!(rows[2].starts_with("2026-03-08,America/New_York,gpt-4o,0.0225,0.025,0.0025,USD,true,2,0,2,gateway_log,gateway_log,"), "{csv}");
    // (The fixture's settings ask for readable headers.) Unknown is an empty cell, never a zero.
    assert!(
        rows[3].starts_with("2026-03-08,America/New_York,mystery-model,,0.002,,USD,true,1,1,1,"),
        "{csv}"
    );
    let record = review.record(at).unwrap();
    assert_eq!(
        record.dual_ledger.lines,
        f.dual_ledger.lines_at(at, f.settings.quota_per_usd)
    );
    assert_eq!(record.dual_ledger.posting_window_hours, 24);
    let json: Value = serde_json::from_str(&record.to_json()).unwrap();
    assert_eq!(json["dual_ledger"]["lines"][1]["estimated"], "0.0225");
    assert_eq!(json["dual_ledger"]["lines"][2]["estimated"], Value::Null);
    super::absent::assert_valid(&json, FILE);
}

#[test]
fn the_cli_writes_the_ledger_as_of_generated_at() {
    let dir = format!("{}/cli-ledger", env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&dir).unwrap();
    let (settings_path, out) = (format!("{dir}/settings.json"), format!("{dir}/ledger.csv"));
    let mut doc = settings_json();
    doc["incident_window_utc"] = json!({
        "start": "2026-03-07T05:00:00Z",
        "end": "2026-03-09T04:00:00Z",
    });
    doc["review"] = json!({ "finance_time_zone": "America/New_York" });
    std::fs::write(&settings_path, doc.to_string()).unwrap();
    let file = format!("{FIXTURES}/{FILE}");
    let args = [
        "--settings",
        &settings_path,
        "--generated-at",
        "2026-03-10T04:00:00Z",
        "--ledger-csv",
        &out,
        "--out",
        &format!("{dir}/record.json"),
        &file,
    ];
    let (code, _, stderr) = cli(&args);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    // As of 04:00Z on the 10th the 23-hour 2026-03-08 has settled.
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(
        rows[2].starts_with("2026-03-08,America/New_York,gpt-4o,0.0225,0.025,0.0025,USD,false,"),
        "{text}"
    );
}

/// The gateway log of 2026-01-01 beside `evidence/focus.csv`, the bill chosen as the
/// provider-side figure, the window the whole UTC day.
fn billed(zone: &str) -> Review {
    let mut doc = settings_json();
    doc["incident_window_utc"]["end"] = "2026-01-02T00:00:00Z".into();
    doc["provider_side"] = "billing".into();
    doc["review"] = json!({ "finance_time_zone": zone });
    let files = [
        ("log.json", fixture("cometapi-log-page.json")),
        ("focus.csv", fixture("evidence/focus.csv")),
    ];
    run(&files, &settings(&doc))
}

#[test]
fn a_bill_is_reconciled_on_its_day_and_a_bucket_spanning_two_days_on_none() {
    // The bill's gpt-4o usage lines for 2026-01-01 (UTC): 0.008 input + 0.008 cached
    // input + 0.004 output = 0.02 (the tax line is not usage; the "abc" row is rejected).
    let utc = billed("");
    let f = figures(&utc);
    assert_eq!(f.dual_ledger.reconciled_from, Some(ingest::Stream::Billing));
    let gpt: Vec<LedgerLine> = lines_of(f)
        .into_iter()
        .filter(|l| l.model == "gpt-4o")
        .collect();
    assert_eq!(gpt.len(), 1);
    assert_eq!(
        (gpt[0].day.as_deref(), gpt[0].reconciled),
        (Some("2026-01-01"), money("0.02"))
    );
    let (_, headline) = f
        .reconciliation
        .per_model
        .iter()
        .find(|(m, _)| m == "gpt-4o")
        .unwrap();
    assert_eq!(gpt[0].estimated, headline.expected);
    assert_eq!(gpt[0].variance, headline.variance);
    // In New York the UTC day runs 2025-12-31 19:00 → 2026-01-01 19:00: the bucket spans
    // two days and cannot be split, so it is on no day (and provisional); the log's
    // rows, logged after 00:00Z, fall on 2025-12-31.
    let york = billed("America/New_York");
    let lines = lines_of(figures(&york));
    let gpt: Vec<&LedgerLine> = lines.iter().filter(|l| l.model == "gpt-4o").collect();
    assert_eq!(gpt.len(), 2, "{gpt:?}");
    assert_eq!(
        (gpt[0].day.as_deref(), gpt[0].reconciled),
        (Some("2025-12-31"), None)
    );
    assert_eq!(gpt[0].estimated, headline.expected);
    assert_eq!((gpt[1].day.as_deref(), gpt[1].estimated), (None, None));
    assert_eq!(
        (gpt[1].reconciled, gpt[1].provisional),
        (money("0.02"), true)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the rows and the zone, each model's days add up to the headline: the
    /// estimated column to its expected charge (when every row is priced), the
    /// reconciled column to the gateway's recorded figure; neither column moves the
    /// other. Rows span one UTC day, so in New York they fall on two days.
    #[test]
    fn each_models_days_add_up_to_its_headline(
        rows in proptest::collection::vec(super::properties::gen_row(), 1..16),
        york in any::<bool>(),
    ) {
        let mut doc = settings_json();
        doc["incident_window_utc"]["end"] = "2026-01-02T00:00:00Z".into();
        doc["review"] = json!({ "finance_time_zone": if york { "America/New_York" } else { "" } });
        let review = run(&[("gen.json", super::properties::as_json_array(&rows))], &settings(&doc));
        let Ok(f) = &review.figures else { return Ok(()) };
        let lines = lines_of(f);
        for (model, c) in &f.reconciliation.per_model {
            let mine: Vec<&LedgerLine> = lines.iter().filter(|l| &l.model == model).collect();
            let sum = |pick: fn(&LedgerLine) -> Option<Decimal>| {
                mine.iter().map(|l| pick(l)).sum::<Option<Decimal>>()
            };
            if c.expected_complete {
                prop_assert_eq!(sum(|l| l.estimated), c.expected, "{}", model);
            }
            prop_assert_eq!(sum(|l| l.reconciled), c.provider, "{}", model);
        }
    }
}

#[test]
fn a_usage_report_is_reconciled_priced_with_the_card() {
    // The report's gpt-4o usage priced with the card: 5,000 uncached × 2.50 + 8,000
    // cached × 1.25 + 600 output × 10, per 1M = 0.0125 + 0.01 + 0.006 = 0.0285; the
    // gateway's two gpt-4o rows price to the same 0.0285 (as the headline says).
    let mut doc = settings_json();
    doc["provider_side"] = "provider_usage".into();
    let files = [
        ("log.json", fixture("cometapi-log-page.json")),
        ("usage.json", fixture("evidence/openai-usage.json")),
    ];
    let review = run(&files, &settings(&doc));
    let f = figures(&review);
    assert_eq!(
        f.dual_ledger.reconciled_from,
        Some(ingest::Stream::ProviderUsage)
    );
    let lines = lines_of(f);
    let gpt: Vec<&LedgerLine> = lines.iter().filter(|l| l.model == "gpt-4o").collect();
    assert_eq!(gpt.len(), 1, "{lines:?}");
    let (_, headline) = f
        .reconciliation
        .per_model
        .iter()
        .find(|(m, _)| m == "gpt-4o")
        .unwrap();
    assert_eq!(
        (gpt[0].estimated, gpt[0].reconciled),
        (headline.expected, headline.provider)
    );
    assert_eq!(gpt[0].reconciled, money("0.0285"));
    assert_eq!(gpt[0].variance, money("0"));
}
