//! Seed 000's baseline, projection and readiness on hand-computed fixtures.

use rust_decimal::Decimal;

use super::projection::Knob;
use super::tests::files;
use super::*;
use crate::settings::budget::{MixShareText, PeriodText, PlanText, ReadinessText};

const LOG: &str = include_str!("../../tests/fixtures/budget/gateway-tokens.jsonl");
const SETTINGS: &str = include_str!("../../tests/fixtures/budget/settings-allocation.json");
const RETRY_LOG: &str = include_str!("../../tests/fixtures/budget/client-retries.jsonl");

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn period(start: &str, end: &str) -> PeriodText {
    PeriodText {
        start: start.into(),
        end: end.into(),
    }
}

fn plan(minutes: u32, share: &str, budget: &str, stop: &str) -> PlanText {
    PlanText {
        start: "2026-01-02T14:00".into(),
        end: format!("2026-01-02T{}:{:02}", 14 + minutes / 60, minutes % 60),
        traffic_share: share.into(),
        rollback_budget: budget.into(),
        stop_over_percent: stop.into(),
        ..PlanText::default()
    }
}

/// The allocation fixture with the five gateway rows of 2026-01-01 00:00–00:04 UTC
/// marked as the reference period (00:00–00:05: five minutes) and `plan`.
fn with(plan: PlanText) -> (Settings, Vec<FileReport>) {
    let mut s = Settings::from_json(SETTINGS).unwrap();
    s.budget_review.reference_period = period("2026-01-01T00:00", "2026-01-01T00:05");
    s.budget_review.plan = plan;
    let read = files(&[("log.jsonl", LOG)], &s);
    (s, read)
}

#[test]
fn the_baseline_is_hand_computed() {
    // The five rows, gpt-4o at $2.50 in / $10 out per 1M tokens:
    //   00:00 1,000 in 200 out 0.0045 | 00:01 2,000 100 0.006 | 00:02 4,000 400 0.014
    //   00:03   600 in  50 out 0.002  | 00:04   400   0 0.001         Σ 0.0275
    // 5 requests in 5 minutes: 1 per minute, peak 1 (the earliest minute, 00:00).
    // Input mean 8,000 ÷ 5 = 1,600, p95 of 5 values = the maximum, 4,000; output mean
    // 750 ÷ 5 = 150, p95 400; charge mean 0.0275 ÷ 5 = 0.0055, p95 0.014.
    let (s, read) = with(PlanText::default());
    let f = review(&read, &s).unwrap();
    let b = f.baseline.unwrap().unwrap();
    let all = &b.all;
    assert_eq!((all.requests, all.per_minute_mean), (5, Some(dec("1"))));
    assert_eq!(
        (all.peak_minute_requests, all.peak_minute_start.as_str()),
        (1, "2026-01-01T00:00+00:00")
    );
    assert_eq!(
        (all.input_tokens_mean, all.input_tokens_p95),
        (dec("1600"), 4000)
    );
    assert_eq!(
        (all.output_tokens_mean, all.output_tokens_p95),
        (dec("150"), 400)
    );
    assert_eq!(
        (
            all.charge,
            all.charge_per_request_mean,
            all.charge_per_request_p95
        ),
        (Some(dec("0.0275")), Some(dec("0.0055")), Some(dec("0.014")))
    );
    assert_eq!(
        (all.error_rate_percent, all.timeouts, all.retries),
        (dec("0"), 0, 0)
    );
    assert_eq!(
        b.p95_method,
        "nearest rank: p95 of 5 values is the maximum (rank 5 of 5)"
    );
    assert_eq!(b.by_model.len(), 1);
    // No row states a route.
    assert_eq!(
        b.by_model_and_route[0].route.as_deref(),
        Some(baseline::NO_ROUTE)
    );
    // 00:01–00:03 holds two rows, 2,000 and 4,000 in: mean 3,000 (half-open: the row
    // at 00:03 is out).
    let mut narrow = s.clone();
    narrow.budget_review.reference_period = period("2026-01-01T00:01:00Z", "2026-01-01T00:03:00Z");
    let b = review(&read, &narrow).unwrap().baseline.unwrap().unwrap();
    assert_eq!((b.all.requests, b.all.input_tokens_mean), (2, dec("3000")));
    // A finance time zone moves a time typed without an offset: 08:00 at +08:00 is
    // 00:00 UTC.
    let mut zoned = s.clone();
    zoned.budget_review.finance_time_zone = "+08:00".into();
    zoned.budget_review.reference_period = period("2026-01-01T08:00", "2026-01-01T08:05");
    let b = review(&read, &zoned).unwrap().baseline.unwrap().unwrap();
    assert_eq!(
        (b.all.requests, b.all.peak_minute_start.as_str()),
        (5, "2026-01-01T08:00+08:00")
    );
}

