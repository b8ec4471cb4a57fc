//! What the client saw as the expected side (settings `expected_side: client_requests`):
//! the client's requests joined to the gateway's charges by request id, one fixture
//! pair per usage-capture cause (tests/fixtures/causes/capture/), worked out by hand,
//! and a property: for any mix of the causes the steps and the residual add up to the
//! variance, and with both logs agreeing on every request's usage nothing is left.
//!
//! Every request in the fixtures is gpt-4o, 4,000 prompt and 500 completion tokens
//! unless said: 4,000 × 2.50 ÷ 1M + 500 × 10 ÷ 1M = 0.015 expected at the card, and the
//! gateway logs (4,000 + 500 × 4) × 1.25 = 7,500 quota = 0.015, as its ratios say.

use super::*;
use spend_reconciler::classify::{Cause, VarianceClass};

fn client_side() -> Value {
    let mut doc = settings_json();
    doc["expected_side"] = json!("client_requests");
    doc
}

fn pair(name: &str) -> Vec<(String, Vec<u8>)> {
    ["client", "gateway"]
        .map(|side| {
            let file = format!("causes/capture/{name}-{side}.jsonl");
            (file.clone(), fixture(&file))
        })
        .into()
}

fn run_pair(name: &str, doc: &Value) -> Review {
    let files = pair(name);
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    run(&files, &settings(doc))
}

/// Σ steps + residual = variance = recorded − expected, and the models add up to the
/// totals (a client request of unknown usage is accepted without a stored row, so the
/// rows are not checked here as `assert_conserved` does).
fn assert_bridged(review: &Review, what: &str) {
    let f = figures(review);
    let total = &f.reconciliation.total;
    let all = [total.expected, total.provider, total.variance];
    assert!(all.iter().all(Option::is_some), "{what}: {total:?}");
    assert_figures_add_up(f, what);
}

fn steps(b: &spend_reconciler::classify::Bridge) -> Vec<(Cause, Decimal)> {
    b.steps.iter().map(|s| (s.cause, s.amount)).collect()
}

/// (fixture, cause, class, amount, evidence, variance).
type Case = (
    &'static str,
    Cause,
    VarianceClass,
    &'static str,
    &'static str,
    &'static str,
);

