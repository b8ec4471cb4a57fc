//! The expected charge per UTC day (what pricing keeps per day × line, `Pricing::days`),
//! the at-risk amount stacked on it, with the incident window shaded. Time runs left to
//! right and each bar spans its whole day, so the shading shows which part of a day the
//! window covers (an hour-long window is a sliver of its day's bar). The time axis
//! runs over whole UTC days from the window's first to its last (the rows are inside
//! it), or over the days with usage when no window is set or the window is too long to
//! draw a day legibly.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::scale::Axis;
use super::svg::{text_width, Anchor, Mark, Rule, Svg, PAD, WIDTH};
use super::{currency, Chart, Table};
use crate::error::Error;
use crate::figures::Figures;
use crate::ingest::Window;
use crate::price::LineStatus;

const DAY: i64 = 86_400;
/// A window longer than this is not drawn whole: its days would be slivers.
const MOST_DAYS: i64 = 400;
const LEGEND: u32 = 32;
/// Room above the tallest bar for its label.
const HEADROOM: u32 = 16;
const PLOT: u32 = 160;
/// Below the plot: the day labels, then the window's exact span.
const FOOT: u32 = 44;

const TITLE: &str = "Expected charge per UTC day";

/// One UTC day with usage.
struct Day {
    start: Timestamp,
    expected: Decimal,
    at_risk: Decimal,
    /// Some usage that day has no rate: its expected charge is a floor.
    unpriced: bool,
}

fn overflow() -> Error {
    Error::overflow("the expected charge per day")
}

/// The UTC date of `at`, `2026-01-01` (the ISO 8601 printer the page has already;
/// jiff's strftime would add its own to the app).
fn date(at: Timestamp) -> String {
    let text = at.to_string();
    text.split_once('T')
        .map_or(text.clone(), |(date, _)| date.to_string())
}

/// The days with usage in time order, and the expected charge of usage that states no
/// time (in no day).
fn days(figures: &Figures) -> Result<(Vec<Day>, Option<Decimal>), Error> {
    let Some(pricing) = &figures.pricing else {
        return Ok((Vec::new(), None));
    };
    let mut days: BTreeMap<Timestamp, Day> = BTreeMap::new();
    let mut untimed: Option<Decimal> = None;
    for line in &pricing.days {
        let Some(start) = line.day else {
            let sum = untimed.unwrap_or_default();
            let amount = line.amount.unwrap_or_default();
            untimed = Some(sum.checked_add(amount).ok_or_else(overflow)?);
            continue;
        };
        let day = days.entry(start).or_insert(Day {
            start,
            expected: Decimal::ZERO,
            at_risk: Decimal::ZERO,
            unpriced: false,
        });
        let amount = line.amount.unwrap_or_default();
        match line.status {
            LineStatus::Expected => {
                day.expected = day.expected.checked_add(amount).ok_or_else(overflow)?
            }
            LineStatus::AtRisk => {
                day.at_risk = day.at_risk.checked_add(amount).ok_or_else(overflow)?
            }
            LineStatus::Unpriced => day.unpriced = true,
        }
    }
    Ok((days.into_values().collect(), untimed))
}

/// The first and last second (exclusive) of the whole UTC days the axis covers.
fn span(days: &[Day], window: Option<Window>) -> (i64, i64) {
    let floor = |s: i64| s - s.rem_euclid(DAY);
    let ceil = |s: i64| floor(s + DAY - 1);
    let first = days.first().map_or(0, |d| d.start.as_second());
    let last = days.last().map_or(0, |d| d.start.as_second()) + DAY;
    let Some(w) = window else {
        return (first, last);
    };
    let (start, end) = (
        first.min(floor(w.start.as_second())),
        last.max(ceil(w.end.as_second())),
    );
    if (end - start) / DAY > MOST_DAYS {
        (first, last)
    } else {
        (start, end)
    }
}

/// The chart, or None when no usage has a day (nothing in the window, or no time).
pub fn over_time(figures: &Figures) -> Result<Option<Chart>, Error> {
    let (days, untimed) = days(figures)?;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(None);
    };
    let currency = currency(figures);
    let window = figures.settings.window;
    let mut description = format!(
        "Expected charge in {currency} per UTC day, {} with usage from {} to {}",
        if days.len() == 1 {
            "1 day".to_string()
        } else {
            format!("{} days", days.len())
        },
        date(first.start),
        date(last.start),
    );
    match window {
        Some(w) => description.push_str(&format!(
            "; the incident window, {} to {}, is shaded.",
            w.start, w.end
        )),
        None => description.push_str("; no incident window is set."),
    }
    if let Some(amount) = untimed {
        description.push_str(&format!(
            " Usage that states no time ({} {currency} expected) is in no day and not drawn.",
            crate::decimal::format(amount)
        ));
    }
    let table = Table {
        caption: TITLE.to_string(),
        columns: vec![
            "Day (UTC)".to_string(),
            format!("Expected {currency}"),
            format!("At risk {currency}"),
            "Unpriced usage".to_string(),
        ],
        rows: days
            .iter()
            .map(|d| {
                vec![
                    date(d.start),
                    crate::decimal::format(d.expected),
                    crate::decimal::format(d.at_risk),
                    if d.unpriced { "yes" } else { "no" }.to_string(),
                ]
            })
            .collect(),
    };
    let svg = draw(&days, window, currency, &description)?;
    Ok(Some(Chart {
        name: "over-time",
        title: TITLE.to_string(),
        description,
        svg,
        table,
    }))
}

