//! Per-image and per-second prices applied from the counts new-api logs in
//! `other.other_ratios` (tests/fixtures/causes/image-and-video-tasks.jsonl), worked out
//! by hand. new-api multiplies a row's quota by each of those ratios: an image count `n`,
//! a task's `seconds`, a size factor.
//!
//! The fixture: dall-e-3 at 0.04 per image, n = 2: 0.04 × 500,000 × 2 = 40,000 quota;
//! sora-2 at 0.1 per second, 5 seconds: 250,000 quota; sora-2 again, 5 seconds at a
//! size factor of 1.666667: 0.1 × 500,000 × 5 × 1.666667 = 416,666.75, logged 416,667.

use super::*;
use spend_reconciler::classify::Cause;
use spend_reconciler::ratecard::Dimension;

const NAME: &str = "causes/image-and-video-tasks.jsonl";

/// The fixture settings with dall-e-3 per image and sora-2 per second (or per call).
fn media_settings(sora_key: &str, sora_price: &str) -> Value {
    let mut doc = settings_json();
    let rates = doc["rates"].as_array_mut().unwrap();
    for (model, key, price) in [
        ("dall-e-3", "per_image", "0.04"),
        ("sora-2", sora_key, sora_price),
    ] {
        let mut entry = json!({
            "model": model, "per_call": "",
            "source_url": "https://apidoc.cometapi.com/about-pricing-873788m0",
            "captured_at": "2026-01-02T09:00:00Z", "label": "verified",
            "input": "", "cached_input": "", "cache_write": "", "output": ""
        });
        entry[key] = json!(price);
        rates.push(entry);
    }
    doc
}

fn lines(f: &Figures) -> Vec<(&str, Dimension, u64, Option<Decimal>)> {
    (pricing(f).lines.iter())
        .map(|l| (l.model.as_str(), l.dimension, l.quantity, l.amount))
        .collect()
}

/// Expected: 2 images × 0.04 = 0.08 and 10 seconds × 0.1 = 1.00, so 1.08. Recorded:
/// (40,000 + 250,000 + 416,667) ÷ 500,000 = 1.413334. The 0.333334 is the size factor
/// on the second video, 5 × 0.1 × 0.666667 = 0.3333335 (its price per second by its
/// ratios is 0.1 × 1.666667 = 0.1666667), and new-api's rounding of 416,666.75 up by
/// 0.25 quota = 0.0000005. Every row's quota is what its own ratios give.
#[test]
fn images_and_seconds_priced_from_the_logged_counts_by_hand() {
    let review = run(
        &[(NAME, fixture(NAME))],
        &settings(&media_settings("per_second", "0.1")),
    );
    let f = figures(&review);
    assert_eq!(
        lines(f),
        [
            ("dall-e-3", Dimension::Images, 2, Some(dec("0.08"))),
            ("sora-2", Dimension::Seconds, 10, Some(dec("1.0"))),
        ]
    );
    let total = &f.reconciliation.total;
    assert_eq!(
        (total.expected, total.provider, total.variance),
        (
            Some(dec("1.08")),
            Some(dec("1.413334")),
            Some(dec("0.333334"))
        )
    );
    let b = bridge(f);
    let steps: Vec<(Cause, Decimal)> = b.steps.iter().map(|s| (s.cause, s.amount)).collect();
    assert_eq!(
        steps,
        [
            (Cause::RatioMismatch, dec("0.3333335")),
            (Cause::IntegerQuotaRounding, dec("0.0000005")),
        ]
    );
    assert_eq!(
        b.steps[0].evidence,
        "1 row whose logged ratios price their usage differently from the verified rates: sora-2 seconds at 0.1666667 per second by its logged ratios (0.1 × 1.666667 × group 1) against 0.1 on the card"
    );
    assert_eq!(b.residual, Decimal::ZERO);
    let check = f.quota_check().unwrap();
    assert_eq!((check.consistent_rows, check.inconsistent_rows), (3, 0));
    assert!(f.unapplied_prices.is_empty(), "{:?}", f.unapplied_prices);
    assert_conserved(&review, NAME);
}

/// sora-2 priced per call on the card: the two videos are two calls at 0.1 = 0.2, and
/// each row's price per call by its ratios names the seconds it was charged for:
/// 0.1 × 5 = 0.5 (0.4 more, once) and 0.1 × 8.333335 = 0.8333335 (0.7333335 more).
#[test]
fn a_card_that_prices_calls_prices_the_calls() {
    let review = run(
        &[(NAME, fixture(NAME))],
        &settings(&media_settings("per_call", "0.1")),
    );
    let f = figures(&review);
    assert_eq!(
        lines(f),
        [
            ("dall-e-3", Dimension::Images, 2, Some(dec("0.08"))),
            ("sora-2", Dimension::Calls, 2, Some(dec("0.2"))),
        ]
    );
    let b = bridge(f);
    let rates: Vec<(Decimal, Decimal)> = b
        .rate_differences
        .iter()
        .map(|r| (r.logged_rate, r.amount))
        .collect();
    assert_eq!(
        rates,
        [
            (dec("0.5"), dec("0.4")),
            (dec("0.8333335"), dec("0.7333335"))
        ]
    );
    assert_conserved(&review, NAME);
}

/// A duration that is not a whole number of seconds is no quantity: the per-second price
/// is not applied, the page and the record name it, and the call is unpriced, not $0.
#[test]
fn a_fraction_of_a_second_is_named_not_priced() {
    let row = r#"{"id": 1, "created_at": 1767225723, "type": 2, "model_name": "sora-2", "quota": 125000, "prompt_tokens": 0, "completion_tokens": 0, "other": "{\"model_price\":0.1,\"other_ratios\":{\"seconds\":2.5}}"}"#;
    let review = run(
        &[("log.jsonl", format!("{row}\n").into_bytes())],
        &settings(&media_settings("per_second", "0.1")),
    );
    let f = figures(&review);
    assert_eq!(lines(f), [("sora-2", Dimension::Calls, 1, None)]);
    let named: Vec<(&str, Dimension)> = f
        .unapplied_prices
        .iter()
        .map(|u| (u.model.as_str(), u.dimension))
        .collect();
    assert_eq!(named, [("sora-2", Dimension::Seconds)]);
    assert_eq!(f.quota_check().unwrap().consistent_rows, 1);
}

/// The same rows as a CSV export (the `other` column quoted, its quotes doubled) give
/// the same lines and the same total.
#[test]
fn a_csv_export_of_the_rows_reads_the_same() {
    let mut csv =
        String::from("id,created_at,type,model_name,quota,prompt_tokens,completion_tokens,other\n");
    for line in String::from_utf8(fixture(NAME)).unwrap().lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        let other = row["other"].as_str().unwrap().replace('"', "\"\"");
        csv.push_str(&format!(
            "{},{},2,{},{},0,0,\"{other}\"\n",
            row["id"],
            row["created_at"],
            row["model_name"].as_str().unwrap(),
            row["quota"]
        ));
    }
    let doc = media_settings("per_second", "0.1");
    let from_csv = run(&[("log.csv", csv.into_bytes())], &settings(&doc));
    let from_jsonl = run(&[(NAME, fixture(NAME))], &settings(&doc));
    assert_eq!(lines(figures(&from_csv)), lines(figures(&from_jsonl)));
    assert_eq!(
        figures(&from_csv).reconciliation.total,
        figures(&from_jsonl).reconciliation.total
    );
}
