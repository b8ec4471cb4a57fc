//! Usage one side has and the other does not, against a bill or account totals broken
//! down by model: the bill's lines and the gateway log's rows compared model by model and
//! bucket by bucket (the bill's own periods, a day in a daily bill).
//!
//! With the gateway log priced, the variance (bill − expected) is (gateway − expected),
//! which the rows' own causes explain, plus (bill − gateway). Two parts of the second term
//! are said here, exactly:
//! - a bill line for a model and bucket in which the gateway log charged that model
//!   nothing: usage the bill has and the log does not (+ its amount);
//! - gateway rows inside the window for which the bill has no line of their model in their
//!   bucket, or no bucket at all: usage the log has and the bill does not (− their net
//!   quota ÷ quota per USD).
//!
//! What the two sides both have but price differently stays in the residual: without the
//! bill's quantities it cannot be said whether the usage or the price differs. Rows in a
//! bucket that reaches past the window's edge are the straddling step's (`window`), and a
//! bucket whose lines do not all name a model ("all models") cannot be compared by model:
//! its lines and its rows are left out here, so no part is counted twice.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::{count, models, rows, step, their, BridgeStep, Cause, VarianceClass};
use crate::error::Error;
use crate::ingest::{ChargeTotal, GatewayRow, RowKind};
use crate::price::quota::quota_to_usd;
use crate::ratecard::RateCard;

/// What the bill and the gateway log do not share, model by model and bucket by bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BillGaps {
    /// Bill lines (and their buckets) for a model the log charged nothing for there.
    pub billed_lines: u64,
    pub billed_buckets: u64,
    pub billed_models: BTreeSet<String>,
    /// + their amounts.
    pub billed: Decimal,
    /// Gateway rows the bill has no line for (of their model, in their bucket).
    pub logged_rows: u64,
    pub logged_models: BTreeSet<String>,
    /// − their net quota ÷ quota per USD (each model and bucket converted exactly).
    pub logged: Decimal,
}

type Span = (Timestamp, Timestamp);

/// The model a name stands for: its card entry's model when the card prices it, else the
/// name as written.
fn model_of(card: &RateCard, name: &str, at: Option<Timestamp>) -> String {
    card.lookup(name, at)
        .map_or_else(|| name.to_string(), |e| e.model.clone())
}

/// Compares the bill's lines inside the window (`charges`: the provider-side stream's
/// lines, those reaching past the window's edge included) with the gateway log's rows.
///
/// Plain vectors, sorted and merged, rather than maps keyed by bucket and model: this
/// runs once per review on a few cells, and every map type adds code to the page's one
/// WebAssembly module.
pub fn gaps(
    charges: &[&ChargeTotal],
    gateway: impl Iterator<Item = GatewayRow>,
    card: &RateCard,
    quota_per_usd: Decimal,
) -> Result<BillGaps, Error> {
    let overflow = || Error::overflow("the bill against the gateway log");
    let straddling: Vec<Span> = (charges.iter().filter(|c| c.straddles))
        .map(|c| (c.start, c.end))
        .collect();
    let inside: Vec<&ChargeTotal> = charges.iter().copied().filter(|c| !c.straddles).collect();
    let mut spans: Vec<Span> = inside.iter().map(|c| (c.start, c.end)).collect();
    spans.sort();
    spans.dedup();
    let span_of = |c: &ChargeTotal| spans.binary_search(&(c.start, c.end)).unwrap_or(0);
    // Per name the rows were logged under: (net quota, rows) per bucket, the last slot for
    // rows in no bucket. One pass, no allocation but for a new name.
    let slots = spans.len() + 1;
    let disjoint = spans.windows(2).all(|w| w[0].1 <= w[1].0);
    let mut by_name: BTreeMap<String, Vec<(i64, u64)>> = BTreeMap::new();
    for row in gateway.filter(|r| r.kind != RowKind::NotUsage) {
        let Some(at) = row.time() else { continue };
        let holds = |(start, end): &Span| *start <= at && at < *end;
        let slot = slot_of(&spans, disjoint, at);
        if slot == spans.len() && straddling.iter().any(holds) {
            continue;
        }
        let quota = match row.kind {
            RowKind::Refund => row.quota.checked_neg().ok_or_else(overflow)?,
            _ => row.quota,
        };
        let cells = match by_name.get_mut(row.model.as_str()) {
            Some(cells) => cells,
            None => by_name
                .entry(row.model.clone())
                .or_insert(vec![(0, 0); slots]),
        };
        let cell = &mut cells[slot];
        cell.0 = cell.0.checked_add(quota).ok_or_else(overflow)?;
        cell.1 += 1;
    }
    let item_model = |c: &ChargeTotal| {
        let name = c.item.split(", ").next().unwrap_or("").trim();
        let priced = card.lookup(name, Some(c.start)).is_some();
        (priced || by_name.contains_key(name)).then(|| model_of(card, name, Some(c.start)))
    };
    // A bucket is compared by model only when each of its lines names a model.
    let mut by_model = vec![true; spans.len()];
    let mut billed: Vec<Cell> = Vec::new();
    for c in &inside {
        match item_model(c) {
            Some(model) => billed.push((span_of(c), model, c.amount, 1)),
            None => by_model[span_of(c)] = false,
        }
    }
    billed.retain(|(slot, ..)| by_model[*slot]);
    let billed = merged(billed).ok_or_else(overflow)?;
    // The log's cells in USD too, so both sides merge alike.
    let mut logged: Vec<Cell> = Vec::new();
    for (name, cells) in &by_name {
        for (slot, &(quota, n)) in cells.iter().enumerate().filter(|(_, c)| c.1 > 0) {
            if slot < spans.len() && !by_model[slot] {
                continue;
            }
            let at = spans.get(slot).map(|s| s.0);
            let usd = quota_to_usd(quota, quota_per_usd)?;
            logged.push((slot, model_of(card, name, at), usd, n));
        }
    }
    let logged = merged(logged).ok_or_else(overflow)?;
    let find = |cells: &[Cell], slot: usize, model: &str| {
        (cells.iter())
            .find(|(s, m, ..)| *s == slot && m == model)
            .map(|c| c.2)
    };
    let mut out = BillGaps::default();
    let mut buckets = Vec::new();
    for (slot, model, amount, lines) in &billed {
        let charged = find(&logged, *slot, model).is_some_and(|usd| !usd.is_zero());
        if amount.is_zero() || charged {
            continue;
        }
        out.billed = out.billed.checked_add(*amount).ok_or_else(overflow)?;
        out.billed_lines += lines;
        buckets.push(*slot);
        out.billed_models.insert(model.clone());
    }
    buckets.dedup();
    out.billed_buckets = buckets.len() as u64;
    for (slot, model, usd, n) in &logged {
        if usd.is_zero() || find(&billed, *slot, model).is_some() {
            continue;
        }
        out.logged = out.logged.checked_sub(*usd).ok_or_else(overflow)?;
        out.logged_rows += n;
        out.logged_models.insert(model.clone());
    }
    Ok(out)
}