#[test]
fn an_empty_reference_period_gives_no_baseline_and_says_why() {
    let (mut s, read) = with(plan(60, "100", "1", "20"));
    s.budget_review.reference_period = period("2026-01-01T02:00", "2026-01-01T03:00");
    let f = review(&read, &s).unwrap();
    assert_eq!(
        f.baseline,
        Some(Err("expected requests between 2026-01-01T02:00:00+00:00 and 2026-01-01T03:00:00+00:00 to measure a baseline from, but found none".into()))
    );
    let reason = f.projection.unwrap().unwrap_err();
    assert!(
        reason.starts_with("no baseline: expected requests between"),
        "{reason}"
    );
    let no_period = {
        let (mut s, read) = with(plan(60, "100", "1", "20"));
        s.budget_review.reference_period = PeriodText::default();
        review(&read, &s).unwrap()
    };
    assert_eq!(no_period.baseline, None);
    assert_eq!(
        no_period.projection,
        Some(Err(
            "no reference period is marked: there is no baseline to project from".into()
        ))
    );
}

#[test]
fn retries_timeouts_and_error_classes_in_the_baseline() {
    // The client log's eight attempts from 00:00:00 to 00:01:10 (reference 00:00–00:02):
    // 503, 429, ok (r-1: two retries); ok (r-2); network failure, 408 retry (r-3: one
    // retry); ok (no id); a validation error on a stated retry with no id (a retry).
    // Successes 3 of 8: error rate 62.5 %. Timeouts: the 408. Busiest minute 00:00
    // (6 attempts).
    let mut s = Settings::from_json(SETTINGS).unwrap();
    s.budget_review.reference_period = period("2026-01-01T00:00", "2026-01-01T00:02");
    let read = files(&[("client.jsonl", RETRY_LOG)], &s);
    let b = review(&read, &s).unwrap().baseline.unwrap().unwrap();
    let all = &b.all;
    assert_eq!(all.requests, 8);
    assert_eq!(
        (all.per_minute_mean, all.peak_minute_requests),
        (Some(dec("4")), 6)
    );
    assert_eq!(all.error_rate_percent, dec("62.5"));
    assert_eq!((all.timeouts, all.retries), (1, 4));
    let classes: Vec<(&str, u64)> = all
        .by_outcome_class
        .iter()
        .map(|c| (c.class.name(), c.requests))
        .collect();
    assert_eq!(
        classes,
        [
            ("success", 3),
            ("429", 1),
            ("5xx", 1),
            ("timeout", 1),
            ("network_failure", 1),
            ("validation_error", 1)
        ]
    );
}

