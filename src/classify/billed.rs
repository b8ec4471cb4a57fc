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

use super::{count, models, rows, step, BridgeStep, Cause, VarianceClass};
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
    /// − their net quota ÷ quota per USD.
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
    // Each row in its bucket (the first wholly inside the window that holds its time) by
    // the name it was logged under; one pass, no allocation but for a new cell.
    let mut by_name: BTreeMap<Option<Span>, BTreeMap<String, (i64, u64)>> = BTreeMap::new();
    for row in gateway.filter(|r| r.kind != RowKind::NotUsage) {
        let Some(at) = row.time() else { continue };
        let holds = |(start, end): &Span| *start <= at && at < *end;
        let span = spans.iter().find(|s| holds(s)).copied();
        if span.is_none() && straddling.iter().any(holds) {
            continue;
        }
        let quota = match row.kind {
            RowKind::Refund => row.quota.checked_neg().ok_or_else(overflow)?,
            _ => row.quota,
        };
        let names = by_name.entry(span).or_default();
        let cell = match names.get_mut(row.model.as_str()) {
            Some(cell) => cell,
            None => names.entry(row.model.clone()).or_default(),
        };
        cell.0 = cell.0.checked_add(quota).ok_or_else(overflow)?;
        cell.1 += 1;
    }
    // The models the log knows, by its names and by the card's.
    let known: BTreeSet<&str> = by_name
        .values()
        .flat_map(|m| m.keys())
        .map(String::as_str)
        .collect();
    let item_model = |c: &ChargeTotal| {
        let name = c.item.split(", ").next().unwrap_or("").trim();
        let priced = card.lookup(name, Some(c.start)).is_some();
        (priced || known.contains(name)).then(|| model_of(card, name, Some(c.start)))
    };
    // A bucket is compared by model only when each of its lines names a model.
    let mut by_model: BTreeMap<Span, bool> = BTreeMap::new();
    for c in &inside {
        let named = item_model(c).is_some();
        (by_model.entry((c.start, c.end)))
            .and_modify(|all| *all &= named)
            .or_insert(named);
    }
    let mut billed: BTreeMap<(Span, String), (Decimal, u64)> = BTreeMap::new();
    for c in inside.iter().filter(|c| by_model[&(c.start, c.end)]) {
        let Some(model) = item_model(c) else { continue };
        let cell = billed.entry(((c.start, c.end), model)).or_default();
        cell.0 = cell.0.checked_add(c.amount).ok_or_else(overflow)?;
        cell.1 += 1;
    }
    let mut logged: BTreeMap<(Option<Span>, String), (i64, u64)> = BTreeMap::new();
    for (span, names) in &by_name {
        if span.is_some_and(|s| !by_model[&s]) {
            continue;
        }
        for (name, (quota, n)) in names {
            let model = model_of(card, name, span.map(|s| s.0));
            let cell = logged.entry((*span, model)).or_default();
            cell.0 = cell.0.checked_add(*quota).ok_or_else(overflow)?;
            cell.1 += n;
        }
    }
    let mut out = BillGaps::default();
    let mut buckets = BTreeSet::new();
    for ((span, model), (amount, lines)) in &billed {
        let charged = logged.get(&(Some(*span), model.clone()));
        if amount.is_zero() || charged.is_some_and(|(quota, _)| *quota != 0) {
            continue;
        }
        out.billed = out.billed.checked_add(*amount).ok_or_else(overflow)?;
        out.billed_lines += lines;
        buckets.insert(*span);
        out.billed_models.insert(model.clone());
    }
    out.billed_buckets = buckets.len() as u64;
    let mut net_quota = 0i64;
    for ((span, model), (quota, n)) in &logged {
        let on_bill = span.is_some_and(|s| billed.contains_key(&(s, model.clone())));
        if *quota == 0 || on_bill {
            continue;
        }
        net_quota = net_quota.checked_add(*quota).ok_or_else(overflow)?;
        out.logged_rows += n;
        out.logged_models.insert(model.clone());
    }
    let usd = quota_to_usd(net_quota, quota_per_usd)?;
    out.logged = Decimal::ZERO.checked_sub(usd).ok_or_else(overflow)?;
    Ok(out)
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
                "{} the gateway log charged inside the window with no bill line for their model in their bucket{}",
                rows(gaps.logged_rows),
                models(&gaps.logged_models)
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
                    "1 row the gateway log charged inside the window with no bill line for their model in their bucket",
                    "-0.006".parse().unwrap()
                ),
            ]
        );
        assert!(steps
            .iter()
            .all(|s| s.class == VarianceClass::UsageCaptureGap));
    }
}
