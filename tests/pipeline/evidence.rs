//! The other evidence streams: one hand-made fixture per export format, read under the
//! fixture settings (window 2026-01-01 00:00–01:00 UTC), with the ledger and what each
//! file adds pinned by a snapshot; then the streams priced and compared.

use super::*;
use spend_reconciler::crosscheck::CheckName;
use spend_reconciler::ingest::Stream;

pub(super) const EVIDENCE: [(&str, Format); 21] = [
    ("client-openai-chat.jsonl", Format::ClientOpenAiChat),
    ("client-openai-chat-audio.jsonl", Format::ClientOpenAiChat),
    (
        "client-openai-responses.jsonl",
        Format::ClientOpenAiResponses,
    ),
    ("client-anthropic.jsonl", Format::ClientAnthropic),
    ("client-anthropic-array.json", Format::ClientAnthropic),
    ("anthropic-messages.jsonl", Format::ClientAnthropic),
    ("litellm-spend-logs.csv", Format::LiteLlmSpendLogs),
    ("litellm-spend-logs.json", Format::LiteLlmSpendLogs),
    ("cost-observations.jsonl", Format::CostObservation),
    ("openai-usage.json", Format::OpenAiUsageReport),
    ("openai-usage-buckets.json", Format::OpenAiUsageReport),
    ("openai-activity.csv", Format::OpenAiUsageReport),
    ("openai-usage-audio.json", Format::OpenAiUsageReport),
    ("openai-activity-audio.csv", Format::OpenAiUsageReport),
    ("anthropic-usage-report.json", Format::AnthropicUsageReport),
    ("openai-costs.json", Format::OpenAiCosts),
    ("openai-costs-buckets.json", Format::OpenAiCosts),
    ("openai-cost-dashboard.csv", Format::OpenAiCostCsv),
    ("anthropic-cost-report.json", Format::AnthropicCostReport),
    ("focus.csv", Format::Focus),
    ("cometapi-balance.json", Format::CometApiAccount),
];

pub(super) fn rules(offset: Option<&str>) -> ingest::Rules {
    let mut value = settings_json();
    if let Some(offset) = offset {
        value["zoneless_times_offset"] = json!(offset);
    }
    pipeline::ingest_rules(&settings(&value)).expect("valid fixture settings")
}

fn describe_evidence(report: &FileReport) -> String {
    let mut out = format!(
        "{} [{:?}, {:?}] problem={:?}\n  ledger: read {} accepted {} excluded {:?} rejected {}\n",
        report.name,
        report.format,
        report.stream(),
        report.problem,
        report.ledger.rows_read,
        report.ledger.accepted,
        report.ledger.excluded,
        report.ledger.rejected,
    );
    for r in &report.ledger.rejections {
        out.push_str(&format!("  rejected: {}\n", rejection_text(r)));
    }
    for row in report.rows.iter() {
        let requests = match row.requests {
            Some(1) => String::new(),
            Some(n) => format!(" requests={n}"),
            None => " requests=unknown".into(),
        };
        let at = row
            .time()
            .map_or("(no time)".to_string(), |t| t.to_string());
        out.push_str(&format!(
            "  row: {} {} {:?} {:?} {}{requests}\n",
            at,
            row.model,
            row.outcome,
            row.semantic,
            counts_text(&row.counts())
        ));
    }
    let e = &report.evidence;
    if !e.usage_unknown.is_empty() {
        out.push_str(&format!("  usage unknown: {:?}\n", e.usage_unknown));
    }
    if let Some(cost) = e.reported_cost {
        out.push_str(&format!("  client-computed cost: {cost}\n"));
    }
    for c in &e.charges {
        out.push_str(&format!(
            "  charge: {}..{} {} {} {}{}\n",
            c.start,
            c.end,
            c.item,
            c.amount,
            c.currency,
            if c.straddles {
                " (straddles the window)"
            } else {
                ""
            }
        ));
    }
    if e.straddling_buckets > 0 {
        out.push_str(&format!("  straddling buckets: {}\n", e.straddling_buckets));
    }
    out
}

