//! The FOCUS export checked against the FOCUS 1.2 column rules (the spec's
//! `specification/columns/*.md` at tag v1.2: which columns a dataset must have, which may
//! be null, their types and allowed values), its figures against the review's, and runs
//! per day concatenating into the run over both days.

use std::collections::BTreeMap;

use super::*;
use spend_reconciler::outputs::{focus_csv, CsvStyle, FOCUS_COLUMNS};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Decimal,
    DateTime,
    Text,
    Json,
}

/// (column, mandatory, allows nulls, type), from FOCUS 1.2.
const RULES: &[(&str, bool, bool, Kind)] = &[
    ("BilledCost", true, false, Kind::Decimal),
    ("BillingAccountId", true, false, Kind::Text),
    ("BillingAccountName", true, true, Kind::Text),
    ("BillingCurrency", true, false, Kind::Text),
    ("BillingPeriodEnd", true, false, Kind::DateTime),
    ("BillingPeriodStart", true, false, Kind::DateTime),
    ("ChargeCategory", true, false, Kind::Text),
    ("ChargeClass", true, true, Kind::Text),
    ("ChargeDescription", true, true, Kind::Text),
    ("ChargePeriodEnd", true, false, Kind::DateTime),
    ("ChargePeriodStart", true, false, Kind::DateTime),
    ("ContractedCost", true, false, Kind::Decimal),
    ("EffectiveCost", true, false, Kind::Decimal),
    ("InvoiceIssuerName", true, false, Kind::Text),
    ("ListCost", true, false, Kind::Decimal),
    ("PricingQuantity", true, true, Kind::Decimal),
    ("PricingUnit", true, true, Kind::Text),
    ("ProviderName", true, false, Kind::Text),
    ("PublisherName", true, false, Kind::Text),
    ("ServiceCategory", true, false, Kind::Text),
    ("ServiceName", true, false, Kind::Text),
    ("ChargeFrequency", false, false, Kind::Text),
    ("ServiceSubcategory", false, false, Kind::Text),
    ("ListUnitPrice", false, true, Kind::Decimal),
    ("ContractedUnitPrice", false, true, Kind::Decimal),
    ("ConsumedQuantity", false, true, Kind::Decimal),
    ("ConsumedUnit", false, true, Kind::Text),
    ("SkuId", false, true, Kind::Text),
    ("SkuPriceId", false, true, Kind::Text),
    ("SkuMeter", false, true, Kind::Text),
    ("ResourceId", false, true, Kind::Text),
    ("Tags", false, true, Kind::Json),
];

const CHARGE_CATEGORIES: [&str; 5] = ["Usage", "Purchase", "Tax", "Credit", "Adjustment"];
const CHARGE_FREQUENCIES: [&str; 3] = ["One-Time", "Recurring", "Usage-Based"];

/// The rows of a comma-style FOCUS CSV as maps of column → value ("" is null).
fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let header: Vec<String> = split(lines.next().unwrap());
    lines
        .map(|line| header.iter().cloned().zip(split(line)).collect())
        .collect()
}