#[test]
fn a_projection_that_fails_the_stop_condition_and_names_its_knob() {
    // Baseline: 1 request per minute, charge per request 0.0055 (mean) to 0.014 (p95).
    // Plan: 60 minutes at 200 % of the baseline: 2 per minute, 120 requests.
    //   spend 120 × 0.0055 = 0.66 to 120 × 0.014 = 1.68 (estimate).
    //   Rollback budget 1, stop over 20 %: limit 1.2; 1.68 > 1.2: fail, by 0.48.
    //   Knobs of the high end: requests 1.68 × (2 − 1) ÷ 2 = 0.84; tokens
    //   1.68 − 0.66 = 1.02; retries 0 (none in the baseline). Tokens drive it.
    let (s, read) = with(plan(60, "200", "1", "20"));
    let p = review(&read, &s).unwrap().projection.unwrap().unwrap();
    assert_eq!((p.requests_per_minute, p.requests), (dec("2"), dec("120")));
    assert_eq!((p.spend_mean, p.spend_p95), (dec("0.66"), dec("1.68")));
    assert_eq!((p.stop_limit, p.pass), (dec("1.2"), false));
    assert_eq!(
        (p.headroom_at_mean, p.headroom_at_p95),
        (dec("0.34"), dec("-0.68"))
    );
    let knobs: Vec<(Knob, Decimal)> = p.knobs.iter().map(|k| (k.knob, k.amount)).collect();
    assert_eq!(
        knobs,
        [
            (Knob::Requests, dec("0.84")),
            (Knob::Tokens, dec("1.02")),
            (Knob::Retries, dec("0"))
        ]
    );
    assert_eq!(p.driver, Knob::Tokens);
    assert_eq!(
        p.verdict("USD"),
        "fail: projected spend 0.66 USD to 1.68 USD (estimate, mean to p95) exceeds the stop limit 1.2 USD (rollback budget 1 USD + 20 %) by 0.48 USD; the knob that drives it: tokens (1.02 USD of the high end)"
    );
    // Ten times the baseline (10 per minute, 600 requests): 3.3 to 8.4; requests
    // 8.4 × 9 ÷ 10 = 7.56 outweigh tokens 5.1.
    let (s, read) = with(plan(60, "1000", "1", "20"));
    let p = review(&read, &s).unwrap().projection.unwrap().unwrap();
    assert_eq!(
        (p.spend_mean, p.spend_p95, p.driver),
        (dec("3.3"), dec("8.4"), Knob::Requests)
    );
}

#[test]
fn a_projection_that_passes_the_stop_condition() {
    // 30 minutes at the baseline rate (100 %): 30 requests; 30 × 0.0055 = 0.165 to
    // 30 × 0.014 = 0.42. Budget 0.40, stop over 20 %: limit 0.48; 0.42 ≤ 0.48: pass,
    // though the p95 end is 0.02 over the budget itself (headroom −0.02).
    let (s, read) = with(plan(30, "100", "0.40", "20"));
    let p = review(&read, &s).unwrap().projection.unwrap().unwrap();
    assert_eq!((p.spend_mean, p.spend_p95), (dec("0.165"), dec("0.42")));
    assert_eq!(
        (p.stop_limit, p.pass, p.headroom_at_p95),
        (dec("0.48"), true, dec("-0.02"))
    );
    assert!(p
        .verdict("USD")
        .starts_with("pass: projected spend 0.165 USD to 0.42 USD"));
    // A stated rate and a model mix: 0.5 per minute for 60 minutes = 30 requests, all
    // gpt-4o (100 %): the same 0.165 to 0.42.
    let mut by_rate = plan(60, "", "0.40", "20");
    by_rate.request_rate = "0.5".into();
    by_rate.model_mix = vec![MixShareText {
        model: "gpt-4o".into(),
        percent: "100".into(),
    }];
    let (s, read) = with(by_rate.clone());
    let p = review(&read, &s).unwrap().projection.unwrap().unwrap();
    assert_eq!(
        (p.requests, p.spend_mean, p.spend_p95, p.pass),
        (dec("30"), dec("0.165"), dec("0.42"), true)
    );
    // A model the baseline never saw leaves the projection unknown, never $0.
    by_rate.model_mix = vec![
        MixShareText {
            model: "gpt-4o".into(),
            percent: "50".into(),
        },
        MixShareText {
            model: "claude-opus".into(),
            percent: "50".into(),
        },
    ];
    let (s, read) = with(by_rate);
    let reason = review(&read, &s).unwrap().projection.unwrap().unwrap_err();
    assert_eq!(reason, "expected requests of claude-opus in the reference period to project its charge per request from, but found none: the projection is unknown");
}

