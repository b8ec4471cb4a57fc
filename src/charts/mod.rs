//! charts: the figures drawn as inline SVG text, each with the table it was drawn from.
//!
//! Three charts: expected versus recorded by model ([`by_model`]), the variance bridge
//! as a waterfall from expected to recorded ([`bridge`]), and the expected charge per
//! UTC day with the incident window marked ([`over_time`]). Each is built in two steps:
//! the figures become a small list of rows (the chart's data), and both the SVG and
//! its [`Table`] are written from that same list, so the two cannot disagree.
//!
//! Every printed amount is its exact decimal text ([`crate::decimal::format`]); only
//! pixel positions are rounded (to a tenth of a pixel, in decimal arithmetic). A figure
//! no file gives draws no bar and reads "not computed"; a chart with nothing to draw is
//! None, never an empty frame. The SVG names its look by class (`bar expected`, `grid`,
//! `window`, …) with plain shades of `currentColor` as the default, so the page's
//! stylesheet themes it for light and dark; text is `currentColor`, so it has the
//! page's own contrast. Nothing here knows the browser: the page inserts the text as it
//! is (every piece of input text in it is escaped, and model names pass through
//! [`crate::sanitize::label`] as in the record).

mod bars;
mod bridge;
mod by_model;
mod over_time;
mod scale;
mod svg;

pub use bridge::bridge;
pub use by_model::by_model;
pub use over_time::over_time;

use crate::error::Error;
use crate::figures::Figures;

/// One chart: its SVG, and the same figures as a table for readers who cannot see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    /// A short name for ids and test hooks: `by-model`, `bridge`, `over-time`.
    pub name: &'static str,
    pub title: String,
    pub description: String,
    /// `<svg role="img">` named by its `<title>`, described by its `<desc>`.
    pub svg: String,
    pub table: Table,
}

/// A chart's figures as rows of text; the first cell of a row names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Every chart the figures give, in the page's order: by model, the bridge, over time.
pub fn all(figures: &Figures) -> Result<Vec<Chart>, Error> {
    Ok([by_model(figures)?, bridge(figures)?, over_time(figures)?]
        .into_iter()
        .flatten()
        .collect())
}

/// The currency the amounts are in, as the page and the record name it.
fn currency(figures: &Figures) -> &str {
    &figures.settings.billing_currency
}

/// An amount, or what an absent one reads as.
fn amount_text(value: Option<rust_decimal::Decimal>) -> String {
    value.map_or_else(|| NOT_COMPUTED.to_string(), crate::decimal::format)
}

/// A step of the bridge, signed: `+0.01`, `-0.005`, `0`.
fn signed_text(value: rust_decimal::Decimal) -> String {
    let text = crate::decimal::format(value);
    if value.is_sign_positive() && !value.is_zero() {
        format!("+{text}")
    } else {
        text
    }
}

/// What an absent figure reads as, in the charts as in the results table.
pub const NOT_COMPUTED: &str = "not computed";

#[cfg(test)]
mod tests;
