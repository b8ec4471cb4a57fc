use super::*;

/// Seed 003's and 004's template, filled as a team would.
pub fn row() -> ReviewRowText {
    ReviewRowText {
        review_date: "2026-07-02".into(),
        operator: "platform SRE on-call".into(),
        request_class: "chat".into(),
        owner_group: "search".into(),
        budget_bucket: "search-prod".into(),
        unit_metric: "successful_request".into(),
        source_urls_checked: "https://apidoc.cometapi.com/pricing/about-pricing; https://apidoc.cometapi.com/support/help-center".into(),
        request_pattern_checked: "chat completions".into(),
        test_environment: "staging".into(),
        result_category: "pass".into(),
        happy_path_result: "pass".into(),
        error_path_result: "pass".into(),
        error_category: "4xx invalid request".into(),
        retry_decision: "no retry on 4xx".into(),
        trace_marker: "req_8f2a".into(),
        usage_evidence_location: "internal usage export, finance drive".into(),
        budget_owner_notified: "finops lead".into(),
        cost_owner_action: "keep the budget unchanged".into(),
        next_action: "keep-monitoring".into(),
        notes: "retries stayed at 1 per request".into(),
    }
}

#[test]
fn a_row_without_owner_request_class_or_unit_metric_is_refused_with_seed_003s_reason() {
    type Edit = fn(&mut ReviewRowText);
    let cases: [(Edit, &str, &str); 8] = [
        (|r| r.owner_group = " ".into(), "owner_group", "expected an owner group, but found nothing: do not approve a token budget change yet"),
        (|r| r.request_class.clear(), "request_class", "expected a request class, but found nothing: do not approve a token budget change yet"),
        (|r| r.unit_metric.clear(), "unit_metric", "expected a unit metric, but found nothing: do not approve a token budget change yet"),
        (|r| r.review_date = "02/07/2026".into(), "review_date", "expected a date like 2026-07-02, but found \"02/07/2026\""),
        (|r| r.result_category = "pass_or_fail".into(), "result_category", "expected pass or fail, but found \"pass_or_fail\""),
        (|r| r.result_category.clear(), "result_category", "expected pass or fail, but found \"\""),
        (|r| r.error_path_result = "ok".into(), "error_path_result", "expected pass or fail, but found \"ok\""),
        (|r| r.next_action = "raise budget".into(), "next_action", "expected keep-monitoring, update-runbook or escalate-review, but found \"raise budget\""),
    ];
    for (edit, column, message) in cases {
        let mut r = row();
        edit(&mut r);
        assert_eq!(r.admit().unwrap_err(), [(column, message.to_string())]);
    }
    let empty = ReviewRowText::default().admit().unwrap_err();
    let columns: Vec<&str> = empty.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        columns,
        [
            "owner_group",
            "request_class",
            "unit_metric",
            "review_date",
            "result_category"
        ]
    );
}

#[test]
fn an_admitted_row_is_normalized_and_admitting_it_again_changes_nothing() {
    let mut r = row();
    r.result_category = " PASS ".into();
    r.happy_path_result = String::new();
    r.next_action = "Escalate review".into();
    let admitted = r.admit().unwrap();
    assert_eq!(
        (
            admitted.result_category.as_str(),
            admitted.happy_path_result.as_str(),
            admitted.next_action.as_str(),
            admitted.trace_marker.as_str(),
            admitted.source_urls_checked.as_str(),
        ),
        (
            "pass",
            "",
            "escalate-review",
            "redacted",
            "https://apidoc.cometapi.com/pricing/about-pricing https://apidoc.cometapi.com/support/help-center"
        )
    );
    assert_eq!(admitted.admit().unwrap(), admitted);
    let mut no_marker = row();
    no_marker.trace_marker = " ".into();
    assert_eq!(no_marker.admit().unwrap().trace_marker, "");
}

/// Keys, emails, IPs, prompts and balances planted in every free field.
pub const PLANTED: [&str; 8] = [
    "sk-live-4f9a8b7c6d5e4f3a2b1c",
    "alice@example.com",
    "203.0.113.7",
    "Bearer eyJhbGciOiJIUzI1NiJ9.payload",
    "Summarize the customer's contract",
    "1234.56",
    "$88",
    "token=abc",
];

pub fn planted_row() -> ReviewRowText {
    let mut r = row();
    r.operator = "Alice Smith".into();
    r.budget_owner_notified = "alice@example.com".into();
    r.owner_group = "sk-live-4f9a8b7c6d5e4f3a2b1c".into();
    r.source_urls_checked = "https://apidoc.cometapi.com/pricing?token=abc 203.0.113.7".into();
    r.trace_marker = "req-sk-live-4f9a8b7c6d5e4f3a2b1c".into();
    r.retry_decision = "retry with key sk-live-4f9a8b7c6d5e4f3a2b1c".into();
    r.usage_evidence_location = "ask alice@example.com or 203.0.113.7".into();
    r.cost_owner_action = "balance 1234.56 USD left, spent $88 this week".into();
    r.notes =
        "prompt: Summarize the customer's contract and Bearer eyJhbGciOiJIUzI1NiJ9.payload".into();
    r.error_category = "token=abc".into();
    r
}

#[test]
fn planted_secrets_prompts_and_balances_do_not_survive_admission() {
    let admitted = planted_row().admit().unwrap();
    for column in ReviewRowText::COLUMNS {
        let value = admitted.get(column);
        for secret in PLANTED {
            assert!(!value.contains(secret), "{column} keeps {secret}: {value}");
        }
        assert!(
            !value.contains("Alice") && !value.contains("alice"),
            "{column}: {value}"
        );
    }
    assert_eq!(admitted.notes, "[prompt removed]");
    assert_eq!(
        admitted.cost_owner_action,
        "balance [amount removed] USD left, spent [amount removed] this week"
    );
    assert!(admitted.operator.starts_with("redacted-"));
    assert_eq!(admitted.admit().unwrap(), admitted);
}

#[test]
fn notes_keep_what_is_safe_and_stay_short() {
    let cases = [
        (
            "retries stayed at 1 per request",
            "retries stayed at 1 per request",
        ),
        (
            "reviewed 2026-07-02 cost unchanged",
            "reviewed 2026-07-02 cost unchanged",
        ),
        (
            "said \"check the docs\" then",
            "said \"check the docs\" then",
        ),
        (
            "user wrote \"please write me a long poem about my cat\" ok",
            "user wrote [quoted text removed] ok",
        ),
        ("an open \"quote", "an open \"quote"),
        ("€12,50 over", "[amount removed] over"),
    ];
    for (text, want) in cases {
        assert_eq!(note(text), want, "{text}");
        assert_eq!(note(want), want, "again: {want}");
    }
    // The page's end-to-end test plants these in one note.
    let planted =
        note("balance 1234.56 USD; ask alice@example.com; prompt: Summarize the contract");
    assert!(
        planted.starts_with("balance [amount removed] USD; ask [redacted-")
            && planted.ends_with("] [prompt removed]"),
        "{planted}"
    );
    let long = "word ".repeat(100);
    let cut = note(&long);
    assert_eq!(cut.chars().count(), MAX_NOTE + 1);
    assert_eq!(note(&cut), cut);
}