/// The non-zero counts of a row, by name (the other counts are 0).
fn counts_text(c: &ingest::Counts) -> String {
    let named = [
        ("prompt", c.prompt),
        ("completion", c.completion),
        ("cache_read", c.cache_read),
        ("cache_write", c.cache_write),
        ("cache_write_1h", c.cache_write_1h),
        ("reasoning", c.reasoning),
        ("tool_calls", c.tool_calls),
        ("audio_input", c.audio_input),
        ("audio_cached_input", c.audio_cached_input),
        ("audio_output", c.audio_output),
        ("text_input", c.text_input),
        ("text_output", c.text_output),
    ];
    let parts: Vec<String> = named
        .iter()
        .filter(|(_, n)| *n != 0)
        .map(|(name, n)| format!("{name}: {n}"))
        .collect();
    match parts.is_empty() {
        true => "{}".into(),
        false => format!("{{ {} }}", parts.join(", ")),
    }
}

#[test]
fn every_export_format_is_detected_and_filed() {
    let mut text = String::new();
    for offset in [None, Some("+08:00")] {
        for (name, format) in EVIDENCE {
            if offset.is_some() && format != Format::CometApiAccount {
                continue;
            }
            let bytes = fixture(&format!("evidence/{name}"));
            let report = ingest::ingest(name, &bytes, rules(offset));
            assert_eq!(report.format, Some(format), "{name}");
            assert!(report.ledger.is_balanced(), "{name}");
            let unknown = report.evidence.unknown_total();
            if report.stream().is_usage() {
                assert_eq!(
                    report.rows.len() as u64 + unknown,
                    report.ledger.accepted,
                    "{name}"
                );
            }
            // Chunked reading gives the same report.
            let mut ingestor = ingest::Ingestor::new(name, rules(offset));
            for piece in bytes.chunks(7) {
                ingestor.push(piece);
            }
            assert_eq!(
                format!("{:?}", ingestor.finish()),
                format!("{report:?}"),
                "{name}"
            );
            // The report survives the trip from the worker to the page.
            let (json, tables, data) = report.to_wire();
            let back = FileReport::from_wire(&json, [tables, data.to_vec()].concat()).unwrap();
            // Request ids and row identities stay where the figures are computed: never
            // on the wire.
            let mut kept = report.clone();
            kept.evidence.request_ids.clear();
            kept.evidence.row_tags = Default::default();
            kept.evidence.counted.clear();
            kept.evidence.facts.requests.clear();
            // So do the hashed labels a budget review allocates rows by.
            kept.evidence.labels = Default::default();
            assert_eq!(back, kept, "{name}");
            if let Some(offset) = offset {
                text.push_str(&format!("(times without a zone read at {offset})\n"));
            }
            text.push_str(&describe_evidence(&report));
        }
    }
    snapshot("evidence_formats", &text);
}

pub(super) fn whole_day() -> Value {
    let mut value = settings_json();
    value["incident_window_utc"] =
        json!({"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"});
    value
}

