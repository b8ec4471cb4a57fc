//! Budget thresholds (seed 004's budget alerts): each bucket's spend against its budget
//! and the percentages the reviewer flags, and which of them the spend crossed.
//!
//! The spend is a range. Its low end is the bucket's expected charge; its high end adds
//! what the outcome policy may bill (at risk) and the spend no rule gives a bucket, which
//! may belong to this one. A threshold is *crossed* when the low end reaches it, *not
//! crossed* when the high end stays below it, and *unknown* in between or while a row
//! that may count is unpriced: an unknown spend is never taken for zero.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::allocate::Line;
use super::tally::Tally;
use crate::decimal::{exact_div, exact_mul, serde_str};
use crate::error::Error;
use crate::sanitize;
use crate::settings::budget::BucketBudget;

/// Decimal places of the share of the budget used (half to even).
pub const USED_PLACES: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crossing {
    Crossed,
    NotCrossed,
    Unknown,
}

impl Crossing {
    pub fn name(self) -> &'static str {
        match self {
            Crossing::Crossed => "crossed",
            Crossing::NotCrossed => "not_crossed",
            Crossing::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    #[serde(with = "serde_str")]
    pub percent: Decimal,
    /// budget × percent ÷ 100, exact.
    #[serde(with = "serde_str")]
    pub amount: Decimal,
    pub crossing: Crossing,
}

/// One bucket's budget and its spend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketCheck {
    /// As the allocation names it (sanitized).
    pub bucket: String,
    pub owner: String,
    #[serde(with = "serde_str")]
    pub budget: Decimal,
    /// The bucket's expected charge; None while it has rows and none is priced.
    #[serde(with = "serde_str::option")]
    pub spend_low: Option<Decimal>,
    /// With at-risk charges and unallocated spend; None while a row that may count is
    /// unpriced (its charge is unknown).
    #[serde(with = "serde_str::option")]
    pub spend_high: Option<Decimal>,
    /// spend_low ÷ budget × 100, [`USED_PLACES`] places; None with spend_low.
    #[serde(with = "serde_str::option")]
    pub used_percent: Option<Decimal>,
    pub levels: Vec<Level>,
}

impl BucketCheck {
    /// The highest percentage crossed, if any.
    pub fn highest_crossed(&self) -> Option<Decimal> {
        self.levels
            .iter()
            .rev()
            .find(|l| l.crossing == Crossing::Crossed)
            .map(|l| l.percent)
    }
}

fn overflow(what: &str) -> Error {
    Error::overflow(what)
}

/// The low and high end of what `line` may have cost, given the unallocated `rest`.
fn spend(line: &Tally, rest: &Tally) -> Result<(Option<Decimal>, Option<Decimal>), Error> {
    let low = line.expected();
    let high = match low {
        Some(low) if line.complete() && rest.complete() => Some(
            [line.at_risk, rest.expected, rest.at_risk]
                .into_iter()
                .try_fold(low, |sum, add| sum.checked_add(add))
                .ok_or_else(|| overflow("a bucket's spend"))?,
        ),
        _ => None,
    };
    Ok((low, high))
}