#[test]
fn each_capture_cause_by_hand() {
    use VarianceClass::{TimeWindowMismatch, UsageCaptureGap};
    let cases: [Case; 6] = [
        // req_0001 sent once and charged twice; req_0002 once each; a request and a
        // gateway row with no id each (0.015 both). Expected 3 × 0.015 = 0.045; charged
        // 4 × 0.015 = 0.06; the second charge of req_0001 is the 0.015.
        (
            "retry",
            Cause::RetryDuplication,
            UsageCaptureGap,
            "0.015",
            "1 gateway charge beyond the client's attempts of the same request id (gpt-4o); not tied, without a request id: 1 client request and 1 gateway row",
            "0.015",
        ),
        // req_0002 timed out at the client with no usage (nothing expected for it; the
        // total is incomplete), and the gateway charged 0.015 for it: 0.03 − 0.015.
        (
            "timeout",
            Cause::TimeoutAmbiguity,
            UsageCaptureGap,
            "0.015",
            "1 client request that timed out at the client, charged by the gateway (gpt-4o)",
            "0.015",
        ),
        // req_0002's stream cancelled after 100 completion tokens: at risk under the
        // default policy (4,000 × 2.50 + 100 × 10, per 1M = 0.011, not expected), and the
        // gateway charged the whole 0.015: 0.015 − 0.
        (
            "cancelled",
            Cause::CancelledStreamCharged,
            UsageCaptureGap,
            "0.015",
            "1 client request whose stream the client cancelled, charged by the gateway (gpt-4o)",
            "0.015",
        ),
        // req_0001 and req_0002 on both sides; req_0003 charged 0.015 with no client
        // request behind it.
        (
            "unrequested",
            Cause::ChargeWithoutClientRequest,
            UsageCaptureGap,
            "0.015",
            "1 gateway charge whose request id the client log does not have (gpt-4o)",
            "0.015",
        ),
        // req_0002 (2,000 prompt, 300 completion: 0.005 + 0.003 = 0.008) has no gateway
        // row: 0.015 charged − 0.023 expected = −0.008.
        (
            "unseen",
            Cause::RequestNeverSeen,
            UsageCaptureGap,
            "-0.008",
            "1 client request whose request id the gateway log has no row for (gpt-4o)",
            "-0.008",
        ),
        // req_0002 sent at 00:59:30, stamped by the gateway at 01:00:40, within the
        // 30-minute buffer: the window's provider figure lacks its 0.015.
        (
            "posted",
            Cause::PostingDelay,
            TimeWindowMismatch,
            "-0.015",
            "1 client request inside the window the gateway stamped after its end, within the buffer (gpt-4o)",
            "-0.015",
        ),
    ];
    for (name, cause, class, amount, evidence, variance) in cases {
        let mut doc = client_side();
        doc["review"] = json!({"window_buffer_minutes": "30"});
        let review = run_pair(name, &doc);
        let f = figures(&review);
        assert_eq!(
            f.priced_stream,
            Some(spend_reconciler::ingest::Stream::ClientRequests)
        );
        assert_eq!(
            f.recorded_stream,
            Some(spend_reconciler::ingest::Stream::GatewayLog)
        );
        assert_eq!(
            f.reconciliation.total.variance,
            Some(dec(variance)),
            "{name}"
        );
        let b = bridge(f);
        assert_eq!(steps(b), [(cause, dec(amount))], "{name}");
        assert_eq!(
            (b.steps[0].class, b.steps[0].evidence.as_str()),
            (class, evidence),
            "{name}"
        );
        assert_eq!(b.residual, Decimal::ZERO, "{name}");
        assert_bridged(&review, name);
    }
}

/// Without the buffer the gateway's row stamped at 01:00:40 is not known: the request
/// is one the provider never saw, for the same −0.015.
#[test]
fn without_a_buffer_a_late_posting_is_a_request_never_seen() {
    let review = run_pair("posted", &client_side());
    let b = bridge(figures(&review));
    assert_eq!(steps(b), [(Cause::RequestNeverSeen, dec("-0.015"))]);
}

/// With the default expected side the gateway log prices the expected charge as before:
/// every request sits on both sides, the variance is 0 and no capture step appears.
#[test]
fn the_default_side_prices_the_gateway_rows_as_before() {
    for name in [
        "retry",
        "timeout",
        "cancelled",
        "unrequested",
        "unseen",
        "posted",
    ] {
        let review = run_pair(name, &settings_json());
        let f = figures(&review);
        assert_eq!(
            f.priced_stream,
            Some(spend_reconciler::ingest::Stream::GatewayLog),
            "{name}"
        );
        assert_eq!(
            f.reconciliation.total.variance,
            Some(Decimal::ZERO),
            "{name}"
        );
        assert!(bridge(f).steps.is_empty(), "{name}");
        let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
        assert!(record["settings"].get("expected_side").is_none(), "{name}");
    }
}

/// The client chosen and no client log loaded: no expected charge, said plainly; the
/// gateway's quota still stands as the provider-side figure.
#[test]
fn what_the_client_saw_without_a_client_log_is_not_computed() {
    let name = "causes/capture/retry-gateway.jsonl";
    let review = run(&[(name, fixture(name))], &settings(&client_side()));
    let f = figures(&review);
    assert_eq!(
        (f.priced_stream, f.reconciliation.total.expected),
        (None, None)
    );
    assert_eq!(f.reconciliation.total.provider, Some(dec("0.06")));
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    assert_eq!(
        record["not_computed"]["expected_amount"],
        "not computed: the client request log chosen as the expected side (settings.expected_side) is not loaded; no other stream stands in its place"
    );
    assert!(record["next_action"]
        .as_str()
        .unwrap()
        .starts_with("load the client request log"));
    assert_eq!(record["settings"]["expected_side"], "client_requests");
}

