//! The charts' SVG text checked by hand: bar lengths proportional to the figures,
//! labels exact, absent figures drawn as nothing and read as "not computed", nothing
//! to draw giving no chart, and the same figures giving the same bytes.

use rust_decimal::Decimal;

use super::*;
use crate::classify::{Bridge, BridgeStep, Cause, VarianceClass};
use crate::ingest::Window;
use crate::price::{DayLine, LineStatus, Pricing};
use crate::ratecard::Dimension;
use crate::reconcile::{compare, Comparison, Reconciliation, Tolerance};
use crate::settings::Settings;

fn d(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn comparison(expected: Option<&str>, recorded: Option<&str>) -> Comparison {
    let tolerance = Tolerance {
        absolute: Decimal::ZERO,
        percent: Decimal::ZERO,
    };
    compare(expected.map(d), true, recorded.map(d), tolerance).unwrap()
}

/// A model's name, expected and recorded figures.
type ModelFigures<'a> = (&'a str, Option<&'a str>, Option<&'a str>);

/// Figures with these models' (expected, recorded) and these totals; nothing else.
fn figures(models: &[ModelFigures], total: (Option<&str>, Option<&str>)) -> Figures {
    Figures {
        settings: Settings::default().validate().unwrap(),
        pricing: None,
        reconciliation: Reconciliation {
            per_model: models
                .iter()
                .map(|(m, e, r)| (m.to_string(), comparison(*e, *r)))
                .collect(),
            total: comparison(total.0, total.1),
        },
        bridge: None,
        priced_stream: None,
        recorded_stream: None,
        streams: Vec::new(),
        cross_checks: Vec::new(),
        usage_confidence: Vec::new(),
        unapplied_prices: Vec::new(),
        incident: Default::default(),
        dual_ledger: Default::default(),
    }
}

/// A `<rect>` of the SVG: its class, x, y, width, height and tooltip.
#[derive(Debug)]
struct Rect {
    class: String,
    x: Decimal,
    y: Decimal,
    width: Decimal,
    height: Decimal,
    tip: String,
}

fn attribute<'a>(element: &'a str, name: &str) -> &'a str {
    let start = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    let end = start + element[start..].find('"').unwrap();
    &element[start..end]
}

fn rects(svg: &str, class: &str) -> Vec<Rect> {
    svg.lines()
        .filter(|l| l.starts_with("<rect "))
        .map(|l| Rect {
            class: attribute(l, "class").to_string(),
            x: d(attribute(l, "x")),
            y: d(attribute(l, "y")),
            width: d(attribute(l, "width")),
            height: d(attribute(l, "height")),
            tip: l
                .split_once("<title>")
                .map_or("", |(_, t)| t.split('<').next().unwrap())
                .to_string(),
        })
        .filter(|r| r.class == class)
        .collect()
}

