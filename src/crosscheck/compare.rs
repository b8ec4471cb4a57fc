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

/// A model's evidence when both sides hold the same quantity in every dimension.
const SAME_QUANTITIES: &str = "the same quantities";

impl ModelDifference {
    /// Whether the two sides tell this model apart, in money or in any quantity: the
    /// models worth listing under a comparison.
    pub fn differs(&self) -> bool {
        !self.difference.is_zero() || self.evidence != SAME_QUANTITIES
    }
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
                SAME_QUANTITIES.into()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::Tolerance;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn stream(stream: Stream, expected: Option<&str>, charged: Option<&str>) -> StreamFigures {
        StreamFigures {
            stream,
            files: vec![format!("{stream:?}")],
            accepted_rows: 1,
            usage_unknown_requests: 0,
            expected_amount: expected.map(d),
            expected_complete: true,
            quantities: BTreeMap::new(),
            reported_cost: None,
            charged_amount: charged.map(d),
            straddling_amount: Decimal::ZERO,
            straddling_buckets: 0,
            outcomes: BTreeMap::new(),
        }
    }

    fn tolerance() -> Tolerance {
        Tolerance {
            absolute: d("0.001"),
            percent: d("0"),
        }
    }

    #[test]
    fn request_ids_join_by_value() {
        // (left ids, right ids, matched, left only, right only)
        type Case<'a> = (&'a [u64], &'a [u64], u64, u64, u64);
        let cases: [Case; 4] = [
            (&[], &[], 0, 0, 0),
            (&[1, 2, 3], &[2, 3, 4], 2, 1, 1),
            (&[1, 2], &[3, 4], 0, 2, 2),
            (&[5], &[5], 1, 0, 0),
        ];
        for (left, right, matched, left_only, right_only) in cases {
            let j = join(left, right);
            assert_eq!(
                (j.matched, j.left_only, j.right_only),
                (matched, left_only, right_only),
                "{left:?} vs {right:?}"
            );
        }
    }

    #[test]
    fn only_dimensions_that_differ_are_named() {
        let left = BTreeMap::from([(Dimension::UncachedInput, 10), (Dimension::Output, 5)]);
        let right = BTreeMap::from([(Dimension::UncachedInput, 10), (Dimension::CachedInput, 2)]);
        assert_eq!(
            differing(&left, &right),
            ["cached input: 0 vs 2", "output: 5 vs 0"]
        );
        assert!(differing(&left, &left).is_empty());
    }

    /// Which pairs are compared, and how each difference is classed, by hand.
    #[test]
    fn each_pair_the_files_allow_is_compared_once() {
        let gateway = stream(Stream::GatewayLog, Some("1.00"), None);
        let client = stream(Stream::ClientRequests, Some("0.90"), None);
        let billing = stream(Stream::Billing, None, Some("1.10"));
        let billed_as_recorded = stream(Stream::Billing, None, Some("1.05"));
        // (the streams present, the gateway's recorded figure, the checks expected)
        type Want<'a> = Vec<(CheckName, &'a str, Option<VarianceClass>)>;
        type Case<'a> = (Vec<&'a StreamFigures>, Option<&'a str>, Want<'a>);
        let cases: [Case; 3] = [
            // Client and gateway usage: a usage-capture gap of 0.10; billed against the
            // gateway's recorded 1.05: an account-specific billing issue of 0.05.
            (
                vec![&gateway, &client, &billing],
                Some("1.05"),
                vec![
                    (
                        CheckName::ClientPricedVsGatewayPriced,
                        "0.10",
                        Some(VarianceClass::UsageCaptureGap),
                    ),
                    (
                        CheckName::ChargedVsGatewayRecorded,
                        "0.05",
                        Some(VarianceClass::AccountSpecificBillingIssue),
                    ),
                ],
            ),
            // No gateway log: billed against the client's priced usage instead.
            (
                vec![&client, &billing],
                None,
                vec![(
                    CheckName::ChargedVsExpected,
                    "0.20",
                    Some(VarianceClass::PricingSourceMismatch),
                )],
            ),
            // Equal figures: compared, and no class is given to a zero difference.
            (
                vec![&gateway, &billed_as_recorded],
                Some("1.05"),
                vec![(CheckName::ChargedVsGatewayRecorded, "0", None)],
            ),
        ];
        for (streams, recorded, want) in cases {
            let streams: Vec<StreamFigures> = streams.into_iter().cloned().collect();
            let checks = compare(
                &streams,
                &Pricings::new(),
                &RequestIds::new(),
                recorded.map(d),
                tolerance(),
            )
            .unwrap();
            let got: Vec<(CheckName, Decimal, Option<VarianceClass>)> = checks
                .iter()
                .map(|c| (c.name, c.difference, c.class))
                .collect();
            let want: Vec<(CheckName, Decimal, Option<VarianceClass>)> =
                want.into_iter().map(|(n, a, c)| (n, d(a), c)).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn a_straddling_bill_is_first_a_time_window_mismatch() {
        let gateway = stream(Stream::GatewayLog, Some("1"), None);
        let mut billing = stream(Stream::Billing, None, Some("0.5"));
        billing.straddling_buckets = 1;
        billing.straddling_amount = d("0.75");
        let checks = compare(
            &[gateway, billing],
            &Pricings::new(),
            &RequestIds::new(),
            Some(d("1")),
            tolerance(),
        )
        .unwrap();
        assert_eq!(checks[0].class, Some(VarianceClass::TimeWindowMismatch));
        assert!(
            checks[0]
                .evidence
                .contains("0.75 charged in 1 bucket(s) that reach outside the window"),
            "{}",
            checks[0].evidence
        );
    }

    #[test]
    fn a_model_is_listed_when_money_or_a_quantity_differs() {
        let cases = [
            ("0", SAME_QUANTITIES, false),
            ("0.01", SAME_QUANTITIES, true),
            ("-0.01", SAME_QUANTITIES, true),
            // Quantities that differ but price the same (an unpriced dimension).
            ("0", "output tokens: 10 vs 12", true),
        ];
        for (difference, evidence, differs) in cases {
            let model = ModelDifference {
                model: "m".into(),
                left_requests: Some(1),
                right_requests: Some(1),
                left_amount: Decimal::ONE,
                right_amount: Decimal::ONE,
                difference: Decimal::from_str_exact(difference).unwrap(),
                evidence: evidence.into(),
            };
            assert_eq!(model.differs(), differs, "{difference} {evidence}");
        }
    }
}
