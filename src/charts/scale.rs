//! From amounts to pixels: an axis that covers zero and every value and ends on round
//! ticks (1, 2 or 5 × a power of ten), and the linear scale that places a value along it.
//! All in decimal: the tick labels are the ticks' exact text, and a position is rounded
//! to a tenth of a pixel only once it is a position.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::Error;

/// About how many intervals an axis is cut into (it may come to a few more or fewer).
const INTERVALS: u32 = 5;

fn overflow() -> Error {
    Error::overflow("a chart's scale")
}

/// The span of amounts an axis shows and its tick interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Axis {
    pub lo: Decimal,
    pub hi: Decimal,
    pub step: Decimal,
}

/// The smallest of 1, 2, 5 × 10ⁿ that is at least `raw` (> 0).
fn round_step(raw: Decimal) -> Result<Decimal, Error> {
    let mut power = Decimal::ONE;
    // Decimal holds 28 places at most: below that a step cannot get smaller.
    while power > raw && power.scale() < 28 {
        power = Decimal::new(1, power.scale() + 1);
    }
    while power.checked_mul(Decimal::TEN).ok_or_else(overflow)? <= raw {
        power *= Decimal::TEN;
    }
    for multiple in [1u32, 2, 5, 10] {
        let step = power
            .checked_mul(Decimal::from(multiple))
            .ok_or_else(overflow)?;
        if step >= raw {
            return Ok(step);
        }
    }
    unreachable!("10 × power > raw by the loop above")
}

impl Axis {
    /// An axis over zero and every value, its ends on whole ticks. With nothing but
    /// zeros it runs from 0 to 1, so a zero still has somewhere to stand.
    pub fn covering(values: impl IntoIterator<Item = Decimal>) -> Result<Axis, Error> {
        let (mut min, mut max) = (Decimal::ZERO, Decimal::ZERO);
        for v in values {
            min = min.min(v);
            max = max.max(v);
        }
        if min == max {
            max = Decimal::ONE;
        }
        let span = max.checked_sub(min).ok_or_else(overflow)?;
        let step = round_step(span / Decimal::from(INTERVALS))?;
        let whole = |v: Decimal, up: bool| -> Result<Decimal, Error> {
            let ticks = v.checked_div(step).ok_or_else(overflow)?;
            let ticks = if up { ticks.ceil() } else { ticks.floor() };
            ticks.checked_mul(step).ok_or_else(overflow)
        };
        Ok(Axis {
            lo: whole(min, false)?,
            hi: whole(max, true)?,
            step,
        })
    }

    /// The ticks from `lo` to `hi`, both included.
    pub fn ticks(&self) -> Vec<Decimal> {
        let mut ticks = Vec::new();
        let mut at = self.lo;
        while at <= self.hi {
            ticks.push(at.normalize());
            match at.checked_add(self.step) {
                Some(next) => at = next,
                None => break,
            }
        }
        ticks
    }

    /// This axis drawn from pixel `from` (where `lo` sits) to pixel `to` (`hi`); `to`
    /// may be the smaller, for a vertical axis that grows upwards.
    pub fn scale(self, from: Decimal, to: Decimal) -> Scale {
        Scale {
            axis: self,
            from,
            to,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Scale {
    pub axis: Axis,
    from: Decimal,
    to: Decimal,
}

/// A position, to a tenth of a pixel.
pub(super) fn pixel(v: Decimal) -> Decimal {
    v.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

impl Scale {
    /// Where `value` sits: from + (value − lo) ÷ (hi − lo) × (to − from).
    pub fn at(&self, value: Decimal) -> Result<Decimal, Error> {
        let Axis { lo, hi, .. } = self.axis;
        let offset = value.checked_sub(lo).ok_or_else(overflow)?;
        let span = hi.checked_sub(lo).ok_or_else(overflow)?;
        let share = offset.checked_div(span).ok_or_else(overflow)?;
        let along = share
            .checked_mul(self.to - self.from)
            .ok_or_else(overflow)?;
        Ok(pixel(self.from.checked_add(along).ok_or_else(overflow)?))
    }

    /// The pixels between `a` and `b`, lower first: the extent of a bar.
    pub fn span(&self, a: Decimal, b: Decimal) -> Result<(Decimal, Decimal), Error> {
        let (a, b) = (self.at(a)?, self.at(b)?);
        Ok((a.min(b), (a - b).abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn axes_cover_zero_and_every_value_on_round_ticks() {
        // (values, lo, hi, step)
        let cases: [(&[&str], &str, &str, &str); 9] = [
            (&["0.1606", "0.1556"], "0", "0.2", "0.05"),
            (&["0.0285", "0.0235", "0.0321", "0.1"], "0", "0.1", "0.02"),
            (&["-0.005"], "-0.005", "0", "0.001"),
            (&["-3", "7"], "-4", "8", "2"),
            (&["1"], "0", "1", "0.2"),
            (&["0"], "0", "1", "0.2"),
            (&[], "0", "1", "0.2"),
            (&["1234567"], "0", "1500000", "500000"),
            (&["0.000002"], "0", "0.000002", "0.0000005"),
        ];
        for (values, lo, hi, step) in cases {
            let axis = Axis::covering(values.iter().map(|v| d(v))).unwrap();
            assert_eq!(
                (axis.lo, axis.hi, axis.step),
                (d(lo), d(hi), d(step)),
                "{values:?}"
            );
        }
    }

    #[test]
    fn ticks_are_exact_text() {
        let axis = Axis::covering([d("0.1606")]).unwrap();
        let ticks: Vec<String> = axis.ticks().into_iter().map(|t| t.to_string()).collect();
        assert_eq!(ticks, ["0", "0.05", "0.1", "0.15", "0.2"]);
        let axis = Axis::covering([d("-0.005"), d("0.0125")]).unwrap();
        let ticks: Vec<String> = axis.ticks().into_iter().map(|t| t.to_string()).collect();
        assert_eq!(ticks, ["-0.005", "0", "0.005", "0.01", "0.015"]);
    }

    #[test]
    fn a_scale_places_values_proportionally() {
        let axis = Axis::covering([d("0.2")]).unwrap();
        let across = axis.scale(d("10"), d("410"));
        let cases = [
            ("0", "10"),
            ("0.2", "410"),
            ("0.1", "210"),
            ("0.0321", "74.2"),
        ];
        for (value, want) in cases {
            assert_eq!(across.at(d(value)).unwrap(), d(want), "{value}");
        }
        // Upwards: lo at the bottom (200), hi at the top (0).
        let up = axis.scale(d("200"), d("0"));
        assert_eq!(up.at(d("0.05")).unwrap(), d("150"));
        assert_eq!(up.span(d("0"), d("0.05")).unwrap(), (d("150"), d("50")));
        assert_eq!(across.span(d("0.1"), d("0")).unwrap(), (d("10"), d("200")));
    }

    #[test]
    fn extremes_are_errors_not_panics() {
        assert!(Axis::covering([Decimal::MAX, Decimal::MIN]).is_err());
        assert!(Axis::covering([Decimal::MAX]).is_err());
        let tiny = Axis::covering([Decimal::new(1, 28)]).unwrap();
        assert_eq!(tiny.hi, Decimal::new(1, 28));
    }
}
