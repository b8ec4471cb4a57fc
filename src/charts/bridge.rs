//! The variance bridge as a waterfall, top to bottom: the expected total, one floating
//! bar per explained step from the running total, the residual, and the recorded total.
//! Since Σ steps + residual = recorded − expected, the last floating bar ends where the
//! recorded bar does; dashed connectors carry the running total from bar to bar.

use rust_decimal::Decimal;

use super::bars::Frame;
use super::svg::{Anchor, Mark, Rule, Svg, PAD};
use super::{currency, signed_text, Chart, Table};
use crate::error::Error;
use crate::figures::Figures;

const LEGEND: u32 = 32;
const LABEL: u32 = 16;
const BAR: u32 = 16;
const BETWEEN: u32 = 10;
const TICKS: u32 = 24;
const ROW: u32 = LABEL + BAR + BETWEEN;

const TITLE: &str = "Variance bridge from expected to recorded";

/// One bar of the waterfall: from `from` to `to` on the amount axis.
struct Step {
    label: String,
    /// What the row says: a total for the ends, the signed change for a step.
    text: String,
    from: Decimal,
    to: Decimal,
    mark: Mark,
    /// Why, for the tooltip: the step's evidence (built from counts, never input text).
    evidence: String,
}

fn overflow() -> Error {
    Error::overflow("the variance bridge chart")
}

/// The waterfall's rows, or None when there is no variance to bridge (one side absent,
/// or both equal with nothing to show between them).
fn steps(figures: &Figures) -> Result<Option<Vec<Step>>, Error> {
    let total = &figures.reconciliation.total;
    let (Some(bridge), Some(expected), Some(recorded)) =
        (&figures.bridge, total.expected, total.provider)
    else {
        return Ok(None);
    };
    if bridge.steps.is_empty() && bridge.residual.is_zero() {
        return Ok(None);
    }
    let end = |label: &str, amount: Decimal| Step {
        label: label.to_string(),
        text: crate::decimal::format(amount),
        from: Decimal::ZERO,
        to: amount,
        mark: Mark::Total,
        evidence: String::new(),
    };
    let mut rows = vec![end("Expected", expected)];
    let mut running = expected;
    let moves = bridge
        .steps
        .iter()
        .map(|s| {
            let label = format!("{} ({})", s.cause.describe(), s.class.describe());
            (label, s.amount, s.evidence.clone())
        })
        .chain([(
            "Unexplained (residual)".to_string(),
            bridge.residual,
            String::new(),
        )]);
    for (label, amount, evidence) in moves {
        let to = running.checked_add(amount).ok_or_else(overflow)?;
        let mark = if amount.is_sign_negative() && !amount.is_zero() {
            Mark::Decrease
        } else {
            Mark::Increase
        };
        rows.push(Step {
            label,
            text: signed_text(amount),
            from: running,
            to,
            mark,
            evidence,
        });
        running = to;
    }
    debug_assert_eq!(
        running, recorded,
        "Σ steps + residual = recorded − expected"
    );
    rows.push(end("Recorded by the provider", recorded));
    Ok(Some(rows))
}

/// The chart, or None when there is no variance to bridge.
pub fn bridge(figures: &Figures) -> Result<Option<Chart>, Error> {
    let Some(rows) = steps(figures)? else {
        return Ok(None);
    };
    let currency = currency(figures);
    let (first, last) = (&rows[0], &rows[rows.len() - 1]);
    let explained = rows.len() - 3;
    let description = format!(
        "From the expected {} {currency} to the recorded {} {currency}: {} and a residual of {} {currency} left unexplained.",
        first.text,
        last.text,
        match explained {
            0 => "no explained step".to_string(),
            1 => "1 explained step".to_string(),
            n => format!("{n} explained steps"),
        },
        rows[rows.len() - 2].text,
    );
    let table = Table {
        caption: TITLE.to_string(),
        columns: vec![
            "Step".to_string(),
            format!("Amount {currency}"),
            format!("Running total {currency}"),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.label.clone(),
                    r.text.clone(),
                    crate::decimal::format(r.to),
                ]
            })
            .collect(),
    };
    let svg = draw(&rows, currency, &description)?;
    Ok(Some(Chart {
        name: "bridge",
        title: TITLE.to_string(),
        description,
        svg,
        table,
    }))
}

fn draw(rows: &[Step], currency: &str, description: &str) -> Result<String, Error> {
    let dec = |n: u32| Decimal::from(n);
    let frame = Frame::new(
        rows.iter().flat_map(|r| [r.from, r.to]),
        rows.iter().map(|r| r.text.clone()),
        currency,
    )?;
    let count = rows.len() as u32;
    let bottom = dec(LEGEND + ROW * count);

    let mut svg = Svg::new("bridge", LEGEND + ROW * count + TICKS, TITLE, description);
    let mut next = svg.legend(Mark::Total, dec(PAD), "Total");
    next = svg.legend(Mark::Increase, next, "Raises the charge");
    svg.legend(Mark::Decrease, next, "Lowers the charge");
    frame.draw_grid(&mut svg, currency, dec(LEGEND), bottom)?;
    for (i, row) in rows.iter().enumerate() {
        let top = dec(LEGEND + ROW * i as u32);
        let y = top + dec(LABEL);
        frame.row_label(&mut svg, top, &row.label);
        let (x, width) = frame.scale.span(row.from, row.to)?;
        let mut tip = format!("{}: {} {currency}", row.label, row.text);
        if !row.evidence.is_empty() {
            tip = format!("{tip} ({})", row.evidence);
        }
        svg.rect(row.mark, (x, y), (width, dec(BAR)), &tip);
        let baseline = y + dec(BAR - 4);
        svg.text("value", (frame.right, baseline), Anchor::End, &row.text);
        if i + 1 < rows.len() {
            // The running total, carried down to where the next bar starts.
            let at = frame.scale.at(row.to)?;
            svg.line(Rule::Connector, (at, y + dec(BAR)), (at, y + dec(ROW)));
        }
    }
    Ok(svg.finish())
}