#[test]
fn plan_problems_are_named_by_path() {
    type Edit = fn(&mut PlanText);
    let cases: [(Edit, &str); 7] = [
        (|p| p.start = "tomorrow".into(), "budget_review.plan.start: expected a time like 2026-05-09T14:00 (in the finance time zone) or 2026-05-09T14:00:00Z, but found \"tomorrow\""),
        (|p| p.end = "2026-01-02T13:00".into(), "budget_review.plan.end: expected an end after the start (2026-01-02T14:00:00Z), but found 2026-01-02T13:00:00Z"),
        (|p| p.traffic_share = String::new(), "budget_review.plan.request_rate: expected a request rate or a traffic share of the baseline, but found neither"),
        (|p| p.request_rate = "3".into(), "budget_review.plan.traffic_share: expected a request rate or a traffic share, not both, but found both (traffic share \"100\")"),
        (|p| p.stop_over_percent = String::new(), "budget_review.plan.stop_over_percent: expected the stop condition's percent over the rollback budget (20 in seed 000's example), but found nothing"),
        (|p| p.rollback_budget = "0".into(), "budget_review.plan.rollback_budget: expected the rollback budget above 0, but found \"0\""),
        (|p| p.model_mix = vec![MixShareText { model: "a".into(), percent: "60".into() }, MixShareText { model: "b".into(), percent: "30".into() }], "budget_review.plan.model_mix: expected percentages that add up to 100, but found 90"),
    ];
    for (edit, want) in cases {
        let mut text = plan(60, "100", "1", "20");
        edit(&mut text);
        let section = crate::settings::budget::BudgetText {
            plan: text,
            ..Default::default()
        };
        assert_eq!(crate::settings::budget::problems(&section), [want]);
    }
}

fn complete_form() -> ReadinessText {
    ReadinessText {
        owner: "platform-ops".into(),
        billing_observer: "finops-oncall".into(),
        kill_switch_who: "sre-oncall".into(),
        kill_switch_where: "gateway route weights".into(),
        kill_switch_time_to_effect: "under 2 minutes".into(),
        kill_switch_verify: "request rate on the dashboard drops to 0".into(),
        kill_switch_reverse: "restore the weight to 100".into(),
        drill_traced: "yes".into(),
        kill_switch_tested: "yes".into(),
    }
}