/// The record carries the choice in its settings, so their digest differs from the
/// default's, and names the client log as the stream the expected charge came from.
#[test]
fn the_record_carries_the_choice() {
    let chosen = run_pair("retry", &client_side());
    let default = run_pair("retry", &settings_json());
    let json = |r: &Review| -> Value { serde_json::from_str(&record_json(r)).unwrap() };
    let (chosen, default) = (json(&chosen), json(&default));
    assert_eq!(chosen["settings"]["expected_side"], "client_requests");
    assert_eq!(chosen["expected_priced_from"], "client_requests");
    assert_eq!(default["expected_priced_from"], "gateway_log");
    assert_ne!(chosen["settings_sha256"], default["settings_sha256"]);
    let causes: Vec<&str> = (chosen["variance_bridge"]["steps"]
        .as_array()
        .unwrap()
        .iter())
    .map(|s| s["cause"].as_str().unwrap())
    .collect();
    assert_eq!(causes, ["retry_duplication"]);
    // req_0001 and req_0002 tied; one request and one row carry no id: counted, never
    // matched.
    assert_eq!(
        chosen["variance_bridge"]["request_join"],
        json!({"tied_requests": 2, "untied_client_requests": 1, "untied_gateway_rows": 1})
    );
    assert!(default["variance_bridge"].get("request_join").is_none());
    super::absent::assert_valid(&chosen, "client as the expected side");
}

/// The flag sets the choice; the record carries it, so verifying needs no flag.
#[test]
fn the_command_line_flag_chooses_the_expected_side() {
    let files = pair("retry");
    let paths: Vec<String> = (files.iter())
        .map(|(n, _)| format!("tests/fixtures/{n}"))
        .collect();
    let out = temp_file("expected-side-record.json", "");
    let args = [
        "--settings",
        "tests/fixtures/settings.json",
        "--generated-at",
        GENERATED_AT,
        "--expected-side",
        "client_requests",
        "--out",
        &out,
    ];
    let all: Vec<&str> = args
        .iter()
        .copied()
        .chain(paths.iter().map(String::as_str))
        .collect();
    let (code, _, stderr) = cli(&all);
    assert_eq!(code, 0, "{stderr}");
    let record: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(record["settings"]["expected_side"], "client_requests");
    assert_eq!(record["computed_charge"]["variance_amount"], "0.015");
    let verify: Vec<&str> = ["verify", out.as_str()]
        .into_iter()
        .chain(paths.iter().map(String::as_str))
        .collect();
    let (code, stdout, stderr) = cli(&verify);
    assert_eq!((code, stdout.as_str()), (0, "identical\n"), "{stderr}");
}

/// What a generated request is meant to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meant {
    /// Sent once, charged once.
    Plain,
    /// Charged this many more times than sent.
    Retry(u8),
    Timeout,
    Cancelled,
    /// Charged with no client request.
    Unrequested,
    /// Sent, never charged.
    Unseen,
    /// Sent near the window's end, stamped by the gateway after it (within the buffer).
    Posted,
    /// Both sides, neither with a request id.
    Untied,
}

#[derive(Clone, Debug)]
struct Request {
    meant: Meant,
    prompt: u64,
    completion: u64,
    /// Group ratio 1.1 (a ratio the card does not know: a ratio mismatch) or 1.
    vip: bool,
    /// 0 or 1 quota above the floor of the exact quota: the gateway's rounding.
    jitter: i64,
}

impl Request {
    /// The card's price: 2.50 and 10 per 1M.
    fn expected(&self) -> Decimal {
        (Decimal::from(self.prompt) * dec("2.50") + Decimal::from(self.completion) * dec("10"))
            / dec("1000000")
    }

