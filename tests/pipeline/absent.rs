//! A figure with no evidence behind it is absent, never a complete zero: every evidence
//! stream alone and in each pair, the record checked against its JSON Schema (types and
//! nulls included), and a review of files none of which can be read refused outright.

use super::*;
use spend_reconciler::ingest::Stream;

/// One fixture per stream, each with something inside the fixture window.
const STREAMS: [(Stream, &str); 5] = [
    (Stream::GatewayLog, "cometapi-log-page.json"),
    (Stream::ClientRequests, "evidence/client-openai-chat.jsonl"),
    (Stream::ProviderUsage, "evidence/openai-usage.json"),
    (Stream::Billing, "evidence/focus.csv"),
    (Stream::AccountTotals, "evidence/cometapi-balance.json"),
];

const USAGE: [Stream; 3] = [
    Stream::GatewayLog,
    Stream::ClientRequests,
    Stream::ProviderUsage,
];
const PROVIDER_SIDE: [Stream; 3] = [Stream::GatewayLog, Stream::Billing, Stream::AccountTotals];

/// The fixture settings over the whole day of 2026-01-01 (billing buckets are days),
/// with the zone CometAPI's daily totals need stated.
fn stream_settings() -> Settings {
    let mut value = settings_json();
    value["zoneless_times_offset"] = json!("+00:00");
    value["incident_window_utc"]["end"] = json!("2026-01-02T00:00:00Z");
    settings(&value)
}

fn stream_name(stream: Stream) -> Value {
    serde_json::to_value(stream).unwrap()
}

