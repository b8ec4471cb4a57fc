//! Regressions: bugs the property and hostile tests found in src/, now fixed.

use super::*;

fn one_row(other: &str) -> String {
    let row = r#""created_at":1767225723,"type":2,"model_name":"gpt-4o","quota":1750"#;
    format!(r#"{{{row},"prompt_tokens":1000,"completion_tokens":100,"other":{other}}}"#)
}

#[test]
fn huge_tool_call_counts_are_rejected_not_a_panic() {
    let tools = r#"[{"count":18446744073709551615,"price":1},{"count":1,"price":1}]"#;
    let other = format!(r#"{{"model_ratio":1,"tool_surcharges":{tools}}}"#);
    let report = read("tools.json", format!("[{}]", one_row(&other)).as_bytes());
    assert_eq!((report.ledger.rows_read, report.ledger.rejected), (1, 1));
    let column = &report.ledger.rejections[0].position.column;
    assert_eq!(column.as_deref(), Some("other"));
}

#[test]
fn json_lines_with_a_broken_first_line_still_load_the_rest() {
    let text = format!(
        "{{\"created_at\":17672\n{}\n{}\n",
        one_row("null"),
        one_row("null")
    );
    let report = read("logs.jsonl", text.as_bytes());
    assert_eq!(report.format, Some(Format::NewApiJsonLines));
    let l = &report.ledger;
    assert_eq!((l.rows_read, l.accepted, l.rejected), (3, 2, 1));
    assert_eq!(l.rejections[0].position.line, Some(1));
}

#[test]
fn a_json_lines_file_of_one_row_is_read_as_that_row() {
    let row = r#"{"id":7,"created_at":1767225723,"type":2,"model_name":"gpt-4o","quota":1750,"prompt_tokens":1000,"completion_tokens":100}"#;
    for text in [
        format!("{row}\n"),
        row.to_string(),
        format!("\u{feff}{row}\r\n"),
    ] {
        let report = read("one.jsonl", text.as_bytes());
        assert_eq!(report.format, Some(Format::NewApiJsonLines), "{text}");
        assert_eq!(report.problem, None);
        assert_eq!(report.ledger.accepted, 1);
    }
    // A log page on one line stays a page.
    let page = r#"{"success":true,"message":"","data":{"items":[],"total":0}}"#;
    assert_eq!(
        read("page.json", page.as_bytes()).format,
        Some(Format::NewApiLogPage)
    );
}

/// A client log of one request read as a log page found no rows and said only that the
/// page had none; it is one client record, as a file of two lines is.
#[test]
fn a_json_lines_client_file_of_one_record_is_read_as_that_record() {
    let observation = r#"{"event_type":"ai_request_cost_observation","request_correlation_id":"req_1","configured_model":"gpt-4o","started_at_utc":"2026-01-01T00:01:00Z","http_status":200,"usage_from_response":{"prompt_tokens":4000,"completion_tokens":500}}"#;
    let chat = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1767225660,"model":"gpt-4o","usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}"#;
    for (row, format) in [
        (observation, Format::CostObservation),
        (chat, Format::ClientOpenAiChat),
    ] {
        let report = read("one.jsonl", format!("{row}\n").as_bytes());
        assert_eq!(report.format, Some(format), "{row}");
        assert_eq!(report.problem, None);
        assert_eq!((report.ledger.rows_read, report.ledger.accepted), (1, 1));
    }
    // A report page on one line stays a report page.
    let costs = r#"{"object":"page","data":[{"object":"bucket","start_time":1767225600,"end_time":1767312000,"results":[{"object":"organization.costs.result","amount":{"value":0.5,"currency":"usd"},"line_item":null}]}],"has_more":false}"#;
    assert_eq!(
        read("costs.json", costs.as_bytes()).format,
        Some(Format::OpenAiCosts)
    );
}

#[test]
fn json_array_with_a_non_object_element_rejects_only_that_element() {
    let text = format!("[{}, 42, {}]", one_row("null"), one_row("null"));
    let report = read("logs.json", text.as_bytes());
    let l = &report.ledger;
    assert_eq!((l.rows_read, l.accepted, l.rejected), (3, 2, 1));
    assert_eq!(l.rejections[0].position.row, Some(2));
}

#[test]
fn a_bom_only_file_is_reported_empty() {
    let report = read("empty-sheet.csv", b"\xef\xbb\xbf\r\n");
    let problem = report.problem.as_ref().map(ToString::to_string);
    assert_eq!(problem.as_deref(), Some("the file is empty"));
}

/// Every fixture, gzip-compressed, reads as the plain file: same format, problem, ledger
/// (positions included) and rows; only the fingerprint differs (it is of the bytes given).
#[test]
fn gzip_fixtures_read_as_the_plain_files() {
    use std::io::Write;
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap())
        // Subfolders hold fixtures of other streams and traps, tested on their own.
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.len() >= 3);
    for name in names {
        let plain = fixture(&name);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&plain).unwrap();
        let packed = encoder.finish().unwrap();
        let (a, b) = (read(&name, &plain), read(&name, &packed));
        assert_eq!(
            (&a.format, &a.problem, &a.ledger, &a.rows),
            (&b.format, &b.problem, &b.ledger, &b.rows),
            "{name}"
        );
        assert_eq!(b.fingerprint.bytes, packed.len() as u64);
        assert_ne!(a.fingerprint.sha256, b.fingerprint.sha256);
    }
}

