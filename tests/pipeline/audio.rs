//! Audio tokens and request counts, end to end: OpenAI usage reports in both of their
//! documented shapes, an audio chat log, and new-api audio rows, each priced by hand.

use super::*;
use spend_reconciler::ingest::Stream;
use spend_reconciler::price::{LineStatus, Pricing};
use spend_reconciler::ratecard::Dimension;

/// The fixture settings with the audio models' entries (USD per 1M tokens), as their
/// pricing pages write them, and the gpt-4o dated name as an alias.
fn audio_settings(window_end: &str, audio_prices: bool) -> Settings {
    let mut value = settings_json();
    value["incident_window_utc"]["end"] = json!(window_end);
    value["rates"][1]["aliases"] = json!("gpt-4o-2024-08-06");
    let rates = value["rates"].as_array_mut().unwrap();
    let entry = |model: &str, aliases: &str, prices: [&str; 6]| {
        let [input, cached_input, output, audio_input, audio_cached_input, audio_output] = prices;
        json!({"model": model, "aliases": aliases, "input": input,
            "cached_input": cached_input, "output": output,
            "audio_input": if audio_prices { audio_input } else { "" },
            "audio_cached_input": if audio_prices { audio_cached_input } else { "" },
            "audio_output": if audio_prices { audio_output } else { "" },
            "source_url": "https://platform.openai.com/docs/pricing",
            "captured_at": "2026-01-02T09:00:00Z", "label": "verified"})
    };
    rates.push(entry(
        "gpt-4o-audio-preview",
        "gpt-4o-audio-preview-2024-12-17",
        ["2.50", "1.25", "10", "40", "", "80"],
    ));
    rates.push(entry(
        "gpt-4o-realtime-preview",
        "gpt-4o-realtime-preview-2024-12-17",
        ["5", "2.50", "20", "40", "2.50", "80"],
    ));
    rates.push(entry(
        "gpt-realtime",
        "gpt-realtime-2025-08-28",
        ["4", "0.40", "16", "32", "0.40", "64"],
    ));
    settings(&value)
}

fn lines_of(p: &Pricing, model: &str) -> Vec<(Dimension, LineStatus, u64, Option<Decimal>)> {
    let lines = p.lines.iter().filter(|l| l.model == model);
    lines
        .map(|l| (l.dimension, l.status, l.quantity, l.amount))
        .collect()
}

fn usage_page(window_end: &str, audio_prices: bool) -> Review {
    let file = ("usage.json", fixture("evidence/openai-usage-audio.json"));
    run(&[file], &audio_settings(window_end, audio_prices))
}

#[test]
fn a_usage_report_prices_audio_apart_and_counts_its_stated_requests() {
    let review = usage_page("2026-01-01T01:00:00Z", true);
    let f = figures(&review);
    assert_eq!(f.priced_stream, Some(Stream::ProviderUsage));
    // The older shape (no text breakdown): input_tokens is text with its cached tokens,
    // input_audio_tokens audio on top. gpt-4o-audio-preview, per 1M:
    //   text 20,000 − 5,000 cached = 15,000 × 2.50 = 37,500
    //   cached 5,000 × 1.25                      =  6,250
    //   output 3,000 × 10                        = 30,000
    //   audio input 8,000 × 40                   = 320,000
    //   audio output 6,000 × 80                  = 480,000   → 873,750 → 0.87375
    // gpt-4o: 300,000 × 2.50 + 100,000 × 1.25 + 50,000 × 10 = 1,375,000 → 1.375.
    let p = pricing(f);
    assert_eq!(
        lines_of(p, "gpt-4o-audio-preview"),
        [
            (
                Dimension::UncachedInput,
                LineStatus::Expected,
                15_000,
                Some(dec("0.0375"))
            ),
            (
                Dimension::CachedInput,
                LineStatus::Expected,
                5_000,
                Some(dec("0.00625"))
            ),
            (
                Dimension::Output,
                LineStatus::Expected,
                3_000,
                Some(dec("0.03"))
            ),
            (
                Dimension::AudioInput,
                LineStatus::Expected,
                8_000,
                Some(dec("0.32"))
            ),
            (
                Dimension::AudioOutput,
                LineStatus::Expected,
                6_000,
                Some(dec("0.48"))
            ),
        ]
    );
    assert_eq!(p.expected, dec("2.24875"));
    assert!(p.complete);
    // Two results, 19,347 requests: the count the export states, not the results.
    let requests: Vec<(&str, Option<u64>)> = p
        .models
        .iter()
        .map(|m| (m.model.as_str(), m.request_count()))
        .collect();
    assert_eq!(
        requests,
        [
            ("gpt-4o", Some(18_100)),
            ("gpt-4o-audio-preview", Some(1_247))
        ]
    );
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    let rollup = &record["usage_rollup"];
    assert_eq!(rollup["request_count"], 19_347);
    // Every input token, audio included (of which audio and cached apart), and output.
    assert_eq!(rollup["input_units"], "428000");
    assert_eq!(rollup["cached_input_units"], "105000");
    assert_eq!(rollup["audio_input_units"], "8000");
    assert_eq!(rollup["output_units"], "59000");
    assert_eq!(rollup["audio_output_units"], "6000");
    let audio_model = &record["per_model"][1];
    assert_eq!(audio_model["request_count"], 1_247);
    assert_eq!(audio_model["lines"][3]["dimension"], "audio_input");
    assert_eq!(audio_model["lines"][3]["amount"], "0.32");
    // The second hour is outside the window; its contradictory gpt-4o result (500
    // cached tokens in 100 input tokens) is rejected all the same.
    let ledger = &review.files[0].ledger;
    assert_eq!(
        (ledger.accepted, ledger.excluded_total(), ledger.rejected),
        (2, 1, 1)
    );
    assert_eq!(
        rejection_text(&ledger.rejections[0]),
        "usage.json, row 4, column input_cached_tokens: expected input_tokens to include the 500 cached tokens, but found only 100"
    );
}

