//! Hand-computed pricing cases, and properties of the money math.

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::ingest::{GatewayRow, LoggedRatios, RowKind, TokenSemantic};
use crate::policy::Outcome;
use crate::ratecard::{FactorText, RateText};
use crate::settings::Settings;

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

/// A consume row of `model` on 2026-01-01 (the grouped pricing's and the row store's
/// tests use it too).
pub(crate) fn row(model: &str, prompt: u64, completion: u64) -> GatewayRow {
    GatewayRow {
        at: at("2026-01-01T00:00:00Z"),
        kind: RowKind::Consume,
        outcome: Outcome::Success,
        model: model.into(),
        quota: 0,
        prompt_tokens: prompt,
        completion_tokens: completion,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cache_write_1h_tokens: 0,
        reasoning_tokens: 0,
        tool_calls: 0,
        audio_input_tokens: 0,
        audio_cached_input_tokens: 0,
        audio_output_tokens: 0,
        text_input_tokens: 0,
        text_output_tokens: 0,
        requests: Some(1),
        semantic: TokenSemantic::Inclusive,
        model_price: None,
        ratios: None,
    }
}

fn rate(model: &str, input: &str, output: &str) -> RateText {
    RateText {
        model: model.into(),
        input: input.into(),
        output: output.into(),
        label: "verified".into(),
        ..RateText::default()
    }
}

fn settings(rates: Vec<RateText>, factors: Vec<FactorText>) -> Settings {
    Settings {
        rates,
        factors,
        ..Settings::default()
    }
}

fn priced(rows: &[GatewayRow], settings: &Settings) -> Pricing {
    let valid = settings.validate().unwrap_or_else(|e| panic!("{e:?}"));
    price(rows, &valid).unwrap()
}

fn amount(p: &Pricing, dimension: Dimension) -> Option<Decimal> {
    p.lines
        .iter()
        .find(|l| l.dimension == dimension)
        .and_then(|l| l.amount)
}

#[test]
fn hand_computed_cases() {
    struct Case {
        name: &'static str,
        rows: Vec<GatewayRow>,
        settings: Settings,
        expected: &'static str,
    }
    let mut cached = row("gpt-4o", 12_000, 500);
    cached.cache_read_tokens = 8_000;
    let mut gpt4o = rate("gpt-4o", "2.50", "10");
    gpt4o.cached_input = "1.25".into();
    let mut reasoning = row("o3", 1_000, 2_000);
    reasoning.reasoning_tokens = 1_500;
    let mut o3 = rate("o3", "2", "8");
    o3.reasoning = "4".into();
    let mut per_1k = rate("gpt-4o", "0.0025", "0.01");
    per_1k.token_unit = "1K".into();
    let mut aliased = rate("gpt-4o", "2.50", "10");
    aliased.aliases = "gpt-4o-2024-08-06, gpt-4o-2024-11-20".into();
    let mut search = row("gpt-4o", 0, 0);
    search.tool_calls = 3;
    let mut search_rate = rate("gpt-4o", "2.50", "10");
    search_rate.per_1k_tool_calls = "25".into();
    let discount = FactorText {
        name: "CometAPI discount".into(),
        value: "0.8".into(),
        label: "verified".into(),
        ..FactorText::default()
    };
    let cases = vec![
        // 4,000 × 2.5/1M + 8,000 × 1.25/1M + 500 × 10/1M = 0.01 + 0.01 + 0.005.
        Case {
            name: "openai cached subset",
            rows: vec![cached.clone()],
            settings: settings(vec![gpt4o.clone()], vec![]),
            expected: "0.025",
        },
        // reasoning priced apart: 1,000 × 2 + 500 × 8 + 1,500 × 4 = 12,000 per 1M.
        Case {
            name: "reasoning apart",
            rows: vec![reasoning],
            settings: settings(vec![o3], vec![]),
            expected: "0.012",
        },
        // same prices quoted per 1K tokens.
        Case {
            name: "per 1K unit",
            rows: vec![row("gpt-4o", 1_000, 100)],
            settings: settings(vec![per_1k], vec![]),
            expected: "0.0035",
        },
        Case {
            name: "alias",
            rows: vec![row("gpt-4o-2024-08-06", 1_000_000, 0)],
            settings: settings(vec![aliased], vec![]),
            expected: "2.5",
        },
        // web search: 3 calls × $25 per 1,000.
        Case {
            name: "tool calls",
            rows: vec![search],
            settings: settings(vec![search_rate], vec![]),
            expected: "0.075",
        },
        // 0.025 × 0.8.
        Case {
            name: "discount factor",
            rows: vec![cached],
            settings: settings(vec![gpt4o], vec![discount]),
            expected: "0.02",
        },
    ];
    for case in cases {
        let p = priced(&case.rows, &case.settings);
        assert_eq!(p.expected, d(case.expected), "{}", case.name);
        assert!(p.complete, "{}", case.name);
    }
}

