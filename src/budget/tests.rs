//! The budget review on hand-computed fixtures: each figure worked out in the comments.

use rust_decimal::Decimal;

use super::*;
use crate::ingest;
use crate::pipeline;

const LOG: &str = include_str!("../../tests/fixtures/budget/gateway-tokens.jsonl");
const SETTINGS: &str = include_str!("../../tests/fixtures/budget/settings-allocation.json");
const RETRY_LOG: &str = include_str!("../../tests/fixtures/budget/client-retries.jsonl");

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn settings() -> Settings {
    Settings::from_json(SETTINGS).unwrap()
}

/// Files read as the CLI and the worker read them (counted once), labels kept.
pub(super) fn files(named: &[(&str, &str)], settings: &Settings) -> Vec<FileReport> {
    let rules = pipeline::ingest_rules(settings).unwrap_or_default();
    let mut files: Vec<FileReport> = named
        .iter()
        .map(|(name, text)| ingest::ingest(name, text.as_bytes(), rules.clone()))
        .collect();
    pipeline::count_files(&mut files);
    files
}

fn figures(settings: &Settings) -> BudgetFigures {
    review(&files(&[("log.jsonl", LOG)], settings), settings).unwrap()
}

/// (name, expected, shared, allocated) of a line.
type Shown<'a> = (Option<&'a str>, Decimal, Option<Decimal>, Option<Decimal>);

fn lines(lines: &[allocate::Line]) -> Vec<Shown<'_>> {
    lines
        .iter()
        .map(|l| (l.name.as_deref(), l.tally.expected, l.shared, l.allocated()))
        .collect()
}

#[test]
fn allocation_by_owner_environment_class_and_bucket_is_hand_computed() {
    // gpt-4o at $2.50 input and $10 output per 1M tokens; each row:
    //   1 prod-search  1,000 in  200 out: 0.0025 + 0.002  = 0.0045
    //   2 prod-search  2,000 in  100 out: 0.005  + 0.001  = 0.006
    //   3 batch-etl    4,000 in  400 out: 0.01   + 0.004  = 0.014   (group vip)
    //   4 an unmapped key  600 in   50 out: 0.0015 + 0.0005 = 0.002
    //   5 no token     400 in    0 out: 0.001            = 0.001
    // total 0.0275.
    let f = figures(&settings());
    assert_eq!(f.stream, Stream::GatewayLog);
    assert_eq!((f.total.rows, f.total.expected), (5, dec("0.0275")));
    assert_eq!((f.total.input_tokens, f.total.output_tokens), (8_000, 750));
    let a = &f.allocation;
    // Owners: search 1+2 = 0.0105, data 3 = 0.014, unallocated 4+5 = 0.003. The shared
    // cost rule splits the unallocated 0.003 as 60 % (0.0018) to search and 40 %
    // (0.0012) to data: 0.0123 and 0.0152, and the unallocated line gives 0.003 away.
    assert_eq!(
        lines(&a.by_owner),
        [
            (
                Some("data"),
                dec("0.014"),
                Some(dec("0.0012")),
                Some(dec("0.0152"))
            ),
            (
                Some("search"),
                dec("0.0105"),
                Some(dec("0.0018")),
                Some(dec("0.0123"))
            ),
            (None, dec("0.003"), Some(dec("-0.003")), Some(dec("0"))),
        ]
    );
    // Every row is prod: rows 1–3 by their token's rule, 4 and 5 by group default.
    assert_eq!(
        lines(&a.by_environment),
        [(Some("prod"), dec("0.0275"), None, Some(dec("0.0275")))]
    );
    let expected = |table: &[allocate::Line]| {
        table
            .iter()
            .map(|l| (l.name.clone(), l.tally.expected))
            .collect::<Vec<_>>()
    };
    let named = |n: &str| Some(n.to_string());
    assert_eq!(
        expected(&a.by_request_class),
        [
            (named("batch"), dec("0.014")),
            (named("chat"), dec("0.0105")),
            (None, dec("0.003"))
        ]
    );
    // Row 3's bucket is its token's (data-batch): the first rule that gives a bucket
    // wins, so group vip's rule (vip-pool) gives it nothing.
    assert_eq!(
        expected(&a.by_bucket),
        [
            (named("data-batch"), dec("0.014")),
            (named("search-prod"), dec("0.0105")),
            (None, dec("0.003"))
        ]
    );
    // Rule matches: prod-search 2 rows, batch-etl 1, vip 1, default 4 (rows 1, 2, 4, 5).
    assert_eq!(a.rule_matches, [2, 1, 1, 4]);
    // Conservation: the tables each add up to the total, and the split moves no money.
    for table in [
        &a.by_owner,
        &a.by_environment,
        &a.by_request_class,
        &a.by_bucket,
    ] {
        let sum: Decimal = table.iter().map(|l| l.tally.expected).sum();
        let after: Decimal = table.iter().filter_map(|l| l.allocated()).sum();
        assert_eq!((sum, after), (f.total.expected, f.total.expected));
    }
}