/// one-api rows (no `other`, `elapsed_time` in ms, ratios only as rounded text in
/// `content`) load as gateway rows without ratios: the `%.2f` ratios in the text are not
/// exact enough to re-derive a quota from, so they are not read.
#[test]
fn one_api_rows_load_without_ratios() {
    let row = r#"{"id":7,"user_id":1,"created_at":1767225723,"type":2,
        "content":"倍率：0.07 × 1.00 × 4.00","username":"u","token_name":"t",
        "model_name":"gpt-4o-mini","quota":525,"prompt_tokens":1000,"completion_tokens":1500,
        "channel":1,"request_id":"2026010100000000000000","elapsed_time":1834,
        "is_stream":true,"system_prompt_reset":false}"#;
    let report = read("one-api.json", format!("[{row}]").as_bytes());
    assert_eq!((&report.problem, report.ledger.accepted), (&None, 1));
    let row = report.rows.iter().next().unwrap();
    assert_eq!(
        (row.quota, row.prompt_tokens, row.completion_tokens),
        (525, 1000, 1500)
    );
    assert_eq!(row.ratios, None);
}

/// Spreadsheet-style times carry no zone: rejected until the reviewer states the offset
/// they were written in, then read in it (and the window applies in UTC).
#[test]
fn zoneless_times_read_in_the_stated_offset() {
    let bytes = "created_at,type,model_name,quota,prompt_tokens,completion_tokens\n\
                 2026-01-01 08:02:03,2,gpt-4o,1750,1000,100\n\
                 2026/01/01 09:30,2,gpt-4o,1750,1000,100\n"
        .as_bytes()
        .to_vec();
    let mut value = settings_json();
    value["incident_window_utc"] =
        json!({"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T01:00:00Z"});
    let refused = run(&[("sheet.csv", bytes.clone())], &settings(&value));
    assert_eq!(refused.files[0].ledger.rejected, 2);
    assert!(refused.files[0].ledger.rejections[0]
        .message
        .contains("state the zone these times were written in"));
    value["zoneless_times_offset"] = json!("+08:00");
    let read = run(&[("sheet.csv", bytes)], &settings(&value));
    let ledger = &read.files[0].ledger;
    // 08:02:03 at +08:00 is 00:02:03Z, inside the window; 09:30 is 01:30Z, outside it.
    assert_eq!(
        (ledger.accepted, ledger.excluded_total(), ledger.rejected),
        (1, 1, 0)
    );
    let row = read.files[0].rows.iter().next().unwrap();
    assert_eq!(row.at, "2026-01-01T00:02:03Z".parse::<Timestamp>().unwrap());
}

/// A JSON document that is no log page (no list of rows) was refused with a reason, yet
/// counted as a gateway log of no rows: the review compared 0 with 0 and said "within
/// tolerance". A file refused before its first row now gives no figure.
#[test]
fn a_file_refused_before_its_first_row_gives_no_figure() {
    let doc = settings(&settings_json());
    let alone = run(&[("bad.json", b"{\"foo\": 1}\n".to_vec())], &doc);
    assert_eq!(
        alone.figures,
        Err(spend_reconciler::pipeline::Problem::NothingRead)
    );
    // Beside a client log, the expected charge stands and the provider side is absent.
    let client = r#"{"event_type":"ai_request_cost_observation","request_correlation_id":"req_1","configured_model":"gpt-4o","started_at_utc":"2026-01-01T00:01:00Z","http_status":200,"usage_from_response":{"prompt_tokens":4000,"completion_tokens":500}}"#;
    let both = run(
        &[
            ("bad.json", b"{\"foo\": 1}\n".to_vec()),
            ("client.jsonl", format!("{client}\n").into_bytes()),
        ],
        &doc,
    );
    let total = &figures(&both).reconciliation.total;
    assert_eq!(
        total.expected,
        Some(Decimal::from_str_exact("0.015").unwrap())
    );
    assert_eq!((total.provider, total.variance), (None, None));
}