#[test]
fn long_context_tier_reprices_the_whole_request() {
    let mut entry = rate("gemini-2.5-pro", "1.25", "10");
    entry.long_context_above = "200000".into();
    entry.long_context_input = "2.50".into();
    entry.long_context_output = "15".into();
    let s = settings(vec![entry], vec![]);
    // At the threshold: base prices. One token above: every token at the tier price.
    let at_threshold = priced(&[row("gemini-2.5-pro", 200_000, 1_000)], &s);
    assert_eq!(at_threshold.expected, d("0.26")); // 0.25 + 0.01
    let above = priced(&[row("gemini-2.5-pro", 200_001, 1_000)], &s);
    assert_eq!(above.expected, d("0.5150025")); // 200,001 × 2.5/1M + 1,000 × 15/1M
    assert!(above.lines.iter().all(|l| l.long_context));
}

#[test]
fn unpriced_is_never_zero() {
    let s = settings(vec![rate("gpt-4o", "2.50", "")], vec![]);
    let p = priced(&[row("gpt-4o", 1_000, 10), row("mystery", 5, 5)], &s);
    assert!(!p.complete);
    let output = p
        .lines
        .iter()
        .find(|l| l.model == "gpt-4o" && l.dimension == Dimension::Output)
        .unwrap();
    assert_eq!((output.status, output.amount), (LineStatus::Unpriced, None));
    let mystery = p.models.iter().find(|m| m.model == "mystery").unwrap();
    assert!(!mystery.has_rate && !mystery.complete);
    assert_eq!(p.expected, d("0.0025"));
}

#[test]
fn unknown_outcomes_are_at_risk_not_expected() {
    let s = settings(vec![rate("gpt-4o", "2", "10")], vec![]);
    let mut failed = row("gpt-4o", 1_000, 0);
    failed.outcome = Outcome::ClientTimeout;
    let p = priced(&[row("gpt-4o", 1_000, 0), failed.clone()], &s);
    assert_eq!((p.expected, p.at_risk), (d("0.002"), d("0.002")));
    let mut billable = s.clone();
    billable.outcome_policy.client_timeout = "billable".into();
    assert_eq!(
        priced(&[row("gpt-4o", 1_000, 0), failed], &billable).expected,
        d("0.004")
    );
}

#[test]
fn effective_dates_pick_the_rate_in_force() {
    let mut old = rate("gpt-4o", "5", "15");
    old.effective_to = "2026-01-01T12:00:00Z".into();
    let mut new = rate("gpt-4o", "2.50", "10");
    new.effective_from = "2026-01-01T12:00:00Z".into();
    let s = settings(vec![old, new], vec![]);
    let mut late = row("gpt-4o", 1_000_000, 0);
    late.at = at("2026-01-01T12:00:00Z");
    let p = priced(&[row("gpt-4o", 1_000_000, 0), late], &s);
    assert_eq!(p.expected, d("7.5"));
}

#[test]
fn a_request_without_a_time_is_priced_only_by_an_entry_without_dates() {
    let mut untimed = row("gpt-4o", 1_000_000, 0);
    untimed.at = crate::ingest::UNTIMED;
    let mut dated = rate("gpt-4o", "5", "15");
    dated.effective_to = "2026-01-01T12:00:00Z".into();
    let mut later = rate("gpt-4o", "2.50", "10");
    later.effective_from = "2026-01-01T12:00:00Z".into();
    // Only dated entries: which applies cannot be said, so unpriced, with the reason.
    let p = priced(
        std::slice::from_ref(&untimed),
        &settings(vec![dated, later], vec![]),
    );
    assert_eq!((p.expected, p.complete), (d("0"), false));
    assert_eq!(p.models[0].untimed_unpriced, 1);
    assert_eq!(p.lines[0].status, LineStatus::Unpriced);
    // An entry without dates (then the model's only one: entries may not overlap) prices
    // it as it prices a timed row.
    let undated = rate("gpt-4o", "3", "12");
    let p = priced(
        &[untimed, row("gpt-4o", 1_000_000, 0)],
        &settings(vec![undated], vec![]),
    );
    assert_eq!((p.expected, p.complete), (d("6"), true));
    assert!(p.models.iter().all(|m| m.untimed_unpriced == 0));
}

