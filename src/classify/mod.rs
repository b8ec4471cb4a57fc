//! classify: explains the variance as a bridge from expected to billed.
//!
//! Each step names its class (the seed's six), a finer cause, the amount it explains
//! and the evidence behind it. What no step explains is the residual, so that
//! Σ steps + residual = billed − expected, always.
//!
//! One file per class family proposes its steps: [`pricing_source`] (ratio
//! differences, integer-quota rounding), [`fields`] (another reading of the usage
//! fields, usage missing on charged rows), [`account`] (quota the ratios do not explain,
//! credits), [`capture`] (unpriced usage, charged requests of unknown outcome) and
//! [`window`] (a bill's buckets straddling the window). With what the client saw as
//! the expected side and the gateway log's quota as the provider-side figure,
//! [`client_join`] ties the client's requests to the gateway's charges by request id:
//! retries charged twice, timeouts and cancelled streams charged, charges with no client
//! request, requests the provider never saw and charges posted after the window's end
//! each take their rows wholly (its doc gives the precedence), and the other families
//! explain the gateway rows left.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

mod account;
pub mod billed;
mod capture;
pub mod client_join;
mod fields;
mod pricing_source;
pub mod window;

use crate::error::Error;
use crate::price::{Pricing, RateDifference};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceClass {
    PricingSourceMismatch,
    UsageCaptureGap,
    FieldInterpretationGap,
    TimeWindowMismatch,
    AccountSpecificBillingIssue,
    Unknown,
}

impl VarianceClass {
    pub fn describe(self) -> &'static str {
        match self {
            VarianceClass::PricingSourceMismatch => "pricing-source mismatch",
            VarianceClass::UsageCaptureGap => "usage-capture gap",
            VarianceClass::FieldInterpretationGap => "field interpretation gap",
            VarianceClass::TimeWindowMismatch => "time-window mismatch",
            VarianceClass::AccountSpecificBillingIssue => "account-specific billing issue",
            VarianceClass::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The gateway's logged ratios price the usage differently from the verified card
    /// (a group ratio, a discount, or a stale rate on one side).
    RatioMismatch,
    /// new-api writes integer quota; each row is off by a fraction of one quota.
    IntegerQuotaRounding,
    /// Rows whose quota the gateway's own logged ratios do not explain (beyond ±1).
    QuotaMismatch,
    /// Refund rows returned quota to the account.
    CreditAdjustment,
    /// Charged usage with no verified rate for it.
    UnpricedModel,
    /// Charged rows whose outcome the policy leaves unknown (failures, retries, timeouts).
    FailedRequestCharged,
    /// Cached tokens inside the prompt counted again beside it (the gateway's quota
    /// matches only that reading).
    CachedCountedTwice,
    /// Cached tokens beside the prompt read as if inside it (taken out of the prompt).
    CachedReadAsInside,
    /// Reasoning tokens inside the completion counted again beside it.
    ReasoningCountedTwice,
    /// Cache writes counted as input as well.
    CacheWriteAsInput,
    /// Rows charged with every usage field empty.
    MissingUsageField,
    /// A bill's bucket reaching past the window's edge, left out of the provider-side
    /// figure while the usage inside the window within it is expected.
    StraddlingBucket,
    /// A model name the gateway priced at another card model's rates (every priced
    /// dimension at that model's price).
    AliasPricedAsOther,
    /// Rows charged new-api's minimum of 1 quota where their ratios give less.
    MinimumCharge,
    /// The same request id charged more often than the client sent it (what the client
    /// saw as the expected side): the extra charges.
    RetryDuplication,
    /// A request the client saw time out that the gateway charged.
    TimeoutAmbiguity,
    /// A stream the client cancelled that the gateway charged.
    CancelledStreamCharged,
    /// A gateway charge whose request id the client log does not have.
    ChargeWithoutClientRequest,
    /// A client request whose id the gateway log has no row for.
    RequestNeverSeen,
    /// A client request inside the window the gateway stamped after the window's end
    /// (within the buffer): the provider figure lacks it.
    PostingDelay,
    /// A bill line for a model and bucket in which the gateway log charged that model
    /// nothing: usage the bill has and the log does not.
    BilledWithoutLoggedUsage,
    /// Gateway rows inside the window the bill has no line for (their model, their
    /// bucket): usage the log has and the bill does not.
    LoggedUsageNotBilled,
}

impl Cause {
    /// Every cause, in the order the bridge shows their families (the record's schema
    /// lists the same names).
    pub const ALL: [Cause; 22] = [
        Cause::RatioMismatch,
        Cause::AliasPricedAsOther,
        Cause::IntegerQuotaRounding,
        Cause::CachedCountedTwice,
        Cause::CachedReadAsInside,
        Cause::ReasoningCountedTwice,
        Cause::CacheWriteAsInput,
        Cause::MissingUsageField,
        Cause::QuotaMismatch,
        Cause::MinimumCharge,
        Cause::CreditAdjustment,
        Cause::UnpricedModel,
        Cause::FailedRequestCharged,
        Cause::RetryDuplication,
        Cause::TimeoutAmbiguity,
        Cause::CancelledStreamCharged,
        Cause::ChargeWithoutClientRequest,
        Cause::RequestNeverSeen,
        Cause::BilledWithoutLoggedUsage,
        Cause::LoggedUsageNotBilled,
        Cause::StraddlingBucket,
        Cause::PostingDelay,
    ];