fn draw(
    days: &[Day],
    window: Option<Window>,
    currency: &str,
    description: &str,
) -> Result<String, Error> {
    let dec = |n: u32| Decimal::from(n);
    let mut totals = Vec::with_capacity(days.len());
    for d in days {
        totals.push(d.expected.checked_add(d.at_risk).ok_or_else(overflow)?);
    }
    let axis = Axis::covering(
        days.iter()
            .map(|d| d.expected)
            .chain(totals.iter().copied()),
    )?;
    let ticks = axis.ticks();
    let tick_width = ticks
        .iter()
        .map(|t| text_width(&crate::decimal::format(*t)))
        .max()
        .unwrap_or_default();
    let (left, right) = (dec(2 * PAD) + tick_width, dec(WIDTH - 2 * PAD));
    let (top, bottom) = (dec(LEGEND + HEADROOM), dec(LEGEND + HEADROOM + PLOT));
    let up = axis.scale(bottom, top);
    let (start, end) = span(days, window);
    let seconds = Decimal::from(end - start);
    let x =
        |at: i64| super::scale::pixel(left + Decimal::from(at - start) * (right - left) / seconds);
    let slot = (right - left) * Decimal::from(DAY) / seconds;
    // A bar spans its day, less a small gap to the next.
    let bar = slot - (slot / dec(10)).min(dec(2));

    let mut svg = Svg::new(
        "over-time",
        LEGEND + HEADROOM + PLOT + FOOT,
        TITLE,
        description,
    );
    let mut next = svg.legend(Mark::Expected, dec(PAD), "Expected");
    if days.iter().any(|d| !d.at_risk.is_zero()) {
        next = svg.legend(Mark::AtRisk, next, "At risk (outcome unknown)");
    }
    if window.is_some() {
        svg.legend(Mark::Window, next, "Incident window");
    }
    svg.text(
        "legend",
        (dec(WIDTH - PAD), dec(PAD + 10)),
        Anchor::End,
        currency,
    );
    for tick in &ticks {
        let y = up.at(*tick)?;
        svg.line(Rule::at_tick(*tick), (left, y), (right, y));
        let label = crate::decimal::format(*tick);
        svg.text("tick", (left - dec(6), y + dec(4)), Anchor::End, &label);
    }
    // A date under every day that has room for one, else under every few.
    let every = ((text_width("2026-01-01") + dec(8)) / slot).ceil();
    let every = i64::try_from(every).unwrap_or(1).max(1);
    let mut labelled = 0i64;
    for (d, total) in days.iter().zip(&totals) {
        let day = d.start.as_second();
        let centre = x(day) + slot / dec(2);
        let bar_x = x(day) + (slot - bar) / dec(2);
        let name = date(d.start);
        let mut tip = format!(
            "{name}: expected {} {currency}",
            crate::decimal::format(d.expected)
        );
        if d.unpriced {
            tip.push_str(" (some usage has no rate: a floor)");
        }
        let (y, height) = up.span(Decimal::ZERO, d.expected)?;
        svg.rect(Mark::Expected, (bar_x, y), (bar, height), &tip);
        if !d.at_risk.is_zero() {
            let (y, height) = up.span(d.expected, *total)?;
            let tip = format!(
                "{name}: at risk {} {currency}",
                crate::decimal::format(d.at_risk)
            );
            svg.rect(Mark::AtRisk, (bar_x, y), (bar, height), &tip);
        }
        let value = crate::decimal::format(*total);
        if text_width(&value) + dec(4) <= slot {
            let (y, _) = up.span(Decimal::ZERO, *total)?;
            svg.text("value", (centre, y - dec(4)), Anchor::Middle, &value);
        }
        let index = (day - start) / DAY;
        if index >= labelled {
            svg.text("tick", (centre, bottom + dec(16)), Anchor::Middle, &name);
            labelled = index + every;
        }
    }
    // Over the bars, translucent: a bar spans its whole day, the window the part it covers.
    if let Some(w) = window {
        let (from, to) = (w.start.as_second().max(start), w.end.as_second().min(end));
        if from < to {
            svg.rect(
                Mark::Window,
                (x(from), top),
                (x(to) - x(from), bottom - top),
                "",
            );
        }
        for edge in [w.start.as_second(), w.end.as_second()] {
            if (start..=end).contains(&edge) {
                svg.line(Rule::WindowEdge, (x(edge), top), (x(edge), bottom));
            }
        }
        let text = format!("Incident window: {} to {}", w.start, w.end);
        svg.text("label", (left, bottom + dec(36)), Anchor::Start, &text);
    }
    Ok(svg.finish())
}