    fn quota(&self) -> i64 {
        let group = if self.vip { dec("1.1") } else { Decimal::ONE };
        let exact = Decimal::from(self.prompt + 4 * self.completion) * dec("1.25") * group;
        i64::try_from(exact.floor()).unwrap() + self.jitter
    }

    fn recorded(&self) -> Decimal {
        Decimal::from(self.quota()) / dec("500000")
    }

    fn gateway_row(&self, id: Option<&str>, at: i64, serial: usize) -> String {
        let group = if self.vip { 1.1 } else { 1.0 };
        let other = json!({"model_ratio": 1.25, "completion_ratio": 4, "group_ratio": group, "model_price": -1});
        let mut row = json!({"id": serial, "created_at": at, "type": 2, "model_name": "gpt-4o",
            "quota": self.quota(), "prompt_tokens": self.prompt,
            "completion_tokens": self.completion, "other": other.to_string()});
        if let Some(id) = id {
            row["request_id"] = json!(id);
        }
        row.to_string()
    }

    fn client_row(&self, id: Option<&str>, at: i64) -> String {
        let (completion, timeout, cancelled) = match self.meant {
            Meant::Cancelled => (self.completion / 2, false, true),
            Meant::Timeout => (0, true, false),
            _ => (self.completion, false, false),
        };
        let usage = match self.meant {
            Meant::Timeout => json!({"prompt_tokens": null, "completion_tokens": null}),
            _ => json!({"prompt_tokens": self.prompt, "completion_tokens": completion,
                "total_tokens": self.prompt + completion}),
        };
        let started = jiff::Timestamp::from_second(at).unwrap().to_string();
        let mut row = json!({"event_type": "ai_request_cost_observation",
            "configured_model": "gpt-4o", "started_at_utc": started, "http_status": 200,
            "retry_attempt": 0, "client_timeout": timeout, "stream_cancelled": cancelled,
            "usage_from_response": usage});
        if let Some(id) = id {
            row["request_correlation_id"] = json!(id);
        }
        row.to_string()
    }
}

fn request() -> impl Strategy<Value = Request> {
    use Meant::*;
    let meant = proptest::sample::select(vec![
        Plain,
        Retry(1),
        Retry(2),
        Timeout,
        Cancelled,
        Unrequested,
        Unseen,
        Posted,
        Untied,
    ]);
    (meant, 1u64..200_000, 0u64..50_000, any::<bool>(), 0i64..=1).prop_map(
        |(meant, prompt, completion, vip, jitter)| Request {
            meant,
            prompt,
            completion,
            vip,
            jitter,
        },
    )
}