    /// The cause as a noun phrase, for a sentence: "explained by {phrase} (amount)".
    pub fn phrase(self) -> &'static str {
        match self {
            Cause::RatioMismatch => "prices that differ from the verified rates",
            Cause::IntegerQuotaRounding => "integer-quota rounding",
            Cause::QuotaMismatch => "quota the rows' own ratios do not explain",
            Cause::CreditAdjustment => "credits or adjustments (refunds)",
            Cause::UnpricedModel => "usage with no verified rate",
            Cause::FailedRequestCharged => "failed or unknown-outcome requests that were charged",
            Cause::CachedCountedTwice => "cached tokens counted both inside and beside the prompt",
            Cause::CachedReadAsInside => "cached tokens beside the prompt read as inside it",
            Cause::ReasoningCountedTwice => {
                "reasoning tokens counted both inside and beside the output"
            }
            Cause::CacheWriteAsInput => "cache writes counted as input too",
            Cause::MissingUsageField => "charged rows with no usage field",
            Cause::StraddlingBucket => "billing buckets straddling the window",
            Cause::AliasPricedAsOther => "a model name priced at another model's rates",
            Cause::MinimumCharge => "the gateway's minimum charge of 1 quota",
            Cause::RetryDuplication => "the same request charged more than once",
            Cause::TimeoutAmbiguity => "requests the client saw time out that were charged",
            Cause::CancelledStreamCharged => "streams the client cancelled that were charged",
            Cause::ChargeWithoutClientRequest => "charges with no client request behind them",
            Cause::RequestNeverSeen => "client requests the provider never saw",
            Cause::PostingDelay => "charges posted after the window's end",
            Cause::BilledWithoutLoggedUsage => "billed usage the gateway log does not have",
            Cause::LoggedUsageNotBilled => "logged usage the bill does not have",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Cause::RatioMismatch => "gateway ratios differ from the verified rates",
            Cause::IntegerQuotaRounding => "integer-quota rounding",
            Cause::QuotaMismatch => "quota not explained by the row's own ratios",
            Cause::CreditAdjustment => "credit or adjustment",
            Cause::UnpricedModel => "unpriced model or dimension",
            Cause::FailedRequestCharged => "failed or unknown-outcome requests charged",
            Cause::CachedCountedTwice => "cached tokens counted twice",
            Cause::CachedReadAsInside => "cached tokens read as inside the prompt",
            Cause::ReasoningCountedTwice => "reasoning tokens counted twice",
            Cause::CacheWriteAsInput => "cache writes counted as input",
            Cause::MissingUsageField => "missing usage field",
            Cause::StraddlingBucket => "bucket straddling the window",
            Cause::AliasPricedAsOther => "alias priced at another model's rate",
            Cause::MinimumCharge => "minimum charge",
            Cause::RetryDuplication => "retry duplication",
            Cause::TimeoutAmbiguity => "timeout ambiguity",
            Cause::CancelledStreamCharged => "cancelled stream charged",
            Cause::ChargeWithoutClientRequest => "gateway charge without a client request",
            Cause::RequestNeverSeen => "request the provider never saw",
            Cause::PostingDelay => "posting delay",
            Cause::BilledWithoutLoggedUsage => "billed, not in the gateway log",
            Cause::LoggedUsageNotBilled => "in the gateway log, not billed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeStep {
    pub class: VarianceClass,
    pub cause: Cause,
    #[serde(with = "crate::decimal::serde_str")]
    pub amount: Decimal,
    /// Built from counts only, never from input text.
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bridge {
    pub steps: Vec<BridgeStep>,
    #[serde(with = "crate::decimal::serde_str")]
    pub residual: Decimal,
    /// Which prices differ: the evidence behind the pricing-source mismatch step, one
    /// entry per model × dimension × pair of prices.
    pub rate_differences: Vec<RateDifference>,
    /// With what the client saw as the expected side: how the join tied the two logs
    /// (None otherwise, and then left out of the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_join: Option<client_join::JoinCounts>,
}

fn overflow() -> Error {
    Error::overflow("the variance bridge")
}

fn rows(n: u64) -> String {
    count(n, "row")
}

/// The possessive that agrees with `n` rows: "1 row … its own ratios", "2 rows … their".
fn their(n: u64) -> &'static str {
    if n == 1 {
        "its"
    } else {
        "their"
    }
}

fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A step as its family proposes it: shown only when its amount is not zero.
fn step(class: VarianceClass, cause: Cause, amount: Decimal, evidence: String) -> BridgeStep {
    BridgeStep {
        class,
        cause,
        amount,
        evidence,
    }
}

/// " (gpt-4o, mj_x)": the sanitized labels of the models a cause touched; "" for none.
fn models(set: &std::collections::BTreeSet<String>) -> String {
    let names: Vec<String> = set.iter().map(|m| crate::sanitize::label(m)).collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(", "))
    }
}