#[test]
fn readiness_completeness_and_phases() {
    type Edit = fn(&mut ReadinessText);
    // (edit, missing items, each phase as pass or the start of its hold reason)
    let cases: [(Edit, &[&str], [&str; 4]); 5] = [
        (
            |_| {},
            &[],
            [
                "pass",
                "pass",
                "pass",
                "hold: the projected spend exceeds the stop limit",
            ],
        ),
        (
            |r| {
                r.owner.clear();
                r.kill_switch_reverse = " ".into();
            },
            &["the rollback owner", "how to reverse the kill switch"],
            [
                "hold: missing the rollback owner, how to reverse the kill switch",
                "hold: phase A holds",
                "hold: phase B holds",
                "hold: phase C holds",
            ],
        ),
        (
            |r| r.drill_traced = "no".into(),
            &[],
            [
                "pass",
                "hold: the drill request was not traced end to end",
                "hold: phase B holds",
                "hold: phase C holds",
            ],
        ),
        (
            |r| r.kill_switch_tested.clear(),
            &["whether the kill switch was tested"],
            [
                "pass",
                "pass",
                "hold: the kill switch is not recorded as tested",
                "hold: phase C holds; the projected spend exceeds the stop limit",
            ],
        ),
        (
            |r| *r = ReadinessText::default(),
            &[
                "the rollback owner",
                "the billing observer",
                "who can trigger the kill switch",
                "where the kill switch is configured",
                "how long the kill switch takes to take effect",
                "how to verify the kill switch worked",
                "how to reverse the kill switch",
                "whether the drill request was traced end to end",
                "whether the kill switch was tested",
            ],
            [
                "hold: missing the rollback owner, the billing observer",
                "hold: phase A holds; the drill",
                "hold: phase B holds",
                "hold: phase C holds",
            ],
        ),
    ];
    for (edit, missing, phases) in cases {
        let (mut s, read) = with(plan(60, "200", "1", "20"));
        let mut form = complete_form();
        edit(&mut form);
        s.budget_review.readiness = form;
        let r = review(&read, &s).unwrap().readiness.unwrap();
        assert_eq!(r.missing, missing);
        assert_eq!(r.complete(), missing.is_empty());
        for (phase, want) in r.phases.iter().zip(phases) {
            let shown = match phase.pass {
                true => "pass".to_string(),
                false => format!("hold: {}", phase.reason),
            };
            assert!(shown.starts_with(want), "phase {}: {shown}", phase.phase);
        }
    }
    // The passing plan lets phase D pass.
    let (mut s, read) = with(plan(30, "100", "0.40", "20"));
    s.budget_review.readiness = complete_form();
    let r = review(&read, &s).unwrap().readiness.unwrap();
    assert!(r.phases.iter().all(|p| p.pass), "{:?}", r.phases);
    // A yes/no item holds only yes, no or nothing.
    s.budget_review.readiness.drill_traced = "maybe".into();
    let errors = s.budget_review.validate().unwrap_err();
    assert_eq!(errors[0].to_string(), "budget_review.readiness.drill_traced: expected yes or no (or nothing), but found \"maybe\"");
}

#[test]
fn the_seed_000_part_matches_the_schema_and_keeps_no_secret() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/budget-review.schema.json")).unwrap();
    let at: jiff::Timestamp = "2026-01-02T10:00:00Z".parse().unwrap();
    let planted = ReadinessText {
        owner: "alice.smith@example.com".into(),
        billing_observer: "Alice Smith".into(),
        kill_switch_where: "gateway admin https://gw.example/admin?token=sk-live-4f9a8b7c6d5e4f3a2b1c".into(),
        kill_switch_verify: "curl 203.0.113.9 with Bearer sk-proj-9f8e7d6c5b4a39281706 then prompt: summarize the contract".into(),
        kill_switch_reverse: "top up the balance of $4,250.00 and restore the weight".into(),
        ..complete_form()
    };
    let (mut s, read) = with(plan(60, "200", "1", "20"));
    s.budget_review.readiness = planted;
    let mut empty = s.clone();
    empty.budget_review.reference_period = period("2026-01-01T02:00", "2026-01-01T03:00");
    let mut unknown_model = s.clone();
    unknown_model.budget_review.plan.model_mix = vec![MixShareText {
        model: "claude-opus".into(),
        percent: "100".into(),
    }];
    for settings in [&s, &empty, &unknown_model] {
        let json = document::build(&read, settings, &review(&read, settings), at).to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        super::tests::conforms(&value, &schema, &schema, "document");
        assert_eq!(value["schema_version"], 2);
        for secret in [
            "alice.smith",
            "Alice Smith",
            "sk-live-4f9a8b7c6d5e4f3a2b1c",
            "sk-proj-9f8e7d6c5b4a39281706",
            "203.0.113.9",
            "summarize the contract",
            "4,250",
        ] {
            assert!(!json.contains(secret), "{secret} in\n{json}");
        }
    }
    let json = document::build(&read, &s, &review(&read, &s), at).to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["projection"]["figures"]["label"], "estimate");
    assert_eq!(value["projection"]["figures"]["result"], "fail");
    assert_eq!(
        value["baseline"]["figures"]["all"]["input_tokens_p95"],
        4000
    );
    assert_eq!(
        value["baseline"]["figures"]["all"]["p95_method"],
        "nearest rank: p95 of 5 values is the maximum (rank 5 of 5)"
    );
    assert_eq!(value["readiness"]["phases"][0]["result"], "pass");
    let json = document::build(&read, &empty, &review(&read, &empty), at).to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["baseline"]["status"], "not_computed");
    assert_eq!(value["baseline"]["figures"], serde_json::Value::Null);
}

