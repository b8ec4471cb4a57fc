//! bars: the frame the two horizontal bar charts share (by model, the bridge).
//!
//! Values run left to right across the page. The frame leaves room for half a tick
//! label at each end and for the widest value text at the right edge, draws the grid
//! with its labels under the rows and names the currency at the right of the legend
//! line, and puts each row's label above its bars, clear of the zero axis.

use rust_decimal::Decimal;

use super::scale::{Axis, Scale};
use super::svg::{text_width, Anchor, Rule, Svg, PAD, WIDTH};
use crate::error::Error;

/// Where the legend line's text sits, and how far under the rows the tick labels are.
const LEGEND_BASELINE: u32 = PAD + 10;
const TICK_LABEL_DROP: u32 = 16;

pub(super) struct Frame {
    pub scale: Scale,
    ticks: Vec<Decimal>,
    /// Where the value axis starts (the left end of the lowest tick).
    pub from: Decimal,
    /// The right edge, where value texts end.
    pub right: Decimal,
}

fn dec(n: u32) -> Decimal {
    Decimal::from(n)
}

impl Frame {
    /// A frame over `values`, with room at the right for the widest of `value_texts`
    /// and of the currency's name.
    pub fn new(
        values: impl IntoIterator<Item = Decimal>,
        value_texts: impl Iterator<Item = String>,
        currency: &str,
    ) -> Result<Frame, Error> {
        let axis = Axis::covering(values)?;
        let ticks = axis.ticks();
        let values_width = value_texts
            .map(|t| text_width(&t))
            .chain([text_width(currency)])
            .max()
            .unwrap_or_default();
        let half_tick = ticks
            .iter()
            .map(|t| text_width(&crate::decimal::format(*t)))
            .max()
            .unwrap_or_default()
            / dec(2);
        let from = dec(PAD) + half_tick;
        let to = dec(WIDTH - 2 * PAD) - values_width - half_tick;
        Ok(Frame {
            scale: axis.scale(from, to),
            ticks,
            from,
            right: dec(WIDTH - PAD),
        })
    }

    /// The currency at the right of the legend line, and the grid from `top` to
    /// `bottom`: the axis at zero, a rule at every other tick, each labelled below.
    pub fn draw_grid(
        &self,
        svg: &mut Svg,
        currency: &str,
        top: Decimal,
        bottom: Decimal,
    ) -> Result<(), Error> {
        svg.text(
            "legend",
            (self.right, dec(LEGEND_BASELINE)),
            Anchor::End,
            currency,
        );
        for tick in &self.ticks {
            let x = self.scale.at(*tick)?;
            svg.line(Rule::at_tick(*tick), (x, top), (x, bottom));
            let label = crate::decimal::format(*tick);
            let under = bottom + dec(TICK_LABEL_DROP);
            svg.text("tick", (x, under), Anchor::Middle, &label);
        }
        Ok(())
    }

    /// A row's label at the top of its band, just right of the axis's start.
    pub fn row_label(&self, svg: &mut Svg, top: Decimal, label: &str) {
        // Clear of the axis line at zero, which the label sits above.
        let at = (self.from + dec(4), top + dec(12));
        svg.text("label", at, Anchor::Start, label);
    }
}