#[test]
fn client_log_beside_the_gateway_log_is_compared_not_blended() {
    let files = [
        ("cometapi-logs.csv", fixture("cometapi-logs.csv")),
        ("client.jsonl", fixture("evidence/client-openai-chat.jsonl")),
    ];
    let review = run(&files, &settings(&settings_json()));
    let gateway_only = run_fixture("cometapi-logs.csv");
    let f = figures(&review);
    // The gateway log still prices and records the reconciliation on its own.
    assert_eq!(f.priced_stream, Some(Stream::GatewayLog));
    assert_eq!(f.recorded_stream, Some(Stream::GatewayLog));
    assert_eq!(f.pricing, figures(&gateway_only).pricing);
    assert_eq!(f.reconciliation, figures(&gateway_only).reconciliation);
    // The client log: a1 (12,000 prompt of which 8,000 cached, 500 out) and a2 (1,000
    // prompt, 120 out) priced at $2.50 / $1.25 / $10 per 1M:
    // 4,000×2.5 + 8,000×1.25 + 1,000×2.5 = 22,500 → 0.0225; 620×10 = 0.0062 → 0.0287.
    let client = f
        .streams
        .iter()
        .find(|s| s.stream == Stream::ClientRequests)
        .unwrap();
    assert_eq!(client.expected_amount, Some(dec("0.0287")));
    assert_eq!(client.usage_unknown_requests, 2);
    assert!(!client.expected_complete);
    let check = &f.cross_checks[0];
    assert_eq!(check.name, CheckName::ClientPricedVsGatewayPriced);
    // Gateway gpt-4o rows 417 and 423: 0.025 + (1,000×2.5 + 100×10)/1M = 0.0285.
    assert_eq!(check.right_amount - check.left_amount, check.difference);
    assert!(
        check.evidence.contains("output: 620 vs 1400"),
        "{}",
        check.evidence
    );
    assert!(check
        .evidence
        .contains("2 request(s) in the client request log have no usage figures"));
    let record = record_json(&review);
    snapshot("evidence_client_and_gateway_record", &record);
}

#[test]
fn client_log_and_billing_reconcile_without_a_gateway_log() {
    let files = [
        ("client.jsonl", fixture("evidence/client-openai-chat.jsonl")),
        ("costs.json", fixture("evidence/openai-costs.json")),
    ];
    let mut value = whole_day();
    value["rates"][1]["aliases"] = json!("gpt-4o-2024-08-06");
    let review = run(&files, &settings(&value));
    let f = figures(&review);
    assert_eq!(f.priced_stream, Some(Stream::ClientRequests));
    assert_eq!(f.recorded_stream, Some(Stream::Billing));
    // Billed inside 2026-01-01: 0.4125 + 0.0625; the 2025-12-31 bucket is outside.
    assert_eq!(f.reconciliation.total.provider, Some(dec("0.475")));
    // The client log's a1 + a2 (0.0287) and, inside the whole day, a5: 10×2.5 + 1×10.
    assert_eq!(f.reconciliation.total.expected, Some(dec("0.028735")));
    let gpt = &f
        .reconciliation
        .per_model
        .iter()
        .find(|(m, _)| m == "gpt-4o")
        .unwrap()
        .1;
    assert_eq!(
        gpt.provider,
        Some(dec("0.475")),
        "line items named by alias belong to the model"
    );
    assert_eq!(f.cross_checks[0].name, CheckName::ChargedVsExpected);
    assert_eq!(f.cross_checks[0].difference, dec("0.446265"));
}

#[test]
fn billing_buckets_that_straddle_the_window_are_kept_apart() {
    let files = [
        ("cometapi-logs.csv", fixture("cometapi-logs.csv")),
        ("focus.csv", fixture("evidence/focus.csv")),
    ];
    let review = run(&files, &settings(&settings_json()));
    let f = figures(&review);
    let billing = f
        .streams
        .iter()
        .find(|s| s.stream == Stream::Billing)
        .unwrap();
    assert_eq!(billing.charged_amount, Some(Decimal::ZERO));
    assert_eq!(billing.straddling_amount, dec("0.020"));
    let check = f
        .cross_checks
        .iter()
        .find(|c| c.name == CheckName::ChargedVsGatewayRecorded)
        .unwrap();
    assert!(
        check
            .evidence
            .contains("0.02 charged in 1 bucket(s) that reach outside the window"),
        "{}",
        check.evidence
    );
    // Over the whole day the FOCUS rows are inside: 0.008 + 0.008 + 0.004 (tax excluded).
    let review = run(&files, &settings(&whole_day()));
    let billing = figures(&review)
        .streams
        .iter()
        .find(|s| s.stream == Stream::Billing)
        .cloned()
        .unwrap();
    assert_eq!(billing.charged_amount, Some(dec("0.020")));
}