#[test]
fn unallocated_spend_is_listed_by_what_it_carries_and_never_by_a_token_name() {
    let f = figures(&settings());
    let shown: Vec<(&str, &str, Decimal)> = f
        .allocation
        .unallocated_by_value
        .iter()
        .map(|v| (v.field.as_str(), v.value.as_str(), v.tally.expected))
        .collect();
    // Row 4's key name is hashed (it is never kept as text); group default is named by
    // the reviewer's own rule; rows 4 and 5 are both gpt-4o.
    let key = format!(
        "#{:08x}",
        ingest::label_hash("sk-live-unknown-key-4f9a8b7c6d5e4f3a2b1c") >> 32
    );
    assert_eq!(
        shown,
        [
            ("token", key.as_str(), dec("0.002")),
            ("group", "default", dec("0.003")),
            ("model", "gpt-4o", dec("0.003")),
        ]
    );
}

#[test]
fn without_a_shared_cost_rule_unallocated_spend_stays_unallocated() {
    let mut s = settings();
    s.budget_review.shared_cost = Default::default();
    let owners = figures(&s).allocation.by_owner;
    assert_eq!(
        lines(&owners),
        [
            (Some("data"), dec("0.014"), None, Some(dec("0.014"))),
            (Some("search"), dec("0.0105"), None, Some(dec("0.0105"))),
            (None, dec("0.003"), None, Some(dec("0.003"))),
        ]
    );
    // With no rule at all, everything is unallocated, and said so.
    s.budget_review.mapping.clear();
    let owners = figures(&s).allocation.by_owner;
    assert_eq!(
        lines(&owners),
        [(None, dec("0.0275"), None, Some(dec("0.0275")))]
    );
}

#[test]
fn every_evidence_field_can_allocate() {
    // One client request per line, each carrying one label; a rule per field.
    let log = [
        r#"{"model":"gpt-4o","created":1767225600,"usage":{"prompt_tokens":1000,"completion_tokens":0},"tags":["nightly","etl"]}"#,
        r#"{"model":"gpt-4o","created":1767225601,"usage":{"prompt_tokens":1000,"completion_tokens":0},"project_id":"proj_ads"}"#,
        r#"{"model":"gpt-4o","created":1767225602,"usage":{"prompt_tokens":1000,"completion_tokens":0},"environment":"Staging"}"#,
        r#"{"model":"gpt-4o","created":1767225603,"usage":{"prompt_tokens":1000,"completion_tokens":0},"tenant_id_hash":"t-42"}"#,
        r#"{"model":"gpt-4o","created":1767225604,"usage":{"prompt_tokens":1000,"completion_tokens":0},"endpoint":"/v1/embeddings"}"#,
        r#"{"model":"gpt-4o-mini","created":1767225605,"usage":{"prompt_tokens":1000,"completion_tokens":0}}"#,
        r#"{"model":"gpt-4o","created":1767225606,"usage":{"prompt_tokens":1000,"completion_tokens":0},"metadata":{"user_api_key_alias":"ops-key"}}"#,
    ]
    .join("\n");
    let mut s = settings();
    let rule =
        |field: &str, value: &str, owner: &str| crate::settings::budget::AllocationRuleText {
            field: field.into(),
            value: value.into(),
            owner: owner.into(),
            ..Default::default()
        };
    s.budget_review.mapping = vec![
        rule("tag", "ETL", "o-tag"),
        rule("project", "proj_ads", "o-project"),
        rule("environment", "staging", "o-environment"),
        rule("tenant", "t-42", "o-tenant"),
        rule("route", "/v1/embeddings", "o-route"),
        rule("model", "gpt-4o-mini", "o-model"),
        rule("token", "ops-key", "o-token"),
    ];
    s.budget_review.shared_cost = Default::default();
    s.rates.push(crate::ratecard::RateText {
        model: "gpt-4o-mini".into(),
        input: "1".into(),
        source_url: "https://example.com/p".into(),
        ..Default::default()
    });
    let read = files(&[("client.jsonl", &log)], &s);
    let f = review(&read, &s).unwrap();
    assert_eq!(f.stream, Stream::ClientRequests);
    let owners: Vec<(Option<&str>, u64)> = f
        .allocation
        .by_owner
        .iter()
        .map(|l| (l.name.as_deref(), l.tally.rows))
        .collect();
    let each = [
        "o-environment",
        "o-model",
        "o-project",
        "o-route",
        "o-tag",
        "o-tenant",
        "o-token",
    ];
    assert_eq!(owners, each.map(|o| (Some(o), 1)));
    assert_eq!(f.allocation.rule_matches, [1; 7]);
}