#[test]
fn a_share_of_the_baseline_is_exact_and_the_review_survives_the_wire() {
    // Five requests in seven minutes: 0.7142857143 per minute (rounded for the reader);
    // 100 % of it over 70 minutes is exactly 50 requests, not 49.99…: 50 × 0.0055 =
    // 0.275 to 50 × 0.014 = 0.7.
    let mut seventy = plan(70, "100", "1", "20");
    seventy.end = "2026-01-02T15:10".into();
    let (mut s, read) = with(seventy);
    s.budget_review.reference_period = period("2026-01-01T00:00", "2026-01-01T00:07");
    let f = review(&read, &s).unwrap();
    let p = f.projection.clone().unwrap().unwrap();
    assert_eq!(
        (p.requests, p.requests_per_minute, p.spend_mean, p.spend_p95),
        (dec("50"), dec("0.7142857143"), dec("0.275"), dec("0.7"))
    );
    assert_eq!(p.knobs[0].amount, dec("0"), "no traffic above the baseline");
    let text = wire(&read, &s).unwrap();
    assert_eq!(from_wire(&text).unwrap(), Ok(f));
}

/// A planned window half typed leaves the rest of the review computed: the allocation
/// and the baseline as before, the projection "not complete" with the first problem
/// (every problem is also beside its field), and the document the same. A problem
/// elsewhere in the section still stops the review.
#[test]
fn a_half_typed_plan_leaves_the_rest_of_the_review_computed() {
    let (complete, read) = with(plan(60, "100", "1", "20"));
    let whole = review(&read, &complete).unwrap();
    let (mut s, _) = with(plan(60, "100", "1", ""));
    let half = review(&read, &s).unwrap();
    assert_eq!(half.allocation, whole.allocation);
    assert!(half.baseline.as_ref().is_some_and(|b| b.is_ok()));
    let Some(Err(why)) = &half.projection else {
        panic!("{:?}", half.projection)
    };
    assert_eq!(
        why,
        "the reference period or the planned window is not complete: budget_review.plan.stop_over_percent: expected the stop condition's percent over the rollback budget (20 in seed 000's example), but found nothing"
    );
    s.budget_review.reference_period.end = "later".into();
    let half = review(&read, &s).unwrap();
    assert!(half.baseline.is_none() && half.projection.is_some());
    s.budget_review.unit_metric = "per banana".into();
    assert!(review(&read, &s).is_err());
}

/// A projection drawing on a rate the card marks inferred says so, by model and label,
/// in its figures and its verdict; with the rate verified it says nothing of the kind.
#[test]
fn a_projection_on_a_rate_not_verified_says_so() {
    let (mut s, read) = with(plan(30, "100", "0.40", "20"));
    let verified = review(&read, &s).unwrap().projection.unwrap().unwrap();
    assert!(verified.unverified_rates.is_empty());
    assert!(!verified.verdict("USD").contains("not verified"));
    s.rates[0].label = "inferred".into();
    let p = review(&read, &s).unwrap().projection.unwrap().unwrap();
    assert_eq!(p.unverified_rates, ["gpt-4o (inferred)"]);
    assert!(
        p.verdict("USD")
            .ends_with("; priced partly at rates not verified: gpt-4o (inferred)"),
        "{}",
        p.verdict("USD")
    );
    // The same figures: the label changes what is said, not the arithmetic.
    assert_eq!(
        (p.spend_mean, p.spend_p95),
        (verified.spend_mean, verified.spend_p95)
    );
}
