//! The charts of whole reviews: the fixture log's three charts (their SVG pinned by a
//! snapshot, their tables agreeing with the figures), and every evidence stream alone
//! drawing only what it gives.

use super::*;
use spend_reconciler::charts::{self, Chart};
use spend_reconciler::ingest::Stream;

fn chart<'a>(charts: &'a [Chart], name: &str) -> Option<&'a Chart> {
    charts.iter().find(|c| c.name == name)
}

#[test]
fn the_fixture_log_draws_three_charts_that_agree_with_its_figures() {
    let review = run_fixture("cometapi-log-page.json");
    let f = figures(&review);
    let drawn = charts::all(f).unwrap();
    let names: Vec<&str> = drawn.iter().map(|c| c.name).collect();
    assert_eq!(names, ["by-model", "bridge", "over-time"]);

    let by_model = chart(&drawn, "by-model").unwrap();
    let rows: Vec<Vec<String>> = f
        .reconciliation
        .per_model
        .iter()
        .map(|(m, c)| {
            let text = |v: Option<Decimal>| v.map(spend_reconciler::decimal::format).unwrap();
            vec![m.clone(), text(c.expected), text(c.provider)]
        })
        .collect();
    assert_eq!(by_model.table.rows, rows);

    // Expected 0.1606 → a refund of −0.005 → residual 0 → recorded 0.1556.
    let bridge = chart(&drawn, "bridge").unwrap();
    let steps: Vec<[&str; 3]> = bridge
        .table
        .rows
        .iter()
        .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
        .collect();
    assert_eq!(
        steps,
        [
            ["Expected", "0.1606", "0.1606"],
            [
                "credit or adjustment (account-specific billing issue)",
                "-0.005",
                "0.1556"
            ],
            ["Unexplained (residual)", "0", "0.1556"],
            ["Recorded by the provider", "0.1556", "0.1556"],
        ]
    );

    // One UTC day, its expected charge the whole expected total (no rounding is set).
    let over_time = chart(&drawn, "over-time").unwrap();
    assert_eq!(over_time.table.rows, [["2026-01-01", "0.1606", "0", "no"]]);
    assert_eq!(pricing(f).expected, dec("0.1606"));

    let svgs: Vec<&str> = drawn.iter().map(|c| c.svg.as_str()).collect();
    snapshot("charts_of_the_log_page", &svgs.join("\n"));
}

/// Each stream alone: the charts draw what it gives and nothing it does not.
#[test]
fn each_stream_alone_draws_only_what_it_gives() {
    let cases = [
        // (stream, fixture, by model drawn, recorded bars drawn, bridge, over time)
        (
            Stream::GatewayLog,
            "cometapi-log-page.json",
            true,
            true,
            true,
            true,
        ),
        (
            Stream::ClientRequests,
            "evidence/client-openai-chat.jsonl",
            true,
            false,
            false,
            true,
        ),
        (
            Stream::ProviderUsage,
            "evidence/openai-usage.json",
            true,
            false,
            false,
            true,
        ),
        (
            Stream::Billing,
            "evidence/focus.csv",
            false,
            false,
            false,
            false,
        ),
        (
            Stream::AccountTotals,
            "evidence/cometapi-balance.json",
            false,
            false,
            false,
            false,
        ),
    ];
    let mut value = settings_json();
    value["zoneless_times_offset"] = json!("+00:00");
    value["incident_window_utc"]["end"] = json!("2026-01-02T00:00:00Z");
    for (stream, name, by_model, recorded, bridge, over_time) in cases {
        let review = run(&[(name, fixture(name))], &settings(&value));
        let drawn = charts::all(figures(&review)).unwrap();
        let has = |n: &str| chart(&drawn, n).is_some();
        assert_eq!(
            (has("by-model"), has("bridge"), has("over-time")),
            (by_model, bridge, over_time),
            "{stream:?}"
        );
        if let Some(c) = chart(&drawn, "by-model") {
            let bars = c.svg.matches("<rect class=\"bar recorded\"").count() - 1;
            assert_eq!(bars > 0, recorded, "{stream:?}: recorded bars");
            let absent = c.table.rows.iter().filter(|r| r[2] == "not computed");
            assert_eq!(
                absent.count(),
                if recorded { 0 } else { c.table.rows.len() }
            );
        }
    }
}