#[test]
fn problems_and_missing_usage_are_said_not_zeroed() {
    let mut s = settings();
    s.budget_review.mapping[0].field = "colour".into();
    let problem = review(&files(&[("log.jsonl", LOG)], &s), &s).unwrap_err();
    assert!(
        matches!(&problem, BudgetProblem::Settings(e) if e.len() == 1),
        "{problem}"
    );
    let s = settings();
    let nothing = review(&[], &s).unwrap_err();
    assert_eq!(nothing.to_string(), "expected usage to read (a gateway log, a client request log or a provider usage report), but found none among the files");
    let mut chosen = settings();
    chosen.budget_review.stream = "client_requests".into();
    let absent = review(&files(&[("log.jsonl", LOG)], &chosen), &chosen).unwrap_err();
    assert_eq!(
        absent.to_string(),
        "expected a client request log to read, but found none among the files"
    );
}

#[test]
fn the_document_holds_no_token_name_key_ip_or_prompt() {
    let s = settings();
    let read = files(&[("log.jsonl", LOG)], &s);
    let at: jiff::Timestamp = "2026-01-02T10:00:00Z".parse().unwrap();
    let json = document::build(&read, &s, &review(&read, &s), at).to_json();
    for secret in [
        "sk-live",
        "unknown-key",
        "prod-search",
        "batch-etl",
        "203.0.113",
        "alice",
        "summarize",
    ] {
        assert!(!json.contains(secret), "{secret} in\n{json}");
    }
    // A settings value that fails to read is named by its place, not shown.
    let mut bad = settings();
    bad.budget_review.shared_cost.shares[0].percent = "sk-live-abcdefabcdefabcdefabcdef".into();
    let json = document::build(&read, &bad, &review(&read, &bad), at).to_json();
    assert!(
        json.contains("budget_review.shared_cost.shares[0].percent") && !json.contains("sk-live"),
        "{json}"
    );
    // Tenant ids and token names stay hashes even where a rule names them, in every
    // section: the unallocated values, the unit cost lines, the retries.
    let log = [
        r#"{"model":"gpt-4o","created":1767225600,"tenant_id":"tenant-secret-42","key_alias":"team-key-9","usage":{"prompt_tokens":1000,"completion_tokens":0}}"#,
        r#"{"model":"gpt-4o","created":1767225601,"tenant_id":"tenant-other-7","retry_attempt":1,"usage":{"prompt_tokens":1000,"completion_tokens":0}}"#,
    ]
    .join("\n");
    let mut s = settings();
    s.budget_review.mapping[0].field = "tenant".into();
    s.budget_review.mapping[0].value = "tenant-secret-42".into();
    s.budget_review.mapping[1].value = "team-key-9".into();
    let read = files(&[("client.jsonl", &log)], &s);
    let json = document::build(&read, &s, &review(&read, &s), at).to_json();
    assert!(
        json.contains("\"name\": \"search\""),
        "the tenant's rule allocates: {json}"
    );
    for secret in ["tenant-secret-42", "tenant-other-7", "team-key-9"] {
        assert!(!json.contains(secret), "{secret} in\n{json}");
    }
}

/// The schema node `node` stands for, through `$ref` and the object (or array) branch of
/// `oneOf`.
fn resolve<'a>(node: &'a serde_json::Value, root: &'a serde_json::Value) -> &'a serde_json::Value {
    if let Some(reference) = node["$ref"].as_str() {
        let name = reference.trim_start_matches("#/$defs/");
        return resolve(&root["$defs"][name], root);
    }
    match node["oneOf"].as_array() {
        Some(branches) => branches
            .iter()
            .map(|b| resolve(b, root))
            .find(|b| b["type"] == "object" || b["type"] == "array")
            .unwrap_or(node),
        None => node,
    }
}