/// Builds the bridge for `variance` (billed − expected) from what pricing attributed.
///
/// Steps come family by family in a fixed order (pricing source, field
/// interpretation, account, capture, then the time window);
/// each row's (recorded − expected) was filed under one cause only when it was priced
/// (`price::BridgeInputs`), so no two steps count the same part of a row.
pub fn bridge(pricing: &Pricing, variance: Decimal) -> Result<Bridge, Error> {
    bridge_with(pricing, &window::WindowGaps::default(), variance)
}

/// [`bridge`] with what the window's edges leave out of a charge stream's figure
/// ([`window::gaps`]): the gateway rows' own causes explain (gateway − expected), the
/// straddling buckets a part of (bill − gateway), so no row's part counts twice.
pub fn bridge_with(
    pricing: &Pricing,
    window: &window::WindowGaps,
    variance: Decimal,
) -> Result<Bridge, Error> {
    let families = [
        pricing_source::steps(pricing),
        fields::steps(pricing),
        account::steps(pricing),
        capture::steps(pricing),
        window::steps(window),
    ];
    balance(families, pricing, variance)
}

/// The bridge with what the client saw as the expected side and the gateway log's quota
/// as the provider-side figure: the gateway rows the join leaves (`join.rest`) keep
/// their own causes, and the join's causes take the rows and requests it ties
/// ([`client_join`]'s precedence), so no part of a row counts twice.
pub fn bridge_joined(join: &client_join::ClientJoin, variance: Decimal) -> Result<Bridge, Error> {
    let rest = &join.rest;
    let families = [
        pricing_source::steps(rest),
        fields::steps(rest),
        account::steps(rest),
        capture::steps(rest),
        client_join::steps(join),
    ];
    let mut bridge = balance(families, rest, variance)?;
    bridge.request_join = Some(join.counts());
    Ok(bridge)
}

