//! Exports as their tools really write them, beside the forms we read first: OpenAI's
//! usage and costs saved as one bare array of buckets (the cookbook's way), LiteLLM spend
//! logs whose `metadata` is a JSON string, Anthropic Messages without a time.

use super::evidence::{rules, whole_day};
use super::*;

/// A report's fingerprint aside (the bytes differ), everything a file report says.
fn unfingerprinted(report: &FileReport) -> String {
    let mut report = report.clone();
    report.fingerprint = ingest::Fingerprint::of(b"");
    format!("{report:?}")
}

/// The record without the files' fingerprints.
fn record_without_fingerprints(review: &Review) -> Value {
    let mut record: Value = serde_json::from_str(&record_json(review)).unwrap();
    for file in record["input_files"].as_array_mut().unwrap() {
        file["sha256"] = Value::Null;
        file["bytes"] = Value::Null;
    }
    record
}

/// The buckets of a bare array, as the API's page held them.
fn as_page(bare: &[u8]) -> Vec<u8> {
    let buckets: Value = serde_json::from_slice(bare).unwrap();
    let page = json!({"object": "page", "data": buckets, "has_more": false, "next_page": null});
    serde_json::to_vec_pretty(&page).unwrap()
}

#[test]
fn bare_bucket_arrays_read_as_the_pages_they_came_from() {
    let mut value = whole_day();
    value["rates"][1]["aliases"] = json!("gpt-4o-2024-08-06");
    let cases = [
        ("openai-usage-buckets.json", Format::OpenAiUsageReport),
        ("openai-costs-buckets.json", Format::OpenAiCosts),
    ];
    for (name, format) in cases {
        let bare = fixture(&format!("evidence/{name}"));
        let page = as_page(&bare);
        let [bare_report, page_report] =
            [&bare, &page].map(|bytes| ingest::ingest("report.json", bytes, rules(None)));
        assert_eq!(bare_report.format, Some(format), "{name}");
        assert_eq!(bare_report.problem, None, "{name}");
        assert_eq!(
            unfingerprinted(&bare_report),
            unfingerprinted(&page_report),
            "{name}: the same report in both forms"
        );
        // One record per result: empty buckets are no rows in either form.
        let results = if format == Format::OpenAiCosts { 4 } else { 3 };
        assert_eq!(bare_report.ledger.rows_read, results, "{name}");
        let [bare_review, page_review] =
            [bare, page].map(|bytes| run(&[("report.json", bytes)], &settings(&value)));
        assert_eq!(figures(&bare_review), figures(&page_review), "{name}");
        assert_eq!(
            record_without_fingerprints(&bare_review),
            record_without_fingerprints(&page_review),
            "{name}"
        );
    }
    // Over the whole day, by hand: gpt-4o's 00:00 bucket, (5,000×2.5 + 8,000×1.25 + 600×10)
    // per 1M; the result without a model and gpt-4o-mini at 02:00 have no rate.
    let review = run(
        &[("usage.json", fixture("evidence/openai-usage-buckets.json"))],
        &settings(&value),
    );
    let gpt = figures(&review)
        .reconciliation
        .per_model
        .iter()
        .find(|(m, _)| m == "gpt-4o")
        .and_then(|(_, c)| c.expected);
    assert_eq!(gpt, Some(dec("0.0285")));
    // The costs: 0.4125 + 0.0625 + 0.0105 billed on 2026-01-01; the 2026-01-02 bucket is
    // outside the day.
    let review = run(
        &[("costs.json", fixture("evidence/openai-costs-buckets.json"))],
        &settings(&value),
    );
    assert_eq!(
        figures(&review).reconciliation.total.provider,
        Some(dec("0.4855"))
    );
}