#[test]
fn unknown_exports_are_read_through_a_saved_column_mapping() {
    let requests = fixture("evidence/custom-requests.csv");
    let charges = fixture("evidence/custom-charges.csv");
    // Without a mapping: one sentence, and the header kept for the page to offer a mapping.
    let unmapped = ingest::ingest("custom.csv", &requests, rules(None));
    assert_eq!(unmapped.format, None);
    assert_eq!(
        unmapped
            .problem
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("line 1: expected the header of an export we know, but found the columns When, Engine, HTTP, In, Cached, Out, Req; map them to what they hold under \"Map columns\" and the file is read again")
    );
    assert_eq!(
        unmapped.evidence.unmapped_header,
        ["When", "Engine", "HTTP", "In", "Cached", "Out", "Req"]
    );
    let mut value = settings_json();
    value["column_mappings"] = json!([
        {"header": ["When", "Engine", "HTTP", "In", "Cached", "Out", "Req"], "stream": "client_requests",
         "timestamp": "When", "model": "Engine", "status": "HTTP", "input_tokens": "In",
         "cached_input_tokens": "Cached", "output_tokens": "Out"},
        {"header": ["day", "sku", "cost"], "stream": "billing", "timestamp": "day", "model": "sku", "amount": "cost"}
    ]);
    let review = run(
        &[("custom.csv", requests), ("charges.csv", charges)],
        &settings(&value),
    );
    let [req, bill] = [&review.files[0], &review.files[1]];
    assert_eq!(req.format, Some(Format::MappedRequests));
    assert_eq!(bill.format, Some(Format::MappedCharges));
    // r1, r2 (empty cached cell: unknown usage), r3 (429, no usage: unknown) accepted;
    // r4 has a status no one can read; r5 has more cached than input tokens.
    assert_eq!((req.ledger.accepted, req.ledger.rejected), (3, 2));
    assert_eq!(req.evidence.usage_unknown.get("gpt-4o"), Some(&2));
    let texts: Vec<String> = req.ledger.rejections.iter().map(rejection_text).collect();
    assert_eq!(texts, [
        "custom.csv, line 5, row 4, column HTTP: expected an HTTP status or a word such as success or failure, but found \"teapot\"",
        "custom.csv, line 6, row 5, column In: expected the input tokens to include the 20 cached tokens (as the mapping says), but found only 10",
    ]);
    let by_column: Vec<(&str, u64)> = req
        .ledger
        .rejected_by_column
        .iter()
        .map(|(c, n)| (c.as_str(), *n))
        .collect();
    assert_eq!(by_column, [("HTTP", 1), ("In", 1)]);
    // The 03:00 charge is outside the window; no currency column: the billing currency.
    assert_eq!((bill.ledger.accepted, bill.ledger.excluded_total()), (2, 1));
    let f = figures(&review);
    assert_eq!(f.recorded_stream, Some(Stream::Billing));
    assert_eq!(f.reconciliation.total.provider, Some(dec("0.0285")));
    // r1 only: 4,000×2.5 + 8,000×1.25 + 500×10 per 1M = 0.025.
    assert_eq!(f.reconciliation.total.expected, Some(dec("0.025")));
    // A mapping naming a column its header lacks is a settings error with its path.
    value["column_mappings"][0]["model"] = json!("Motor");
    let errors = settings(&value).validate().unwrap_err();
    assert_eq!(
        errors[0].position.path.as_deref(),
        Some("column_mappings[0].model")
    );
    assert_eq!(
        errors[0].message,
        "expected a column of the header, but found \"Motor\""
    );
}