/// Each budget checked against the allocation by bucket.
pub fn thresholds(budgets: &[BucketBudget], by_bucket: &[Line]) -> Result<Vec<BucketCheck>, Error> {
    let none = Tally::default();
    let rest = by_bucket
        .iter()
        .find(|l| l.name.is_none())
        .map_or(&none, |l| &l.tally);
    let mut out = Vec::new();
    for budget in budgets {
        let name = sanitize::label_text(&budget.bucket);
        let line = by_bucket
            .iter()
            .find(|l| l.name.as_deref() == Some(name.as_str()))
            .map_or(&none, |l| &l.tally);
        let (low, high) = spend(line, rest)?;
        let hundred = Decimal::ONE_HUNDRED;
        let used = match low {
            Some(low) => Some(
                low.checked_mul(hundred)
                    .and_then(|x| x.checked_div(budget.amount))
                    .ok_or_else(|| overflow("a share of a budget"))?
                    .round_dp_with_strategy(USED_PLACES, RoundingStrategy::MidpointNearestEven),
            ),
            None => None,
        };
        let mut levels = Vec::new();
        for &percent in &budget.thresholds {
            let amount = exact_mul(budget.amount, percent)
                .and_then(|x| exact_div(x, hundred))
                .ok_or_else(|| overflow("a budget threshold"))?;
            let crossing = match (low, high) {
                (Some(low), _) if low >= amount => Crossing::Crossed,
                (_, Some(high)) if high < amount => Crossing::NotCrossed,
                _ => Crossing::Unknown,
            };
            levels.push(Level {
                percent,
                amount,
                crossing,
            });
        }
        out.push(BucketCheck {
            bucket: name,
            owner: sanitize::role(&budget.owner),
            budget: budget.amount,
            spend_low: low,
            spend_high: high,
            used_percent: used,
            levels,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn line(name: Option<&str>, rows: u64, expected: &str, at_risk: &str, unpriced: u64) -> Line {
        Line {
            name: name.map(str::to_string),
            tally: Tally {
                rows,
                expected: d(expected),
                at_risk: d(at_risk),
                unpriced,
                ..Tally::default()
            },
            shared: None,
        }
    }

    fn budget(bucket: &str, amount: &str, levels: &[&str]) -> BucketBudget {
        BucketBudget {
            bucket: bucket.into(),
            owner: "finops lead".into(),
            amount: d(amount),
            thresholds: levels.iter().map(|l| d(l)).collect(),
        }
    }

    type Shown = (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
    );

    /// Each case: the lines by bucket, the budget of bucket `b`, and what the check shows
    /// (low, high, used %, and each level's crossing). Hand-computed.
    #[test]
    fn spend_against_each_threshold_crossed_not_or_unknown() {
        let cases: Vec<(Vec<Line>, BucketBudget, Shown)> = vec![
            // 0.5 of 1: 50 % reached exactly (crossed at equality), 90 and 100 not.
            (
                vec![line(Some("b"), 2, "0.5", "0", 0)],
                budget("b", "1", &["50", "90", "100"]),
                (
                    Some("0.5"),
                    Some("0.5"),
                    Some("50"),
                    "crossed not_crossed not_crossed",
                ),
            ),
            // At risk 0.45 may bill: 90 % (0.9) unknown, 100 % (1) not reachable (0.95).
            (
                vec![line(Some("b"), 2, "0.5", "0.45", 0)],
                budget("b", "1", &["50", "90", "100"]),
                (
                    Some("0.5"),
                    Some("0.95"),
                    Some("50"),
                    "crossed unknown not_crossed",
                ),
            ),
            // Unallocated 0.6 may belong to b: 100 % unknown, never silently not crossed.
            (
                vec![
                    line(Some("b"), 1, "0.5", "0", 0),
                    line(None, 1, "0.6", "0", 0),
                ],
                budget("b", "1", &["50", "100"]),
                (Some("0.5"), Some("1.1"), Some("50"), "crossed unknown"),
            ),
            // An unpriced row in the bucket: the high end is unknown.
            (
                vec![line(Some("b"), 3, "1.2", "0", 1)],
                budget("b", "1", &["50", "90", "100", "150"]),
                (
                    Some("1.2"),
                    None,
                    Some("120"),
                    "crossed crossed crossed unknown",
                ),
            ),
            // Nothing priced: unknown spend, every level unknown, never 0 %.
            (
                vec![line(Some("b"), 2, "0", "0", 2)],
                budget("b", "10", &["50"]),
                (None, None, None, "unknown"),
            ),
            // No row carries the bucket and nothing is unallocated: a true zero.
            (
                vec![line(Some("other"), 1, "3", "0", 0)],
                budget("b", "3", &["50"]),
                (Some("0"), Some("0"), Some("0"), "not_crossed"),
            ),
            // 1 ÷ 3 of the budget: the share rounds half to even at two places.
            (
                vec![line(Some("b"), 1, "1", "0", 0)],
                budget("b", "3", &["33.33", "33.34"]),
                (Some("1"), Some("1"), Some("33.33"), "crossed not_crossed"),
            ),
        ];
        for (lines, b, want) in cases {
            let check = &thresholds(&[b], &lines).unwrap()[0];
            let show = |v: Option<Decimal>| v.map(crate::decimal::format);
            let crossings: Vec<&str> = check.levels.iter().map(|l| l.crossing.name()).collect();
            assert_eq!(
                (
                    show(check.spend_low),
                    show(check.spend_high),
                    show(check.used_percent),
                    crossings.join(" ")
                ),
                (
                    want.0.map(String::from),
                    want.1.map(String::from),
                    want.2.map(String::from),
                    want.3.to_string()
                ),
                "{lines:?}"
            );
        }
    }

    #[test]
    fn levels_are_exact_and_the_highest_crossed_is_named() {
        let check = &thresholds(
            &[budget("b", "250.10", &["50", "90", "100"])],
            &[line(Some("b"), 4, "225.09", "0", 0)],
        )
        .unwrap()[0];
        let amounts: Vec<String> = check
            .levels
            .iter()
            .map(|l| l.amount.normalize().to_string())
            .collect();
        assert_eq!(amounts, ["125.05", "225.09", "250.1"]);
        assert_eq!(check.highest_crossed(), Some(d("90")));
        assert_eq!(check.owner, "finops lead");
    }
}