/// One CSV line's cells (RFC 4180 quoting).
fn split(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

fn dec_of(row: &BTreeMap<String, String>, column: &str) -> Option<Decimal> {
    Decimal::from_str_exact(row.get(column)?).ok()
}

/// Every way the CSV breaks the FOCUS 1.2 column rules.
fn violations(text: &str) -> Vec<String> {
    let header = split(text.lines().next().unwrap());
    let mut found = Vec::new();
    for (column, mandatory, _, _) in RULES {
        if *mandatory && !header.iter().any(|h| h == column) {
            found.push(format!("{column}: a mandatory column is missing"));
        }
    }
    for column in &header {
        if !RULES.iter().any(|r| r.0 == column) && !column.starts_with("x_") {
            found.push(format!(
                "{column}: neither a FOCUS column nor an x_ extension"
            ));
        }
    }
    for (i, row) in rows(text).iter().enumerate() {
        for (column, _, nulls, kind) in RULES {
            let Some(value) = row.get(*column) else {
                continue;
            };
            if value.is_empty() {
                if !nulls {
                    found.push(format!("row {i}, {column}: null where the spec forbids it"));
                }
                continue;
            }
            let ok = match kind {
                Kind::Decimal => Decimal::from_str_exact(value).is_ok(),
                Kind::DateTime => value.ends_with('Z') && value.parse::<Timestamp>().is_ok(),
                Kind::Json => serde_json::from_str::<Value>(value).is_ok_and(|v| v.is_object()),
                Kind::Text => true,
            };
            if !ok {
                found.push(format!("row {i}, {column}: {value:?} is not of its type"));
            }
        }
        if !CHARGE_CATEGORIES.contains(&row["ChargeCategory"].as_str()) {
            found.push(format!(
                "row {i}: ChargeCategory {:?}",
                row["ChargeCategory"]
            ));
        }
        if !CHARGE_FREQUENCIES.contains(&row["ChargeFrequency"].as_str()) {
            found.push(format!(
                "row {i}: ChargeFrequency {:?}",
                row["ChargeFrequency"]
            ));
        }
        if row["ConsumedQuantity"].is_empty() != row["ConsumedUnit"].is_empty() {
            found.push(format!(
                "row {i}: ConsumedUnit must be null exactly when ConsumedQuantity is"
            ));
        }
        let time = |c: &str| row[c].parse::<Timestamp>().ok();
        let (start, end, billing) = (
            time("ChargePeriodStart"),
            time("ChargePeriodEnd"),
            time("BillingPeriodStart"),
        );
        if end <= start || billing > start {
            found.push(format!("row {i}: periods out of order"));
        }
        // Unit price × pricing quantity = cost, list and contracted alike.
        let quantity = dec_of(row, "PricingQuantity");
        for (unit, cost) in [
            ("ListUnitPrice", "ListCost"),
            ("ContractedUnitPrice", "ContractedCost"),
        ] {
            if let (Some(q), Some(p)) = (quantity, dec_of(row, unit)) {
                if Some(q * p) != dec_of(row, cost) {
                    found.push(format!("row {i}: {unit} × PricingQuantity ≠ {cost}"));
                }
            }
        }
    }
    found
}

fn day_settings(start: &str, end: &str) -> Settings {
    let mut value = settings_json();
    value["incident_window_utc"] = json!({"start": start, "end": end});
    settings(&value)
}

#[test]
fn the_focus_export_keeps_the_column_rules_and_the_figures() {
    let files = [
        ("log.json", fixture("cometapi-log-page.json")),
        ("focus.csv", fixture("evidence/focus.csv")),
    ];
    let review = run(
        &files,
        &day_settings("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
    );
    let f = figures(&review);
    let out = focus_csv(&review.files, f, CsvStyle::default());
    assert_eq!(violations(&out.text), Vec::<String>::new());
    assert!(out.text.starts_with(&FOCUS_COLUMNS.join(",")));
    // The checker can fail: a null cost, a custom column without its prefix.
    let (header, body) = out.text.split_once("\r\n").unwrap();
    let cost_cut = body.find(',').unwrap();
    let broken = format!(
        "{}\r\n{}",
        header.replacen("x_Source", "Source", 1),
        &body[cost_cut..]
    );
    let found = violations(&broken);
    assert!(
        found.iter().any(|v| v.contains("BilledCost: null")),
        "{found:?}"
    );
    assert!(found.iter().any(|v| v.starts_with("Source:")), "{found:?}");
    let rows = rows(&out.text);
    let sum = |source: &str| -> Decimal {
        rows.iter()
            .filter(|r| r["x_Source"] == source)
            .map(|r| dec_of(r, "BilledCost").unwrap())
            .sum()
    };
    // The expected rows add up to the expected charge; the billed ones to the bill.
    assert_eq!(Some(sum("expected")), f.reconciliation.total.expected);
    let billing = f
        .streams
        .iter()
        .find(|s| s.stream == spend_reconciler::ingest::Stream::Billing);
    assert_eq!(Some(sum("billed")), billing.unwrap().charged_amount);
    assert_eq!(
        sum("billed"),
        dec("0.02"),
        "0.008 + 0.008 + 0.004 of usage; tax excluded"
    );
    assert!(rows
        .iter()
        .all(|r| r["ChargePeriodStart"] == "2026-01-01T00:00:00Z"));
    assert!(rows
        .iter()
        .all(|r| r["BillingPeriodStart"] == "2026-01-01T00:00:00Z"
            && r["BillingPeriodEnd"] == "2026-02-01T00:00:00Z"));
    // The gpt-4o output line, by hand: 500 + 100 + 400 output tokens (rows 417, 423 and,
    // over the whole day, 422) at $10 per 1M.
    let output = rows
        .iter()
        .find(|r| r["SkuPriceId"] == "gpt-4o:output" && r["x_Source"] == "expected")
        .unwrap();
    assert_eq!(
        [
            &output["BilledCost"],
            &output["PricingQuantity"],
            &output["PricingUnit"],
            &output["ListUnitPrice"],
            &output["ConsumedQuantity"],
            &output["ConsumedUnit"]
        ],
        ["0.01", "0.001", "1000000 Tokens", "10", "1000", "Tokens"]
    );
    // Secrets in the log never reach the export.
    for secret in ["prod-bot", "alice@example.com", "sk-live", "203.0.113.7"] {
        assert!(!out.text.contains(secret), "{secret}");
    }
}

#[test]
fn runs_per_day_concatenate_into_the_run_over_both_days() {
    // The fixture log's rows with one row moved a day later.
    let log = String::from_utf8(fixture("cometapi-log-rows.jsonl")).unwrap();
    let log = log.replacen(
        "\"created_at\": 1767225790",
        "\"created_at\": 1767312190",
        1,
    );
    assert!(log.contains("1767312190"));
    let files = [("log.jsonl", log.into_bytes())];
    let focus = |start: &str, end: &str| {
        let review = run(&files, &day_settings(start, end));
        let text = focus_csv(&review.files, figures(&review), CsvStyle::default()).text;
        assert_eq!(violations(&text), Vec::<String>::new(), "{start}..{end}");
        text
    };
    let both = focus("2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z");
    let first = focus("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
    let second = focus("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z");
    let body = |text: &str| text.split_once("\r\n").unwrap().1.to_string();
    assert_eq!(
        first.split("\r\n").next(),
        second.split("\r\n").next(),
        "one header"
    );
    assert_eq!(body(&first) + &body(&second), body(&both));
    assert!(body(&second).contains("claude-sonnet-4-5-20250929"));
}