#[test]
fn rounding_rules_apply_where_documented() {
    let mut s = settings(vec![rate("m", "1", "")], vec![]);
    let rows = [row("m", 5_000, 0), row("m", 5_000, 0)]; // 0.005 each
    s.rounding = crate::policy::RoundingText {
        scope: "per_row".into(),
        decimals: "2".into(),
        strategy: "half_up".into(),
        source_url: "https://x".into(),
    };
    assert_eq!(priced(&rows, &s).expected, d("0.02"));
    s.rounding.scope = "per_line".into();
    assert_eq!(priced(&rows, &s).expected, d("0.01"));
    s.rounding.strategy = "half_even".into();
    s.rounding.scope = "per_total".into();
    assert_eq!(priced(&rows, &s).expected, d("0.01"));
}

#[test]
fn fx_converts_and_is_required() {
    let mut entry = rate("m", "1", "");
    entry.currency = "EUR".into();
    let mut s = settings(vec![entry], vec![]);
    let errors = s.validate().unwrap_err();
    assert_eq!(errors[0].position.path.as_deref(), Some("fx.rate"));
    s.fx.rate = "1.08".into();
    s.fx.source_url = "https://www.ecb.europa.eu/".into();
    assert_eq!(priced(&[row("m", 1_000_000, 0)], &s).expected, d("1.08"));
}

#[test]
fn quota_check_splits_rounding_from_mismatch() {
    let ratios = LoggedRatios {
        model_ratio: Some(d("1.25")),
        completion_ratio: Some(d("4")),
        group_ratio: Some(d("1")),
        ..LoggedRatios::default()
    };
    let mut exact = row("gpt-4o", 1_000, 100);
    exact.quota = 1_750;
    exact.ratios = Some(ratios.clone());
    let mut off = exact.clone();
    off.quota = 1_751; // within ±1
    let mut wrong = exact.clone();
    wrong.quota = 2_000;
    let s = settings(vec![rate("gpt-4o", "2.50", "10")], vec![]);
    let rows = [exact, off, wrong];
    let p = priced(&rows, &s);
    assert_eq!(
        (
            p.quota_check.consistent_rows,
            p.quota_check.inconsistent_rows,
            p.quota_check.inconsistent_quota
        ),
        (2, 1, 250)
    );
    assert_eq!(p.bridge.quota_rounding, d("0.000002"));
    assert_eq!(p.bridge.quota_mismatch, d("0.0005"));
    assert_eq!(p.bridge.pricing_mismatch, Decimal::ZERO);
    assert_eq!(
        p.bridge.pricing_mismatch_rows, 0,
        "rows that match are no evidence"
    );

    // Without a card the same rows are checked all the same (the check is the
    // gateway's own consistency), and each row's gap splits: logged − re-derived to the
    // quota steps, re-derived − expected (here 0) to unpriced usage: 3 × 1,750 ÷ 500,000.
    let bare = priced(&rows, &settings(vec![], vec![]));
    assert_eq!(bare.quota_check, p.quota_check);
    assert_eq!(bare.bridge.quota_rounding, d("0.000002"));
    assert_eq!(bare.bridge.quota_mismatch, d("0.0005"));
    assert_eq!(bare.bridge.unpriced, d("0.0105"));
    assert_eq!(bare.bridge.unpriced_rows, 3);

    // A stale card rate: every row's ratios price it differently; only rows that differ
    // are counted as evidence of it. 1,000 × 2.50 + 100 × 12 = 0.0037 per row against
    // 1,750 ÷ 500,000 = 0.0035: −0.0002 each.
    let stale = priced(&rows, &settings(vec![rate("gpt-4o", "2.50", "12")], vec![]));
    assert_eq!(stale.bridge.pricing_mismatch, d("-0.0006"));
    assert_eq!(stale.bridge.pricing_mismatch_rows, 3);
    // Which rate differs: output, 1.25 × 4 × group 1 ÷ 500,000 × 1M = $10 per 1M by the
    // ratios against $12 on the card, on 3 × 100 tokens: (10 − 12) × 300 ÷ 1M = −0.0006.
    // Input matches (1.25 × 1 × 2 = $2.50) and is no evidence.
    assert_eq!(
        stale.bridge.rate_differences,
        [crate::price::RateDifference {
            model: "gpt-4o".into(),
            dimension: Dimension::Output,
            unit_size: d("1000000"),
            card_rate: d("12"),
            logged_rate: d("10"),
            model_ratio: d("1.25"),
            dimension_ratio: d("4"),
            group_ratio: d("1"),
            rows: 3,
            quantity: 300,
            amount: d("-0.0006"),
        }]
    );
    assert!(
        p.bridge.rate_differences.is_empty(),
        "the card matches the ratios"
    );
}