/// The steps whose amount is not zero, in the families' order, and the residual.
fn balance(
    families: [Vec<BridgeStep>; 5],
    pricing: &Pricing,
    variance: Decimal,
) -> Result<Bridge, Error> {
    let steps: Vec<BridgeStep> = families
        .into_iter()
        .flatten()
        .filter(|s| !s.amount.is_zero())
        .collect();
    let explained = steps
        .iter()
        .try_fold(Decimal::ZERO, |sum, s| sum.checked_add(s.amount))
        .ok_or_else(overflow)?;
    let residual = variance.checked_sub(explained).ok_or_else(overflow)?;
    Ok(Bridge {
        steps,
        residual,
        rate_differences: pricing.bridge.rate_differences.clone(),
        request_join: None,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::price::BridgeInputs;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn pricing(inputs: BridgeInputs) -> Pricing {
        Pricing {
            bridge: inputs,
            ..Pricing::default()
        }
    }

    fn steps(b: &Bridge) -> Vec<(Cause, Decimal)> {
        b.steps.iter().map(|s| (s.cause, s.amount)).collect()
    }

    fn models(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    /// Hand-computed bridges: each case's amounts, in the causes' fixed order, and the
    /// residual = variance − Σ steps.
    #[test]
    fn bridges_by_hand() {
        use Cause::*;
        // (name, what pricing attributed, variance, steps, residual)
        type Case<'a> = (
            &'a str,
            BridgeInputs,
            &'a str,
            Vec<(Cause, &'a str)>,
            &'a str,
        );
        let cases: [Case; 5] = [
            // Nothing attributed: the whole variance is residual.
            ("nothing", BridgeInputs::default(), "0.25", vec![], "0.25"),
            // Steps that cancel are both shown: a +0.01 ratio difference against −0.01
            // of rounding explains nothing net, and the residual is the whole variance.
            (
                "cancelling",
                BridgeInputs {
                    pricing_mismatch: d("0.01"),
                    quota_rounding: d("-0.01"),
                    pricing_mismatch_rows: 3,
                    ..BridgeInputs::default()
                },
                "0.2",
                vec![(RatioMismatch, "0.01"), (IntegerQuotaRounding, "-0.01")],
                "0.2",
            ),
            // A refund larger than the usage: −0.5 returned against a −0.3 variance
            // leaves +0.2 unexplained.
            (
                "big refund",
                BridgeInputs {
                    refunds: d("-0.5"),
                    refund_rows: 2,
                    refund_models: models(&["gpt-4o"]),
                    ..BridgeInputs::default()
                },
                "-0.3",
                vec![(CreditAdjustment, "-0.5")],
                "0.2",
            ),
            // Zero expected (nothing priced): the unpriced usage and the charged failures
            // explain 0.15 + 0.05 of a 0.2 variance.
            (
                "zero expected",
                BridgeInputs {
                    unpriced: d("0.15"),
                    unpriced_rows: 4,
                    unknown_outcome: d("0.05"),
                    unknown_outcome_rows: 1,
                    ..BridgeInputs::default()
                },
                "0.2",
                vec![(UnpricedModel, "0.15"), (FailedRequestCharged, "0.05")],
                "0",
            ),
            // Every cause at once, in the fixed order.
            (
                "all",
                BridgeInputs {
                    pricing_mismatch: d("1"),
                    quota_rounding: d("0.000002"),
                    quota_mismatch: d("0.5"),
                    refunds: d("-0.25"),
                    unpriced: d("2"),
                    unknown_outcome: d("0.125"),
                    ..BridgeInputs::default()
                },
                "3.375002",
                vec![
                    (RatioMismatch, "1"),
                    (IntegerQuotaRounding, "0.000002"),
                    (QuotaMismatch, "0.5"),
                    (CreditAdjustment, "-0.25"),
                    (UnpricedModel, "2"),
                    (FailedRequestCharged, "0.125"),
                ],
                "0",
            ),
        ];
        for (name, inputs, variance, want, residual) in cases {
            let b = bridge(&pricing(inputs), d(variance)).unwrap();
            let want: Vec<(Cause, Decimal)> = want.into_iter().map(|(c, a)| (c, d(a))).collect();
            assert_eq!(steps(&b), want, "{name}");
            assert_eq!(b.residual, d(residual), "{name}");
            let explained: Decimal = b.steps.iter().map(|s| s.amount).sum();
            assert_eq!(explained + b.residual, d(variance), "{name}: conserved");
        }
    }

    #[test]
    fn evidence_is_built_from_counts_and_names_the_models() {
        let inputs = BridgeInputs {
            refunds: d("-0.005"),
            refund_rows: 1,
            refund_models: models(&["gpt-4o"]),
            pricing_mismatch: d("0.01"),
            pricing_mismatch_rows: 2,
            ..BridgeInputs::default()
        };
        let b = bridge(&pricing(inputs), d("0")).unwrap();
        let evidence: Vec<&str> = b.steps.iter().map(|s| s.evidence.as_str()).collect();
        assert_eq!(
            evidence,
            [
                "2 rows whose logged ratios price their usage differently from the verified rates",
                "1 refund row returned quota (gpt-4o)",
            ]
        );
        assert_eq!(b.steps[0].class, VarianceClass::PricingSourceMismatch);
        assert_eq!(b.steps[1].class, VarianceClass::AccountSpecificBillingIssue);
    }

    /// Each cause says itself in its own words, none another cause's.
    #[test]
    fn every_cause_has_its_own_words() {
        let mut seen = std::collections::BTreeSet::new();
        for cause in Cause::ALL {
            let name = serde_json::to_value(cause).unwrap();
            // A cause's label and phrase may be the same words; another cause's, never.
            let own: std::collections::BTreeSet<&str> =
                [name.as_str().unwrap(), cause.describe(), cause.phrase()].into();
            for text in own {
                assert!(!text.is_empty(), "{cause:?}");
                assert!(seen.insert(text.to_string()), "{cause:?}: {text} twice");
            }
        }
    }

    #[test]
    fn an_overflowing_bridge_is_an_error() {
        let inputs = BridgeInputs {
            pricing_mismatch: Decimal::MAX,
            quota_rounding: Decimal::MAX,
            ..BridgeInputs::default()
        };
        let error = bridge(&pricing(inputs), Decimal::ZERO).unwrap_err();
        assert_eq!(error.kind, crate::error::ErrorKind::Overflow);
    }
}