#[test]
fn buckets_are_told_apart_past_empty_ones_and_never_guessed() {
    let empty = |hour: u64| {
        let start = 1_767_225_600 + hour * 3600;
        format!(
            r#"{{"object": "bucket", "start_time": {start}, "end_time": {}, "results": []}}"#,
            start + 3600
        )
    };
    let result = r#"{"object": "organization.usage.completions.result", "input_tokens": 10, "output_tokens": 2, "input_cached_tokens": 0, "num_model_requests": 1, "model": "gpt-4o"}"#;
    // More empty buckets than the first 64 KiB hold, then one with a result.
    let mut buckets: Vec<String> = (0..1200).map(empty).collect();
    buckets.push(format!(
        r#"{{"object": "bucket", "start_time": 1771545600, "end_time": 1771549200, "results": [{result}]}}"#
    ));
    let bare = format!("[{}]", buckets.join(",\n"));
    assert!(bare.len() > 64 << 10);
    let page = as_page(bare.as_bytes());
    for (form, bytes) in [("bare", bare.as_bytes()), ("page", &page[..])] {
        let report = read("late.json", bytes);
        assert_eq!(
            (report.format, &report.problem),
            (Some(Format::OpenAiUsageReport), &None),
            "{form}"
        );
        assert_eq!(report.ledger.accepted, 1, "{form}");
        let mut ingestor = ingest::Ingestor::new("late.json", Default::default());
        bytes.chunks(4093).for_each(|piece| ingestor.push(piece));
        assert_eq!(ingestor.finish(), report, "{form}: in chunks");
    }
    // Only empty buckets: nothing says which report it is, and the file says so.
    let bare = format!("[{}, {}]", empty(0), empty(1));
    for (form, bytes) in [
        ("bare", bare.clone().into_bytes()),
        ("page", as_page(bare.as_bytes())),
    ] {
        let report = read("empty.json", &bytes);
        assert_eq!(report.format, None, "{form}");
        assert_eq!(
            report.problem.as_ref().map(ToString::to_string).as_deref(),
            Some("expected a result in the report's buckets that says which report this is (usage or costs), but found only buckets without one; choose the report under \"Read as\" (a report without results adds nothing)"),
            "{form}"
        );
        assert_eq!(report.ledger.rows_read, 0, "{form}");
        // Read as the usage report, it is one without rows.
        let mut value = settings_json();
        value["format_overrides"] =
            json!([{"file": "empty.json", "format": "open_ai_usage_report"}]);
        let chosen = ingest::ingest(
            "empty.json",
            &bytes,
            pipeline::ingest_rules(&settings(&value)).unwrap(),
        );
        assert_eq!(
            (chosen.format, &chosen.problem, chosen.ledger.rows_read),
            (Some(Format::OpenAiUsageReport), &None, 0),
            "{form}"
        );
    }
    // A bucket or a result that is not an object is a rejected row in both forms.
    let bare = format!(
        r#"[{}, 7, {{"object": "bucket", "start_time": 1767225600, "end_time": 1767229200, "results": [{result}, "x"]}}]"#,
        empty(0)
    );
    let [a, b] =
        [bare.clone().into_bytes(), as_page(bare.as_bytes())].map(|bytes| read("odd.json", &bytes));
    assert_eq!(unfingerprinted(&a), unfingerprinted(&b));
    let texts: Vec<String> = a.ledger.rejections.iter().map(rejection_text).collect();
    assert_eq!(texts, [
        "odd.json, row 1: expected a JSON object with the record's fields, but found something else",
        "odd.json, row 3: expected a JSON object with the record's fields, but found something else",
    ]);
    assert_eq!((a.ledger.accepted, a.ledger.rejected), (1, 2));
}

#[test]
fn litellm_metadata_as_a_string_prices_cached_tokens_as_the_object_and_the_csv_do() {
    let string_form = fixture("evidence/litellm-spend-logs.json");
    // The same rows with every `metadata` string parsed into the object it holds.
    let mut rows: Value = serde_json::from_slice(&string_form).unwrap();
    for row in rows.as_array_mut().unwrap() {
        if let Some(text) = row["metadata"].as_str() {
            row["metadata"] = serde_json::from_str(text).unwrap();
        }
    }
    let object_form = serde_json::to_vec_pretty(&rows).unwrap();
    let [strings, objects] =
        [&string_form, &object_form].map(|bytes| ingest::ingest("spend.json", bytes, rules(None)));
    assert_eq!(strings.format, Some(Format::LiteLlmSpendLogs));
    assert_eq!(unfingerprinted(&strings), unfingerprinted(&objects));
    // Every request counted with its usage: chatcmpl-9a5's `prompt_tokens_details: null`
    // is no breakdown, its 10 and 20 tokens stay known.
    assert_eq!(strings.ledger.accepted, 5);
    assert_eq!(strings.rows.len(), 5);
    assert!(strings.evidence.usage_unknown.is_empty());
    let counts: Vec<[u64; 3]> = strings
        .rows
        .iter()
        .map(|r| [r.prompt_tokens, r.completion_tokens, r.cache_read_tokens])
        .collect();
    assert_eq!(
        counts,
        [
            [12000, 500, 8000],
            [1000, 100, 0],
            [0, 0, 0],
            [10, 20, 0],
            [2000, 50, 1536]
        ]
    );
    // The requests the CSV export also holds read exactly as the CSV reads them.
    let csv = ingest::ingest(
        "spend.csv",
        &fixture("evidence/litellm-spend-logs.csv"),
        rules(None),
    );
    let rows_of = |r: &FileReport, n: usize| -> Vec<String> {
        r.rows
            .iter()
            .take(n)
            .map(|row| format!("{row:?}"))
            .collect()
    };
    assert_eq!(rows_of(&strings, 3), rows_of(&csv, 3));
    // Priced at $2.50 / $1.25 / $10 per 1M: the CSV's 9a1 and 9a2 (0.025 + 0.0035), then
    // 9a5 (10×2.5 + 20×10 = 0.000225) and 9a6 (464×2.5 + 1,536×1.25 + 50×10 = 0.00358).
    let expected = |name: &str, bytes: Vec<u8>| {
        let review = run(&[(name, bytes)], &settings(&settings_json()));
        let f = figures(&review);
        (pricing(f).expected, pricing(f).complete)
    };
    assert_eq!(
        expected("spend.csv", fixture("evidence/litellm-spend-logs.csv")),
        (dec("0.0285"), true)
    );
    assert_eq!(expected("spend.json", string_form), (dec("0.032305"), true));
    assert_eq!(expected("spend.json", object_form), (dec("0.032305"), true));
}