/// Every object in `value` has exactly the schema's required fields, in order.
pub(super) fn conforms(
    value: &serde_json::Value,
    node: &serde_json::Value,
    root: &serde_json::Value,
    at: &str,
) {
    let node = resolve(node, root);
    match value {
        serde_json::Value::Object(map) => {
            let required: Vec<&str> = node["required"]
                .as_array()
                .unwrap_or_else(|| panic!("{at}: no required list"))
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let present: Vec<&str> = map.keys().map(String::as_str).collect();
            assert_eq!(required, present, "{at}: required = written, in order");
            for (key, inner) in map {
                conforms(
                    inner,
                    &node["properties"][key],
                    root,
                    &format!("{at}.{key}"),
                );
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                conforms(item, &node["items"], root, &format!("{at}[{i}]"));
            }
        }
        _ => assert!(!node.is_null(), "{at}: not in the schema"),
    }
}

#[test]
fn the_document_matches_its_schema_computed_or_not() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/budget-review.schema.json")).unwrap();
    let s = settings();
    let read = files(&[("log.jsonl", LOG)], &s);
    let at: jiff::Timestamp = "2026-01-02T10:00:00Z".parse().unwrap();
    let computed = document::build(&read, &s, &review(&read, &s), at).to_json();
    let not_computed = document::build(&[], &s, &review(&[], &s), at).to_json();
    let retried = files(&[("client.jsonl", RETRY_LOG)], &s);
    let retries = document::build(&retried, &s, &review(&retried, &s), at).to_json();
    assert!(retries.contains("\"outcome_class\": \"network_failure\""));
    for json in [computed, not_computed, retries] {
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        conforms(&value, &schema, &schema, "document");
        assert_eq!(
            value["schema_version"],
            schema["properties"]["schema_version"]["const"]
        );
    }
}

#[test]
fn the_review_survives_the_trip_from_the_worker_and_is_not_computed_unasked() {
    let s = settings();
    let read = files(&[("log.jsonl", LOG)], &s);
    let text = wire(&read, &s).unwrap();
    assert_eq!(from_wire(&text).unwrap(), review(&read, &s));
    let mut bad = settings();
    bad.budget_review.stream = "billing".into();
    let text = wire(&read, &bad).unwrap();
    assert_eq!(from_wire(&text).unwrap(), review(&read, &bad));
    assert_eq!(wire(&read, &Settings::default()), None);
    // A review log alone asks for no figures, and a row added to it moves none: the
    // evidence is not priced again for it.
    let mut logged = Settings::default();
    let row = crate::settings::budget::log_tests::row();
    logged
        .budget_review
        .apply(crate::settings::budget::BudgetEdit::AddLogRow(Box::new(
            row,
        )));
    assert_eq!(logged.budget_review.review_log.len(), 1);
    assert_eq!(wire(&read, &logged), None);
    assert!(!logged.moves_figures_from(&Settings::default()));
    assert!(settings().moves_figures_from(&Settings::default()));
    assert!(from_wire(&text[..text.len() - 1]).is_err());
}

/// (group, units, per unit) of each line.
fn per_unit(lines: &[unit::UnitLine]) -> Vec<(Option<&str>, Option<Decimal>, Option<Decimal>)> {
    lines
        .iter()
        .map(|l| (l.group.as_deref(), l.units, l.per_unit))
        .collect()
}