/// Every way `value` breaks `schema` (the subset of JSON Schema the record's schema
/// uses: type, enum, required, properties, additionalProperties, items, minimum).
fn violations(value: &Value, schema: &Value, path: &str, out: &mut Vec<String>) {
    let type_name = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let allowed: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !allowed.is_empty() && !allowed.contains(&type_name) {
        out.push(format!("{path}: {type_name} where {allowed:?} belongs"));
        return;
    }
    if let Some(values) = schema["enum"].as_array() {
        if !values.contains(value) {
            out.push(format!("{path}: {value} is not one of {values:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_i64(), value.as_i64()) {
        if n < min {
            out.push(format!("{path}: {n} is below {min}"));
        }
    }
    match value {
        Value::Object(map) => {
            for key in schema["required"].as_array().into_iter().flatten() {
                if !map.contains_key(key.as_str().unwrap()) {
                    out.push(format!("{path}: {key} is missing"));
                }
            }
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                match (&schema["properties"][key], &schema["additionalProperties"]) {
                    (Value::Object(_), _) => {
                        violations(child, &schema["properties"][key], &child_path, out)
                    }
                    (_, Value::Bool(false)) => out.push(format!("{child_path}: not declared")),
                    (_, extra @ Value::Object(_)) => violations(child, extra, &child_path, out),
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                violations(item, &schema["items"], &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn schema() -> Value {
    let root: Value = serde_json::from_str(include_str!(
        "../../schemas/reconciliation-record.schema.json"
    ))
    .unwrap();
    inline(&root, &root)
}

/// The schema with each `$ref` replaced by the definition it names, and a nullable
/// reference (`anyOf: [{$ref}, {type: null}]`) by that definition with null allowed, so
/// [`violations`] checks inside them.
fn inline(schema: &Value, root: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let name = reference.trim_start_matches("#/$defs/");
                return inline(&root["$defs"][name], root);
            }
            if let Some(first) = map.get("anyOf").and_then(|a| a.get(0)) {
                let mut out = inline(first, root);
                if let Some(t) = out["type"].as_str().map(str::to_string) {
                    out["type"] = serde_json::json!([t, "null"]);
                }
                return out;
            }
            let inlined = map.iter().map(|(k, v)| (k.clone(), inline(v, root)));
            Value::Object(inlined.collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| inline(v, root)).collect()),
        other => other.clone(),
    }
}

pub(super) fn assert_valid(record: &Value, what: &str) {
    let mut found = Vec::new();
    violations(record, &schema(), "record", &mut found);
    assert!(found.is_empty(), "{what}: {found:#?}");
}

/// What the record must say for a review of exactly `present`.
fn check_record(present: &[Stream], record: &Value) {
    let what = format!("{present:?}");
    let has = |s: &Stream| present.contains(s);
    let priced = USAGE.iter().find(|s| has(s));
    let recorded = PROVIDER_SIDE.iter().find(|s| has(s));
    assert_eq!(
        record["expected_priced_from"],
        priced.map_or(Value::Null, |s| stream_name(*s)),
        "{what}"
    );
    assert_eq!(
        record["provider_recorded_from"],
        recorded.map_or(Value::Null, |s| stream_name(*s)),
        "{what}"
    );
    // `*_from` names only streams that were read.
    let streams: Vec<&Value> = record["input_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["stream"])
        .collect();
    for from in ["expected_priced_from", "provider_recorded_from"] {
        let named = &record[from];
        assert!(
            named.is_null() || streams.contains(&named),
            "{what}: {from}"
        );
    }
    let charge = &record["computed_charge"];
    let absent = &record["not_computed"];
    for (field, known) in [
        ("expected_amount", priced.is_some()),
        ("provider_reported_amount", recorded.is_some()),
        ("variance_amount", priced.is_some() && recorded.is_some()),
        ("within_tolerance", priced.is_some() && recorded.is_some()),
    ] {
        assert_eq!(!charge[field].is_null(), known, "{what}: {field}");
        assert_eq!(
            absent[field].is_null(),
            known,
            "{what}: not_computed.{field}"
        );
        if !known {
            let why = absent[field].as_str().unwrap();
            assert!(why.starts_with("not computed: "), "{what}: {why}");
        }
    }
    assert_ne!(
        charge["within_tolerance"],
        json!(true),
        "{what}: never within tolerance for figures not computed"
    );
    if charge["variance_amount"].is_null() {
        assert!(charge["within_tolerance"].is_null(), "{what}");
        assert!(record["variance_bridge"].is_null(), "{what}");
    } else {
        assert!(record["variance_bridge"].is_object(), "{what}");
    }
    if priced.is_none() {
        for field in ["expected_complete", "at_risk_amount"] {
            assert!(charge[field].is_null(), "{what}: {field}");
        }
        assert!(record["usage_rollup"].is_null(), "{what}");
        assert_eq!(
            record["confidence"]["usage_fields"], "unavailable",
            "{what}"
        );
        assert!(record["per_model"].as_array().unwrap().is_empty(), "{what}");
    }
    assert_eq!(
        record["quota_consistency"].is_null(),
        !has(&Stream::GatewayLog),
        "{what}: the quota check is the gateway log's"
    );
    let listed: Vec<Value> = record["evidence_streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stream"].clone())
        .collect();
    let wanted: Vec<Value> = present.iter().map(|s| stream_name(*s)).collect();
    assert_eq!(
        listed, wanted,
        "{what}: each stream read is listed, no other"
    );
    assert_valid(record, &what);
}

#[test]
fn every_stream_alone_and_in_each_pair_names_only_what_it_has() {
    let mut combinations: Vec<Vec<usize>> = (0..5).map(|i| vec![i]).collect();
    for i in 0..5 {
        for j in i + 1..5 {
            combinations.push(vec![i, j]);
        }
    }
    assert_eq!(combinations.len(), 15);
    for combination in combinations {
        let present: Vec<Stream> = combination.iter().map(|i| STREAMS[*i].0).collect();
        let files: Vec<(&str, Vec<u8>)> = combination
            .iter()
            .map(|i| (STREAMS[*i].1, fixture(STREAMS[*i].1)))
            .collect();
        let review = run(&files, &stream_settings());
        for file in &review.files {
            assert!(file.format.is_some(), "{present:?}: {} read", file.name);
        }
        let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
        check_record(&present, &record);
    }
}

/// The defect this guards against: a billing export alone gave an expected charge of
/// "0", complete, "priced from gateway_log", the whole bill as variance and a next
/// action about retries.
#[test]
fn a_billing_export_alone_compares_nothing_it_cannot() {
    let review = run(
        &[("focus.csv", fixture("evidence/focus.csv"))],
        &stream_settings(),
    );
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    let charge = &record["computed_charge"];
    assert_eq!(charge["expected_amount"], Value::Null);
    assert_eq!(charge["expected_complete"], Value::Null);
    assert_eq!(charge["within_tolerance"], Value::Null);
    assert_eq!(record["expected_priced_from"], Value::Null);
    assert_eq!(record["provider_recorded_from"], "billing");
    assert!(charge["provider_reported_amount"].is_string());
    assert_eq!(
        record["not_computed"]["expected_amount"],
        "not computed: no usage evidence (no gateway log, client request log or provider usage report gave a row that could be read)"
    );
    let next = record["next_action"].as_str().unwrap();
    assert!(next.starts_with("load the usage for the window"), "{next}");
}

const ZIP: &[u8] = b"PK\x03\x04\x14\x00\x00\x00\x08\x00not a log at all";

#[test]
fn no_readable_file_is_not_a_review() {
    let review = run(&[("export.zip", ZIP.to_vec())], &stream_settings());
    assert_eq!(review.files[0].format, None);
    assert_eq!(review.figures, Err(pipeline::Problem::NothingRead));
    assert!(review.record(GENERATED_AT.parse().unwrap()).is_none());
    // With one readable file beside it, the review stands and lists the other unread.
    let review = run(
        &[
            ("export.zip", ZIP.to_vec()),
            ("log.json", fixture("cometapi-log-page.json")),
        ],
        &stream_settings(),
    );
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    assert_eq!(record["input_files"][0]["readable"], false);
    assert!(record["computed_charge"]["expected_amount"].is_string());
    assert_valid(&record, "one unreadable file beside a log");
}

/// The page shows the figures before its second worker has hashed a large file; until
/// the digest is there, there is no record (it names every file by its SHA-256).
#[test]
fn no_record_while_a_file_has_no_digest_yet() {
    let mut review = run(
        &[("log.json", fixture("cometapi-log-page.json"))],
        &stream_settings(),
    );
    let at = GENERATED_AT.parse().unwrap();
    let digest = review.files[0].fingerprint.sha256.clone();
    assert_eq!(digest.len(), 64);
    review.files[0].fingerprint.sha256 = String::new();
    assert!(review.figures.is_ok());
    assert!(review.record(at).is_none());
    review.files[0].fingerprint.sha256 = digest.clone();
    let record = review.record(at).expect("a record once the digest is in");
    assert_eq!(record.input_files[0].sha256, digest);
}

#[test]
fn the_cli_exits_2_when_no_file_can_be_read() {
    let zip = format!("{}/export.zip", env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(&zip, ZIP).unwrap();
    let settings = "tests/fixtures/settings.json";
    let (code, stdout, stderr) = cli(&["--settings", settings, &zip]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "no record: {stdout}");
    assert!(
        stderr.contains("warning: export.zip could not be read: ")
            && stderr.contains("error: none of the 1 file(s) gave a row that could be read"),
        "{stderr}"
    );
    let (code, stdout, stderr) = cli(&["--settings", settings, &zip, PAGE]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: export.zip could not be read"),
        "{stderr}"
    );
    assert!(stdout.contains("\"readable\": false"), "{stdout}");
}

#[test]
fn the_cli_summary_says_not_computed() {
    let (code, _, stderr) = cli(&[
        "--settings",
        "tests/fixtures/settings.json",
        "--summary",
        "tests/fixtures/evidence/focus.csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("expected not computed (no usage evidence), provider recorded "),
        "{stderr}"
    );
    assert!(
        stderr.contains("variance not computed (one side is missing)"),
        "{stderr}"
    );
}

/// A client log whose requests partly carry no usage: the expected charge priced from it
/// is a floor, and the record says so rather than calling it complete.
#[test]
fn requests_of_unknown_usage_leave_the_expected_charge_incomplete() {
    let name = "evidence/client-openai-chat.jsonl";
    let bill = "evidence/focus.csv";
    let review = run(
        &[(name, fixture(name)), (bill, fixture(bill))],
        &stream_settings(),
    );
    let f = figures(&review);
    assert!(
        f.streams[0].usage_unknown_requests > 0,
        "the fixture has some"
    );
    assert!(!pricing(f).complete);
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    assert_eq!(record["computed_charge"]["expected_complete"], false);
    let next = record["next_action"].as_str().unwrap();
    assert!(
        next.starts_with("some requests in the priced log carry no usage figures"),
        "{next}"
    );
}

/// FOCUS sample data writes its times without a zone: every row is rejected, so the file
/// gives no figure (not a billed total of zero), and with nothing else there is no review.
#[test]
fn a_file_whose_every_row_is_rejected_gives_no_figure() {
    let focus = String::from_utf8(fixture("evidence/focus.csv")).unwrap();
    let zoneless = focus.replace(":00Z,", ":00,").replace(":00Z\n", ":00\n");
    assert_ne!(zoneless, focus);
    let files = [("focus.csv", zoneless.into_bytes())];
    let review = run(&files, &settings(&settings_json()));
    let l = &review.files[0].ledger;
    assert!(l.rows_read > 0 && l.rejected == l.rows_read, "{l:?}");
    assert_eq!(review.figures, Err(pipeline::Problem::NothingRead));
    // Beside a log, the log's figures stand and the export is no provider-side figure.
    let log = ("log.json", fixture("cometapi-log-page.json"));
    let review = run(&[files[0].clone(), log], &settings(&settings_json()));
    let f = figures(&review);
    assert_eq!(f.recorded_stream, Some(Stream::GatewayLog));
    assert!(f.streams.iter().all(|s| s.stream != Stream::Billing));
    assert!(
        f.cross_checks.is_empty(),
        "nothing to compare the rejected bill with"
    );
}

/// Every fixture alone, and all of them together: the record holds to its schema.
#[test]
fn every_fixture_gives_a_record_its_schema_allows() {
    let mut names: Vec<String> = Vec::new();
    for dir in ["", "evidence/", "traps/"] {
        for entry in std::fs::read_dir(format!("{FIXTURES}/{dir}")).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if entry.file_type().unwrap().is_file() && !name.starts_with("settings") {
                names.push(format!("{dir}{name}"));
            }
        }
    }
    names.sort();
    let all: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (n.as_str(), fixture(n))).collect();
    let mut records = 0;
    for files in all.iter().map(std::slice::from_ref).chain([&all[..]]) {
        let review = run(files, &stream_settings());
        let Some(record) = review.record(GENERATED_AT.parse().unwrap()) else {
            continue;
        };
        let record: Value = serde_json::from_str(&record.to_json()).unwrap();
        assert_valid(&record, files[0].0);
        records += 1;
    }
    assert!(records > 20, "{records} records checked");
}

/// A billed bucket that reaches outside the window cannot be split: when every one does,
/// nothing billed can be counted in the window, and the record says so instead of
/// comparing against a billed zero.
#[test]
fn billed_buckets_that_all_straddle_the_window_give_no_provider_figure() {
    let files = [
        ("log.json", fixture("cometapi-log-page.json")),
        ("focus.csv", fixture("evidence/focus.csv")),
        ("client.jsonl", fixture("evidence/client-openai-chat.jsonl")),
    ];
    // The fixture window is one hour; the FOCUS rows are whole days.
    let hour = settings(&settings_json());
    let review = run(&files[1..], &hour);
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    assert_eq!(record["provider_recorded_from"], Value::Null);
    assert_eq!(
        record["computed_charge"]["provider_reported_amount"],
        Value::Null
    );
    let why = record["not_computed"]["provider_reported_amount"]
        .as_str()
        .unwrap();
    assert!(
        why.contains("every billed bucket reaches outside the incident window"),
        "{why}"
    );
    let next = record["next_action"].as_str().unwrap();
    assert!(
        next.starts_with("set the incident window to whole billing buckets"),
        "{next}"
    );
    let billing = &record["evidence_streams"][1];
    assert_eq!(
        (&billing["stream"], &billing["straddling_buckets"]),
        (&json!("billing"), &json!(1))
    );
    // Beside the log, the gateway's own quota is the provider-side figure as before.
    let review = run(&files, &hour);
    assert_eq!(figures(&review).recorded_stream, Some(Stream::GatewayLog));
    // Over the whole day the bill counts.
    let review = run(&files[1..], &stream_settings());
    assert_eq!(figures(&review).recorded_stream, Some(Stream::Billing));
}
