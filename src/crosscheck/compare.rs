//! The comparisons: each pair of streams the files allow, model by model for usage, with
//! the requests joined by id where both sides carry one.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{overflow, Pricings, StreamFigures};
use crate::classify::VarianceClass;
use crate::decimal::serde_str;
use crate::error::Error;
use crate::ingest::{FileReport, Stream};
use crate::price::{LineStatus, Pricing};
use crate::ratecard::Dimension;

/// Which two figures a cross-check compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// Client-side usage priced with the card against the gateway's usage priced the same.
    ClientPricedVsGatewayPriced,
    /// The provider's usage report against the request-level usage (gateway or client).
    ProviderUsageVsRequestUsage,
    /// Billed (or account totals) against the gateway's recorded quota.
    ChargedVsGatewayRecorded,
    /// Billed against the expected charge, when there is no gateway log.
    ChargedVsExpected,
}

/// One comparison between two streams.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossCheck {
    pub name: CheckName,
    pub left: Stream,
    pub right: Stream,
    #[serde(with = "serde_str")]
    pub left_amount: Decimal,
    #[serde(with = "serde_str")]
    pub right_amount: Decimal,
    /// right − left.
    #[serde(with = "serde_str")]
    pub difference: Decimal,
    pub within_tolerance: bool,
    /// The class a difference here belongs to (None when there is none).
    pub class: Option<VarianceClass>,
    /// Built from counts and amounts only, never from input text.
    pub evidence: String,
    /// Usage comparisons, model by model (rate-card labels): where the streams differ.
    pub per_model: Vec<ModelDifference>,
    /// When both streams carry request ids: how many requests each side has that the
    /// other lacks. None when either side has no ids.
    pub request_join: Option<RequestJoin>,
}

/// Requests matched by id across two streams (distinct ids, hashed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestJoin {
    pub matched: u64,
    pub left_only: u64,
    pub right_only: u64,
}

/// Every stream's request ids (hashed), sorted and distinct.
pub type RequestIds = BTreeMap<Stream, Vec<u64>>;

/// Collects each stream's request ids from its files.
pub fn request_ids(files: &[FileReport]) -> RequestIds {
    let mut ids = RequestIds::new();
    for f in files {
        ids.entry(f.stream())
            .or_default()
            .extend(&f.evidence.request_ids);
    }
    for list in ids.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    ids.retain(|_, list| !list.is_empty());
    ids
}

fn join(left: &[u64], right: &[u64]) -> RequestJoin {
    let (mut i, mut j, mut matched) = (0, 0, 0u64);
    while i < left.len() && j < right.len() {
        match left[i].cmp(&right[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                matched += 1;
                i += 1;
                j += 1;
            }
        }
    }
    RequestJoin {
        matched,
        left_only: left.len() as u64 - matched,
        right_only: right.len() as u64 - matched,
    }
}

/// One model in a usage comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelDifference {
    pub model: String,
    /// None while a usage bucket on that side does not state its request count.
    pub left_requests: Option<u64>,
    pub right_requests: Option<u64>,
    #[serde(with = "serde_str")]
    pub left_amount: Decimal,
    #[serde(with = "serde_str")]
    pub right_amount: Decimal,
    #[serde(with = "serde_str")]
    pub difference: Decimal,
    /// The dimensions whose quantities differ, "label: left vs right".
    pub evidence: String,
}

/// Quantity per dimension of one model's lines (at-risk usage aside).
fn model_quantities(pricing: &Pricing, model: &str) -> BTreeMap<Dimension, u64> {
    let mut out = BTreeMap::new();
    for line in pricing
        .lines
        .iter()
        .filter(|l| l.model == model && l.status != LineStatus::AtRisk)
    {
        let q: &mut u64 = out.entry(line.dimension).or_default();
        *q = q.saturating_add(line.quantity);
    }
    out
}

fn per_model(left: &Pricing, right: &Pricing) -> Result<Vec<ModelDifference>, Error> {
    let models: std::collections::BTreeSet<&str> = left
        .models
        .iter()
        .chain(&right.models)
        .map(|m| m.model.as_str())
        .collect();
    let mut out = Vec::new();
    for model in models {
        let find = |p: &Pricing| {
            p.models
                .iter()
                .find(|m| m.model == model)
                .cloned()
                .unwrap_or_default()
        };
        let (l, r) = (find(left), find(right));
        let difference = r
            .expected
            .checked_sub(l.expected)
            .ok_or_else(|| overflow("a model's difference"))?;
        let evidence = differing(
            &model_quantities(left, model),
            &model_quantities(right, model),
        );
        out.push(ModelDifference {
            model: crate::sanitize::label(model),
            left_requests: l.request_count(),
            right_requests: r.request_count(),
            left_amount: l.expected,
            right_amount: r.expected,
            difference,
            evidence: if evidence.is_empty() {
                "the same quantities".into()
            } else {
                evidence.join("; ")
            },
        });
    }
    Ok(out)
}

fn differing(left: &BTreeMap<Dimension, u64>, right: &BTreeMap<Dimension, u64>) -> Vec<String> {
    let dims: std::collections::BTreeSet<&Dimension> = left.keys().chain(right.keys()).collect();
    dims.into_iter()
        .filter_map(|d| {
            let (l, r) = (
                left.get(d).copied().unwrap_or(0),
                right.get(d).copied().unwrap_or(0),
            );
            (l != r).then(|| format!("{}: {} vs {}", d.label(), l, r))
        })
        .collect()
}