#[test]
fn audio_without_an_audio_price_is_unpriced_never_free() {
    let review = usage_page("2026-01-01T01:00:00Z", false);
    let p = pricing(figures(&review));
    let audio: Vec<_> = lines_of(p, "gpt-4o-audio-preview")
        .into_iter()
        .filter(|(d, ..)| matches!(d, Dimension::AudioInput | Dimension::AudioOutput))
        .collect();
    assert_eq!(
        audio,
        [
            (Dimension::AudioInput, LineStatus::Unpriced, 8_000, None),
            (Dimension::AudioOutput, LineStatus::Unpriced, 6_000, None),
        ]
    );
    // The text is still priced at the text rates: 0.87375 − 0.32 − 0.48 + 1.375.
    assert_eq!(p.expected, dec("1.44875"));
    assert!(!p.complete);
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    assert_eq!(record["computed_charge"]["expected_complete"], false);
}

#[test]
fn a_result_without_a_model_is_labelled_no_model_everywhere() {
    // Over both hours the second bucket's result without a model counts too.
    let review = usage_page("2026-01-01T02:00:00Z", true);
    let f = figures(&review);
    let no_model = pricing(f)
        .models
        .iter()
        .find(|m| m.model == "(no model)")
        .expect("the result without a model, under its label");
    assert_eq!(no_model.request_count(), Some(40));
    assert!(!no_model.has_rate && !pricing(f).complete);
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    assert_eq!(record["totals"]["unpriced_models"], json!(["(no model)"]));
    assert_eq!(record["usage_rollup"]["request_count"], 19_387);
    let text = record.to_string();
    assert!(
        !text.contains("redacted-") && !text.contains("all models"),
        "{text}"
    );
    let csv = spend_reconciler::outputs::charge_lines_csv(f, Default::default());
    assert!(
        csv.contains("\r\n(no model),uncached_input,false,unpriced,3000,"),
        "{csv}"
    );
    let reconciliation = spend_reconciler::outputs::reconciliation_csv(f, Default::default());
    assert!(
        reconciliation.contains("\r\n(no model),"),
        "{reconciliation}"
    );
}

#[test]
fn the_newer_usage_shape_splits_cached_audio_and_checks_its_own_sums() {
    let file = (
        "activity.csv",
        fixture("evidence/openai-activity-audio.csv"),
    );
    let review = run(&[file], &audio_settings("2026-01-01T01:00:00Z", true));
    // With the text breakdown, input_tokens is all input and input_audio_tokens uncached
    // audio. gpt-realtime, per 1M: 13,000 input = 6,000 text + 4,000 audio uncached,
    // 1,000 text + 2,000 audio cached; 5,000 output = 1,000 text + 4,000 audio:
    //   6,000 × 4 = 24,000;  1,000 × 0.40 = 400;  4,000 × 32 = 128,000;
    //   2,000 × 0.40 = 800;  1,000 × 16 = 16,000; 4,000 × 64 = 256,000 → 0.4252.
    let p = pricing(figures(&review));
    assert_eq!(
        lines_of(p, "gpt-realtime"),
        [
            (
                Dimension::UncachedInput,
                LineStatus::Expected,
                6_000,
                Some(dec("0.024"))
            ),
            (
                Dimension::CachedInput,
                LineStatus::Expected,
                1_000,
                Some(dec("0.0004"))
            ),
            (
                Dimension::Output,
                LineStatus::Expected,
                1_000,
                Some(dec("0.016"))
            ),
            (
                Dimension::AudioInput,
                LineStatus::Expected,
                4_000,
                Some(dec("0.128"))
            ),
            (
                Dimension::AudioCachedInput,
                LineStatus::Expected,
                2_000,
                Some(dec("0.0008"))
            ),
            (
                Dimension::AudioOutput,
                LineStatus::Expected,
                4_000,
                Some(dec("0.256"))
            ),
        ]
    );
    let realtime = p.models.iter().find(|m| m.model == "gpt-realtime").unwrap();
    assert_eq!(
        (realtime.expected, realtime.request_count()),
        (dec("0.4252"), Some(300))
    );
    // The row not grouped by model is "(no model)" (12 requests, unpriced).
    let none = p.models.iter().find(|m| m.model == "(no model)").unwrap();
    assert_eq!(none.request_count(), Some(12));
    // Rows whose own sums disagree with our reading are rejected, both numbers named.
    let ledger = &review.files[0].ledger;
    let texts: Vec<String> = ledger.rejections.iter().map(rejection_text).collect();
    assert_eq!(texts, [
        "activity.csv, line 4, row 3, column input_uncached_tokens: expected input_uncached_tokens to be input_tokens less the cached and cache-write tokens (8000), but found 9000",
        "activity.csv, line 5, row 4, column output_audio_tokens: expected output_tokens to include the 300 audio tokens, but found only 100",
    ]);
    assert_eq!(
        ledger.excluded.get(&ingest::ExclusionRule::NotUsage),
        Some(&1)
    );
}

