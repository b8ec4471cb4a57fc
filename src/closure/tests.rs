//! The incident review of the hand-made incident fixture (tests/fixtures/incident): a
//! client request id sent three times, two requests straddling the window end, three
//! client ids the gateway lacks and one gateway row no client row has, one request
//! logged at start. Every figure is counted by hand from the files.

use super::*;
use crate::pipeline::{run, InputFile, Review};
use crate::settings::Settings;

pub(crate) const SETTINGS: &str = include_str!("../../tests/fixtures/incident/settings.json");
pub(crate) const CLIENT: &[u8] =
    include_bytes!("../../tests/fixtures/incident/client-observations.jsonl");
pub(crate) const GATEWAY: &[u8] = include_bytes!("../../tests/fixtures/incident/gateway-log.jsonl");

pub(crate) fn incident_review() -> Review {
    let settings = Settings::from_json(SETTINGS).unwrap();
    let files = [
        InputFile {
            name: "client-observations.jsonl".into(),
            bytes: CLIENT.to_vec(),
        },
        InputFile {
            name: "gateway-log.jsonl".into(),
            bytes: GATEWAY.to_vec(),
        },
    ];
    run(&files, &settings)
}

fn answers() -> Vec<(&'static str, Option<String>)> {
    let review = incident_review();
    let figures = review.figures.as_ref().unwrap();
    checklist(figures)
        .into_iter()
        .map(|i| (i.item, i.answer))
        .collect()
}

