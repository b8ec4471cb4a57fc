//! Gateway log rows that several files hold (pages fetched while new rows arrived,
//! exports of overlapping periods) count once; rows repeated inside one file all count.

use super::properties::{gen_row, GenRow};
use super::*;
use spend_reconciler::ingest::ExclusionRule;

fn page(items: &[Value]) -> Vec<u8> {
    let total = items.len();
    let page = json!({"success": true, "message": "",
        "data": {"items": items, "total": total, "page": 1, "page_size": 100}});
    serde_json::to_vec_pretty(&page).unwrap()
}

fn fixture_items() -> Vec<Value> {
    let page: Value = serde_json::from_slice(&fixture("cometapi-log-page.json")).unwrap();
    page["data"]["items"].as_array().unwrap().clone()
}

fn repeated(report: &FileReport) -> u64 {
    let rule = ExclusionRule::RepeatedRow;
    report.ledger.excluded.get(&rule).copied().unwrap_or(0)
}

#[test]
fn overlapping_log_pages_count_their_shared_rows_once() {
    let items = fixture_items();
    let whole = run_fixture("cometapi-log-page.json");
    // Rows 418, 419 and 420 were on page 1 and were pushed onto page 2 by newer rows.
    let pages = run(
        &[
            ("page-1.json", page(&items[..4])),
            ("page-2.json", page(&items[1..])),
        ],
        &settings(&settings_json()),
    );
    assert_eq!(figures(&pages).pricing, figures(&whole).pricing);
    assert_eq!(
        figures(&pages).reconciliation,
        figures(&whole).reconciliation
    );
    assert_eq!(figures(&pages).bridge, figures(&whole).bridge);
    assert_eq!(repeated(&pages.files[0]), 0);
    assert_eq!(repeated(&pages.files[1]), 3);
    for file in &pages.files {
        assert!(file.ledger.is_balanced(), "{:?}", file.ledger);
        assert_eq!(file.ledger.accepted as usize, file.rows.len());
    }
    let accepted: u64 = pages.files.iter().map(|f| f.ledger.accepted).sum();
    assert_eq!(accepted, whole.files[0].ledger.accepted);
    assert!(record_json(&pages).contains("\"repeated_row\": 3"));
}

#[test]
fn a_log_page_and_a_csv_export_of_the_same_rows_count_once() {
    let both = run(
        &[
            ("page.json", fixture("cometapi-log-page.json")),
            ("export.csv", fixture("cometapi-logs.csv")),
        ],
        &settings(&settings_json()),
    );
    let page = run_fixture("cometapi-log-page.json");
    let export = &both.files[1];
    assert_eq!(export.ledger.accepted, 0, "{:?}", export.ledger);
    assert_eq!(repeated(export), page.files[0].ledger.accepted);
    assert_eq!(figures(&both).pricing, figures(&page).pricing);
}