#[test]
fn validation_messages() {
    let mut negative = rate("m", "-1", "");
    negative.token_unit = "per million".into();
    let mut eur = rate("n", "1", "");
    eur.currency = "EUR".into();
    let both = RateText {
        model_ratio: "1.25".into(),
        ..rate("o", "2.5", "")
    };
    let mut audio = rate("p", "1", "");
    audio.audio_output = "-80".into();
    audio.audio_input = "forty".into();
    let errors = settings(vec![negative, eur, both, rate("m", "1", ""), audio], vec![])
        .validate()
        .unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let expected = [
        "rates[0].input: expected a price of zero or more, but found \"-1\"",
        "rates[0].token_unit: expected a token unit of 1M, 1K or 1, but found \"PER MILLION\"",
        "rates[2].model_ratio: expected either prices or new-api ratios for one entry, but found both",
        "rates[1].currency: expected every rate in one currency (USD), but found EUR",
        "rates[4].audio_output: expected a price of zero or more, but found \"-80\"",
    ];
    for line in expected {
        assert!(
            text.iter().any(|t| t == line),
            "missing {line:?} in {text:#?}"
        );
    }
}

#[test]
fn audio_is_priced_at_its_own_rates_or_left_unpriced() {
    // A chat audio request: prompt 1,300 of which 1,000 audio, completion 700 of which
    // 600 audio; $2.50 / $10 text, $40 / $80 audio per 1M:
    // 300×2.5 + 100×10 + 1,000×40 + 600×80 = 750 + 1,000 + 40,000 + 48,000 → 0.08975.
    let mut r = row("gpt-4o-audio-preview", 1_300, 700);
    r.audio_input_tokens = 1_000;
    r.audio_output_tokens = 600;
    let mut entry = rate("gpt-4o-audio-preview", "2.50", "10");
    entry.audio_input = "40".into();
    entry.audio_output = "80".into();
    let p = priced(std::slice::from_ref(&r), &settings(vec![entry], vec![]));
    assert_eq!(p.expected, d("0.08975"));
    assert!(p.complete);
    assert_eq!(amount(&p, Dimension::AudioInput), Some(d("0.04")));
    assert_eq!(amount(&p, Dimension::AudioOutput), Some(d("0.048")));
    // Without audio prices the audio is unpriced, never $0, and the total incomplete;
    // the text is still priced at the text rates (not the audio tokens with it).
    let text_only = rate("gpt-4o-audio-preview", "2.50", "10");
    let p = priced(&[r], &settings(vec![text_only], vec![]));
    assert_eq!(p.expected, d("0.00175"));
    assert!(!p.complete && !p.models[0].complete);
    let unpriced: Vec<(Dimension, u64, Option<Decimal>)> = p
        .lines
        .iter()
        .filter(|l| l.status == LineStatus::Unpriced)
        .map(|l| (l.dimension, l.quantity, l.amount))
        .collect();
    assert_eq!(
        unpriced,
        [
            (Dimension::AudioInput, 1_000, None),
            (Dimension::AudioOutput, 600, None)
        ]
    );
}