#[test]
fn the_checklist_is_answered_from_the_fixture() {
    let answers = answers();
    let answer = |item: &str| -> String {
        let found = answers.iter().find(|(i, _)| i.starts_with(item));
        found
            .unwrap_or_else(|| panic!("{item}"))
            .1
            .clone()
            .unwrap_or_default()
    };
    let cases = [
        (
            "Count successful",
            "gateway usage log: 6; client request log: 7",
        ),
        (
            "Count failed",
            "gateway usage log: 0; client request log: 1",
        ),
        (
            "Count retried",
            "gateway usage log: 0; client request log: 2",
        ),
    ];
    for (item, want) in cases {
        assert_eq!(answer(item), want, "{item}");
    }
    insta::assert_snapshot!(
        "incident_checklist",
        answers
            .iter()
            .map(|(i, a)| format!(
                "{i}\n  {}",
                a.as_deref().unwrap_or("(the reviewer ticks it)")
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The items the evidence cannot answer carry the reviewer's tick, note and link, by the
/// item's key, sanitized (the fixture plants an email in a note and a key in a URL query);
/// an item nothing was typed for has none; every item's key is its own.
#[test]
fn the_reviewer_ticks_what_the_evidence_cannot_answer() {
    let review = incident_review();
    let items = checklist(review.figures.as_ref().unwrap());
    let ticks: Vec<(&str, bool, Option<&Tick>)> = items
        .iter()
        .filter(|i| i.reviewer.is_some() || i.answer.is_none())
        .map(|i| (i.key, i.answer.is_some(), i.reviewer.as_ref()))
        .collect();
    let keys: Vec<&str> = ticks.iter().map(|t| t.0).collect();
    assert_eq!(
        keys,
        [
            "billing_records",
            "change_history",
            "assumptions_recorded",
            "scheduled_jobs",
            "warehouse_usage",
            "billable_unit",
            "remaining_unknowns",
            "pricing_source_update",
            "parser_test",
            "deployment_guard",
            "reporting_alert"
        ]
    );
    let tick = |key: &str| ticks.iter().find(|t| t.0 == key).unwrap().2.cloned();
    assert_eq!(
        tick("change_history"),
        Some(Tick {
            ticked: true,
            note: "no deploy or flag change 07:00-11:00 UTC; asked by [redacted-ff8d9819fc0e]"
                .into(),
            evidence_url: "https://deploys.example.com/history".into(),
        })
    );
    assert_eq!(
        tick("scheduled_jobs"),
        Some(Tick {
            ticked: false,
            note: "nightly backfill moved to 09:00, to confirm".into(),
            evidence_url: String::new(),
        })
    );
    assert_eq!(tick("billable_unit"), None);
    let mut all: Vec<&str> = items.iter().map(|i| i.key).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), items.len(), "each item has its own key");
}

#[test]
fn the_fixture_facts_are_counted_and_listed_by_line() {
    let review = incident_review();
    let facts = &review.figures.as_ref().unwrap().incident;
    let lines = |refs: &[crate::crosscheck::RowRef]| -> Vec<u64> {
        refs.iter().map(|r| r.line.unwrap()).collect()
    };
    let id_lines = |refs: &crate::crosscheck::References| -> Vec<u64> {
        refs.ids.iter().map(|r| r.at.line.unwrap()).collect()
    };
    let dup = facts.duplicates.as_ref().unwrap();
    assert_eq!((dup.repeated_ids, dup.repeats.count), (1, 2));
    assert_eq!(id_lines(&dup.repeats), [3, 4]);
    assert_eq!(dup.repeats.ids[0].reference, dup.repeats.ids[1].reference);
    let cost = |d: Option<rust_decimal::Decimal>| crate::decimal::format(d.unwrap());
    // Two repeats of 1000 input and 200 output tokens of gpt-4o at 2.50 and 10 per
    // million: 2 × (0.0025 + 0.002). Retries are billed "unknown" by default: at risk.
    assert_eq!(
        (cost(dup.expected_cost), cost(dup.at_risk_cost)),
        ("0".into(), "0.009".into())
    );
    assert!(dup.cost_complete);
    let missing = facts.client_not_in_gateway.as_ref().unwrap();
    assert_eq!((missing.count, id_lines(missing)), (3, vec![8, 9, 10]));
    let reverse = facts.gateway_not_in_client.as_ref().unwrap();
    assert_eq!((reverse.count, id_lines(reverse)), (1, vec![6]));
    assert_eq!(reverse.ids[0].at.file, "gateway-log.jsonl");
    let [gateway, client] = &facts.streams[..] else {
        panic!("two streams")
    };
    assert_eq!(client.stream, Stream::ClientRequests);
    let attempts = |s: &crate::crosscheck::StreamFacts| {
        (s.attempts.succeeded, s.attempts.failed, s.attempts.retried)
    };
    assert_eq!(
        (attempts(gateway), attempts(client)),
        ((6, 0, 0), (7, 1, 2))
    );
    assert_eq!(lines(&client.straddle_end.rows), [6, 7]);
    assert_eq!(client.straddle_start.count, 0);
    assert_eq!(lines(&client.logged_at_start.rows), [5]);
    // Gateway row 903 (line 3): a successful stream with no completion tokens.
    assert_eq!(lines(&gateway.logged_at_start.rows), [3]);
    assert_eq!(gateway.stream_flagged, 6);
    assert_eq!(lines(&client.before_window.rows), [11]);
    assert_eq!(lines(&client.after_window.rows), [12]);
    assert_eq!(lines(&gateway.after_window.rows), [8]);
    assert_eq!(facts.buffer_minutes, 30);
    for s in [gateway, client] {
        assert_eq!(s.currencies, ["USD"]);
        assert_eq!(s.models[0].priced_as.as_deref(), Some("gpt-4o"));
    }
}

#[test]
fn the_criteria_and_the_statement_of_the_fixture() {
    let review = incident_review();
    let figures = review.figures.as_ref().unwrap();
    let closure = close(figures, None);
    let statement = closure.final_statement.unwrap();
    assert_eq!(
        statement.text,
        "Between 08:00 and 10:00 UTC on 2026-05-11, 16:00 to 18:00 on 2026-05-11 (Asia/Shanghai, UTC+08:00) in the finance time zone, expected CometAPI spend differed from account-side reporting by -0.00075 USD. The forecast for the window was 0.05 USD; expected spend was 0.02475 USD below it. -0.001 USD was explained by credits or adjustments (refunds) (-0.001 USD). 0.00025 USD remains unresolved pending support confirmation on rounding behavior. Follow-ups: add a retry budget (https://tracker.example.com/ops/42) and add a parser test for the usage fields."
    );
    // Explained and unresolved add up to the variance, exactly.
    assert_eq!(
        statement.explained + statement.unresolved,
        statement.variance
    );
    let marks: Vec<(bool, &str)> = closure
        .closure_criteria
        .iter()
        .map(|c| (c.met, c.why.as_str()))
        .collect();
    assert_eq!(
        marks,
        [
            (true, "0.00025 USD is formally marked unresolved, pending the evidence named"),
            (true, "it holds the pricing source, the API contract source, the usage rollup and the billing comparison"),
            (true, "4 unverified assumptions, each with an owner and a follow-up"),
            (true, "the FinOps lead agreed at 2026-05-12T09:00:00Z"),
            (true, "1 follow-up linked to a tracked item"),
        ]
    );
    assert!(closure.may_close);
    // Without the review typed, each criterion says what is missing.
    let mut bare = Settings::from_json(SETTINGS).unwrap();
    bare.review = Default::default();
    let files = [
        InputFile {
            name: "c.jsonl".into(),
            bytes: CLIENT.to_vec(),
        },
        InputFile {
            name: "g.jsonl".into(),
            bytes: GATEWAY.to_vec(),
        },
    ];
    let review = run(&files, &bare);
    let closure = close(review.figures.as_ref().unwrap(), None);
    let whys: Vec<&str> = closure
        .closure_criteria
        .iter()
        .map(|c| c.why.as_str())
        .collect();
    assert_eq!(
        whys,
        [
            "0.00025 USD is unexplained and not marked unresolved: name the evidence it waits on",
            "the evidence packet has no API contract source",
            "4 unverified assumptions have no owner (whether client_timeout requests are billed; whether retry_attempt requests are billed; how the gateway turns exact quota into an integer; how charged amounts are rounded)",
            "the finance reviewer has not agreed yet",
            "no follow-up links a tracked item",
        ]
    );
    assert!(closure.closure_criteria.iter().all(|c| !c.met));
    assert!(!closure.may_close);
    assert!(closure.final_statement.unwrap().text.contains(
        "0.00025 USD remains unresolved; the evidence it waits on is not named yet. Follow-ups: none recorded."
    ));
}

/// What the fixture plants in its files and its review: none may reach an output.
pub(crate) const PLANTED: &[&str] = &[
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

#[test]
fn the_support_packet_has_the_ten_items_and_no_secret() {
    let review = incident_review();
    let figures = review.figures.as_ref().unwrap();
    let packet = packet(figures);
    let account = packet.account_identifier.clone().unwrap();
    assert!(account.starts_with("account-"), "{account}");
    assert_eq!(packet.endpoint_paths, ["/v1/chat/completions"]);
    assert_eq!(packet.model_labels, ["gpt-4o"]);
    // 3 client ids the gateway lacks, 1 the reverse, 2 repeats.
    assert_eq!(packet.request_references.len(), 6);
    assert!(packet.question_proposed);
    let markdown = packet.to_markdown();
    let json = packet.to_json();
    for planted in PLANTED {
        assert!(!markdown.contains(planted), "markdown holds {planted}");
        assert!(!json.contains(planted), "json holds {planted}");
    }
    let titles: Vec<&str> = markdown.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(titles.len(), 10, "{titles:?}");
    insta::assert_snapshot!("incident_packet", markdown);
    // Marked safe to share, the account id is written as typed.
    let mut settings = figures.settings.clone();
    settings.review.account_id = "acct-7".into();
    settings.review.account_id_safe = true;
    settings.review.support_question = "Is rounding applied per request?".into();
    let packet = super::packet(&figures.clone().under(settings));
    assert_eq!(packet.account_identifier.as_deref(), Some("acct-7"));
    assert_eq!(
        (packet.question.as_str(), packet.question_proposed),
        ("Is rounding applied per request?", false)
    );
}

/// A step the reviewer does not accept as explained joins the unresolved part; the
/// parts still add up to the variance.
#[test]
fn a_step_marked_unresolved_moves_to_the_unresolved_part() {
    let review = incident_review();
    let figures = review.figures.as_ref().unwrap();
    let mut settings = figures.settings.clone();
    settings.review.unresolved_causes = vec!["credit_adjustment".into()];
    let figures = figures.clone().under(settings);
    let statement = statement(&figures).unwrap();
    assert_eq!(
        statement.explained + statement.unresolved,
        statement.variance
    );
    let amounts = |d: rust_decimal::Decimal| crate::decimal::format(d);
    assert_eq!(
        (amounts(statement.explained), amounts(statement.unresolved)),
        ("0".into(), "-0.00075".into())
    );
    assert!(statement.text.contains(
        " -0.00075 USD (credits or adjustments (refunds) (-0.001 USD) and 0.00025 USD no step explains) remains unresolved pending support confirmation on rounding behavior."
    ), "{}", statement.text);
    assert!(
        !statement.text.contains("was explained by"),
        "{}",
        statement.text
    );
}

#[test]
fn the_contract_table_is_filled_where_the_evidence_shows_it() {
    let review = incident_review();
    let figures = review.figures.as_ref().unwrap();
    let rows = contract(figures);
    let text: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: {} [{} {}]",
                r.item,
                r.observed.as_deref().unwrap_or("(not observed)"),
                r.source_url.as_deref().unwrap_or("-"),
                r.source_captured_at.as_deref().unwrap_or("-")
            )
        })
        .collect();
    insta::assert_snapshot!("incident_contract", text.join("\n"));
    // A credential typed where the scheme belongs is never written.
    let mut settings = figures.settings.clone();
    for typed in [
        "Bearer sk-live-PLANTED0123456789",
        "sk-ant-abcdef",
        "abc123def456",
    ] {
        settings.review.auth_scheme = typed.into();
        let rows = contract(&figures.clone().under(settings.clone()));
        assert_eq!(rows[1].observed, None, "{typed}");
    }
}