#[test]
fn an_audio_chat_log_is_not_priced_at_the_text_rate() {
    let file = (
        "chat.jsonl",
        fixture("evidence/client-openai-chat-audio.jsonl"),
    );
    let review = run(&[file], &audio_settings("2026-01-01T01:00:00Z", true));
    // v1: 300 text + 1,000 audio in, 100 text + 600 audio out:
    //   300 × 2.50 + 100 × 10 + 1,000 × 40 + 600 × 80 = 89,750 → 0.08975
    // v2: 40 text in, 50 text + 850 audio out: 100 + 500 + 68,000 → 0.0686.
    // v3 has more audio than prompt tokens (rejected); v4's audio count is null (unknown).
    let f = figures(&review);
    let client = f
        .streams
        .iter()
        .find(|s| s.stream == Stream::ClientRequests)
        .unwrap();
    assert_eq!(client.expected_amount, Some(dec("0.15835")));
    assert_eq!(client.usage_unknown_requests, 1);
    assert_eq!(client.quantities.get(&Dimension::AudioOutput), Some(&1_450));
    assert_eq!(
        rejection_text(&review.files[0].ledger.rejections[0]),
        "chat.jsonl, line 3, row 3, column prompt_tokens: expected the prompt tokens to include the 800 audio tokens, but found only 500"
    );
}

#[test]
fn new_api_audio_rows_are_priced_and_checked_by_the_gateway_formula() {
    let file = ("audio.jsonl", fixture("cometapi-log-audio.jsonl"));
    let review = run(&[file], &audio_settings("2026-01-01T01:00:00Z", true));
    let f = figures(&review);
    // Row 901 (chat audio): (300 + 100×4 + 1,000×16 + 600×16×2) × 1.25 = 44,875 quota;
    // row 902 (realtime): (2,000 + 300×4 + 5,000×8 + 1,200×8×2) × 2.5 = 156,000 quota.
    // Both match their logged quota, and the card prices them the same:
    //   901: 300 × 2.50 + 100 × 10 + 1,000 × 40 + 600 × 80 = 0.08975 = 44,875 ÷ 500,000
    //   902: 2,000 × 5 + 300 × 20 + 5,000 × 40 + 1,200 × 80 = 0.312 = 156,000 ÷ 500,000.
    let p = pricing(f);
    assert_eq!(
        (
            p.quota_check.consistent_rows,
            p.quota_check.inconsistent_rows
        ),
        (2, 0)
    );
    assert_eq!(p.expected, dec("0.40175"));
    assert_eq!(f.reconciliation.total.provider, Some(dec("0.40175")));
    assert_eq!(f.reconciliation.total.variance, Some(Decimal::ZERO));
    let audio: Vec<_> = lines_of(p, "gpt-4o-realtime-preview")
        .into_iter()
        .map(|(d, _, q, _)| (d, q))
        .collect();
    assert_eq!(
        audio,
        [
            (Dimension::UncachedInput, 2_000),
            (Dimension::Output, 300),
            (Dimension::AudioInput, 5_000),
            (Dimension::AudioOutput, 1_200)
        ]
    );
    // Row 903 logs more audio than prompt tokens: rejected with both numbers.
    assert_eq!(
        rejection_text(&review.files[0].ledger.rejections[0]),
        "audio.jsonl, line 3, row 3, column prompt_tokens: expected prompt_tokens to include the 900 audio tokens of other.audio_input, but found only 500"
    );
}
