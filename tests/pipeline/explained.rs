//! The variance explained: the quota check without a rate card, a stale rate named with
//! both prices, and the bundled sample worked out by hand.

use super::*;

/// The quota check is the gateway's own consistency: a row carries every ratio that
/// priced it, so the check runs with no rate card at all, and finds what it finds with
/// the card. Unpriced rows' gap is then what their ratios say they cost.
#[test]
fn the_quota_check_needs_no_rate_card() {
    let mut bare = settings_json();
    bare["rates"] = json!([]);
    bare["factors"] = json!([]);
    let page = || vec![("log.json", fixture("cometapi-log-page.json"))];
    let with_card = run(&page(), &settings(&settings_json()));
    let without = run(&page(), &settings(&bare));
    let check = |r: &Review| pricing(figures(r)).quota_check.clone();
    assert_eq!(check(&without), check(&with_card));
    let c = check(&without);
    // Rows 417, 418, 419 and 423 (the error row has no ratios and is at risk; the
    // refund row is a credit): all four within ±1 quota of their own ratios.
    assert_eq!(
        (c.consistent_rows, c.inconsistent_rows, c.unchecked_rows),
        (4, 0, 0)
    );
    // (12,500 + 16,050 + 50,000 + 1,750) ÷ 500,000 = 0.1606 of usage the card does not
    // price; the refund returns 0.005; nothing is left unexplained.
    let b = bridge(figures(&without));
    let steps: Vec<(&str, Decimal)> = b
        .steps
        .iter()
        .map(|s| (s.cause.describe(), s.amount))
        .collect();
    assert_eq!(
        steps,
        [
            ("credit or adjustment", dec("-0.005")),
            ("unpriced model or dimension", dec("0.1606"))
        ]
    );
    assert_eq!(b.residual, Decimal::ZERO);
    assert_conserved(&without, "no rate card");
}

/// A stale rate on the card is named, not inferred: the gpt-4o output price typed as
/// $12 against the $10 its rows' ratios imply (1.25 × 4 × group 1 at 500,000 quota per
/// USD), on the 500 + 100 output tokens of the window's two gpt-4o rows.
#[test]
fn a_stale_rate_is_named_with_both_prices_and_the_ratios() {
    let mut doc = settings_json();
    let rates = doc["rates"].as_array_mut().unwrap();
    let gpt = rates.iter_mut().find(|r| r["model"] == "gpt-4o").unwrap();
    gpt["output"] = json!("12");
    let review = run_fixture_with("cometapi-log-page.json", &settings(&doc));
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    let differences = &record["variance_bridge"]["rate_differences"];
    assert_eq!(
        differences,
        &json!([{
            "model": "gpt-4o", "dimension": "output", "unit_size": "1000000",
            "card_rate": "12", "logged_rate": "10", "model_ratio": "1.25",
            "dimension_ratio": "4", "group_ratio": "1", "rows": 2, "quantity": 600,
            "amount": "-0.0012"
        }])
    );
    let step = &record["variance_bridge"]["steps"][0];
    assert_eq!(step["cause"], "ratio_mismatch");
    assert_eq!(step["amount"], "-0.0012");
    assert_eq!(
        step["evidence"],
        "2 rows whose logged ratios price their usage differently from the verified rates: gpt-4o output at 10 per 1M tokens by its logged ratios (1.25 × 4 × group 1) against 12 on the card"
    );
}

fn run_fixture_with(name: &str, settings: &Settings) -> Review {
    run(&[(name, fixture(name))], settings)
}

// The sample "Try with sample data" loads: valid settings, every row read, and figures
// worked out by hand. Expected, per 1M tokens (gpt-4o 2.50 / cached 1.25 / 10; Claude 3 /
// 0.30 / write 3.75 / 15): gpt-4o 0.026 + 0.011 + 0.042 + 0.01394 + 0.0205, Claude 0.03735
// + 0.01845 = 0.16924. Recorded: quotas 13,000 + 5,500 + 23,100 + 7,667 + 10,250 (the
// two vip rows at group ratio 1.1) + 18,675 + 9,225 − 2,500 refunded = 84,917 ÷ 500,000
// = 0.169834.
#[test]
fn the_bundled_sample_reads_completely_and_explains_its_variance() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/samples/sample-settings.json")).unwrap();
    let settings = Settings::from_json(&text).expect("the sample settings parse");
    assert!(settings.validate().is_ok());
    let log = std::fs::read(format!("{root}/samples/cometapi-sample-log.json")).unwrap();
    let review = run(&[("cometapi-sample-log.json", log)], &settings);
    let l = &review.files[0].ledger;
    assert_eq!((l.rows_read, l.accepted, l.rejected), (10, 9, 0));
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    assert_eq!(record["status"], "explained");
    assert_eq!(record["computed_charge"]["expected_amount"], "0.16924");
    assert_eq!(
        record["computed_charge"]["provider_reported_amount"],
        "0.169834"
    );
    assert_eq!(
        record["variance_bridge"]["rate_differences"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(record["variance_bridge"]["residual"], "0");
}
