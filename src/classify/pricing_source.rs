//! The pricing-source family: the gateway's logged ratios price usage differently from
//! the verified card (a stale rate, a group ratio, a discount), or exactly at another
//! model's verified rates (an alias mapped to another billable model), and new-api's
//! integer quota is off by a fraction of one quota per row.

use super::{rows, step, BridgeStep, Cause, VarianceClass};
use crate::price::{Pricing, RateDifference};

pub(super) fn steps(pricing: &Pricing) -> Vec<BridgeStep> {
    let (b, q) = (&pricing.bridge, &pricing.quota_check);
    let class = VarianceClass::PricingSourceMismatch;
    // The rows whose quota part is rounding: consistent ones (less those charged the
    // 1-quota minimum, a step of their own) and re-read ones.
    let rounded = (q.consistent_rows.saturating_sub(b.minimum_rows)).saturating_add(q.reread_rows);
    vec![
        step(
            class,
            Cause::RatioMismatch,
            b.pricing_mismatch,
            format!(
                "{} whose logged ratios price their usage differently from the verified rates{}",
                rows(b.pricing_mismatch_rows),
                which_rates(&b.rate_differences)
            ),
        ),
        step(
            class,
            Cause::AliasPricedAsOther,
            b.alias.amount,
            format!(
                "{} whose logged ratios give exactly the verified rates of another model{}",
                rows(b.alias.rows),
                which_models(&b.alias.pairs)
            ),
        ),
        step(
            class,
            Cause::IntegerQuotaRounding,
            b.quota_rounding,
            format!(
                "{} whose logged quota is within ±1 of the quota their ratios give ({:?} rule){}",
                rows(rounded),
                q.rule,
                match q.reread_rows {
                    0 => String::new(),
                    n => format!(", {n} of them under another reading of their fields"),
                }
            ),
        ),
    ]
}

/// ": gpt-4o-mini priced as gpt-4o; …", three pairs at most, sanitized labels.
fn which_models(pairs: &std::collections::BTreeSet<(String, String)>) -> String {
    let label = crate::sanitize::label;
    let named: Vec<String> = (pairs.iter().take(3))
        .map(|(logged, other)| format!("{} priced as {}", label(logged), label(other)))
        .collect();
    match (named.is_empty(), pairs.len().saturating_sub(3)) {
        (true, _) => String::new(),
        (false, 0) => format!(": {}", named.join("; ")),
        (false, more) => format!(": {}; and {more} more", named.join("; ")),
    }
}

/// ": gpt-4o output at 8 per 1M tokens by its logged ratios (1.25 × 4 × group 1)
/// against 10 on the card; …", the largest differences first, three at most.
fn which_rates(differences: &[RateDifference]) -> String {
    use crate::decimal::format;
    let mut largest: Vec<&RateDifference> = differences.iter().collect();
    largest.sort_by_key(|d| std::cmp::Reverse(d.amount.abs()));
    let named: Vec<String> = largest
        .iter()
        .take(3)
        .map(|d| {
            format!(
                "{} {} at {} {} by its logged ratios ({} × {} × group {}) against {} on the card",
                crate::sanitize::label(&d.model),
                d.dimension.label(),
                format(d.logged_rate),
                d.dimension.unit(d.unit_size),
                format(d.model_ratio),
                format(d.dimension_ratio),
                format(d.group_ratio),
                format(d.card_rate),
            )
        })
        .collect();
    match (named.is_empty(), differences.len().saturating_sub(3)) {
        (true, _) => String::new(),
        (false, 0) => format!(": {}", named.join("; ")),
        (false, more) => format!(": {}; and {more} more", named.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratecard::Dimension;

    fn difference(model: &str, card: i64, logged: i64, amount: i64) -> RateDifference {
        RateDifference {
            model: model.into(),
            dimension: Dimension::Output,
            unit_size: 1_000_000.into(),
            card_rate: card.into(),
            logged_rate: logged.into(),
            model_ratio: "1.25".parse().unwrap(),
            dimension_ratio: 4.into(),
            group_ratio: 1.into(),
            rows: 1,
            quantity: 1,
            amount: amount.into(),
        }
    }

    /// The largest differences first, three at most, then how many more.
    #[test]
    fn which_rates_names_the_largest_three() {
        let cases: [(Vec<RateDifference>, &str); 3] = [
            (vec![], ""),
            (
                vec![difference("gpt-4o", 12, 10, -1)],
                ": gpt-4o output at 10 per 1M tokens by its logged ratios (1.25 × 4 × group 1) against 12 on the card",
            ),
            (
                vec![
                    difference("a", 1, 2, 1),
                    difference("b", 1, 2, -5),
                    difference("c", 1, 2, 3),
                    difference("d", 1, 2, 2),
                ],
                ": b output at 2 per 1M tokens by its logged ratios (1.25 × 4 × group 1) against 1 on the card; c output at 2 per 1M tokens by its logged ratios (1.25 × 4 × group 1) against 1 on the card; d output at 2 per 1M tokens by its logged ratios (1.25 × 4 × group 1) against 1 on the card; and 1 more",
            ),
        ];
        for (differences, want) in cases {
            assert_eq!(which_rates(&differences), want);
        }
    }
}