/// The text of every `<text class="…">` of a class, in order.
fn texts(svg: &str, class: &str) -> Vec<String> {
    svg.lines()
        .filter(|l| l.starts_with("<text ") && attribute(l, "class") == class)
        .map(|l| {
            l.split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Lengths proportional to within the rounding of two positions (a tenth of a pixel each).
fn proportional(a: Decimal, b: Decimal, value_a: &str, value_b: &str) -> bool {
    (a * d(value_b) - b * d(value_a)).abs() <= d("0.2") * d(value_a).max(d(value_b))
}

#[test]
fn model_bars_are_proportional_and_labelled_exactly() {
    let f = figures(
        &[
            ("gpt-4o", Some("0.0285"), Some("0.0235")),
            ("claude-sonnet-4-5", Some("0.0321"), Some("0.0321")),
            ("mj_imagine", Some("0.1"), Some("0.1")),
        ],
        (Some("0.1606"), Some("0.1556")),
    );
    let chart = by_model(&f).unwrap().unwrap();
    let expected = rects(&chart.svg, "bar expected");
    let recorded = rects(&chart.svg, "bar recorded");
    // One legend swatch of each, then one bar per model.
    assert_eq!((expected.len(), recorded.len()), (4, 4));
    let (e, r) = (&expected[1..], &recorded[1..]);
    assert!(
        proportional(e[0].width, r[0].width, "0.0285", "0.0235"),
        "{e:?} {r:?}"
    );
    assert!(proportional(e[0].width, e[2].width, "0.0285", "0.1"));
    assert_eq!(e[1].width, r[1].width, "equal figures, equal bars");
    assert!(
        e.iter().chain(r).all(|b| b.x == e[0].x),
        "every bar starts at zero"
    );
    assert_eq!(e[0].tip, "gpt-4o: expected 0.0285 USD");
    assert_eq!(
        texts(&chart.svg, "value"),
        ["0.0285", "0.0235", "0.0321", "0.0321", "0.1", "0.1"]
    );
    assert_eq!(
        texts(&chart.svg, "tick"),
        ["0", "0.02", "0.04", "0.06", "0.08", "0.1"]
    );
    assert_eq!(
        texts(&chart.svg, "label"),
        ["gpt-4o", "claude-sonnet-4-5", "mj_imagine"]
    );
    assert!(chart
        .svg
        .contains(r#"role="img" aria-labelledby="chart-by-model-title" aria-describedby="chart-by-model-desc""#));
    assert!(chart
        .svg
        .contains(r#"<title id="chart-by-model-title">Expected versus recorded by model</title>"#));
    assert_eq!(
        chart.table.columns,
        ["Model", "Expected USD", "Recorded USD"]
    );
    assert_eq!(chart.table.rows[0], ["gpt-4o", "0.0285", "0.0235"]);
}

#[test]
fn an_absent_figure_draws_no_bar_and_reads_not_computed() {
    // (models, recorded bars drawn, texts of absent values)
    let cases: [(&[ModelFigures], usize, usize); 4] = [
        (&[("a", Some("1"), None), ("b", Some("2"), Some("2"))], 1, 1),
        (&[("a", Some("1"), None), ("b", Some("2"), None)], 0, 2),
        // A recorded zero is a figure: it is drawn (with no length) and reads 0.
        (&[("a", Some("1"), Some("0"))], 1, 0),
        (&[("a", Some("1"), Some("-0.5"))], 1, 0),
    ];
    for (models, drawn, absent) in cases {
        let f = figures(models, (None, None));
        let chart = by_model(&f).unwrap().unwrap();
        let recorded = rects(&chart.svg, "bar recorded");
        assert_eq!(recorded.len() - 1, drawn, "{models:?}");
        assert_eq!(
            texts(&chart.svg, "value absent").len(),
            absent,
            "{models:?}"
        );
        assert!(texts(&chart.svg, "value absent")
            .iter()
            .all(|t| t == "not computed"));
        for (row, (_, e, r)) in chart.table.rows.iter().zip(models.iter()) {
            assert_eq!(row[1], e.unwrap());
            assert_eq!(row[2], r.unwrap_or("not computed"), "never a zero");
        }
    }
    let negative = figures(&[("a", Some("1"), Some("-0.5"))], (None, None));
    let svg = by_model(&negative).unwrap().unwrap().svg;
    let (e, r) = (
        &rects(&svg, "bar expected")[1],
        &rects(&svg, "bar recorded")[1],
    );
    assert!(r.x < e.x, "a negative figure reaches left of zero");
    assert_eq!(r.x + r.width, e.x);
}

#[test]
fn nothing_to_draw_is_no_chart() {
    let none = figures(&[], (None, Some("1")));
    assert_eq!(by_model(&none).unwrap(), None);
    assert_eq!(bridge(&none).unwrap(), None);
    assert_eq!(over_time(&none).unwrap(), None);
    assert_eq!(all(&none).unwrap(), Vec::new());
}

fn step(cause: Cause, amount: &str) -> BridgeStep {
    BridgeStep {
        class: VarianceClass::AccountSpecificBillingIssue,
        cause,
        amount: d(amount),
        evidence: "2 refund rows returned quota (gpt-4o)".into(),
    }
}

fn bridged(expected: &str, recorded: &str, steps: Vec<BridgeStep>, residual: &str) -> Figures {
    let mut f = figures(&[], (Some(expected), Some(recorded)));
    f.bridge = Some(Bridge {
        steps,
        residual: d(residual),
        rate_differences: Vec::new(),
        request_join: None,
    });
    f
}

#[test]
fn the_bridge_walks_from_expected_to_recorded() {
    let f = bridged(
        "1",
        "0.75",
        vec![step(Cause::CreditAdjustment, "-0.5")],
        "0.25",
    );
    let chart = bridge(&f).unwrap().unwrap();
    assert_eq!(
        chart.table.rows,
        [
            ["Expected", "1", "1"],
            [
                "credit or adjustment (account-specific billing issue)",
                "-0.5",
                "0.5"
            ],
            ["Unexplained (residual)", "+0.25", "0.75"],
            ["Recorded by the provider", "0.75", "0.75"],
        ]
    );
    let svg = &chart.svg;
    let (total, down, up) = (
        &rects(svg, "bar total")[1..],
        &rects(svg, "bar decrease")[1..],
        &rects(svg, "bar increase")[1..],
    );
    assert_eq!((total.len(), down.len(), up.len()), (2, 1, 1));
    // The step floats from the running total 1 down to 0.5, the residual up to 0.75,
    // where the recorded bar ends.
    let zero = total[0].x;
    assert_eq!(down[0].x + down[0].width, zero + total[0].width);
    assert!(proportional(down[0].width, total[0].width, "0.5", "1"));
    assert_eq!(up[0].x, down[0].x);
    assert_eq!(up[0].x + up[0].width, zero + total[1].width);
    assert!(proportional(up[0].width, total[1].width, "0.25", "0.75"));
    assert!(down[0]
        .tip
        .ends_with("(2 refund rows returned quota (gpt-4o))"));
    assert_eq!(svg.matches("class=\"connector\"").count(), 3);
    assert_eq!(texts(svg, "value"), ["1", "-0.5", "+0.25", "0.75"]);
    assert_eq!(
        chart.description,
        "From the expected 1 USD to the recorded 0.75 USD: 1 explained step and a residual of +0.25 USD left unexplained."
    );
}

#[test]
fn no_variance_no_bridge() {
    let mut none = bridged("1", "1", Vec::new(), "0");
    assert_eq!(bridge(&none).unwrap(), None, "nothing to bridge");
    none.bridge = None;
    assert_eq!(bridge(&none).unwrap(), None, "not computed");
    let cancelling = bridged(
        "1",
        "1",
        vec![
            step(Cause::CreditAdjustment, "-0.5"),
            step(Cause::UnpricedModel, "0.5"),
        ],
        "0",
    );
    let chart = bridge(&cancelling).unwrap().unwrap();
    assert_eq!(
        chart.table.rows.len(),
        5,
        "steps that cancel are still shown"
    );
    assert_eq!(chart.table.rows[3], ["Unexplained (residual)", "0", "1"]);
}

fn day_line(day: Option<&str>, status: LineStatus, amount: Option<&str>) -> DayLine {
    DayLine {
        day: day.map(|t| t.parse().unwrap()),
        model: "gpt-4o".into(),
        dimension: Dimension::Output,
        long_context: false,
        status,
        rate: None,
        quantity: 1,
        amount: amount.map(d),
    }
}

fn timed(lines: Vec<DayLine>, window: Option<(&str, &str)>) -> Figures {
    let mut f = figures(&[], (Some("0"), None));
    f.pricing = Some(Pricing {
        days: lines,
        ..Pricing::default()
    });
    f.settings.window = window.map(|(start, end)| Window {
        start: start.parse().unwrap(),
        end: end.parse().unwrap(),
    });
    f
}

#[test]
fn days_are_bars_with_the_window_shaded() {
    use LineStatus::*;
    let (one, two, three) = (
        "2026-01-01T00:00:00Z",
        "2026-01-02T00:00:00Z",
        "2026-01-03T00:00:00Z",
    );
    let f = timed(
        vec![
            day_line(Some(one), Expected, Some("0.04")),
            day_line(Some(one), Expected, Some("0.06")),
            day_line(Some(two), Expected, Some("0.2")),
            day_line(Some(two), AtRisk, Some("0.05")),
            day_line(Some(three), Expected, Some("0.05")),
            day_line(Some(three), Unpriced, None),
            day_line(None, Expected, Some("0.01")),
        ],
        Some(("2026-01-01T06:00:00Z", "2026-01-03T18:00:00Z")),
    );
    let chart = over_time(&f).unwrap().unwrap();
    assert_eq!(
        chart.table.rows,
        [
            ["2026-01-01", "0.1", "0", "no"],
            ["2026-01-02", "0.2", "0.05", "no"],
            ["2026-01-03", "0.05", "0", "yes"],
        ]
    );
    let svg = &chart.svg;
    let bars = &rects(svg, "bar expected")[1..];
    assert_eq!(bars.len(), 3);
    assert!(proportional(bars[0].height, bars[1].height, "0.1", "0.2"));
    assert!(proportional(bars[2].height, bars[1].height, "0.05", "0.2"));
    let base = bars[0].y + bars[0].height;
    assert!(
        bars.iter().all(|b| b.y + b.height == base),
        "every bar stands on zero"
    );
    let risk = &rects(svg, "bar at-risk")[1..];
    assert_eq!(risk.len(), 1);
    assert_eq!(
        risk[0].y + risk[0].height,
        bars[1].y,
        "stacked on the expected bar"
    );
    assert!(proportional(risk[0].height, bars[1].height, "0.05", "0.2"));
    // Three days, the window from a quarter into the first to three quarters into the
    // last: it starts a quarter slot in and spans two and a half slots.
    let band = &rects(svg, "window")[1];
    let slot = bars[1].x - bars[0].x;
    let left = bars[0].x + bars[0].width / d("2") - slot / d("2");
    assert!(
        (band.x - (left + slot / d("4"))).abs() <= d("0.2"),
        "{band:?} {left}"
    );
    assert!((band.width - slot * d("2.5")).abs() <= d("0.2"), "{band:?}");
    assert_eq!(svg.matches("class=\"window-edge\"").count(), 2);
    assert_eq!(texts(svg, "value"), ["0.1", "0.25", "0.05"]);
    assert!(texts(svg, "label")[0]
        .starts_with("Incident window: 2026-01-01T06:00:00Z to 2026-01-03T18:00:00Z"));
    assert!(bars[2].tip.ends_with("(some usage has no rate: a floor)"));
    assert!(chart
        .description
        .ends_with("Usage that states no time (0.01 USD expected) is in no day and not drawn."));
}

#[test]
fn the_time_axis_covers_the_window_unless_it_is_too_long() {
    let day = |t: &str| day_line(Some(t), LineStatus::Expected, Some("1"));
    // (window, days on the axis, the usage's day among them, window edges drawn)
    let cases = [
        (None, 1, 0, 0),
        (
            Some(("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z")),
            1,
            0,
            2,
        ),
        (
            Some(("2025-12-30T12:00:00Z", "2026-01-02T00:00:01Z")),
            4,
            2,
            2,
        ),
        // Over two years: the axis keeps to the days with usage, and neither edge is on it.
        (
            Some(("2024-01-01T00:00:00Z", "2026-01-05T00:00:00Z")),
            1,
            0,
            0,
        ),
    ];
    for (window, days, index, edges) in cases {
        let f = timed(vec![day("2026-01-01T00:00:00Z")], window);
        let svg = over_time(&f).unwrap().unwrap().svg;
        let bar = &rects(&svg, "bar expected")[1];
        // The plot runs from 16 px + the widest tick label ("0.2": 21 px) to 640 − 16;
        // the bar stands in the middle of its day's slot.
        let slot = (d("624") - d("37")) / Decimal::from(days);
        let centre = d("37") + slot * (Decimal::from(index) + d("0.5"));
        let got = bar.x + bar.width / d("2");
        assert!(
            (got - centre).abs() <= d("0.1"),
            "{window:?}: {bar:?}, {centre}"
        );
        let drawn = svg.matches("class=\"window-edge\"").count();
        assert_eq!(drawn, edges, "{window:?}");
    }
}

#[test]
fn no_day_no_chart() {
    let cases = [
        Vec::new(),
        vec![day_line(None, LineStatus::Expected, Some("1"))],
    ];
    for lines in cases {
        assert_eq!(over_time(&timed(lines, None)).unwrap(), None);
    }
}

#[test]
fn the_same_figures_give_the_same_bytes_and_names_are_escaped() {
    let f = figures(
        &[
            ("<script>alert(1)</script>", Some("1"), Some("2")),
            ("sk-live-9f8e7d6c5b4a3f2e1d0c", Some("1"), None),
        ],
        (Some("2"), Some("2")),
    );
    let once = all(&f).unwrap();
    assert_eq!(once, all(&f).unwrap());
    let svg = &once[0].svg;
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("sk-live"), "{svg}");
    assert!(once[0]
        .table
        .rows
        .iter()
        .all(|r| r[0].starts_with("redacted-")));
}
