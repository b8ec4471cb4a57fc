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