#[test]
fn identical_rows_in_one_file_all_count_and_a_row_id_tells_rows_apart() {
    let row = |id: u32| {
        json!({"id": id, "created_at": 1767225723, "type": 2, "model_name": "gpt-4o",
            "quota": 1750, "prompt_tokens": 1000, "completion_tokens": 100,
            "other": r#"{"model_ratio":1.25,"completion_ratio":4,"group_ratio":1}"#})
    };
    let lines = |ids: &[u32]| page(&ids.iter().map(|id| row(*id)).collect::<Vec<_>>());
    // (files as row ids, then how many of each file's rows count once already).
    let cases: [(&[&[u32]], &[u64]); 6] = [
        (&[&[5, 5]], &[0]),
        (&[&[5, 5], &[5]], &[0, 1]),
        (&[&[5], &[5, 5]], &[0, 1]),
        (&[&[5], &[6]], &[0, 0]),
        // An empty page has no ids, and still the others are told apart by theirs.
        (&[&[], &[5], &[6]], &[0, 0, 0]),
        (&[&[5, 6], &[6, 7], &[5, 7, 8]], &[0, 1, 2]),
    ];
    for (files, want) in cases {
        let named: Vec<(String, Vec<u8>)> = files
            .iter()
            .enumerate()
            .map(|(i, ids)| (format!("page-{i}.json"), lines(ids)))
            .collect();
        let named: Vec<(&str, Vec<u8>)> =
            named.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let review = run(&named, &settings(&settings_json()));
        let got: Vec<u64> = review.files.iter().map(repeated).collect();
        assert_eq!(got, want, "{files:?}");
    }
}

/// A log of rows with distinct ids (some alike in everything else).
fn gen_log() -> impl Strategy<Value = Vec<GenRow>> {
    proptest::collection::vec(gen_row(), 1..60).prop_map(|mut rows| {
        // Some rows written in the same second with the same usage: distinct requests.
        for i in (2..rows.len()).step_by(7) {
            rows[i] = rows[i - 1].clone();
        }
        rows
    })
}

fn as_page(rows: &[(usize, &GenRow)]) -> Vec<u8> {
    let items: Vec<Value> = rows
        .iter()
        .map(|(id, r)| {
            json!({"id": id % 1024, "created_at": r.at, "type": r.kind, "model_name": r.model,
                "quota": r.quota, "prompt_tokens": r.prompt, "completion_tokens": r.completion,
                "other": r.other()})
        })
        .collect();
    page(&items)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// However a log is cut into pages that overlap, the pages give the rows and figures
    /// of the whole log.
    #[test]
    fn overlapping_pages_give_the_whole_log(
        log in gen_log(),
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..6), 1..5),
    ) {
        let rows: Vec<(usize, &GenRow)> = log.iter().enumerate().collect();
        let mut starts: Vec<usize> = cuts.iter().map(|(at, _)| at.index(rows.len())).collect();
        starts.push(0);
        starts.sort_unstable();
        starts.dedup();
        let mut files = Vec::new();
        for (i, start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(rows.len());
            // Each page reaches back over some rows of the page before it.
            let back = cuts[i % cuts.len()].1.min(*start);
            files.push((format!("page-{i}.json"), as_page(&rows[start - back..end])));
        }
        let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        // A day's window, so every generated row is in it.
        let mut day = settings_json();
        day["incident_window_utc"]["end"] = json!("2026-01-02T00:00:00Z");
        let settings = settings(&day);
        let pages = run(&files, &settings);
        let whole = run(&[("log.json", as_page(&rows))], &settings);
        let accepted: u64 = pages.files.iter().map(|f| f.ledger.accepted).sum();
        prop_assert_eq!(accepted, whole.files[0].ledger.accepted);
        let mut got: Vec<String> = pages.files.iter().flat_map(|f| f.rows.iter()).map(|r| format!("{r:?}")).collect();
        let mut want: Vec<String> = whole.files[0].rows.iter().map(|r| format!("{r:?}")).collect();
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
        for file in &pages.files {
            prop_assert!(file.ledger.is_balanced());
        }
        prop_assert_eq!(&pages.figures.as_ref().ok().map(|f| &f.pricing), &whole.figures.as_ref().ok().map(|f| &f.pricing));
        // The attempts a row adds are taken back with it.
        let attempts = |r: &Review| r.figures.as_ref().ok().map(|f| {
            f.incident.streams.iter().map(|s| s.attempts).collect::<Vec<_>>()
        });
        prop_assert_eq!(attempts(&pages), attempts(&whole));
    }
}