#[test]
fn unit_cost_by_owner_on_known_counts_is_hand_computed() {
    use crate::settings::budget::UnitCountText;
    let d = |t: &str| Some(dec(t));
    // Owners: data 1 request, 4,400 tokens, 0.014; search 2 requests, 3,300 tokens,
    // 0.0105; unallocated 2 requests, 1,050 tokens, 0.003. Every request succeeded.
    let f = figures(&settings());
    let u = &f.unit_cost;
    assert_eq!(
        (u.metric, u.time_zone.as_str()),
        (
            crate::settings::budget::UnitMetric::SuccessfulRequest,
            "UTC"
        )
    );
    assert_eq!(
        per_unit(&u.by_group),
        [
            (Some("data"), d("1"), d("0.014")),
            (Some("search"), d("2"), d("0.00525")),
            (None, d("2"), d("0.0015"))
        ]
    );
    // One model: by owner and model is the same cut.
    assert_eq!(per_unit(&u.by_group_and_model), per_unit(&u.by_group));
    assert!(u
        .by_group_and_model
        .iter()
        .all(|l| l.model.as_deref() == Some("gpt-4o")));
    // The five rows are in one UTC day: 0.0275 ÷ 5.
    let periods: Vec<_> = u
        .by_period
        .iter()
        .map(|p| (p.start.as_str(), p.per_unit))
        .collect();
    assert_eq!(periods, [("2026-01-01", d("0.0055"))]);

    // Per 1K tokens: 0.014 ÷ 4.4 = 0.0031818181…, 0.0105 ÷ 3.3 the same, 0.003 ÷ 1.05 =
    // 0.0028571428 57…: ten places, half to even.
    let mut s = settings();
    s.budget_review.unit_metric = "1k_tokens".into();
    assert_eq!(
        per_unit(&figures(&s).unit_cost.by_group),
        [
            (Some("data"), d("4.4"), d("0.0031818182")),
            (Some("search"), d("3.3"), d("0.0031818182")),
            (None, d("1.05"), d("0.0028571429"))
        ]
    );

    // Per seat the reviewer counted: search 4 (0.002625), data 3 (0.0046666667); the
    // unallocated spend has no count, so no unit cost; nor has a period.
    s.budget_review.unit_metric = "business_unit".into();
    s.budget_review.business_unit = "seat".into();
    let count = |owner: &str, count: &str| UnitCountText {
        owner: owner.into(),
        count: count.into(),
    };
    s.budget_review.business_units = vec![count("search", "4"), count("data", "3")];
    let u = figures(&s).unit_cost;
    assert_eq!(
        per_unit(&u.by_group),
        [
            (Some("data"), d("3"), d("0.0046666667")),
            (Some("search"), d("4"), d("0.002625")),
            (None, None, None)
        ]
    );
    assert_eq!(
        (u.by_period[0].units, u.by_period[0].per_unit),
        (None, None)
    );

    // Per request, by request class: batch 0.014, chat 0.00525, unallocated 0.0015.
    s.budget_review.unit_metric = "request".into();
    let u = figures(&s).unit_cost;
    let classes: Vec<_> = u
        .by_group
        .iter()
        .map(|l| (l.group.as_deref(), l.per_unit))
        .collect();
    assert_eq!(
        classes,
        [
            (Some("batch"), d("0.014")),
            (Some("chat"), d("0.00525")),
            (None, d("0.0015"))
        ]
    );
}

#[test]
fn unit_cost_moves_by_the_finance_time_zones_day_and_hour() {
    // gpt-4o input at $2.50 per 1M: 1,000 tokens 0.0025, 2,000 tokens 0.005. 15:00Z and
    // 15:30Z are 23:00 and 23:30 on 1 January at +08:00; 17:00Z is 01:00 on 2 January.
    let log = [
        r#"{"model":"gpt-4o","created":1767279600,"usage":{"prompt_tokens":1000,"completion_tokens":0}}"#,
        r#"{"model":"gpt-4o","created":1767281400,"usage":{"prompt_tokens":1000,"completion_tokens":0}}"#,
        r#"{"model":"gpt-4o","created":1767286800,"usage":{"prompt_tokens":2000,"completion_tokens":0}}"#,
    ]
    .join("\n");
    let mut s = settings();
    s.incident_window_utc = Default::default();
    let d = |t: &str| Some(dec(t));
    let periods = |s: &Settings| {
        let read = files(&[("client.jsonl", &log)], s);
        let u = review(&read, s).unwrap().unit_cost;
        u.by_period
            .into_iter()
            .map(|p| (p.start, p.per_unit))
            .collect::<Vec<_>>()
    };
    // In UTC one day: 0.01 ÷ 3 requests.
    assert_eq!(periods(&s), [("2026-01-01".to_string(), d("0.0033333333"))]);
    s.budget_review.finance_time_zone = "Asia/Shanghai".into();
    assert_eq!(
        periods(&s),
        [
            ("2026-01-01".to_string(), d("0.0025")),
            ("2026-01-02".to_string(), d("0.005"))
        ]
    );
    s.budget_review.unit_period = "hour".into();
    assert_eq!(
        periods(&s),
        [
            ("2026-01-01T23:00+08:00".to_string(), d("0.0025")),
            ("2026-01-02T01:00+08:00".to_string(), d("0.005")),
        ]
    );
}