#[test]
fn the_same_file_twice_counts_once_and_every_row_stays_accounted_for() {
    let log = fixture("cometapi-logs.csv");
    let once = run_fixture("cometapi-logs.csv");
    let twice = run(
        &[("a.csv", log.clone()), ("copy of a.csv", log)],
        &settings(&settings_json()),
    );
    assert_eq!(figures(&twice).pricing, figures(&once).pricing);
    assert_eq!(
        figures(&twice).reconciliation,
        figures(&once).reconciliation
    );
    let copy = &twice.files[1].ledger;
    assert_eq!(copy.accepted, 0);
    assert_eq!(
        copy.excluded.get(&ingest::ExclusionRule::DuplicateFile),
        Some(&6)
    );
    assert!(copy.is_balanced());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Any export, damaged anywhere and read in any chunking: no panic, every row in
    /// exactly one bucket, the same report as reading it whole.
    #[test]
    fn damaged_exports_never_panic_and_stay_conserved(
        which in 0usize..EVIDENCE.len(),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        step in 1usize..300,
    ) {
        let (name, _) = EVIDENCE[which];
        let mut bytes = fixture(&format!("evidence/{name}"));
        for (at, byte) in damage {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        let whole = ingest::ingest(name, &bytes, rules(Some("+08:00")));
        prop_assert!(whole.ledger.is_balanced());
        let mut ingestor = ingest::Ingestor::new(name, rules(Some("+08:00")));
        for piece in bytes.chunks(step) {
            ingestor.push(piece);
        }
        prop_assert_eq!(format!("{:?}", ingestor.finish()), format!("{whole:?}"));
    }
}

#[test]
fn the_reviewer_can_override_the_detected_format() {
    // A client log that also carries a gateway key reads as a gateway log by default.
    let line = r#"{"created":1767225721,"model":"gpt-4o","token_name":"bot","usage":{"prompt_tokens":10,"completion_tokens":2}}"#;
    let bytes = format!("{line}\n{line}\n").into_bytes();
    let detected = run(
        &[("mixed.jsonl", bytes.clone())],
        &settings(&settings_json()),
    );
    assert_eq!(detected.files[0].format, Some(Format::NewApiJsonLines));
    let mut value = settings_json();
    value["format_overrides"] = json!([{"file": "mixed.jsonl", "format": "client_open_ai_chat"}]);
    let chosen = run(&[("mixed.jsonl", bytes)], &settings(&value));
    assert_eq!(chosen.files[0].format, Some(Format::ClientOpenAiChat));
    assert_eq!(chosen.files[0].ledger.accepted, 2);
    // A CSV can be forced to another export's reading too (here: FOCUS read as a gateway
    // log is refused for its missing columns, as the reviewer asked).
    value["format_overrides"] = json!([{"file": "focus.csv", "format": "new_api_csv"}]);
    let forced = run(
        &[("focus.csv", fixture("evidence/focus.csv"))],
        &settings(&value),
    );
    assert!(forced.files[0]
        .problem
        .as_ref()
        .unwrap()
        .message
        .contains("expected the usage-log columns"));
    value["format_overrides"] = json!([{"file": "x", "format": "excel"}]);
    let errors = settings(&value).validate().unwrap_err();
    assert_eq!(
        errors[0].position.path.as_deref(),
        Some("format_overrides[0].format")
    );
}

#[test]
fn rejections_are_counted_by_column_past_the_kept_examples() {
    let mut text =
        String::from("created_at,type,model_name,quota,prompt_tokens,completion_tokens\n");
    for i in 0..250 {
        text.push_str(&format!(
            "1767225600,2,gpt-4o,{},1,1\n",
            if i % 2 == 0 { "x" } else { "1" }
        ));
        text.push_str("1767225600,2,gpt-4o,1,-1,1\n");
    }
    let report = read("many.csv", text.as_bytes());
    assert_eq!(report.ledger.rejections.len(), ingest::KEPT_REJECTIONS);
    let counts: Vec<(&str, u64)> = report
        .ledger
        .rejected_by_column
        .iter()
        .map(|(c, n)| (c.as_str(), *n))
        .collect();
    assert_eq!(counts, [("prompt_tokens", 250), ("quota", 125)]);
    assert_eq!(report.ledger.rejected, 375);
}

#[test]
fn client_and_gateway_requests_are_joined_by_request_id() {
    let gateway = [
        r#"{"created_at":1767225700,"type":2,"model_name":"gpt-4o","quota":1250,"prompt_tokens":1000,"completion_tokens":0,"request_id":"req-1"}"#,
        r#"{"created_at":1767225800,"type":2,"model_name":"gpt-4o","quota":1250,"prompt_tokens":1000,"completion_tokens":0,"request_id":"req-2"}"#,
    ]
    .join("\n");
    let client = [
        r#"{"event_type":"ai_request_cost_observation","request_correlation_id":"req-1","configured_model":"gpt-4o","started_at_utc":"2026-01-01T00:01:40Z","http_status":200,"usage_from_response":{"prompt_tokens":1000,"completion_tokens":0}}"#,
        r#"{"event_type":"ai_request_cost_observation","request_correlation_id":"req-3","configured_model":"gpt-4o","started_at_utc":"2026-01-01T00:05:00Z","http_status":200,"usage_from_response":{"prompt_tokens":null,"completion_tokens":null}}"#,
    ]
    .join("\n");
    let review = run(
        &[
            ("gateway.jsonl", gateway.into_bytes()),
            ("client.jsonl", client.into_bytes()),
        ],
        &settings(&settings_json()),
    );
    let check = &figures(&review).cross_checks[0];
    assert_eq!(check.name, CheckName::ClientPricedVsGatewayPriced);
    let join = check.request_join.as_ref().expect("both sides carry ids");
    assert_eq!((join.matched, join.left_only, join.right_only), (1, 1, 1));
    assert!(check.evidence.contains("request ids: 1 in both, 1 only in the client request log, 1 only in the gateway usage log"), "{}", check.evidence);
    // The ids themselves never reach the record.
    let record = record_json(&review);
    assert!(!record.contains("req-1") && !record.contains("req-3"));
}

#[test]
fn large_json_arrays_stream_and_only_report_pages_are_read_whole() {
    let record = r#"{"created":1767225721,"model":"gpt-4o","usage":{"prompt_tokens":10,"completion_tokens":2}}"#;
    let count = ingest::LARGEST_DOCUMENT / record.len() + 2;
    // An array of client records larger than the whole-document limit streams.
    let text = format!("[{},7]", vec![record; count].join(","));
    let report = read("big.json", text.as_bytes());
    assert_eq!(
        (report.format, &report.problem),
        (Some(Format::ClientOpenAiChat), &None)
    );
    assert_eq!(report.ledger.accepted, count as u64);
    assert_eq!(
        rejection_text(&report.ledger.rejections[0]),
        format!("big.json, row {}: expected a JSON object with the record's fields, but found something else", count + 1)
    );
    // A report page that large is refused in one sentence.
    let result = r#"{"object":"organization.costs.result","amount":{"value":1,"currency":"usd"},"line_item":"x"}"#;
    let many = vec![result; ingest::LARGEST_DOCUMENT / result.len() + 2].join(",");
    let page = format!(
        r#"{{"object":"page","data":[{{"start_time":1,"end_time":2,"results":[{many}]}}]}}"#
    );
    let report = read("costs.json", page.as_bytes());
    assert_eq!(
        report.problem.as_ref().map(ToString::to_string).as_deref(),
        Some("this billing export is a JSON document larger than 16 MiB; export it in smaller pages, or as JSON lines or CSV, which are read as they stream")
    );
    assert_eq!(report.ledger.rows_read, 0);
}

#[test]
fn unknown_json_records_are_mapped_by_their_keys() {
    let lines = "{\"ts\":\"2026-01-01T00:02:00Z\",\"engine\":\"gpt-4o\",\"in\":12000,\"hit\":8000,\"out\":500}\n\
                 {\"ts\":\"2026-01-01T00:03:00Z\",\"engine\":\"gpt-4o\",\"in\":10,\"hit\":0,\"out\":\"x\"}\n";
    let array = r#"[
  {"ts": "2026-01-01T00:02:00Z", "engine": "gpt-4o", "in": 12000, "hit": 8000, "out": 500},
  {"ts": "2026-01-01T00:03:00Z", "engine": "gpt-4o", "in": 10, "hit": 0, "out": "x"}
]"#;
    // (file, text, where its second record is).
    let cases = [
        ("events.jsonl", lines, "events.jsonl, line 2, row 2"),
        ("events.json", array, "events.json, row 2"),
    ];
    let mut value = settings_json();
    value["column_mappings"] = json!([{"header": ["ts", "engine", "in", "hit", "out"], "stream": "client_requests",
        "timestamp": "ts", "model": "engine", "input_tokens": "in", "cached_input_tokens": "hit", "output_tokens": "out"}]);
    for (name, text, second) in cases {
        let unmapped = ingest::ingest(name, text.as_bytes(), rules(None));
        assert_eq!(unmapped.format, None);
        assert_eq!(
            unmapped
            .problem
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
            Some("line 1: expected the fields of an export we know, but found the fields ts, engine, in, hit, out; map them to what they hold under \"Map columns\" and the file is read again")
        );
        assert_eq!(
            unmapped.evidence.unmapped_header,
            ["ts", "engine", "in", "hit", "out"]
        );
        let review = run(&[(name, text.as_bytes().to_vec())], &settings(&value));
        let file = &review.files[0];
        assert_eq!(file.format, Some(Format::MappedRequests), "{name}");
        assert_eq!((file.ledger.accepted, file.ledger.rejected), (1, 1));
        assert_eq!(
            rejection_text(&file.ledger.rejections[0]),
            format!("{second}, column out: expected a whole number, but found \"x\"")
        );
        // 4,000 × 2.5 + 8,000 × 1.25 + 500 × 10 per 1M.
        assert_eq!(pricing(figures(&review)).expected, dec("0.025"));
    }
    // Read as a gateway log on purpose: no mapping is offered, each row says what it lacks.
    value["format_overrides"] = json!([{"file": "events.json", "format": "new_api_json_array"}]);
    let rules = pipeline::ingest_rules(&settings(&value)).unwrap();
    let forced = ingest::ingest("events.json", array.as_bytes(), rules);
    assert_eq!(forced.format, Some(Format::NewApiJsonArray));
    assert_eq!(forced.ledger.rejected, 2);
}

