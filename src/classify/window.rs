//! The time-window family: against a bill or account totals, a bucket that reaches past
//! the window's edge cannot be split, so it stays out of the provider-side figure
//! (`reconcile::reconcile_charges`), while the usage priced inside the window within it
//! stays in the expected charge.
//!
//! With the gateway log priced, the variance (bill − expected) is (gateway − expected),
//! which the other families explain row by row, plus (bill − gateway). The straddling
//! step is the part of the second term those rows make: the bill leaves out what the
//! gateway charged for them, so its amount is −Σ their net quota (consumed − refunded) ÷
//! quota per USD, exactly; their own (gateway − expected) stays with the row's other
//! causes, and nothing is counted twice. A row counts when its time lies in a
//! straddling bucket's span and in no span of a bucket wholly inside the window.

use std::collections::BTreeSet;

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::{count, models, rows, step, BridgeStep, Cause, VarianceClass};
use crate::error::Error;
use crate::ingest::{FileReport, RowKind, Stream};
use crate::price::quota::quota_to_usd;
use crate::settings::ValidSettings;

/// What the straddling buckets leave out of the provider-side figure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WindowGaps {
    /// Periods (distinct start and end) of the provider-side stream that reach past the
    /// window's edge, and the charge lines in them.
    pub straddling_buckets: u64,
    pub straddling_lines: u64,
    /// Gateway rows inside the window within those buckets, and their models.
    pub straddled_rows: u64,
    pub straddled_models: BTreeSet<String>,
    /// −(their net quota ÷ quota per USD).
    pub straddled: Decimal,
    /// What the bill and the gateway log do not share inside the window, by model.
    pub billed: super::billed::BillGaps,
}

fn evidence_files(files: &[FileReport], stream: Stream) -> impl Iterator<Item = &FileReport> {
    (files.iter()).filter(move |f| f.gives_evidence() && f.stream() == stream)
}

/// The straddling buckets' part of the variance, when the expected charge is priced from
/// the gateway log and a bill or account totals stand as the provider-side figure;
/// nothing otherwise (the step then does not apply).
pub fn gaps(
    files: &[FileReport],
    settings: &ValidSettings,
    priced: Option<Stream>,
    recorded: Option<Stream>,
) -> Result<WindowGaps, Error> {
    let mut out = WindowGaps::default();
    let charged = match (priced, recorded) {
        (Some(Stream::GatewayLog), Some(s @ (Stream::Billing | Stream::AccountTotals))) => s,
        _ => return Ok(out),
    };
    let charges: Vec<_> = (evidence_files(files, charged))
        .flat_map(|f| f.evidence.charges.iter())
        .collect();
    let gateway = evidence_files(files, Stream::GatewayLog).flat_map(|f| f.rows.iter());
    out.billed = super::billed::gaps(
        &charges,
        gateway,
        &settings.rate_card,
        settings.quota_per_usd,
    )?;
    let (mut straddling, mut inside) = (Vec::new(), Vec::new());
    for charge in charges {
        let span = (charge.start, charge.end);
        out.straddling_lines += u64::from(charge.straddles);
        match charge.straddles {
            true if !straddling.contains(&span) => straddling.push(span),
            false if !inside.contains(&span) => inside.push(span),
            _ => {}
        }
    }
    out.straddling_buckets = straddling.len() as u64;
    if straddling.is_empty() {
        return Ok(out);
    }
    let within = |spans: &[(Timestamp, Timestamp)], at: Timestamp| {
        spans.iter().any(|(start, end)| *start <= at && at < *end)
    };
    let mut net_quota = 0i64;
    let overflow = || Error::overflow("the straddling buckets");
    for row in evidence_files(files, Stream::GatewayLog).flat_map(|f| f.rows.iter()) {
        let Some(at) = row.time() else { continue };
        if !within(&straddling, at) || within(&inside, at) {
            continue;
        }
        let quota = match row.kind {
            RowKind::Refund => row.quota.checked_neg().ok_or_else(overflow)?,
            _ => row.quota,
        };
        net_quota = net_quota.checked_add(quota).ok_or_else(overflow)?;
        out.straddled_rows += 1;
        if !out.straddled_models.contains(&row.model) {
            out.straddled_models.insert(row.model.clone());
        }
    }
    let usd = quota_to_usd(net_quota, settings.quota_per_usd)?;
    out.straddled = Decimal::ZERO.checked_sub(usd).ok_or_else(overflow)?;
    Ok(out)
}

/// The bill's usage gaps by model, then the straddling buckets.
pub(super) fn steps(window: &WindowGaps) -> Vec<BridgeStep> {
    let mut steps = super::billed::steps(&window.billed);
    steps.push(step(
        VarianceClass::TimeWindowMismatch,
        Cause::StraddlingBucket,
        window.straddled,
        format!(
            "left out of the provider-side figure: {} in {} reaching past the window's edge, within which the gateway log charged {} inside the window{}",
            count(window.straddling_lines, "charge line"),
            count(window.straddling_buckets, "bucket"),
            rows(window.straddled_rows),
            models(&window.straddled_models)
        ),
    ));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The evidence names the buckets, the rows and the models, never an amount of text
    /// from the files.
    #[test]
    fn the_step_says_what_the_buckets_hold() {
        let cases = [
            (
                WindowGaps {
                    straddling_buckets: 2,
                    straddling_lines: 4,
                    straddled_rows: 3,
                    straddled_models: ["gpt-4o".to_string()].into(),
                    straddled: "-0.014".parse().unwrap(),
                    ..WindowGaps::default()
                },
                "left out of the provider-side figure: 4 charge lines in 2 buckets reaching past the window's edge, within which the gateway log charged 3 rows inside the window (gpt-4o)",
            ),
            (
                WindowGaps {
                    straddling_buckets: 1,
                    straddling_lines: 1,
                    straddled_rows: 1,
                    ..WindowGaps::default()
                },
                "left out of the provider-side figure: 1 charge line in 1 bucket reaching past the window's edge, within which the gateway log charged 1 row inside the window",
            ),
        ];
        for (gaps, want) in cases {
            let steps = steps(&gaps);
            assert_eq!(steps[2].evidence, want);
            assert_eq!(steps[2].amount, gaps.straddled);
        }
    }
}