#[test]
fn a_null_breakdown_is_none_and_a_null_count_in_one_is_unknown() {
    let row = |details: &str| {
        format!(
            r#"{{"created":1767225721,"model":"gpt-4o","usage":{{"prompt_tokens":10,"completion_tokens":20,"prompt_tokens_details":{details}}}}}"#
        )
    };
    let lines = [
        row("null"),
        row(r#"{"cached_tokens":4}"#),
        row(r#"{"cached_tokens":null}"#),
    ]
    .join("\n");
    let report = read("chat.jsonl", lines.as_bytes());
    assert_eq!(report.format, Some(Format::ClientOpenAiChat));
    assert_eq!(report.ledger.accepted, 3);
    let cached: Vec<u64> = report.rows.iter().map(|r| r.cache_read_tokens).collect();
    assert_eq!(cached, [0, 4]);
    assert_eq!(report.evidence.usage_unknown.get("gpt-4o"), Some(&1));
}

/// The fixture settings (window 00:00–01:00 UTC) with `untimed_requests` set.
fn untimed(choice: &str) -> Value {
    let mut value = settings_json();
    value["untimed_requests"] = json!(choice);
    value
}

#[test]
fn anthropic_messages_without_a_time_are_rejected_unless_counted_on_purpose() {
    let messages = fixture("evidence/anthropic-messages.jsonl");
    // The default: each Message is refused with a sentence that says why and how to
    // count them; the one whose cache writes disagree is refused for that.
    let default = run(
        &[("messages.jsonl", messages.clone())],
        &settings(&settings_json()),
    );
    let rejected = &default.files[0].ledger;
    assert_eq!((rejected.rows_read, rejected.rejected), (4, 4));
    let mut text: Vec<String> = rejected.rejections.iter().map(rejection_text).collect();
    // Counted: accepted without the window, listed apart; the disagreeing row still
    // refused, with both numbers.
    let counted = run(
        &[("messages.jsonl", messages.clone())],
        &settings(&untimed("count")),
    );
    let file = &counted.files[0];
    let ledger = &file.ledger;
    assert!(ledger.is_balanced());
    assert_eq!(
        (
            ledger.rows_read,
            ledger.accepted,
            ledger.accepted_without_time,
            ledger.excluded_total(),
            ledger.rejected
        ),
        (4, 3, 3, 0, 1)
    );
    text.extend(ledger.rejections.iter().map(rejection_text));
    snapshot("anthropic_messages_untimed", &text.join("\n"));
    // Priced by the undated claude entry ($3 / $0.30 / $3.75 / $15 per 1M), by hand:
    //   msg_01 1,200×3 + 30,000×0.30 + 2,000×3.75 + 800×15 = 32,100  → 0.0321
    //   msg_02 25×3 + 310×15                               =  4,725  → 0.004725
    //   msg_04 400×3 + 1,000×3.75 + 1,024×15               = 20,310  → 0.02031
    let f = figures(&counted);
    assert_eq!(
        (pricing(f).expected, pricing(f).complete),
        (dec("0.057135"), true)
    );
    assert_eq!(pricing(f).models[0].requests, 3);
    let record: Value = serde_json::from_str(&record_json(&counted)).unwrap();
    assert_eq!(record["input_files"][0]["accepted"], 3);
    assert_eq!(record["input_files"][0]["accepted_without_time"], 3);
    assert_eq!(record["usage_rollup"]["request_count"], 3);
    // Given twice, the copy's rows count once: none accepted, none without a time.
    let twice = run(
        &[
            ("messages.jsonl", messages.clone()),
            ("copy.jsonl", messages.clone()),
        ],
        &settings(&untimed("count")),
    );
    let copy = &twice.files[1].ledger;
    assert!(copy.is_balanced());
    assert_eq!((copy.accepted, copy.accepted_without_time), (0, 0));
    assert_eq!(pricing(figures(&twice)).expected, dec("0.057135"));
    // The page shows the ledger the record lists, for the copy as for the first: the
    // worker's, sent with the figures, onto the reports as the page holds them.
    let rules = pipeline::ingest_rules(&settings(&untimed("count"))).unwrap();
    let as_read = ["messages.jsonl", "copy.jsonl"].map(|name| {
        let report = ingest::ingest(name, &messages, rules.clone());
        FileReport::from_wire_without_rows(&report.to_wire().0).unwrap()
    });
    let page = Review::from_wire(
        &twice.to_wire(),
        as_read.to_vec(),
        &settings(&untimed("count")),
    )
    .unwrap();
    assert_eq!(&page.files[1].ledger, copy);
    assert_eq!(page.files[0].ledger, twice.files[0].ledger);
    // Two files that overlap: requests without a time are never matched (their identity
    // lacks the time), so both count.
    let other = String::from_utf8(messages.clone())
        .unwrap()
        .replace("msg_01", "msg_91");
    let both = run(
        &[
            ("messages.jsonl", messages),
            ("other.jsonl", other.into_bytes()),
        ],
        &settings(&untimed("count")),
    );
    assert_eq!(both.files[1].ledger.accepted_without_time, 3);
}

#[test]
fn rows_without_a_time_are_priced_only_by_an_entry_without_dates() {
    let mut value = untimed("count");
    value["rates"][0]["effective_from"] = json!("2025-10-01T00:00:00Z");
    let review = run(
        &[(
            "messages.jsonl",
            fixture("evidence/anthropic-messages.jsonl"),
        )],
        &settings(&value),
    );
    let f = figures(&review);
    assert!(!pricing(f).complete);
    let claude = &pricing(f).models[0];
    assert_eq!(
        (claude.untimed_unpriced, claude.expected),
        (3, Decimal::ZERO)
    );
    assert!(pricing(f)
        .lines
        .iter()
        .all(|l| l.status == spend_reconciler::price::LineStatus::Unpriced));
    // The CLI reads the choice from the settings file and says so in its summary.
    let settings_path = &temp_file("settings-untimed-dated.json", &value.to_string());
    let (code, _, stderr) = cli(&[
        "--settings",
        settings_path,
        "--summary",
        "tests/fixtures/evidence/anthropic-messages.jsonl",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("3 accepted without a time: the incident window was not applied to them"),
        "{stderr}"
    );
    assert!(
        stderr.contains("claude-sonnet-4-5-20250929: 3 request(s) without a time unpriced: every rate-card entry for it has effective dates"),
        "{stderr}"
    );
}

#[test]
fn a_missing_time_is_named_as_each_export_writes_it() {
    let lines = |record: &str| format!("{record}\n{record}\n").into_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("chat.jsonl", lines(r#"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o","usage":{"prompt_tokens":5,"completion_tokens":1}}"#)),
        ("responses.jsonl", lines(r#"{"id":"resp_1","object":"response","model":"gpt-4o","usage":{"input_tokens":5,"output_tokens":1}}"#)),
        ("messages.jsonl", lines(r#"{"id":"msg_1","type":"message","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":5,"output_tokens":1}}"#)),
        ("litellm.jsonl", lines(r#"{"request_id":"r1","spend":0.1,"model":"gpt-4o","prompt_tokens":5,"completion_tokens":1,"startTime":null}"#)),
        ("events.jsonl", lines(r#"{"event_type":"ai_request_cost_observation","configured_model":"gpt-4o","usage_from_response":{"prompt_tokens":5,"completion_tokens":1}}"#)),
        ("focus.csv", b"ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency\n,2026-01-02T00:00:00Z,1,USD\n".to_vec()),
        ("anthropic-usage.json", br#"{"data":[{"ending_at":"2026-01-02T00:00:00Z","results":[{"uncached_input_tokens":1,"output_tokens":1}]}]}"#.to_vec()),
        ("usage-buckets.json", br#"[{"object":"bucket","start_time":1767225600,"results":[{"object":"organization.usage.completions.result","input_tokens":1,"output_tokens":1}]}]"#.to_vec()),
    ];
    let mut text = Vec::new();
    for (name, bytes) in cases {
        let report = read(name, &bytes);
        assert!(report.format.is_some(), "{name}");
        text.push(rejection_text(&report.ledger.rejections[0]));
    }
    // A mapped request log: its time column, as mapped.
    let mut value = settings_json();
    value["column_mappings"] = json!([{"header": ["When", "Engine", "In", "Out"], "stream": "client_requests",
        "timestamp": "When", "model": "Engine", "input_tokens": "In", "output_tokens": "Out"}]);
    let mapped = ingest::ingest(
        "mapped.csv",
        b"When,Engine,In,Out\n,gpt-4o,5,1\n",
        pipeline::ingest_rules(&settings(&value)).unwrap(),
    );
    text.push(rejection_text(&mapped.ledger.rejections[0]));
    snapshot("missing_times_by_format", &text.join("\n"));
}