#[test]
fn a_bucket_counts_its_stated_requests() {
    // Two usage buckets of a per-call model: 19 requests, and 0 (a bucket can state
    // none); then one that does not say. $0.10 a call: 19 × 0.1 = 1.9.
    let bucket = |requests| GatewayRow {
        requests,
        ..row("mj_imagine", 0, 0)
    };
    let mut call = rate("mj_imagine", "", "");
    call.per_call = "0.1".into();
    let s = settings(vec![call], vec![]);
    let p = priced(&[bucket(Some(19)), bucket(Some(0))], &s);
    assert_eq!(p.expected, d("1.9"));
    assert_eq!(p.models[0].request_count(), Some(19));
    assert!(p.complete);
    // A bucket without its count: the requests are unknown, and so is its per-call charge.
    let p = priced(&[bucket(Some(19)), bucket(None)], &s);
    assert_eq!(p.models[0].request_count(), None);
    assert_eq!(p.expected, d("1.9"));
    assert!(!p.complete);
    // Token prices need no request count; the count is still unknown.
    let p = priced(
        &[GatewayRow {
            requests: None,
            ..row("m", 1_000_000, 0)
        }],
        &settings(vec![rate("m", "1", "2")], vec![]),
    );
    assert_eq!((p.expected, p.complete), (d("1"), true));
    assert_eq!(p.models[0].request_count(), None);
}

#[test]
fn ratio_form_entry_prices_like_usd() {
    let entry = RateText {
        model: "gpt-4o".into(),
        model_ratio: "1.25".into(),
        completion_ratio: "4".into(),
        cache_ratio: "0.5".into(),
        label: "inferred".into(),
        ..RateText::default()
    };
    let mut r = row("gpt-4o", 12_000, 500);
    r.cache_read_tokens = 8_000;
    let p = priced(&[r], &settings(vec![entry], vec![]));
    assert_eq!(p.expected, d("0.025"));
    assert_eq!(
        (p.expected_verified, p.expected_estimated),
        (Decimal::ZERO, d("0.025"))
    );
}

/// The rule the house lives by: no float type anywhere outside the browser shell
/// (src/web may use floats for progress rates and timers, never for money).
#[test]
fn no_float_types_in_the_core() {
    // Spelled in pieces so this file does not trip the same search in the stop hook.
    const FLOATS: [&str; 2] = [concat!("f", "32"), concat!("f", "64")];
    fn walk(dir: &std::path::Path, offenders: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("web") {
                    walk(&path, offenders);
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                // serde's `Serializer` names the float types in these two methods; the
                // wire's refuse them (src/wire/tests.rs).
                let refusing = ["fn serialize_f32(", "fn serialize_f64("]
                    .iter()
                    .any(|f| code.trim_start().starts_with(f));
                if !refusing
                    && code
                        .split(|c: char| !c.is_alphanumeric() && c != '_')
                        .any(|w| FLOATS.contains(&w))
                {
                    offenders.push(format!("{}:{}", path.display(), n + 1));
                }
            }
        }
    }
    let mut offenders = Vec::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut offenders,
    );
    assert!(
        offenders.is_empty(),
        "float types outside src/web: {offenders:?}"
    );
}

proptest! {
    #[test]
    fn zero_costs_zero_and_doubling_doubles(prompt in 0u64..5_000_000, completion in 0u64..1_000_000, cents in 0u32..100_000) {
        let price = Decimal::new(i64::from(cents), 2).to_string();
        let s = settings(vec![rate("m", &price, &price)], vec![]);
        let once = priced(&[row("m", prompt, completion)], &s).expected;
        let twice = priced(&[row("m", prompt * 2, completion * 2)], &s).expected;
        prop_assert_eq!(twice, once * Decimal::TWO);
        prop_assert_eq!(priced(&[row("m", 0, 0)], &s).expected, Decimal::ZERO);
        // Splitting the usage over two rows costs the same as one row.
        let split = priced(&[row("m", prompt / 2, completion), row("m", prompt - prompt / 2, 0)], &s).expected;
        prop_assert_eq!(split, once);
    }

    #[test]
    fn a_tier_applies_to_all_of_a_request_or_none(prompt in 0u64..400_000, completion in 0u64..10_000) {
        let mut entry = rate("m", "1", "2");
        entry.long_context_above = "200000".into();
        entry.long_context_input = "3".into();
        entry.long_context_output = "4".into();
        let p = priced(&[row("m", prompt, completion)], &settings(vec![entry], vec![]));
        let tiers: std::collections::BTreeSet<bool> = p.lines.iter().map(|l| l.long_context).collect();
        prop_assert!(tiers.len() <= 1);
        let (input, output) = if prompt > 200_000 { (3, 4) } else { (1, 2) };
        let want = (Decimal::from(prompt * input) + Decimal::from(completion * output)) / Decimal::from(1_000_000);
        prop_assert_eq!(p.expected, want);
        let _ = amount(&p, Dimension::UncachedInput);
    }
}
