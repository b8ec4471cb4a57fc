//! The incident review through the command line, on the hand-made incident fixture
//! (tests/fixtures/incident): the record carries it, the summary prints what the
//! evidence answers, and nothing planted in the files or the review reaches an output.

use super::*;

const SETTINGS: &str = "tests/fixtures/incident/settings.json";
const CLIENT: &str = "tests/fixtures/incident/client-observations.jsonl";
const GATEWAY: &str = "tests/fixtures/incident/gateway-log.jsonl";

/// What the fixture plants: a key and a prompt in a client row, an email and an IP
/// in another, a gateway IP, keys in URL queries (a source document, a follow-up), a
/// person's name where a role belongs, and the raw ids.
const PLANTED: &[&str] = &[
    "sk-live",
    "PLANTED",
    "alice@example.com",
    "203.0.113.9",
    "198.51.100.23",
    "req_00",
    "req_999",
    "Jane Doe",
    "4242",
];

/// The final statement's variance, explained and unresolved amounts in the record.
fn review_amounts(record: &Value) -> (&str, &str, &str) {
    let s = &record["incident_review"]["final_statement"];
    let text = |key: &str| s[key].as_str().unwrap_or_default();
    (text("variance"), text("explained"), text("unresolved"))
}

#[test]
fn the_cli_carries_the_review_and_leaks_nothing() {
    let (code, stdout, stderr) = cli(&[
        "--settings",
        SETTINGS,
        "--generated-at",
        GENERATED_AT,
        "--summary",
        CLIENT,
        GATEWAY,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let record: Value = serde_json::from_str(&stdout).unwrap();
    let review = &record["incident_review"];
    assert_eq!(record["schema_version"], 3);
    assert_eq!(review["finance_time_zone"], "Asia/Shanghai");
    let evidence = &review["evidence"];
    assert_eq!(evidence["duplicates"]["repeats"]["count"], 2);
    assert_eq!(evidence["duplicates"]["at_risk_cost"], "0.009");
    assert_eq!(evidence["client_not_in_gateway"]["count"], 3);
    assert_eq!(evidence["gateway_not_in_client"]["count"], 1);
    assert_eq!(evidence["gateway_not_in_client"]["ids"][0]["line"], 6);
    // The reviewer's tick, in the review and in the record's copy of the settings, each
    // through its sanitizer: the note's email replaced, the URL's query dropped.
    let change_history = review["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "change_history")
        .unwrap();
    assert_eq!(
        change_history["reviewer"],
        serde_json::json!({
            "ticked": true,
            "note": "no deploy or flag change 07:00-11:00 UTC; asked by [redacted-ff8d9819fc0e]",
            "evidence_url": "https://deploys.example.com/history"
        })
    );
    let kept = &record["settings"]["review"]["checklist"][0];
    assert_eq!(kept["evidence_url"], "https://deploys.example.com/history");
    assert_eq!(kept["ticked"], true);
    let redacted = record["settings_redacted"].as_array().unwrap();
    for path in [
        "review.checklist[0].note",
        "review.checklist[0].evidence_url",
    ] {
        assert!(redacted.iter().any(|p| p == path), "{path} in {redacted:?}");
    }
    let documents = record["source_documents"].as_array().unwrap();
    assert!(
        documents
            .iter()
            .any(|d| d["type"] == "api_docs"
                && d["url"] == "https://apidoc.cometapi.com/api-13851472")
    );
    for line in [
        "incident review: 26 of 37 checklist items answered from the evidence, 11 for the reviewer to tick",
        "  ✓ Count retried requests. gateway usage log: 0; client request log: 2",
        "  ✓ Check whether streaming responses were logged after completion or only at start. gateway usage log: 1 successful stream row logged at start (no completion tokens): gateway-log.jsonl line 3; client request log: 1 successful request logged at start (no end time): client-observations.jsonl line 5",
        "  ☑ Preserve deployment, feature-flag, and configuration-change history. reviewer: no deploy or flag change 07:00-11:00 UTC; asked by [redacted-ff8d9819fc0e] (https://deploys.example.com/history)",
        "  ☐ Identify scheduled jobs, batch tasks, or backfills that ran during the window. reviewer: nightly backfill moved to 09:00, to confirm",
        "closure: every criterion holds; the incident may be closed",
        "  ✓ The finance reviewer agrees with the final impact statement. the FinOps lead agreed at 2026-05-12T09:00:00Z",
        "final statement: Between 08:00 and 10:00 UTC on 2026-05-11, 16:00 to 18:00 on 2026-05-11 (Asia/Shanghai, UTC+08:00) in the finance time zone, expected CometAPI spend differed from account-side reporting by -0.00075 USD. The forecast for the window was 0.05 USD; expected spend was 0.02475 USD below it. -0.001 USD was explained by credits or adjustments (refunds) (-0.001 USD). 0.00025 USD remains unresolved pending support confirmation on rounding behavior. Follow-ups: add a retry budget (https://tracker.example.com/ops/42) and add a parser test for the usage fields.",
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line}\n{stderr}");
    }
    for planted in PLANTED {
        assert!(!stdout.contains(planted), "record holds {planted}");
        assert!(!stderr.contains(planted), "summary holds {planted}");
    }
    // The support packet, both forms, as the library writes them, with no secret; and
    // the CSVs written beside it.
    let stem = format!("{}/incident-packet", env!("CARGO_TARGET_TMPDIR"));
    let csv = |name: &str| format!("{}/incident-{name}.csv", env!("CARGO_TARGET_TMPDIR"));
    let (lines, reconciliation, focus) = (csv("lines"), csv("reconciliation"), csv("focus"));
    let (code, _, stderr) = cli(&[
        "--settings",
        SETTINGS,
        "--support-packet",
        &stem,
        "--lines-csv",
        &lines,
        "--reconciliation-csv",
        &reconciliation,
        "--focus-csv",
        &focus,
        CLIENT,
        GATEWAY,
    ]);
    assert_eq!(code, 0, "{stderr}");
    for path in [&lines, &reconciliation, &focus] {
        let text = std::fs::read_to_string(path).unwrap();
        for planted in PLANTED {
            assert!(!text.contains(planted), "{path} holds {planted}");
        }
    }
    let review = pipeline::run(
        &[
            InputFile {
                name: "client-observations.jsonl".into(),
                bytes: fixture("incident/client-observations.jsonl"),
            },
            InputFile {
                name: "gateway-log.jsonl".into(),
                bytes: fixture("incident/gateway-log.jsonl"),
            },
        ],
        &Settings::from_json(&String::from_utf8(fixture("incident/settings.json")).unwrap())
            .unwrap(),
    );
    let packet = spend_reconciler::closure::packet(review.figures.as_ref().unwrap());
    let markdown = std::fs::read_to_string(format!("{stem}.md")).unwrap();
    let json = std::fs::read_to_string(format!("{stem}.json")).unwrap();
    assert_eq!(markdown, packet.to_markdown());
    assert_eq!(json, packet.to_json());
    for planted in PLANTED {
        assert!(!markdown.contains(planted), "packet holds {planted}");
        assert!(!json.contains(planted), "packet JSON holds {planted}");
    }
    // The summary as JSON carries the checklist too.
    let (code, _, stderr) = cli(&[
        "--settings",
        SETTINGS,
        "--summary-format",
        "json",
        CLIENT,
        GATEWAY,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let summary: Value = serde_json::from_str(&stderr).unwrap();
    let checklist = summary["figures"]["checklist"].as_array().unwrap();
    assert_eq!(checklist.len(), 37);
    let closure = &summary["figures"]["closure"];
    assert_eq!(closure["criteria"].as_array().unwrap().len(), 5);
    assert_eq!(closure["final_statement"]["unresolved"], "0.00025");
    assert_eq!(review_amounts(&record), ("-0.00075", "-0.001", "0.00025"));
    for planted in PLANTED {
        assert!(!stderr.contains(planted), "JSON summary holds {planted}");
    }
}

/// A gateway log that says which rows were streamed (new-api's `is_stream`, written as
/// JSON booleans, CSV text, a MySQL 1 and a PostgreSQL t): a successful stream row with
/// no completion tokens is counted as logged at start; a completed stream, a non-stream
/// row, a failed stream and a row outside the window are not; a flag that is neither
/// true nor false rejects its row at its column. CSV and JSON lines agree.
#[test]
fn gateway_stream_rows_logged_at_start_are_counted() {
    let settings =
        Settings::from_json(&String::from_utf8(fixture("incident/settings.json")).unwrap())
            .unwrap();
    let cases = [
        (
            "gateway-streams.csv",
            [2, 6, 7],
            "gateway-streams.csv, line 8, row 7, column is_stream",
        ),
        (
            "gateway-streams.jsonl",
            [1, 5, 6],
            "gateway-streams.jsonl, line 7, row 7, column is_stream",
        ),
    ];
    for (name, lines, position) in cases {
        let review = pipeline::run(
            &[InputFile {
                name: name.into(),
                bytes: fixture(&format!("incident/{name}")),
            }],
            &settings,
        );
        let ledger = &review.files[0].ledger;
        assert_eq!(
            (ledger.accepted, ledger.excluded_total(), ledger.rejected),
            // The failed stream row is accepted too (failures are at risk by default).
            (6, 1, 1),
            "{name}"
        );
        assert_eq!(
            rejection_text(&ledger.rejections[0]),
            format!("{position}: expected true or false (whether the request was streamed), but found \"maybe\"")
        );
        let figures = review.figures.as_ref().unwrap();
        let gateway = &figures.incident.streams[0];
        let found: Vec<u64> = gateway
            .logged_at_start
            .rows
            .iter()
            .map(|r| r.line.unwrap())
            .collect();
        assert_eq!(
            (gateway.logged_at_start.count, found),
            (3, lines.to_vec()),
            "{name}"
        );
        assert_eq!(gateway.stream_flagged, 6, "{name}");
        let item = spend_reconciler::closure::checklist(figures)
            .into_iter()
            .find(|i| i.key == "stream_logging")
            .unwrap();
        assert_eq!(
            item.answer.unwrap(),
            format!(
                "gateway usage log: 3 successful stream rows logged at start (no completion tokens): {name} line {}, {name} line {}, {name} line {}",
                lines[0], lines[1], lines[2]
            ),
            "{name}"
        );
    }
}

/// A billing export beside the incident's logs (tests/fixtures/incident/billing-costs.json,
/// OpenAI's costs shape, hourly buckets): gpt-4o's dated lines have gateway rows of
/// gpt-4o in their hours; the gpt-4o-mini line has no usage at all and is the one
/// billing line that cannot be tied to a request, listed with its hour and amount.
#[test]
fn billing_lines_with_no_usage_are_counted() {
    let settings =
        Settings::from_json(&String::from_utf8(fixture("incident/settings.json")).unwrap())
            .unwrap();
    let file = |name: &str| InputFile {
        name: name.into(),
        bytes: fixture(&format!("incident/{name}")),
    };
    let review = pipeline::run(
        &[
            file("client-observations.jsonl"),
            file("gateway-log.jsonl"),
            file("billing-costs.json"),
        ],
        &settings,
    );
    let billing = &review.files[2].ledger;
    assert_eq!((billing.accepted, billing.rejected), (3, 0));
    let figures = review.figures.as_ref().unwrap();
    let untied = figures.incident.billing_without_usage.as_ref().unwrap();
    assert_eq!(untied.count, 1);
    let line = &untied.lines[0];
    assert_eq!(
        (
            line.item.as_str(),
            line.amount.to_string(),
            line.currency.as_str(),
            line.file.as_str()
        ),
        (
            "gpt-4o-mini, input",
            "0.02".into(),
            "USD",
            "billing-costs.json"
        )
    );
    let item = spend_reconciler::closure::checklist(figures)
        .into_iter()
        .find(|i| i.key == "untied_records")
        .unwrap();
    let answer = item.answer.unwrap();
    assert!(
        answer.ends_with("; 1 billing line with no usage of its model in its period: gpt-4o-mini, input 2026-05-11T08:00:00Z to 2026-05-11T09:00:00Z (0.02 USD, billing-costs.json)"),
        "{answer}"
    );
    assert!(
        answer.starts_with("1 gateway row no client request has: "),
        "{answer}"
    );
    // Without usage evidence there is nothing to tie a charge to: the question is not asked.
    let alone = pipeline::run(&[file("billing-costs.json")], &settings);
    let figures = alone.figures.as_ref().unwrap();
    assert_eq!(figures.incident.billing_without_usage, None);
}