/// The money figure a stream contributes to a comparison.
fn amount(s: &StreamFigures) -> Option<Decimal> {
    s.charged_amount.or(s.expected_amount)
}

/// Compares the streams pairwise, in a fixed order; `gateway_recorded` is the gateway
/// log's own charge (Σ quota ÷ quota per USD), when there is a gateway log.
pub fn compare(
    streams: &[StreamFigures],
    pricings: &Pricings,
    ids: &RequestIds,
    gateway_recorded: Option<Decimal>,
    tolerance: crate::reconcile::Tolerance,
) -> Result<Vec<CrossCheck>, Error> {
    let find = |s: Stream| streams.iter().find(|f| f.stream == s);
    let mut checks = Vec::new();
    let mut push = |name,
                    left: &StreamFigures,
                    left_amount: Decimal,
                    right: &StreamFigures,
                    right_amount: Decimal,
                    class,
                    evidence: String|
     -> Result<(), Error> {
        let c = crate::reconcile::variance(left_amount, true, right_amount, tolerance)?;
        let request_join = match (ids.get(&left.stream), ids.get(&right.stream)) {
            (Some(l), Some(r)) => Some(join(l, r)),
            _ => None,
        };
        let mut evidence = evidence;
        if let Some(j) = &request_join {
            evidence.push_str(&format!(
                "; request ids: {} in both, {} only in the {}, {} only in the {}",
                j.matched,
                j.left_only,
                left.stream.describe(),
                j.right_only,
                right.stream.describe()
            ));
            if j.matched == 0 {
                evidence.push_str(" (no id appears in both: the logs carry different ids, so only the totals above compare)");
            }
        }
        checks.push(CrossCheck {
            name,
            left: left.stream,
            right: right.stream,
            left_amount,
            right_amount,
            difference: c.amount,
            within_tolerance: c.within_tolerance,
            class: (!c.amount.is_zero()).then_some(class),
            evidence,
            per_model: match (pricings.get(&left.stream), pricings.get(&right.stream)) {
                (Some(l), Some(r)) if right.stream.is_usage() => per_model(l, r)?,
                _ => Vec::new(),
            },
            request_join,
        });
        Ok(())
    };
    use VarianceClass::*;
    let gateway = find(Stream::GatewayLog);
    let client = find(Stream::ClientRequests);
    let usage = find(Stream::ProviderUsage);
    let usage_pairs = [
        (CheckName::ClientPricedVsGatewayPriced, client, gateway),
        (
            CheckName::ProviderUsageVsRequestUsage,
            gateway.or(client),
            usage,
        ),
    ];
    for (name, left, right) in usage_pairs {
        let (Some(l), Some(r)) = (left, right) else {
            continue;
        };
        let (l_amount, r_amount) = (l.expected_amount, r.expected_amount);
        let (l_amount, r_amount) = (l_amount.unwrap_or_default(), r_amount.unwrap_or_default());
        push(
            name,
            l,
            l_amount,
            r,
            r_amount,
            UsageCaptureGap,
            usage_evidence(l, r),
        )?;
    }
    for charged in [Stream::Billing, Stream::AccountTotals] {
        let Some(b) = find(charged) else { continue };
        let billed = b.charged_amount.unwrap_or_default();
        // A bucket reaching outside the window cannot be split: while there is one, the
        // difference is first of all a time-window mismatch.
        let (straddle, class_if) = if b.straddling_buckets > 0 {
            let note = format!(
                "; {} charged in {} bucket(s) that reach outside the window are not compared \
                 (time-window mismatch: set the window to whole buckets, e.g. UTC days, to compare them)",
                crate::decimal::format(b.straddling_amount),
                b.straddling_buckets
            );
            (note, Some(TimeWindowMismatch))
        } else {
            (String::new(), None)
        };
        let billed_text = crate::decimal::format(billed);
        let pairs = [
            (
                CheckName::ChargedVsGatewayRecorded,
                gateway.zip(gateway_recorded),
                AccountSpecificBillingIssue,
                "the gateway's recorded quota",
            ),
            (
                CheckName::ChargedVsExpected,
                client
                    .or(usage)
                    .filter(|_| gateway.is_none())
                    .map(|u| (u, amount(u).unwrap_or_default())),
                PricingSourceMismatch,
                "the usage priced with the verified rates",
            ),
        ];
        for (name, left, class, against) in pairs {
            let Some((l, l_amount)) = left else { continue };
            let evidence = format!(
                "{billed_text} charged in buckets inside the window against {against}{straddle}"
            );
            push(
                name,
                l,
                l_amount,
                b,
                billed,
                class_if.unwrap_or(class),
                evidence,
            )?;
        }
    }
    Ok(checks)
}

fn usage_evidence(left: &StreamFigures, right: &StreamFigures) -> String {
    let parts = differing(&left.quantities, &right.quantities);
    let mut text = if parts.is_empty() {
        "the same quantities in every dimension".to_string()
    } else {
        format!("quantities differ ({})", parts.join("; "))
    };
    for s in [left, right] {
        if s.usage_unknown_requests > 0 {
            text.push_str(&format!(
                "; {} request(s) in the {} have no usage figures (unknown, not priced)",
                s.usage_unknown_requests,
                s.stream.describe()
            ));
        }
    }
    text
}
