//! Review policies: which outcomes are billable, how (and whether) amounts are rounded,
//! and how new-api turns a fractional quota into an integer.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// What happened to the request, as far as the evidence says. The outcome policy in
/// the settings decides which outcomes are billable.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    CancelledStream,
    ClientError4xx,
    RateLimited429,
    ServerError5xx,
    ClientTimeout,
    RetryAttempt,
    /// A gateway error row that does not say which failure it was.
    FailedUnspecified,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Success,
        Outcome::CancelledStream,
        Outcome::ClientError4xx,
        Outcome::RateLimited429,
        Outcome::ServerError5xx,
        Outcome::ClientTimeout,
        Outcome::RetryAttempt,
        Outcome::FailedUnspecified,
    ];

    pub fn is_failure(self) -> bool {
        self != Outcome::Success
    }
}

use crate::decimal::quote;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Billability {
    Billable,
    NotBillable,
    /// Possibly billed: shown as an at-risk range beside the expected figure, not in it.
    Unknown,
}

impl Billability {
    pub const ALL: [Billability; 3] = [
        Billability::Billable,
        Billability::NotBillable,
        Billability::Unknown,
    ];

    /// The word the outcome policy in the settings holds.
    pub fn name(self) -> &'static str {
        match self {
            Billability::Billable => "billable",
            Billability::NotBillable => "not_billable",
            Billability::Unknown => "unknown",
        }
    }
}

/// The outcome policy as typed; empty means the default (success billable, every
/// failure unknown).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyText {
    pub success: String,
    pub cancelled_stream: String,
    pub client_error_4xx: String,
    pub rate_limited_429: String,
    pub server_error_5xx: String,
    pub client_timeout: String,
    pub retry_attempt: String,
    pub failed_unspecified: String,
}

impl PolicyText {
    pub fn slot(&mut self, outcome: Outcome) -> &mut String {
        match outcome {
            Outcome::Success => &mut self.success,
            Outcome::CancelledStream => &mut self.cancelled_stream,
            Outcome::ClientError4xx => &mut self.client_error_4xx,
            Outcome::RateLimited429 => &mut self.rate_limited_429,
            Outcome::ServerError5xx => &mut self.server_error_5xx,
            Outcome::ClientTimeout => &mut self.client_timeout,
            Outcome::RetryAttempt => &mut self.retry_attempt,
            Outcome::FailedUnspecified => &mut self.failed_unspecified,
        }
    }
}

pub fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "success",
        Outcome::CancelledStream => "cancelled_stream",
        Outcome::ClientError4xx => "client_error_4xx",
        Outcome::RateLimited429 => "rate_limited_429",
        Outcome::ServerError5xx => "server_error_5xx",
        Outcome::ClientTimeout => "client_timeout",
        Outcome::RetryAttempt => "retry_attempt",
        Outcome::FailedUnspecified => "failed_unspecified",
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy([Billability; 8]);

impl Default for Policy {
    fn default() -> Self {
        let mut all = [Billability::Unknown; 8];
        all[0] = Billability::Billable;
        Policy(all)
    }
}

impl Policy {
    pub fn of(&self, outcome: Outcome) -> Billability {
        self.0[Outcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .expect("every outcome is listed")]
    }