#[test]
fn retries_and_timeouts_are_counted_from_the_client_log() {
    let review = run(
        &[("events.jsonl", fixture("evidence/cost-observations.jsonl"))],
        &settings(&settings_json()),
    );
    let client = &figures(&review).streams[0];
    let outcomes: Vec<(String, u64)> = client
        .outcomes
        .iter()
        .map(|(o, n)| (spend_reconciler::policy::outcome_name(*o).to_string(), *n))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("success".to_string(), 1),
            ("client_timeout".to_string(), 1),
            ("retry_attempt".to_string(), 1)
        ]
    );
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    assert_eq!(record["usage_rollup"]["retried_request_count"], 1);
    // Without a client log, retries are unknown, not zero.
    let gateway: Value =
        serde_json::from_str(&record_json(&run_fixture("cometapi-logs.csv"))).unwrap();
    assert_eq!(
        gateway["usage_rollup"]["retried_request_count"],
        Value::Null
    );
}

#[test]
fn an_id_column_alone_does_not_make_an_unknown_export_a_gateway_log() {
    let cases: [(&str, &str); 2] = [
        ("ids.csv", "id,When,Engine,In\n1,2026-01-01T00:02:00Z,gpt-4o,5\n"),
        (
            "ids.jsonl",
            "{\"id\":1,\"ts\":\"2026-01-01T00:02:00Z\",\"engine\":\"gpt-4o\"}\n{\"id\":2,\"ts\":\"x\"}\n",
        ),
    ];
    for (name, text) in cases {
        let report = ingest::ingest(name, text.as_bytes(), rules(None));
        assert_eq!(report.format, None, "{name}");
        let problem = report.problem.map(|p| p.to_string()).unwrap_or_default();
        assert!(problem.contains("\"Map columns\""), "{name}: {problem}");
        assert_eq!(report.evidence.unmapped_header[0], "id", "{name}");
    }
}