#[test]
fn retry_amplification_and_failure_cost_by_outcome_class_are_hand_computed() {
    // gpt-4o input at $2.50 per 1M: each 1,000-token attempt is 0.0025. Logical
    // requests: r-1 (three attempts: a 503, a 429, then success), r-2 (one, success),
    // r-3 (a network failure, then a retry that timed out), an unidentified first
    // attempt and an unidentified retry (attempt 1) refused by validation.
    let log = RETRY_LOG;
    let s = settings();
    let read = files(&[("client.jsonl", log)], &s);
    let r = review(&read, &s).unwrap().retries;
    // 8 attempts, 4 logical requests (r-1, r-2, r-3, the unidentified first): 2 per request.
    assert_eq!(
        (r.attempts, r.logical_requests, r.extra_attempts),
        (8, 4, 4)
    );
    assert_eq!(r.amplification, Some(dec("2")));
    let classes = |lines: &[retry::ClassLine]| {
        lines
            .iter()
            .map(|l| (l.class.name(), l.tally.rows, l.range()))
            .collect::<Vec<_>>()
    };
    // The extra attempts: r-1's 429 and its success, r-3's timeout, the validation retry.
    let one = Some((dec("0"), dec("0.0025")));
    let billable = Some((dec("0.0025"), dec("0.0025")));
    assert_eq!(
        classes(&r.extra_by_class),
        [
            ("success", 1, billable),
            ("429", 1, one),
            ("timeout", 1, one),
            ("validation_error", 1, one)
        ]
    );
    // Failures, extra or not: the default policy does not know whether a failure is
    // billed, so each costs 0 to 0.0025.
    assert_eq!(
        classes(&r.failures_by_class),
        [
            ("429", 1, one),
            ("5xx", 1, one),
            ("timeout", 1, one),
            ("network_failure", 1, one),
            ("validation_error", 1, one)
        ]
    );
}

/// A bucket, its spend low and high, the share used, and each threshold's amount and
/// crossing.
type BucketShown<'a> = (&'a str, String, String, String, Vec<(String, &'a str)>);

#[test]
fn bucket_budgets_against_their_thresholds_are_hand_computed() {
    // By bucket: search-prod 0.0105, data-batch 0.014, unallocated 0.003 (which may
    // belong to any bucket, so it is in every high end); nothing at risk or unpriced.
    //   search-prod 0.02:  50 % 0.01 crossed (0.0105); 90 % 0.018 and 100 % 0.02 not
    //                      (high 0.0135); used 52.5 %.
    //   data-batch 0.015:  50 % 0.0075 and 90 % 0.0135 crossed (0.014); 100 % 0.015
    //                      unknown (high 0.017); used 93.333… → 93.33 %.
    //   vip-pool 0.01:     no row carries it: low 0, high 0.003; 50 % 0.005 and 100 %
    //                      0.01 not crossed.
    let f = figures(&settings());
    let shown: Vec<BucketShown> = f
        .thresholds
        .iter()
        .map(|c| {
            (
                c.bucket.as_str(),
                crate::decimal::format(c.spend_low.unwrap()),
                crate::decimal::format(c.spend_high.unwrap()),
                crate::decimal::format(c.used_percent.unwrap()),
                c.levels
                    .iter()
                    .map(|l| (crate::decimal::format(l.amount), l.crossing.name()))
                    .collect(),
            )
        })
        .collect();
    let level = |a: &str, c| (a.to_string(), c);
    assert_eq!(
        shown,
        [
            (
                "search-prod",
                "0.0105".into(),
                "0.0135".into(),
                "52.5".into(),
                vec![
                    level("0.01", "crossed"),
                    level("0.018", "not_crossed"),
                    level("0.02", "not_crossed")
                ]
            ),
            (
                "data-batch",
                "0.014".into(),
                "0.017".into(),
                "93.33".into(),
                vec![
                    level("0.0075", "crossed"),
                    level("0.0135", "crossed"),
                    level("0.015", "unknown")
                ]
            ),
            (
                "vip-pool",
                "0".into(),
                "0.003".into(),
                "0".into(),
                vec![level("0.005", "not_crossed"), level("0.01", "not_crossed")]
            ),
        ]
    );
    let highest: Vec<Option<String>> = f
        .thresholds
        .iter()
        .map(|c| c.highest_crossed().map(crate::decimal::format))
        .collect();
    assert_eq!(highest, [Some("50".into()), Some("90".into()), None]);
}