/// The slot of the first bucket that holds `at` (`spans.len()` for none). Buckets one
/// after another (a daily or hourly bill) are searched by halves; buckets that overlap (a
/// day and its month) one by one.
fn slot_of(spans: &[Span], disjoint: bool, at: Timestamp) -> usize {
    let holds = |(start, end): &Span| *start <= at && at < *end;
    if disjoint {
        let after = spans.partition_point(|(start, _)| *start <= at);
        match after.checked_sub(1) {
            Some(i) if holds(&spans[i]) => i,
            _ => spans.len(),
        }
    } else {
        spans.iter().position(holds).unwrap_or(spans.len())
    }
}

/// A bucket (its slot), a model, an amount in USD and how many lines or rows make it.
type Cell = (usize, String, Decimal, u64);

/// Cells sorted by bucket and model, equal keys added up; None on overflow.
fn merged(mut cells: Vec<Cell>) -> Option<Vec<Cell>> {
    cells.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut out: Vec<Cell> = Vec::new();
    for cell in cells {
        match out.last_mut() {
            Some(last) if last.0 == cell.0 && last.1 == cell.1 => {
                last.2 = last.2.checked_add(cell.2)?;
                last.3 += cell.3;
            }
            _ => out.push(cell),
        }
    }
    Some(out)
}

pub(super) fn steps(gaps: &BillGaps) -> Vec<BridgeStep> {
    vec![
        step(
            VarianceClass::UsageCaptureGap,
            Cause::BilledWithoutLoggedUsage,
            gaps.billed,
            format!(
                "{} in {} for a model the gateway log charged nothing for in that bucket{}",
                count(gaps.billed_lines, "bill line"),
                count(gaps.billed_buckets, "bucket"),
                models(&gaps.billed_models)
            ),
        ),
        step(
            VarianceClass::UsageCaptureGap,
            Cause::LoggedUsageNotBilled,
            gaps.logged,
            format!(
                "{} the gateway log charged inside the window with no bill line for {their} model in {their} bucket{}",
                rows(gaps.logged_rows),
                models(&gaps.logged_models),
                their = their(gaps.logged_rows),
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Searched by halves, disjoint buckets give the slot a search one by one gives.
        #[test]
        fn buckets_searched_by_halves_as_one_by_one(
            lengths in proptest::collection::vec((0i64..5, 1i64..5), 0..8),
            at in -2i64..60,
        ) {
            let mut spans = Vec::new();
            let mut edge = 0;
            for (gap, length) in lengths {
                let start = edge + gap;
                edge = start + length;
                let t = |s: i64| Timestamp::from_second(s).unwrap();
                spans.push((t(start), t(edge)));
            }
            let at = Timestamp::from_second(at).unwrap();
            prop_assert_eq!(slot_of(&spans, true, at), slot_of(&spans, false, at));
        }
    }

    /// The evidence counts lines, buckets and rows and names sanitized models only.
    #[test]
    fn the_steps_say_what_each_side_lacks() {
        let gaps = BillGaps {
            billed_lines: 2,
            billed_buckets: 1,
            billed_models: ["gpt-4o".to_string()].into(),
            billed: "0.02".parse().unwrap(),
            logged_rows: 1,
            logged_models: BTreeSet::new(),
            logged: "-0.006".parse().unwrap(),
        };
        let steps = steps(&gaps);
        let said: Vec<(Cause, &str, Decimal)> = (steps.iter())
            .map(|s| (s.cause, s.evidence.as_str(), s.amount))
            .collect();
        assert_eq!(
            said,
            [
                (
                    Cause::BilledWithoutLoggedUsage,
                    "2 bill lines in 1 bucket for a model the gateway log charged nothing for in that bucket (gpt-4o)",
                    "0.02".parse().unwrap()
                ),
                (
                    Cause::LoggedUsageNotBilled,
                    "1 row the gateway log charged inside the window with no bill line for its model in its bucket",
                    "-0.006".parse().unwrap()
                ),
            ]
        );
        assert!(steps
            .iter()
            .all(|s| s.class == VarianceClass::UsageCaptureGap));
    }
}