#[test]
fn the_register_is_prefilled_and_flags_what_lacks_an_owner_or_is_due() {
    let review = incident_review();
    let figures = review.figures.as_ref().unwrap();
    let today = "2026-05-12T00:00:00Z".parse().ok();
    let rows = register(figures, today);
    let summary: Vec<(&str, bool, Option<&str>, Vec<String>)> = rows
        .iter()
        .map(|a| {
            (
                a.key.as_str(),
                a.verified,
                a.owner.as_deref(),
                a.flags.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("rate:gpt-4o", true, None, vec![]),
            (
                "outcome:client_timeout",
                false,
                Some("platform on-call"),
                vec![]
            ),
            (
                "outcome:retry_attempt",
                false,
                Some("platform on-call"),
                vec![]
            ),
            ("quota_rounding", false, Some("FinOps lead"), vec![]),
            (
                "amount_rounding",
                false,
                Some("FinOps lead"),
                vec!["review date passed".to_string()]
            ),
        ]
    );
    assert_eq!(
        rows[0].source.as_deref(),
        Some("https://apidoc.cometapi.com/about-pricing-873788m0")
    );
    // Without notes, every row not verified is flagged as having no owner.
    let mut settings = figures.settings.clone();
    settings.review.assumptions.clear();
    let bare = register(&figures.clone().under(settings), today);
    let unowned = bare.iter().filter(|a| a.flags == ["no owner"]).count();
    assert_eq!(unowned, 4);
}

/// An agreement bound to a statement's digest stops holding when the statement changes.
#[test]
fn an_agreement_names_the_statement_it_was_given_for() {
    let review = incident_review();
    let figures = review.figures.as_ref().unwrap();
    let text = statement(figures).unwrap();
    let mut settings = figures.settings.clone();
    settings.review.finance_agreed_statement_sha256 = statement_sha256(&text);
    let agreed = figures.clone().under(settings.clone());
    assert!(criteria(&agreed)[3].met, "{:?}", criteria(&agreed)[3]);
    // The residual is then left pending other evidence: the statement changes.
    settings.review.unresolved_pending = "the March invoice".into();
    let changed = figures.clone().under(settings);
    let fourth = &criteria(&changed)[3];
    assert!(!fourth.met);
    assert_eq!(
        fourth.why,
        "the statement changed after the finance reviewer agreed: ask again"
    );
}
