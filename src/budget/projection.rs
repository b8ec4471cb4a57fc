//! The planned window projected (seed 000's rollback stop condition): the requests it
//! expects (a rate per minute, or a share of the baseline's mean rate) times each
//! model's charge per request in the baseline — at the mean, and at the p95 — gives the
//! projected spend as a range. It is an estimate, and says so. The stop condition
//! fails when the high end (p95) exceeds the rollback budget by more than the
//! reviewer's percent; the result names the knob that drives the spend.
//!
//! Each model's charge per request is what its baseline requests cost at the verified
//! rates (retried and failed attempts included, as the outcome policy bills or may bill
//! them). A model of the mix with no request in the baseline, or one with a request
//! the rate card does not price, leaves the projection unknown, and the reason says so.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::baseline::{ratio, Baseline, BaselineLine};
use crate::decimal::{format, serde_str};
use crate::error::Error;
use crate::sanitize;
use crate::settings::budget::{Plan, PlannedRate};

/// What the projection turns on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Knob {
    /// Traffic above the baseline's mean rate.
    Requests,
    /// Requests at the p95 charge rather than the mean (longer prompts and outputs).
    Tokens,
    /// The baseline's share of retries among the attempts.
    Retries,
}

impl Knob {
    pub fn name(self) -> &'static str {
        match self {
            Knob::Requests => "requests",
            Knob::Tokens => "tokens",
            Knob::Retries => "retries",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnobPart {
    pub knob: Knob,
    /// How much of the high projection this knob accounts for: what it would drop by
    /// were the knob at its neutral value (the baseline rate, mean charges, no retries).
    #[serde(with = "serde_str")]
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
    pub seconds: i64,
    /// Requests per minute expected (estimate).
    #[serde(with = "serde_str")]
    pub requests_per_minute: Decimal,
    /// Requests expected in the window (estimate).
    #[serde(with = "serde_str")]
    pub requests: Decimal,
    /// Each model and its percent; empty: the baseline's own mix.
    pub mix: Vec<MixPart>,
    /// At the baseline's mean charge per request, and at its p95 (estimates).
    #[serde(with = "serde_str")]
    pub spend_mean: Decimal,
    #[serde(with = "serde_str")]
    pub spend_p95: Decimal,
    #[serde(with = "serde_str")]
    pub budget: Decimal,
    #[serde(with = "serde_str")]
    pub stop_over_percent: Decimal,
    /// budget × (100 + stop_over_percent) ÷ 100.
    #[serde(with = "serde_str")]
    pub stop_limit: Decimal,
    /// budget − spend, at each end (negative: over budget).
    #[serde(with = "serde_str")]
    pub headroom_at_mean: Decimal,
    #[serde(with = "serde_str")]
    pub headroom_at_p95: Decimal,
    /// False when the p95 end exceeds the stop limit.
    pub pass: bool,
    pub knobs: Vec<KnobPart>,
    pub driver: Knob,
    /// The models it draws on whose rate on the card is not verified ("gpt-4o
    /// (inferred)"): the projection then rests on a rate nobody checked, and says so.
    #[serde(default)]
    pub unverified_rates: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixPart {
    pub model: String,
    #[serde(with = "serde_str")]
    pub percent: Decimal,
}

/// None while no window is planned; else the projection, or why there is none.
pub type ProjectionAnswer = Option<Result<Projection, String>>;

fn overflow() -> Error {
    Error::overflow("a projected figure")
}

fn mul(a: Decimal, b: Decimal) -> Result<Decimal, Error> {
    a.checked_mul(b).ok_or_else(overflow)
}

fn costs(line: &BaselineLine, what: &str) -> Result<(Decimal, Decimal), String> {
    match (line.charge_per_request_mean, line.charge_per_request_p95) {
        (Some(mean), Some(p95)) => Ok((mean, p95)),
        _ => Err(format!(
            "expected a verified rate for every request of {what} in the reference period, but found {} without one: the projection is unknown",
            line.unpriced
        )),
    }
}

/// The planned window projected from `baseline`.
pub fn project(plan: &Plan, baseline: &Baseline) -> Result<Result<Projection, String>, Error> {
    let seconds = plan.window.end.as_second() - plan.window.start.as_second();
    let hundred = Decimal::ONE_HUNDRED;
    let window = Decimal::from(seconds);
    // What the window would see at the baseline's mean rate, and what the plan expects:
    // each from the counts with one division, so 100 % of the baseline is exactly it.
    let at_baseline = match baseline.seconds {
        0 => Decimal::ZERO,
        base => mul(Decimal::from(baseline.all.requests), window)? / Decimal::from(base),
    };
    let exact = match plan.rate {
        PlannedRate::PerMinute(rate) => mul(rate, window)? / Decimal::from(60),
        PlannedRate::Share(share) => mul(at_baseline, share)? / hundred,
    };
    let requests = ratio(exact, Decimal::ONE).ok_or_else(overflow)?;
    let rate = ratio(mul(exact, Decimal::from(60))?, window).unwrap_or_default();
    let (mut spend_mean, mut spend_p95) = (Decimal::ZERO, Decimal::ZERO);
    if plan.mix.is_empty() {
        let (mean, p95) = match costs(&baseline.all, "any model") {
            Ok(costs) => costs,
            Err(reason) => return Ok(Err(reason)),
        };
        spend_mean = mul(requests, mean)?;
        spend_p95 = mul(requests, p95)?;
    }
    for (model, percent) in &plan.mix {
        let shown = sanitize::label(model);
        let Some(line) = baseline
            .by_model
            .iter()
            .find(|l| l.model.as_deref() == Some(&shown))
        else {
            return Ok(Err(format!(
                "expected requests of {shown} in the reference period to project its charge per request from, but found none: the projection is unknown"
            )));
        };
        let (mean, p95) = match costs(line, &shown) {
            Ok(costs) => costs,
            Err(reason) => return Ok(Err(reason)),
        };
        let part = mul(requests, *percent)? / hundred;
        spend_mean = spend_mean
            .checked_add(mul(part, mean)?)
            .ok_or_else(overflow)?;
        spend_p95 = spend_p95
            .checked_add(mul(part, p95)?)
            .ok_or_else(overflow)?;
    }
    let round = |d: Decimal| ratio(d, Decimal::ONE).unwrap_or(d);
    let (spend_mean, spend_p95) = (round(spend_mean), round(spend_p95));
    let over = hundred
        .checked_add(plan.stop_over_percent)
        .ok_or_else(overflow)?;
    let stop_limit = mul(plan.budget, over)? / hundred;
    let headroom = |spend: Decimal| plan.budget.checked_sub(spend).ok_or_else(overflow);
    // What each knob accounts for in the high end; the largest drives it (ties in the
    // order requests, tokens, retries).
    let above_base = match exact > at_baseline {
        true => round(mul(spend_p95, exact - at_baseline)? / exact),
        false => Decimal::ZERO,
    };
    let spread = (spend_p95 - spend_mean).max(Decimal::ZERO);
    let retry_share = ratio(
        mul(spend_p95, Decimal::from(baseline.all.retries))?,
        Decimal::from(baseline.all.requests),
    )
    .unwrap_or_default();
    let knobs = vec![
        KnobPart {
            knob: Knob::Requests,
            amount: above_base,
        },
        KnobPart {
            knob: Knob::Tokens,
            amount: spread,
        },
        KnobPart {
            knob: Knob::Retries,
            amount: retry_share,
        },
    ];
    let driver = knobs
        .iter()
        .fold(
            &knobs[0],
            |best, k| if k.amount > best.amount { k } else { best },
        )
        .knob;
    Ok(Ok(Projection {
        start: plan.window.start,
        end: plan.window.end,
        seconds,
        requests_per_minute: rate,
        requests,
        mix: (plan.mix.iter())
            .map(|(m, p)| MixPart {
                model: sanitize::label(m),
                percent: *p,
            })
            .collect(),
        spend_mean,
        spend_p95,
        budget: plan.budget,
        stop_over_percent: plan.stop_over_percent,
        stop_limit,
        headroom_at_mean: headroom(spend_mean)?,
        headroom_at_p95: headroom(spend_p95)?,
        pass: spend_p95 <= stop_limit,
        knobs,
        driver,
        unverified_rates: Vec::new(),
    }))
}

impl Projection {
    /// The result in a sentence, with its exact numbers (the document's and the CLI's form).
    pub fn verdict(&self, currency: &str) -> String {
        let exact = |d: Decimal| format!("{} {currency}", format(d));
        let result = if self.pass { "pass" } else { "fail" };
        format!("{result}: {}", self.explain(&exact))
    }

    /// Why it passes or fails, each amount written by `money` (the page shows money as
    /// money; the document keeps it exact).
    pub fn explain(&self, money: &dyn Fn(Decimal) -> String) -> String {
        let driver = self.knobs.iter().find(|k| k.knob == self.driver);
        let knob = format!(
            "the knob that drives it: {} ({} of the high end)",
            self.driver.name(),
            money(driver.map_or(Decimal::ZERO, |k| k.amount))
        );
        let range = format!(
            "projected spend {} to {} (estimate, mean to p95)",
            money(self.spend_mean),
            money(self.spend_p95)
        );
        let limit = format!(
            "the stop limit {} (rollback budget {} + {} %)",
            money(self.stop_limit),
            money(self.budget),
            format(self.stop_over_percent)
        );
        let caveat = match self.unverified_rates.is_empty() {
            true => String::new(),
            false => format!(
                "; priced partly at rates not verified: {}",
                self.unverified_rates.join(", ")
            ),
        };
        if self.pass {
            format!("{range} is within {limit}; {knob}{caveat}")
        } else {
            format!(
                "{range} exceeds {limit} by {}; {knob}{caveat}",
                money(self.spend_p95 - self.stop_limit)
            )
        }
    }
}