/// The two logs for `requests`, two plain ones first (so the join ties something and
/// each file has more than one line).
fn logs(requests: &[Request]) -> (Vec<u8>, Vec<u8>) {
    const START: i64 = 1_767_225_600;
    let (mut client, mut gateway) = (Vec::new(), Vec::new());
    for (i, r) in requests.iter().enumerate() {
        let id = format!("req_{i:04}");
        let id = (r.meant != Meant::Untied).then_some(id.as_str());
        let at = START + 10 * i as i64;
        let serial = 100 * i;
        match r.meant {
            Meant::Posted => {
                client.push(r.client_row(id, START + 3000 + i as i64));
                gateway.push(r.gateway_row(id, START + 3660 + i as i64, serial));
            }
            Meant::Unseen => client.push(r.client_row(id, at)),
            Meant::Unrequested => gateway.push(r.gateway_row(id, at, serial)),
            Meant::Retry(extra) => {
                client.push(r.client_row(id, at));
                for k in 0..=usize::from(extra) {
                    gateway.push(r.gateway_row(id, at + k as i64, serial + k));
                }
            }
            _ => {
                client.push(r.client_row(id, at));
                gateway.push(r.gateway_row(id, at + 1, serial));
            }
        }
    }
    let text = |lines: Vec<String>| (lines.join("\n") + "\n").into_bytes();
    (text(client), text(gateway))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Any mix of the capture causes, with ratio differences and rounding on the
    /// gateway's rows: Σ steps + residual = variance; each cause's step is what the
    /// module's precedence gives it by hand; and since both logs agree on every
    /// request's usage, nothing is left in the residual.
    #[test]
    fn any_mix_of_capture_causes_bridges_exactly(mut requests in proptest::collection::vec(request(), 0..14)) {
        let plain = Request { meant: Meant::Plain, prompt: 4000, completion: 500, vip: false, jitter: 0 };
        requests.splice(0..0, [plain.clone(), plain]);
        let (client, gateway) = logs(&requests);
        let mut doc = client_side();
        doc["review"] = json!({"window_buffer_minutes": "30"});
        let review = run(&[("client.jsonl", client), ("gateway.jsonl", gateway)], &settings(&doc));
        for file in &review.files {
            prop_assert_eq!(file.ledger.rejected, 0, "{}", file.name);
        }
        let f = figures(&review);
        let variance = f.reconciliation.total.variance.expect("a variance");
        let b = bridge(f);
        let explained: Decimal = b.steps.iter().map(|s| s.amount).sum();
        prop_assert_eq!(explained + b.residual, variance);
        prop_assert_eq!(b.residual, Decimal::ZERO, "{:?}", b.steps);
        let step = |cause: Cause| cause_amount(b, cause);
        let meant = |m: fn(Meant) -> bool, amount: fn(&Request) -> Decimal| -> Decimal {
            requests.iter().filter(|r| m(r.meant)).map(amount).sum()
        };
        let retries = meant(|m| matches!(m, Meant::Retry(_)), |r| match r.meant {
            Meant::Retry(extra) => Decimal::from(extra) * r.recorded(),
            _ => Decimal::ZERO,
        });
        prop_assert_eq!(step(Cause::RetryDuplication), retries);
        // A timeout expects nothing (no usage), a cancelled stream nothing either (at
        // risk under the default policy): the whole charge.
        prop_assert_eq!(step(Cause::TimeoutAmbiguity), meant(|m| m == Meant::Timeout, Request::recorded));
        prop_assert_eq!(step(Cause::CancelledStreamCharged), meant(|m| m == Meant::Cancelled, Request::recorded));
        prop_assert_eq!(step(Cause::ChargeWithoutClientRequest), meant(|m| m == Meant::Unrequested, Request::recorded));
        prop_assert_eq!(step(Cause::RequestNeverSeen), -meant(|m| m == Meant::Unseen, Request::expected));
        prop_assert_eq!(step(Cause::PostingDelay), -meant(|m| m == Meant::Posted, Request::expected));
    }
}

/// A client log of other ids than the gateway's (the provider's response ids beside
/// the gateway's own): the join ties nothing, so it proposes no step; the whole
/// 0.015 stays in the residual rather than reading as every request unseen and every
/// charge unrequested.
#[test]
fn a_join_that_ties_nothing_proposes_no_step() {
    let client = String::from_utf8(fixture("causes/capture/retry-client.jsonl"))
        .unwrap()
        .replace("req_", "chatcmpl-");
    let files = [
        ("client.jsonl", client.into_bytes()),
        (
            "gateway.jsonl",
            fixture("causes/capture/retry-gateway.jsonl"),
        ),
    ];
    let review = run(&files, &settings(&client_side()));
    let b = bridge(figures(&review));
    assert!(b.steps.is_empty(), "{:?}", b.steps);
    assert_eq!(b.residual, dec("0.015"));
    let join = b.request_join.expect("the join's counts");
    assert_eq!(
        (
            join.tied_requests,
            join.untied_client_requests,
            join.untied_gateway_rows
        ),
        (0, 1, 1)
    );
}
