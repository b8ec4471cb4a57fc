//! Expected versus recorded by model: a pair of horizontal bars per model, the model's
//! name above them (names are long; a line of their own never collides), the exact
//! amounts in a column at the right.

use rust_decimal::Decimal;

use super::bars::Frame;
use super::svg::{Anchor, Mark, Svg, PAD};
use super::{amount_text, currency, Chart, Table, NOT_COMPUTED};
use crate::error::Error;
use crate::figures::Figures;

/// Heights in pixels: the legend, a model's name, a bar, between its two bars, between
/// models, the tick labels under the axis.
const LEGEND: u32 = 32;
const LABEL: u32 = 16;
const BAR: u32 = 14;
const BETWEEN_BARS: u32 = 2;
const BETWEEN_MODELS: u32 = 12;
const TICKS: u32 = 24;
const GROUP: u32 = LABEL + BAR + BETWEEN_BARS + BAR + BETWEEN_MODELS;

const TITLE: &str = "Expected versus recorded by model";

/// The chart's data: one row per model, each figure absent when no file gives it.
struct ModelRow {
    model: String,
    expected: Option<Decimal>,
    recorded: Option<Decimal>,
}

fn rows(figures: &Figures) -> Vec<ModelRow> {
    figures
        .reconciliation
        .per_model
        .iter()
        .map(|(model, c)| ModelRow {
            model: crate::sanitize::label(model),
            expected: c.expected,
            recorded: c.provider,
        })
        .collect()
}

/// The chart, or None when no model has a figure to draw.
pub fn by_model(figures: &Figures) -> Result<Option<Chart>, Error> {
    let rows = rows(figures);
    if rows
        .iter()
        .all(|r| r.expected.is_none() && r.recorded.is_none())
    {
        return Ok(None);
    }
    let currency = currency(figures);
    let absent = rows.iter().filter(|r| r.recorded.is_none()).count();
    let mut description = format!(
        "Expected and provider-recorded charge in {currency}, a pair of bars per model ({} {}).",
        rows.len(),
        if rows.len() == 1 { "model" } else { "models" },
    );
    if absent > 0 {
        description.push_str(&format!(
            " {absent} without a recorded figure: no bar is drawn for it, it reads {NOT_COMPUTED}."
        ));
    }
    let table = Table {
        caption: TITLE.to_string(),
        columns: vec![
            "Model".to_string(),
            format!("Expected {currency}"),
            format!("Recorded {currency}"),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.model.clone(),
                    amount_text(r.expected),
                    amount_text(r.recorded),
                ]
            })
            .collect(),
    };
    let svg = draw(&rows, currency, &description)?;
    Ok(Some(Chart {
        name: "by-model",
        title: TITLE.to_string(),
        description,
        svg,
        table,
    }))
}

fn draw(rows: &[ModelRow], currency: &str, description: &str) -> Result<String, Error> {
    let dec = |n: u32| Decimal::from(n);
    let frame = Frame::new(
        rows.iter().flat_map(|r| [r.expected, r.recorded]).flatten(),
        rows.iter()
            .flat_map(|r| [amount_text(r.expected), amount_text(r.recorded)]),
        currency,
    )?;
    let bottom = dec(LEGEND + GROUP * rows.len() as u32);
    let height = LEGEND + GROUP * rows.len() as u32 + TICKS;

    let mut svg = Svg::new("by-model", height, TITLE, description);
    let next = svg.legend(Mark::Expected, dec(PAD), "Expected");
    svg.legend(Mark::Recorded, next, "Recorded by the provider");
    frame.draw_grid(&mut svg, currency, dec(LEGEND), bottom)?;
    for (i, row) in rows.iter().enumerate() {
        let top = dec(LEGEND + GROUP * i as u32);
        frame.row_label(&mut svg, top, &row.model);
        let bars = [
            (Mark::Expected, "expected", row.expected, top + dec(LABEL)),
            (
                Mark::Recorded,
                "recorded",
                row.recorded,
                top + dec(LABEL + BAR + BETWEEN_BARS),
            ),
        ];
        for (mark, what, value, y) in bars {
            let text = amount_text(value);
            let baseline = y + dec(BAR - 3);
            match value {
                Some(v) => {
                    let (x, width) = frame.scale.span(Decimal::ZERO, v)?;
                    let tip = format!("{}: {what} {text} {currency}", row.model);
                    svg.rect(mark, (x, y), (width, dec(BAR)), &tip);
                    svg.text("value", (frame.right, baseline), Anchor::End, &text);
                }
                None => svg.text("value absent", (frame.right, baseline), Anchor::End, &text),
            }
        }
    }
    Ok(svg.finish())
}
