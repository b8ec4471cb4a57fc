//! The command line for batch use: inputs as folders, globs and standard input, the
//! summary as JSON, CSVs for every Excel, shell completions, and the exit statuses.

use super::*;
use std::io::Write;
use std::process::Stdio;

const SETTINGS: &str = "tests/fixtures/settings.json";

/// A folder of its own under the test target directory, emptied first.
fn folder(name: &str) -> String {
    let path = format!("{}/cli-{name}", env!("CARGO_TARGET_TMPDIR"));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    path
}

fn record(args: &[&str]) -> Value {
    let (code, stdout, stderr) = cli(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn names(record: &Value) -> Vec<String> {
    record["input_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn folders_globs_and_standard_input_name_the_same_files() {
    let dir = folder("inputs");
    for name in ["b-log.json", "a-log.csv", ".hidden.json"] {
        let source = if name.ends_with(".csv") {
            "cometapi-logs.csv"
        } else {
            "cometapi-log-page.json"
        };
        std::fs::write(format!("{dir}/{name}"), fixture(source)).unwrap();
    }
    let at = ["--settings", SETTINGS, "--generated-at", GENERATED_AT];
    // A folder: every file directly in it, by name, hidden ones left out.
    let whole = record(&[&at[..], &[dir.as_str()]].concat());
    assert_eq!(names(&whole), ["a-log.csv", "b-log.json"]);
    // A glob pattern, as the shell would pass it quoted.
    let pattern = format!("{dir}/*-log.json");
    assert_eq!(
        names(&record(&[&at[..], &[pattern.as_str()]].concat())),
        ["b-log.json"]
    );
    // The same record whichever way the files were named.
    let listed = record(
        &[
            &at[..],
            &[&format!("{dir}/a-log.csv"), &format!("{dir}/b-log.json")],
        ]
        .concat(),
    );
    assert_eq!(listed, whole);
    // Standard input, under its own name.
    let mut child = Command::new(env!("CARGO_BIN_EXE_spend-reconciler"))
        .args([&at[..], &["-"]].concat())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&fixture("cometapi-log-page.json"))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_stdin: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(names(&from_stdin), ["standard-input"]);
    assert_eq!(
        from_stdin["computed_charge"],
        record(&[&at[..], &[PAGE]].concat())["computed_charge"]
    );
    // Patterns and folders that name nothing are errors naming them.
    for empty in [format!("{dir}/*.xlsx"), folder("empty")] {
        let (code, _, stderr) = cli(&[&at[..], &[empty.as_str()]].concat());
        assert_eq!(code, 2, "{empty}");
        assert!(
            stderr.contains(&empty) && stderr.contains("but found none"),
            "{stderr}"
        );
    }
}

#[test]
fn the_summary_as_json_for_pipelines() {
    let (code, _, stderr) = cli(&["--settings", SETTINGS, "--summary-format", "json", PAGE]);
    assert_eq!(code, 0, "{stderr}");
    let summary: Value = serde_json::from_str(&stderr).expect("the summary is JSON");
    let file = &summary["files"][0];
    assert_eq!(file["name"], "cometapi-log-page.json");
    assert_eq!(
        (file["rows_read"].as_u64(), file["accepted"].as_u64()),
        (Some(7), Some(6))
    );
    assert_eq!(summary["figures"]["expected"], "0.1606");
    assert_eq!(summary["figures"]["provider_recorded"], "0.1556");
    assert_eq!(summary["figures"]["within_tolerance"], false);
    // Nothing readable: the summary still says why, then exit 2.
    let zip = format!("{}/summary.zip", folder("zip"));
    std::fs::write(&zip, b"PK\x03\x04 not a log").unwrap();
    let (code, _, stderr) = cli(&["--summary-format", "json", &zip]);
    assert_eq!(code, 2);
    let json_end = stderr.rfind("}\n").unwrap() + 2;
    let summary: Value = serde_json::from_str(&stderr[..json_end]).unwrap();
    assert_eq!(
        summary["figures"]["problem"],
        "no file gave a row that could be read"
    );
    assert_eq!(summary["files"][0]["readable"], false);
}

#[test]
fn csvs_for_every_excel() {
    let dir = folder("csv");
    let (lines, reconciliation) = (
        format!("{dir}/lines.csv"),
        format!("{dir}/reconciliation.csv"),
    );
    let base = [
        "--settings",
        SETTINGS,
        "--lines-csv",
        &lines,
        "--reconciliation-csv",
        &reconciliation,
        PAGE,
    ];
    let read = |path: &str| std::fs::read_to_string(path).unwrap();
    let (code, _, stderr) = cli(&base);
    assert_eq!(code, 0, "{stderr}");
    // The total line, less the companion columns (run id, window, rate card digest).
    let total = |text: &str| {
        let line = text.lines().last().unwrap();
        let separator = if line.contains('\t') {
            '\t'
        } else if line.contains(';') {
            ';'
        } else {
            ','
        };
        line.split(separator)
            .take(9)
            .collect::<Vec<_>>()
            .join(&separator.to_string())
    };
    assert_eq!(
        total(&read(&reconciliation)),
        "TOTAL,0.1606,true,0.1556,-0.005,-3.1133,false,0,USD"
    );
    // Most of Europe: `;` between cells, `,` before decimals; and a byte-order mark.
    let (code, _, stderr) = cli(&[&base[..], &["--csv-style", "semicolon", "--csv-bom"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let text = read(&reconciliation);
    assert!(text.starts_with("\u{feff}Model;Expected;"), "{text}");
    assert_eq!(
        total(&text),
        "TOTAL;0,1606;true;0,1556;-0,005;-3,1133;false;0;USD"
    );
    assert!(read(&lines).starts_with("\u{feff}Model;Dimension;"));
    // Tab-separated; the settings document can ask for the style too.
    let mut doc = settings_json();
    doc["csv_style"] = json!("tab");
    let tab_settings = format!("{dir}/tab-settings.json");
    std::fs::write(&tab_settings, doc.to_string()).unwrap();
    let (code, _, stderr) = cli(&[
        "--settings",
        &tab_settings,
        "--reconciliation-csv",
        &reconciliation,
        PAGE,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        total(&read(&reconciliation)),
        "TOTAL\t0.1606\ttrue\t0.1556\t-0.005\t-3.1133\tfalse\t0\tUSD"
    );
    // A style nobody knows is a settings problem named by its field.
    doc["csv_style"] = json!("pipe");
    std::fs::write(&tab_settings, doc.to_string()).unwrap();
    let (code, _, stderr) = cli(&["--settings", &tab_settings, PAGE]);
    assert_eq!(code, 1);
    assert!(
        stderr
            .contains("settings: csv_style: expected comma, semicolon or tab, but found \"pipe\""),
        "{stderr}"
    );
}

#[test]
fn completions_for_each_shell_and_help_that_lists_the_exit_statuses() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, stdout, stderr) = cli(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(
            stdout.contains("spend-reconciler") && stdout.contains("summary-format"),
            "{shell}"
        );
    }
    let (code, stdout, _) = cli(&["--help"]);
    assert_eq!(code, 0);
    for part in [
        "EXIT STATUS:",
        "0  the record was written",
        "completions",
        "--csv-style",
        "- for standard input",
    ] {
        assert!(stdout.contains(part), "{part} missing from --help");
    }
    // The `reconcile` subcommand is the default spelled out: the same record.
    let at = ["--settings", SETTINGS, "--generated-at", GENERATED_AT, PAGE];
    assert_eq!(cli(&[&["reconcile"][..], &at[..]].concat()).1, cli(&at).1);
}

// The CLI prints exactly the library's bytes, and its help and failures say what to fix.

#[test]
fn cli_prints_the_library_record_byte_for_byte() {
    let settings = "tests/fixtures/settings.json";
    let (code, stdout, stderr) =
        cli(&["--settings", settings, "--generated-at", GENERATED_AT, PAGE]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, record_json(&run_fixture("cometapi-log-page.json")));
}

#[test]
fn cli_help_and_failures() {
    // Settings derived from the fixture (so they follow its schema): "quota_per_usd": 5,
    // a number where a string belongs, and a window that ends before it starts.
    let mut doc = settings_json();
    doc["quota_per_usd"] = json!(5);
    let number = &temp_file("settings-quota-number.json", &doc.to_string());
    let mut doc = settings_json();
    doc["incident_window_utc"]["end"] = json!("2025-12-31T23:00:00Z");
    let window = &temp_file("settings-bad-window.json", &doc.to_string());
    // (arguments, exit status, how stdout (status 0) or stderr starts, what it names)
    let cases: [(&[&str], i32, &str, &[&str]); 4] = [
        (
            &["--help"],
            0,
            "spend-reconciler",
            &["--settings", "--generated-at", "--out", "--summary"],
        ),
        (
            &["--frobnicate", PAGE],
            2,
            "error: unexpected argument",
            &["--frobnicate"],
        ),
        (
            &["--settings", number, PAGE],
            2,
            "error: ",
            &[number, "quota_per_usd"],
        ),
        (
            &["--settings", window, PAGE],
            1,
            "settings: ",
            &["incident_window_utc.end"],
        ),
    ];
    for (args, expected_code, start, names) in cases {
        let (code, stdout, stderr) = cli(args);
        assert_eq!(code, expected_code, "{args:?}: {stderr}");
        let shown = if code == 0 { &stdout } else { &stderr };
        assert!(shown.starts_with(start), "{args:?}: {shown}");
        for name in names {
            assert!(
                shown.contains(name),
                "{args:?}: {name:?} missing from {shown}"
            );
        }
    }
}

#[test]
fn verify_round_trips_and_names_a_changed_file_or_setting() {
    let dir = folder("verify");
    let client = fixture("evidence/client-openai-chat.jsonl");
    std::fs::write(format!("{dir}/client.jsonl"), &client).unwrap();
    let at = ["--settings", SETTINGS, "--generated-at", GENERATED_AT];
    let client_path = format!("{dir}/client.jsonl");
    let out = format!("{dir}/record.json");
    let (code, _, stderr) = cli(&[&at[..], &["--out", &out, PAGE, &client_path]].concat());
    assert_eq!(code, 0, "{stderr}");
    // The record alone (its settings, its generated_at) and the files, in any order.
    let (code, stdout, stderr) = cli(&["verify", &out, &client_path, PAGE]);
    assert_eq!((code, stdout.as_str()), (0, "identical\n"), "{stderr}");
    // One byte of the client log changed (completion tokens 500 → 600): the file is
    // named first, then the figures it moved.
    let mut changed = client.clone();
    let at_digit = changed.windows(5).position(|w| w == b":500,").unwrap();
    changed[at_digit + 1] = b'6';
    std::fs::write(&client_path, &changed).unwrap();
    let (code, stdout, stderr) = cli(&["verify", &out, PAGE, &client_path]);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "different");
    assert!(
        lines[1].starts_with("  input_files[1] client.jsonl: expected SHA-256 ")
            && lines[1].ends_with(
                "(the file given under this name is not the one the record was made from)"
            ),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  input_files[1].sha256: expected \"")),
        "{stdout}"
    );
    // A setting changed inside the record (the absolute tolerance 0.001 → 0.01), the
    // files as they were: the settings' digest no longer matches, and the field the
    // setting moves is named with both values.
    std::fs::write(&client_path, &client).unwrap();
    let mut edited: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    edited["settings"]["tolerance"]["absolute"] = "0.01".into();
    let edited_path = format!("{dir}/record-edited.json");
    std::fs::write(&edited_path, edited.to_string()).unwrap();
    let (code, stdout, stderr) = cli(&["verify", &edited_path, PAGE, &client_path]);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "different");
    assert!(
        lines[1].starts_with("  settings_sha256: expected the digest of the record's settings"),
        "{stdout}"
    );
    assert!(
        lines.contains(
            &"  computed_charge.tolerance.absolute: expected \"0.001\" (the record), but found \"0.01\" (the re-run)"
        ),
        "{stdout}"
    );
    // A record that cannot be checked is status 2, with the reason.
    let old = temp_file("record-v2.json", r#"{"schema_version": 2}"#);
    let (code, _, stderr) = cli(&["verify", &old, PAGE]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("schema_version: expected a record of schema version 3"),
        "{stderr}"
    );
}

#[test]
fn the_provider_side_figure_is_the_stream_chosen() {
    let usage = "tests/fixtures/evidence/openai-usage.json";
    let at = ["--settings", SETTINGS, "--generated-at", GENERATED_AT];
    // The default: the gateway's own quota.
    let default = record(&[&at[..], &[PAGE, usage]].concat());
    assert_eq!(default["provider_recorded_from"], "gateway_log");
    assert_eq!(default["provider_side"]["chosen"], Value::Null);
    // The usage report instead, priced with the card: gpt-4o 5,000 uncached × 2.50 +
    // 8,000 cached × 1.25 + 600 output × 10, per 1M = 0.0285; the expected charge is
    // still the gateway log's 0.1606.
    let dir = folder("provider-side");
    let out = format!("{dir}/record.json");
    let side = ["--provider-side", "provider_usage", "--out", &out];
    let (code, _, stderr) = cli(&[&at[..], &side[..], &[PAGE, usage]].concat());
    assert_eq!(code, 0, "{stderr}");
    let chosen: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(chosen["provider_recorded_from"], "provider_usage");
    assert_eq!(chosen["provider_side"]["chosen"], "provider_usage");
    assert_eq!(chosen["settings"]["provider_side"], "provider_usage");
    let charge = &chosen["computed_charge"];
    assert_eq!(
        (
            &charge["expected_amount"],
            &charge["provider_reported_amount"]
        ),
        (&json!("0.1606"), &json!("0.0285"))
    );
    // The choice travels in the record: verifying it needs no flag.
    let (code, stdout, stderr) = cli(&["verify", &out, PAGE, usage]);
    assert_eq!((code, stdout.as_str()), (0, "identical\n"), "{stderr}");
}

#[test]
fn the_budget_review_is_written_beside_the_record_with_a_mapping_table_from_a_file() {
    let dir = folder("budget");
    let (review, csv, json) = (
        format!("{dir}/budget.json"),
        format!("{dir}/mapping.csv"),
        format!("{dir}/mapping.json"),
    );
    let settings = "tests/fixtures/budget/settings-allocation.json";
    let log = "tests/fixtures/budget/gateway-tokens.jsonl";
    let read = |path: &str| std::fs::read_to_string(path).unwrap();
    // The settings' own table, exported as CSV (semicolons) and JSON.
    let export = ["--settings", settings, "--csv-style", "semicolon", log];
    for out in [&csv, &json] {
        let (code, _, stderr) = cli(&[&export[..], &["--budget-mapping-out", out]].concat());
        assert_eq!(code, 0, "{stderr}");
    }
    let header = read(&csv).lines().next().map(str::to_string);
    assert_eq!(
        header.as_deref(),
        Some("field;value;owner;environment;request_class;budget_bucket")
    );
    assert!(read(&json).contains("\"mapping\""));
    // Read back in place of the settings' table, either form gives the same review.
    let mut written = Vec::new();
    for table in [&csv, &json] {
        let args = [
            "--settings",
            settings,
            "--budget-mapping",
            table,
            "--budget-review",
            &review,
            "--generated-at",
            "2026-01-02T10:00:00Z",
            log,
        ];
        let (code, _, stderr) = cli(&args);
        assert_eq!(code, 0, "{stderr}");
        written.push(read(&review));
    }
    assert_eq!(written[0], written[1]);
    let document: Value = serde_json::from_str(&written[0]).unwrap();
    assert_eq!(document["kind"], "budget_review");
    assert_eq!(document["totals"]["expected"], "0.0275");
    let owners = &document["allocation"]["by_owner"];
    assert_eq!(owners[2]["unallocated"], true);
    assert_eq!(owners[2]["expected"], "0.003");
    // Unit cost, per successful request by default: search 0.0105 ÷ 2.
    let search = &document["unit_cost"]["by_group"][1];
    assert_eq!(
        (&search["group"], &search["per_unit"]),
        (&Value::from("search"), &Value::from("0.00525"))
    );
    // Bucket budgets (src/budget/tests.rs): data-batch's 0.014 of 0.015 crosses 90 %,
    // and 100 % is unknown while the unallocated 0.003 may be its.
    let data = &document["budgets"][1];
    assert_eq!(
        (
            &data["bucket"],
            &data["used_percent"],
            &data["highest_crossed"]
        ),
        (
            &Value::from("data-batch"),
            &Value::from("93.33"),
            &Value::from("90")
        )
    );
    assert_eq!(data["thresholds"][2]["crossing"], "unknown");
    // A bad table is refused with its place, and nothing is written.
    std::fs::write(&csv, "field,value,owner\ncolour,x,a\n").unwrap();
    let (code, _, stderr) = cli(&["--budget-mapping", &csv, log]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("mapping.csv, line 2, column field: expected token, group"),
        "{stderr}"
    );
}

#[test]
fn the_review_log_is_kept_added_to_and_written_by_the_command_line() {
    let dir = folder("budget-log");
    let (csv, json, again, review) = (
        format!("{dir}/log.csv"),
        format!("{dir}/log.json"),
        format!("{dir}/again.csv"),
        format!("{dir}/budget.json"),
    );
    let settings = "tests/fixtures/budget/settings-allocation.json";
    let log = "tests/fixtures/budget/gateway-tokens.jsonl";
    let read = |path: &str| std::fs::read_to_string(path).unwrap();
    // Last week's log, this week's row (with planted secrets) added, written as CSV.
    let args = [
        "--settings",
        settings,
        "--budget-log",
        "tests/fixtures/budget/review-log.csv",
        "--budget-log-add",
        "tests/fixtures/budget/review-row-planted.json",
        "--budget-log-out",
        &csv,
        "--budget-review",
        &review,
        log,
    ];
    let (code, _, stderr) = cli(&args);
    assert_eq!(code, 0, "{stderr}");
    let written = read(&csv);
    assert_eq!(written.lines().count(), 3);
    assert!(written.starts_with(&read("tests/fixtures/budget/review-log.csv")));
    for text in [&written, &read(&review)] {
        for secret in [
            "sk-live",
            "alice",
            "Alice",
            "203.0.113",
            "1234.56",
            "Summarize",
            "token=abc",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    let document: Value = serde_json::from_str(&read(&review)).unwrap();
    let row = &document["review_log"][1];
    assert_eq!(
        (&row["owner_group"], &row["trace_marker"], &row["notes"]),
        (
            &Value::from("data"),
            &Value::from("redacted"),
            &Value::from("[prompt removed]")
        )
    );
    // CSV → JSON → CSV: the same bytes.
    for (from, to) in [(&csv, &json), (&json, &again)] {
        let (code, _, stderr) = cli(&["--budget-log", from, "--budget-log-out", to, log]);
        assert_eq!(code, 0, "{stderr}");
    }
    assert_eq!(read(&again), written);
    // A row with no unit metric is refused with seed 003's reason, and nothing runs.
    std::fs::write(
        &csv,
        "review_date,owner_group,request_class,result_category\n2026-07-16,search,chat,pass\n",
    )
    .unwrap();
    let (code, _, stderr) = cli(&["--budget-log-add", &csv, "--budget-log-out", &json, log]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("log.csv, line 2, column unit_metric: expected a unit metric, but found nothing: do not approve a token budget change yet"),
        "{stderr}"
    ); // The settings' own rows are held to the same rule when the log is written.
    let mut doc: Value = serde_json::from_str(&read(settings)).unwrap();
    doc["budget_review"]["review_log"] = json!([{"review_date": "2026-07-16", "owner_group": "search", "unit_metric": "request", "result_category": "pass"}]);
    let bad = temp_file("settings-bad-log.json", &doc.to_string());
    let (code, _, stderr) = cli(&["--settings", &bad, "--budget-log-out", &json, log]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the settings, budget_review.review_log[0].request_class: expected a request class, but found nothing: do not approve a token budget change yet"),
        "{stderr}"
    );
}

#[test]
fn the_budget_baseline_projection_and_readiness_from_the_command_line() {
    let dir = folder("budget-plan");
    let review = format!("{dir}/budget.json");
    let settings = "tests/fixtures/budget/settings-allocation.json";
    let log = "tests/fixtures/budget/gateway-tokens.jsonl";
    let args = [
        "--settings",
        settings,
        "--budget-reference",
        "2026-01-01T00:00/2026-01-01T00:05",
        "--budget-plan",
        "tests/fixtures/budget/plan-fail.json",
        "--budget-readiness",
        "tests/fixtures/budget/readiness.json",
        "--budget-review",
        &review,
        "--generated-at",
        "2026-01-02T10:00:00Z",
        log,
    ];
    let (code, _, stderr) = cli(&args);
    assert_eq!(code, 0, "{stderr}");
    // src/budget/plan_tests.rs works these out: 120 requests at 0.0055 to 0.014 each.
    assert!(
        stderr.contains("budget projection: fail: projected spend 0.66 USD to 1.68 USD (estimate, mean to p95) exceeds the stop limit 1.2 USD (rollback budget 1 USD + 20 %) by 0.48 USD; the knob that drives it: tokens"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "budget phase A (paper check): hold: missing how to verify the kill switch worked"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("budget phase D (production rollback decision): hold: phase C holds; the projected spend exceeds the stop limit"), "{stderr}");
    let text = std::fs::read_to_string(&review).unwrap();
    assert!(!text.contains("sk-live-4f9a8b7c6d5e4f3a2b1c"), "{text}");
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["schema_version"], 2);
    let baseline = &document["baseline"]["figures"]["all"];
    assert_eq!(
        (
            &baseline["requests"],
            &baseline["input_tokens_p95"],
            &baseline["output_tokens_mean"]
        ),
        (&json!(5), &json!(4000), &json!("150"))
    );
    let projection = &document["projection"]["figures"];
    assert_eq!(
        (
            &projection["result"],
            &projection["driver"],
            &projection["label"]
        ),
        (&json!("fail"), &json!("tokens"), &json!("estimate"))
    );
    assert_eq!(
        document["readiness"]["missing"],
        json!([
            "how to verify the kill switch worked",
            "whether the kill switch was tested"
        ])
    );
    // A reference period that is not START/END is refused before anything runs.
    let (code, _, stderr) = cli(&["--budget-reference", "2026-01-01T00:00", log]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--budget-reference: expected START/END"),
        "{stderr}"
    );
    // The help names the flags.
    let (_, help, _) = cli(&["--help"]);
    for flag in [
        "--budget-reference <START/END>",
        "--budget-plan <PATH>",
        "--budget-readiness <PATH>",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
}

/// A file past 1 MiB is read from the disk in two parts at once, never whole: the
/// record is the library's one pass over the same bytes, byte for byte, a bad row far
/// into the second part is named at its own line, and `verify` finds it identical.
#[test]
fn a_large_file_read_from_the_disk_gives_the_library_record() {
    let header = "id,created_at,type,token_name,model_name,group,quota,prompt_tokens,completion_tokens,use_time,is_stream,other\n";
    let mut text = String::from(header);
    for n in 0..20_000u32 {
        let quota = match n {
            15_000 => "12.5".to_string(),
            _ => (1_000 + n % 97).to_string(),
        };
        let (at, prompt, completion) = (1_767_225_600 + n * 2, 500 + n % 13, 100 + n % 7);
        let other = r#""{""model_ratio"":1.25,""completion_ratio"":4,""group_ratio"":1}""#;
        text.push_str(&format!(
            "{n},{at},2,bot,gpt-4o,default,{quota},{prompt},{completion},1,false,{other}\n"
        ));
    }
    assert!(text.len() > 2 << 20, "past the size read in parts");
    let path = temp_file("large-log.csv", &text);
    let at = ["--settings", SETTINGS, "--generated-at", GENERATED_AT];
    let (code, stdout, stderr) = cli(&[&at[..], &["--summary", &path]].concat());
    assert_eq!(code, 0, "{stderr}");
    let one_pass = run(
        &[("large-log.csv", text.into_bytes())],
        &settings(&settings_json()),
    );
    assert_eq!(stdout, record_json(&one_pass));
    // The bad quota on line 15,002 (the header is line 1), rejected where it is.
    let rejected = "rejected large-log.csv, line 15002, row 15001, column quota";
    assert!(stderr.contains(rejected), "{stderr}");
    // verify reads it from the disk too (its digest a piece at a time): identical.
    let written = temp_file("large-log-record.json", &stdout);
    let (code, verdict, stderr) = cli(&["verify", &written, &path]);
    assert_eq!((code, verdict.as_str()), (0, "identical\n"), "{stderr}");
}