#[test]
fn the_cli_summary_names_each_exclusion_rule() {
    let items = fixture_items();
    let write = |name: &str, items: &[Value]| {
        let path = format!("{}/{name}", env!("CARGO_TARGET_TMPDIR"));
        std::fs::write(&path, page(items)).unwrap();
        path
    };
    let (first, second) = (
        write("p-1.json", &items[..4]),
        write("p-2.json", &items[1..]),
    );
    let settings = "tests/fixtures/settings.json";
    let (code, _, stderr) = cli(&["--settings", settings, "--summary", &first, &second]);
    assert_eq!(code, 0, "{stderr}");
    let want = "p-2.json: CometAPI / new-api usage log (log API JSON page); 6 rows read: 2 accepted, 4 excluded, 0 rejected\n  \
                1 excluded: outside the incident window\n  \
                3 excluded: the same request as in another file (log pages or exports that overlap; counted once)\n";
    assert!(stderr.contains(want), "{stderr}");
}

#[test]
fn client_requests_with_a_request_id_count_once_across_files() {
    let log = String::from_utf8(fixture("evidence/client-openai-chat.jsonl")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let join = |lines: &[&str]| (lines.join("\n") + "\n").into_bytes();
    let whole = run(
        &[("client.jsonl", join(&lines))],
        &settings(&settings_json()),
    );
    // Two exports sharing all but the first and last request.
    let last = lines.len() - 1;
    let two = run(
        &[
            ("early.jsonl", join(&lines[..last])),
            ("late.jsonl", join(&lines[1..])),
        ],
        &settings(&settings_json()),
    );
    let stream = |r: &Review| figures(r).streams[0].clone();
    let (one, both) = (stream(&whole), stream(&two));
    assert_eq!(both.expected_amount, one.expected_amount);
    assert_eq!(both.quantities, one.quantities);
    assert_eq!(both.outcomes, one.outcomes);
    assert_eq!(both.usage_unknown_requests, one.usage_unknown_requests);
    assert_eq!(both.accepted_rows, one.accepted_rows);
    assert!(repeated(&two.files[1]) > 0);
    for file in &two.files {
        assert!(file.ledger.is_balanced());
    }
    // Without request ids, identical requests in two files are both counted.
    let anonymous: Vec<String> = lines
        .iter()
        .map(|l| l.replacen("\"id\":", "\"_id\":", 1))
        .collect();
    let anonymous: Vec<&str> = anonymous.iter().map(String::as_str).collect();
    let two = run(
        &[
            ("early.jsonl", join(&anonymous[..last])),
            ("late.jsonl", join(&anonymous[1..])),
        ],
        &settings(&settings_json()),
    );
    assert_eq!(repeated(&two.files[1]), 0);
}

/// The fixture page's rows as a fork's UI export: Chinese labels, no `id`, no `other`.
fn ui_export(items: &[Value]) -> Vec<u8> {
    let mut out = String::from("时间,类型,模型,额度,提示,补全\n");
    for r in items {
        let model = r["model_name"].as_str().unwrap();
        let (at, kind, quota) = (&r["created_at"], &r["type"], &r["quota"]);
        let (prompt, completion) = (&r["prompt_tokens"], &r["completion_tokens"]);
        out += &format!("{at},{kind},{model},{quota},{prompt},{completion}\n");
    }
    out.into_bytes()
}

#[test]
fn a_ui_export_without_id_or_other_matches_the_pages_and_they_keep_the_rows() {
    let items = fixture_items();
    let page = run_fixture("cometapi-log-page.json");
    // Loaded first or last, the export's rows are the ones left out: the page says more.
    for order in [[0, 1], [1, 0]] {
        let files = [
            ("page.json", fixture("cometapi-log-page.json")),
            ("export.csv", ui_export(&items)),
        ];
        let files = order.map(|i| files[i].clone());
        let both = run(&files, &settings(&settings_json()));
        let export = both.files.iter().find(|f| f.name == "export.csv").unwrap();
        assert_eq!(export.ledger.accepted, 0, "{order:?}: {:?}", export.ledger);
        assert_eq!(repeated(export), page.files[0].ledger.accepted);
        assert_eq!(figures(&both).pricing, figures(&page).pricing, "{order:?}");
    }
}

/// One client request as the seed's cost observation: `id` None has no request id,
/// `usage` None leaves its usage unknown; `end` None ends at nothing (then a success is
/// taken as logged at start); `second` counts from the window's start.
fn observation(id: Option<&str>, second: u32, outcome: &str, usage: Option<u64>) -> String {
    let (minute, second) = (second / 60, second % 60);
    let mut event = json!({"event_type": "ai_request_cost_observation", "source": "client_ledger",
        "provider": "cometapi", "configured_model": "gpt-4o",
        "started_at_utc": format!("2026-01-01T00:{minute:02}:{second:02}Z"), "http_status": 200,
        "retry_attempt": u32::from(outcome == "retry"), "client_timeout": outcome == "timeout",
        "stream_cancelled": false,
        "usage_from_response": {"prompt_tokens": null, "completion_tokens": null}});
    if let Some(id) = id {
        event["request_correlation_id"] = json!(id);
    }
    if let Some(prompt) = usage {
        event["usage_from_response"] = json!({"prompt_tokens": prompt, "completion_tokens": 500});
        event["estimated_cost"] = json!({"amount": "0.015", "unit": "USD"});
    }
    event.to_string()
}

/// The figures a second, overlapping client log must leave as they are: the incident's
/// counts, the repeats list, the join's counts, the expected and client-computed amounts.
#[derive(Debug, PartialEq)]
struct ClientCounts {
    attempts: (u64, u64, u64),
    outcomes: Vec<(String, u64)>,
    usage_unknown: u64,
    logged_at_start: u64,
    repeats: (u64, u64, Option<Decimal>, bool, Vec<String>),
    client_not_in_gateway: Option<(u64, Vec<String>)>,
    join: (u64, u64, u64),
    expected: Option<Decimal>,
    reported_cost: Option<Decimal>,
    accepted: u64,
    bridge: Vec<(String, Decimal)>,
}

fn client_counts(review: &Review) -> ClientCounts {
    let f = figures(review);
    let client = |s: &&spend_reconciler::crosscheck::StreamFacts| {
        s.stream == spend_reconciler::ingest::Stream::ClientRequests
    };
    let facts = f
        .incident
        .streams
        .iter()
        .find(client)
        .expect("client facts");
    let stream = (f.streams.iter())
        .find(|s| s.stream == spend_reconciler::ingest::Stream::ClientRequests)
        .expect("client figures");
    let d = f.incident.duplicates.as_ref().expect("a client log");
    // Two files have no one reading order: the same ids, in any order.
    let references = |r: &spend_reconciler::crosscheck::References| -> Vec<String> {
        let mut ids: Vec<String> = r.ids.iter().map(|i| i.reference.clone()).collect();
        ids.sort();
        ids
    };
    let b = bridge(f);
    let join = b.request_join.expect("the join's counts");
    ClientCounts {
        attempts: (
            facts.attempts.succeeded,
            facts.attempts.failed,
            facts.attempts.retried,
        ),
        outcomes: (stream.outcomes.iter())
            .map(|(o, n)| (format!("{o:?}"), *n))
            .collect(),
        usage_unknown: stream.usage_unknown_requests,
        logged_at_start: facts.logged_at_start.count,
        repeats: (
            d.repeated_ids,
            d.repeats.count,
            d.expected_cost,
            d.cost_complete,
            references(&d.repeats),
        ),
        client_not_in_gateway: (f.incident.client_not_in_gateway.as_ref())
            .map(|r| (r.count, references(r))),
        join: (
            join.tied_requests,
            join.untied_client_requests,
            join.untied_gateway_rows,
        ),
        expected: stream.expected_amount,
        reported_cost: stream.reported_cost,
        accepted: stream.accepted_rows,
        bridge: (b.steps.iter())
            .map(|s| (format!("{:?}", s.cause), s.amount))
            .chain([("residual".to_string(), b.residual)])
            .collect(),
    }
}

fn client_side() -> Settings {
    let mut doc = settings_json();
    doc["expected_side"] = json!("client_requests");
    settings(&doc)
}

fn client_log(lines: &[String]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

/// The client log of the retry fixture's gateway, with a request sent again under its
/// id, a timeout of unknown usage with an id and one without, a request unknown to the
/// gateway, and requests without an id.
fn retry_log() -> Vec<String> {
    vec![
        observation(Some("req_0001"), 60, "success", Some(4000)),
        observation(Some("req_0002"), 120, "success", Some(4000)),
        observation(None, 180, "success", Some(4000)),
        observation(Some("req_0002"), 240, "retry", Some(4000)),
        observation(Some("req_0005"), 300, "timeout", None),
        observation(None, 360, "timeout", None),
        observation(Some("req_0007"), 420, "success", Some(1000)),
        observation(None, 480, "success", Some(2000)),
    ]
}

fn run_client(files: &[Vec<String>]) -> Review {
    run_client_with(files, &client_side())
}

fn run_client_with(files: &[Vec<String>], settings: &Settings) -> Review {
    let mut named: Vec<(String, Vec<u8>)> = (files.iter().enumerate())
        .map(|(i, lines)| (format!("client-{i}.jsonl"), client_log(lines)))
        .collect();
    let gateway = "causes/capture/retry-gateway.jsonl";
    named.push(("gateway.jsonl".into(), fixture(gateway)));
    let named: Vec<(&str, Vec<u8>)> = named.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    run(&named, settings)
}

#[test]
fn an_overlapping_client_log_adds_nothing_but_its_requests_without_an_id() {
    let log = retry_log();
    let one = client_counts(&run_client(std::slice::from_ref(&log)));
    assert_eq!(one.attempts, (5, 2, 1), "{one:?}");
    assert_eq!(one.join, (2, 3, 1), "{one:?}");
    // The same export twice, and a second export of the part with ids only: nothing new.
    let with_ids: Vec<String> = [0, 1, 3, 4, 6].map(|i| log[i].clone()).to_vec();
    for second in [log.clone(), with_ids, log[3..5].to_vec()] {
        for files in [[log.clone(), second.clone()], [second.clone(), log.clone()]] {
            let two = run_client(&files);
            assert_eq!(client_counts(&two), one, "{second:?}");
            for file in &two.files {
                assert!(file.ledger.is_balanced(), "{:?}", file.ledger);
            }
        }
    }
    // Requests without an id are never matched (two apps may send identical ones), so a
    // second export of lines 3..=6 counts the two without an id again: one success of
    // 0.015 and one timeout of unknown usage.
    let two = client_counts(&run_client(&[log.clone(), log[2..6].to_vec()]));
    let again = [log.clone(), vec![log[2].clone(), log[5].clone()]].concat();
    assert_eq!(two, client_counts(&run_client(&[again])));
    assert_eq!(two.attempts, (6, 3, 1));
    assert_eq!(two.join, (2, 5, 1));
}

/// The same under an outcome policy that excludes retries and timeouts: requests with no
/// row, matched across files all the same, and left under the policy's rule.
#[test]
fn an_overlapping_client_log_adds_no_request_the_policy_excludes() {
    let mut doc = settings_json();
    doc["expected_side"] = json!("client_requests");
    doc["outcome_policy"] =
        json!({"retry_attempt": "not_billable", "client_timeout": "not_billable"});
    let settings = settings(&doc);
    let log = retry_log();
    let two = run_client_with(&[log.clone(), log[1..6].to_vec()], &settings);
    // Lines 2..=6 again: the two requests without an id count again.
    let again = [log.clone(), vec![log[2].clone(), log[5].clone()]].concat();
    let one = run_client_with(&[again], &settings);
    assert_eq!(client_counts(&two), client_counts(&one));
    let copy = &two.files[1].ledger;
    assert!(copy.is_balanced(), "{copy:?}");
    // The success of req_0002 is a repeat; its retry, the timeout of req_0005 and the
    // timeout without an id stay excluded as not billable; the success without an id
    // counts again.
    let excluded = |rule| copy.excluded.get(&rule).copied();
    assert_eq!(excluded(ExclusionRule::RepeatedRow), Some(1));
    assert_eq!(excluded(ExclusionRule::NonBillableOutcome), Some(3));
    assert_eq!(copy.accepted, 1);
    let c = client_counts(&two);
    assert_eq!((c.attempts, c.join), ((6, 3, 1), (2, 5, 1)));
}

/// A generated client request: seconds after the previous one, its id (of a few, so
/// ids repeat), its outcome (0 success, 1 retry, 2 timeout) and its prompt tokens.
type GenRequest = (u32, Option<u8>, u8, Option<u64>);

fn gen_requests() -> impl Strategy<Value = Vec<GenRequest>> {
    let request = (1u32..90, proptest::option::weighted(0.75, 1u8..7), 0u8..3);
    let request = (request, proptest::option::weighted(0.8, 1u64..9000));
    proptest::collection::vec(
        request.prop_map(|((gap, id, o), usage)| (gap, id, o, usage)),
        1..25,
    )
}

fn as_lines(requests: &[GenRequest]) -> Vec<(bool, String)> {
    let mut at = 0;
    (requests.iter())
        .map(|(gap, id, outcome, usage)| {
            at += gap;
            let id = id.map(|n| format!("req_000{n}"));
            let outcome = ["success", "retry", "timeout"][usize::from(*outcome)];
            (
                id.is_some(),
                observation(id.as_deref(), at, outcome, *usage),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// However a client log is cut into two exports that overlap, loaded in either
    /// order, every count and figure is the one log's, plus the requests without an id
    /// the overlap repeats, counted again (the module doc of `ingest::store::overlap`),
    /// under either outcome policy.
    #[test]
    fn overlapping_client_exports_give_the_whole_log(
        requests in gen_requests(),
        cut in (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        late_first in any::<bool>(),
        exclude_failures in any::<bool>(),
    ) {
        let lines = as_lines(&requests);
        let (a, b) = (cut.0.index(lines.len() + 1), cut.1.index(lines.len() + 1));
        let (start, end) = (a.min(b), a.max(b));
        let text = |part: &[(bool, String)]| -> Vec<String> {
            part.iter().map(|(_, l)| l.clone()).collect()
        };
        let (early, late) = (text(&lines[..end]), text(&lines[start..]));
        // Two copies of the whole log are one file loaded twice: its copy counts for
        // nothing, requests without an id included.
        let copy = start == 0 && end == lines.len();
        let anonymous_again = (lines[start..end].iter()).filter(|(id, _)| !id && !copy);
        let union = [text(&lines), anonymous_again.map(|(_, l)| l.clone()).collect()].concat();
        let mut doc = settings_json();
        doc["expected_side"] = json!("client_requests");
        if exclude_failures {
            doc["outcome_policy"] = json!({"retry_attempt": "not_billable", "client_timeout": "not_billable"});
        }
        let settings = settings(&doc);
        let files = if late_first { [late, early] } else { [early, late] };
        let two = run_client_with(&files, &settings);
        let one = run_client_with(&[union], &settings);
        prop_assert_eq!(client_counts(&two), client_counts(&one));
        let (two_f, one_f) = (figures(&two), figures(&one));
        prop_assert_eq!(&two_f.pricing, &one_f.pricing);
        prop_assert_eq!(&two_f.reconciliation, &one_f.reconciliation);
        let accepted = |r: &Review| -> u64 {
            r.files.iter().map(|f| f.ledger.accepted).sum()
        };
        prop_assert_eq!(accepted(&two), accepted(&one));
        for file in &two.files {
            prop_assert!(file.ledger.is_balanced(), "{:?}", file.ledger);
        }
    }
}