    pub fn parse(text: &PolicyText) -> Result<Policy, Vec<Error>> {
        let mut policy = Policy::default();
        let mut errors = Vec::new();
        let mut text = text.clone();
        for (i, outcome) in Outcome::ALL.into_iter().enumerate() {
            let value = text.slot(outcome).trim().to_ascii_lowercase();
            policy.0[i] = match value.as_str() {
                "" => policy.0[i],
                "billable" => Billability::Billable,
                "not_billable" | "not billable" => Billability::NotBillable,
                "unknown" => Billability::Unknown,
                _ => {
                    let message = format!(
                        "expected billable, not_billable or unknown, but found {}",
                        quote(&value)
                    );
                    let path = format!("outcome_policy.{}", outcome_name(outcome));
                    errors.push(Error::field(&path, message));
                    continue;
                }
            };
        }
        if errors.is_empty() {
            Ok(policy)
        } else {
            Err(errors)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingScope {
    PerRow,
    PerLine,
    PerTotal,
}

/// A documented rounding rule, applied to expected amounts only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rounding {
    pub scope: RoundingScope,
    pub decimals: u32,
    pub strategy: RoundingStrategy,
    pub strategy_name: String,
    pub source_url: String,
}

impl Rounding {
    /// Rounds `amount` to the documented decimals with the documented strategy. Worked
    /// examples at 2 places (the strategies' names as the settings write them):
    ///
    /// ```
    /// use spend_reconciler::policy::{parse_rounding, RoundingText};
    /// let at = |strategy: &str, amount: &str| {
    ///     let text = RoundingText {
    ///         scope: "per_line".into(),
    ///         decimals: "2".into(),
    ///         strategy: strategy.into(),
    ///         source_url: "https://example.com/billing-rounding".into(),
    ///     };
    ///     let rule = parse_rounding(&text).unwrap().unwrap();
    ///     rule.apply(amount.parse().unwrap()).to_string()
    /// };
    /// // half_up: a midpoint goes away from zero.
    /// assert_eq!(at("half_up", "0.125"), "0.13");
    /// assert_eq!(at("half_up", "-0.125"), "-0.13");
    /// // half_even (banker's): a midpoint goes to the even digit.
    /// assert_eq!(at("half_even", "0.125"), "0.12");
    /// assert_eq!(at("half_even", "0.135"), "0.14");
    /// // half_down: a midpoint goes toward zero; anything past it still rounds away.
    /// assert_eq!(at("half_down", "0.125"), "0.12");
    /// assert_eq!(at("half_down", "0.1251"), "0.13");
    /// // down truncates toward zero; up goes away from zero for any remainder.
    /// assert_eq!(at("down", "0.129"), "0.12");
    /// assert_eq!(at("up", "0.121"), "0.13");
    /// assert_eq!(at("up", "-0.121"), "-0.13");
    /// ```
    pub fn apply(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.decimals, self.strategy)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoundingText {
    /// none (default), per_row, per_line or per_total
    pub scope: String,
    pub decimals: String,
    /// half_up, half_even, half_down, down (toward zero) or up (away from zero)
    pub strategy: String,
    /// Where the rule is documented; required, since rounding is applied only when documented.
    pub source_url: String,
}

pub fn parse_rounding(text: &RoundingText) -> Result<Option<Rounding>, Vec<Error>> {
    let scope = match text.scope.trim().to_ascii_lowercase().as_str() {
        "" | "none" => return Ok(None),
        "per_row" => RoundingScope::PerRow,
        "per_line" => RoundingScope::PerLine,
        "per_total" => RoundingScope::PerTotal,
        other => {
            return Err(vec![Error::field(
                "rounding.scope",
                format!(
                    "expected none, per_row, per_line or per_total, but found {}",
                    quote(other)
                ),
            )])
        }
    };
    let mut errors = Vec::new();
    let decimals = match text.decimals.trim().parse::<u32>() {
        Ok(d) if d <= 12 => d,
        _ => {
            errors.push(Error::field(
                "rounding.decimals",
                format!(
                    "expected a number of decimal places from 0 to 12, but found {}",
                    quote(&text.decimals)
                ),
            ));
            0
        }
    };
    let name = text.strategy.trim().to_ascii_lowercase();
    let strategy = match name.as_str() {
        "half_up" => RoundingStrategy::MidpointAwayFromZero,
        "half_even" => RoundingStrategy::MidpointNearestEven,
        "half_down" => RoundingStrategy::MidpointTowardZero,
        "down" => RoundingStrategy::ToZero,
        "up" => RoundingStrategy::AwayFromZero,
        _ => {
            errors.push(Error::field(
                "rounding.strategy",
                format!(
                    "expected half_up, half_even, half_down, down or up, but found {}",
                    quote(&name)
                ),
            ));
            RoundingStrategy::MidpointNearestEven
        }
    };
    if text.source_url.trim().is_empty() {
        errors.push(Error::field("rounding.source_url", "expected where the rounding rule is documented (rounding applies only when documented), but found nothing"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Some(Rounding {
        scope,
        decimals,
        strategy,
        strategy_name: name,
        source_url: text.source_url.trim().to_string(),
    }))
}

/// How the gateway turned a fractional quota into an integer (versions differ).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaRounding {
    #[default]
    Round,
    Truncate,
    Ceil,
}

impl QuotaRounding {
    pub fn parse(text: &str) -> Result<QuotaRounding, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "round" => Ok(QuotaRounding::Round),
            "truncate" => Ok(QuotaRounding::Truncate),
            "ceil" => Ok(QuotaRounding::Ceil),
            other => Err(format!(
                "expected round, truncate or ceil, but found {}",
                quote(other)
            )),
        }
    }

    /// The word the settings hold for the rule, as the page and the record say it.
    pub fn name(self) -> &'static str {
        match self {
            QuotaRounding::Round => "round",
            QuotaRounding::Truncate => "truncate",
            QuotaRounding::Ceil => "ceil",
        }
    }

    /// The integer quota under this rule:
    ///
    /// ```
    /// use spend_reconciler::policy::QuotaRounding;
    /// let q = |rule: QuotaRounding, exact: &str| rule.apply(exact.parse().unwrap()).to_string();
    /// assert_eq!(q(QuotaRounding::Round, "12.5"), "13"); // half away from zero
    /// assert_eq!(q(QuotaRounding::Round, "12.49"), "12");
    /// assert_eq!(q(QuotaRounding::Truncate, "12.99"), "12");
    /// assert_eq!(q(QuotaRounding::Ceil, "12.01"), "13");
    /// ```
    pub fn apply(self, quota: Decimal) -> Decimal {
        match self {
            QuotaRounding::Round => {
                quota.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            }
            QuotaRounding::Truncate => quota.trunc(),
            QuotaRounding::Ceil => quota.ceil(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn rounding_strategies_worked_examples() {
        let rule = |strategy: &str| {
            let text = RoundingText {
                scope: "per_line".into(),
                decimals: "2".into(),
                strategy: strategy.into(),
                source_url: "https://x".into(),
            };
            parse_rounding(&text).unwrap().unwrap()
        };
        let cases = [
            ("half_up", "0.125", "0.13"),
            ("half_even", "0.125", "0.12"),
            ("half_down", "0.125", "0.12"),
            ("down", "0.129", "0.12"),
            ("up", "0.121", "0.13"),
            ("half_up", "-0.125", "-0.13"),
        ];
        for (strategy, input, expected) in cases {
            let value = Decimal::from_str(input).unwrap();
            assert_eq!(
                rule(strategy).apply(value).to_string(),
                expected,
                "{strategy} {input}"
            );
        }
    }

    #[test]
    fn quota_rounding_table() {
        let q = Decimal::from_str("12500.5").unwrap();
        assert_eq!(QuotaRounding::Round.apply(q), Decimal::from(12501));
        assert_eq!(QuotaRounding::Truncate.apply(q), Decimal::from(12500));
        assert_eq!(
            QuotaRounding::Ceil.apply(Decimal::from_str("12500.01").unwrap()),
            Decimal::from(12501)
        );
    }

    #[test]
    fn policy_defaults_and_errors() {
        let policy = Policy::parse(&PolicyText::default()).unwrap();
        assert_eq!(policy.of(Outcome::Success), Billability::Billable);
        assert_eq!(policy.of(Outcome::ClientTimeout), Billability::Unknown);
        let text = PolicyText {
            server_error_5xx: "maybe".into(),
            ..PolicyText::default()
        };
        let errors = Policy::parse(&text).unwrap_err();
        let errors: Vec<String> = errors.iter().map(Error::to_string).collect();
        assert_eq!(
            errors,
            ["outcome_policy.server_error_5xx: expected billable, not_billable or unknown, but found \"maybe\""]
        );
    }

    #[test]
    fn each_name_reads_back_as_itself() {
        for rule in [
            QuotaRounding::Round,
            QuotaRounding::Truncate,
            QuotaRounding::Ceil,
        ] {
            assert_eq!(QuotaRounding::parse(rule.name()), Ok(rule));
        }
        for billability in Billability::ALL {
            let text = PolicyText {
                retry_attempt: billability.name().into(),
                ..PolicyText::default()
            };
            let policy = Policy::parse(&text).unwrap();
            assert_eq!(policy.of(Outcome::RetryAttempt), billability);
        }
    }
}
