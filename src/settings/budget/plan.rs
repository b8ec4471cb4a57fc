//! Seed 000's rollback planning, as the reviewer types it: the reference period the
//! baseline is measured over, the planned window projected from it (its traffic, model
//! mix, rollback budget and stop condition), and the readiness form (owner, billing
//! observer, kill switch). Times without an offset are read in the finance time zone
//! (UTC when none is set); times with one (`Z`, `+08:00`) are read as written.
//!
//! A readiness item left empty is not a problem of the settings: the review says which
//! items are missing and holds the phases that need them.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::BudgetText;
use crate::decimal::{parse_exact, quote};
use crate::error::Error;
use crate::ingest::{parse_timestamp, StatedZone, Window};

/// A period of time, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeriodText {
    pub start: String,
    pub end: String,
}

/// The planned window (seed 000's rollback window), as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanText {
    pub start: String,
    pub end: String,
    /// Requests per minute expected in the window, attempts as the log counts them
    /// (retries included); or, instead,
    pub request_rate: String,
    /// the percent of the baseline's mean request rate expected (`100`: the same).
    pub traffic_share: String,
    /// Each model's percent of the requests (adding up to 100); none: the baseline's
    /// own mix.
    pub model_mix: Vec<MixShareText>,
    /// What the window may spend, in the billing currency.
    pub rollback_budget: String,
    /// The stop condition: the projection fails when it exceeds the rollback budget by
    /// more than this percent (seed 000's example: 20).
    pub stop_over_percent: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MixShareText {
    pub model: String,
    pub percent: String,
}

/// Seed 000's readiness items, as typed: roles and short notes, never names of people
/// or secrets (they are sanitized on the way out).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadinessText {
    /// The rollback owner (a team or role).
    pub owner: String,
    pub billing_observer: String,
    /// The kill switch: who can trigger it,
    pub kill_switch_who: String,
    /// where it is configured,
    pub kill_switch_where: String,
    /// how long it takes to take effect,
    pub kill_switch_time_to_effect: String,
    /// how to verify that it worked,
    pub kill_switch_verify: String,
    /// how to reverse it.
    pub kill_switch_reverse: String,
    /// Phase B: the single tagged drill request was traced end to end: `yes`, `no` or
    /// empty (not run).
    pub drill_traced: String,
    /// Phase C: the kill switch was tested: `yes`, `no` or empty.
    pub kill_switch_tested: String,
}

impl ReadinessText {
    /// The form's items: key, what the seed asks for, and whether it is a yes/no.
    pub const ITEMS: [(&'static str, &'static str); 9] = [
        ("owner", "the rollback owner"),
        ("billing_observer", "the billing observer"),
        ("kill_switch_who", "who can trigger the kill switch"),
        ("kill_switch_where", "where the kill switch is configured"),
        (
            "kill_switch_time_to_effect",
            "how long the kill switch takes to take effect",
        ),
        ("kill_switch_verify", "how to verify the kill switch worked"),
        ("kill_switch_reverse", "how to reverse the kill switch"),
        (
            "drill_traced",
            "whether the drill request was traced end to end",
        ),
        ("kill_switch_tested", "whether the kill switch was tested"),
    ];

    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "owner" => &mut self.owner,
            "billing_observer" => &mut self.billing_observer,
            "kill_switch_who" => &mut self.kill_switch_who,
            "kill_switch_where" => &mut self.kill_switch_where,
            "kill_switch_time_to_effect" => &mut self.kill_switch_time_to_effect,
            "kill_switch_verify" => &mut self.kill_switch_verify,
            "kill_switch_reverse" => &mut self.kill_switch_reverse,
            "drill_traced" => &mut self.drill_traced,
            "kill_switch_tested" => &mut self.kill_switch_tested,
            _ => return None,
        })
    }

    pub fn get(&self, key: &str) -> &str {
        match key {
            "owner" => &self.owner,
            "billing_observer" => &self.billing_observer,
            "kill_switch_who" => &self.kill_switch_who,
            "kill_switch_where" => &self.kill_switch_where,
            "kill_switch_time_to_effect" => &self.kill_switch_time_to_effect,
            "kill_switch_verify" => &self.kill_switch_verify,
            "kill_switch_reverse" => &self.kill_switch_reverse,
            "drill_traced" => &self.drill_traced,
            "kill_switch_tested" => &self.kill_switch_tested,
            _ => "",
        }
    }
}

impl PlanText {
    pub const KEYS: [&'static str; 6] = [
        "start",
        "end",
        "request_rate",
        "traffic_share",
        "rollback_budget",
        "stop_over_percent",
    ];

    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "start" => &mut self.start,
            "end" => &mut self.end,
            "request_rate" => &mut self.request_rate,
            "traffic_share" => &mut self.traffic_share,
            "rollback_budget" => &mut self.rollback_budget,
            "stop_over_percent" => &mut self.stop_over_percent,
            _ => return None,
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == PlanText::default()
    }
}

/// How much traffic the planned window expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlannedRate {
    /// Requests per minute.
    PerMinute(Decimal),
    /// Percent of the baseline's mean request rate.
    Share(Decimal),
}

/// The planned window, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub window: Window,
    pub rate: PlannedRate,
    /// Each model and its percent; empty: the baseline's own mix.
    pub mix: Vec<(String, Decimal)>,
    pub budget: Decimal,
    pub stop_over_percent: Decimal,
}

/// A time as typed: with an offset as written, without one in `zone` (UTC when None).
pub fn moment(text: &str, zone: Option<StatedZone>) -> Result<Timestamp, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("expected a time like 2026-05-09T14:00, but found nothing".into());
    }
    if let Ok(at) = parse_timestamp(text) {
        return Ok(at);
    }
    let zone = zone.map_or(jiff::tz::TimeZone::UTC, StatedZone::time_zone);
    text.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|civil| civil.to_zoned(zone).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            format!(
                "expected a time like 2026-05-09T14:00 (in the finance time zone) or 2026-05-09T14:00:00Z, but found {}",
                quote(text)
            )
        })
}

fn period(
    path: &str,
    start: &str,
    end: &str,
    zone: Option<StatedZone>,
    errors: &mut Vec<Error>,
) -> Option<Window> {
    let mut read = |key: &str, text: &str| {
        moment(text, zone)
            .map_err(|m| errors.push(Error::field(&format!("{path}.{key}"), m)))
            .ok()
    };
    let (start, end) = (read("start", start), read("end", end));
    let (start, end) = (start?, end?);
    if end <= start {
        let message = format!("expected an end after the start ({start}), but found {end}");
        errors.push(Error::field(&format!("{path}.end"), message));
        return None;
    }
    Some(Window { start, end })
}

fn positive(text: &str, what: &str, zero_ok: bool) -> Result<Decimal, String> {
    if text.trim().is_empty() {
        return Err(format!("expected {what}, but found nothing"));
    }
    let value = parse_exact(text)?;
    if value < Decimal::ZERO || (value.is_zero() && !zero_ok) {
        let above = if zero_ok { "0 or more" } else { "above 0" };
        return Err(format!(
            "expected {what} {above}, but found {}",
            quote(text.trim())
        ));
    }
    Ok(value)
}

impl BudgetText {
    /// The reference period; None while it is empty.
    pub(super) fn validate_reference(
        &self,
        zone: Option<StatedZone>,
        errors: &mut Vec<Error>,
    ) -> Option<Window> {
        let p = &self.reference_period;
        if p.start.trim().is_empty() && p.end.trim().is_empty() {
            return None;
        }
        period(
            "budget_review.reference_period",
            &p.start,
            &p.end,
            zone,
            errors,
        )
    }

    pub(super) fn validate_yes_no(&self, errors: &mut Vec<Error>) {
        let r = &self.readiness;
        for (key, value) in [
            ("drill_traced", &r.drill_traced),
            ("kill_switch_tested", &r.kill_switch_tested),
        ] {
            if !matches!(
                value.trim().to_ascii_lowercase().as_str(),
                "" | "yes" | "no"
            ) {
                errors.push(Error::field(
                    &format!("budget_review.readiness.{key}"),
                    format!(
                        "expected yes or no (or nothing), but found {}",
                        quote(value.trim())
                    ),
                ));
            }
        }
    }

    /// The planned window; None while nothing of it is typed.
    pub(super) fn validate_plan(
        &self,
        zone: Option<StatedZone>,
        errors: &mut Vec<Error>,
    ) -> Option<Plan> {
        let p = &self.plan;
        if p.is_empty() {
            return None;
        }
        let before = errors.len();
        let path = |key: &str| format!("budget_review.plan.{key}");
        let window = period("budget_review.plan", &p.start, &p.end, zone, errors);
        let rate = match (p.request_rate.trim(), p.traffic_share.trim()) {
            ("", "") => {
                let message =
                    "expected a request rate or a traffic share of the baseline, but found neither";
                errors.push(Error::field(&path("request_rate"), message));
                None
            }
            (rate, "") => positive(rate, "requests per minute", true)
                .map(PlannedRate::PerMinute)
                .map_err(|m| errors.push(Error::field(&path("request_rate"), m)))
                .ok(),
            ("", share) => positive(share, "a percent of the baseline's rate", true)
                .map(PlannedRate::Share)
                .map_err(|m| errors.push(Error::field(&path("traffic_share"), m)))
                .ok(),
            (_, share) => {
                let message = format!("expected a request rate or a traffic share, not both, but found both (traffic share {})", quote(share));
                errors.push(Error::field(&path("traffic_share"), message));
                None
            }
        };
        let mut mix = Vec::new();
        let mut total = Decimal::ZERO;
        for (i, share) in p.model_mix.iter().enumerate() {
            let at = |key: &str| path(&format!("model_mix[{i}].{key}"));
            let model = share.model.trim();
            if model.is_empty() {
                errors.push(Error::field(
                    &at("model"),
                    "expected a model, but found nothing",
                ));
            } else if mix.iter().any(|(m, _): &(String, Decimal)| m == model) {
                let message = format!("expected each model once, but found {} twice", quote(model));
                errors.push(Error::field(&at("model"), message));
            }
            let percent = positive(&share.percent, "a percent", false)
                .and_then(|v| match v <= Decimal::ONE_HUNDRED {
                    true => Ok(v),
                    false => Err(format!(
                        "expected a percent of at most 100, but found {}",
                        quote(share.percent.trim())
                    )),
                })
                .map_err(|m| errors.push(Error::field(&at("percent"), m)))
                .ok();
            if let Some(percent) = percent {
                total = total.checked_add(percent).unwrap_or(Decimal::MAX);
                mix.push((model.to_string(), percent));
            }
        }
        if !mix.is_empty() && mix.len() == p.model_mix.len() && total != Decimal::ONE_HUNDRED {
            let message = format!(
                "expected percentages that add up to 100, but found {}",
                crate::decimal::format(total)
            );
            errors.push(Error::field(&path("model_mix"), message));
        }
        let budget = positive(&p.rollback_budget, "the rollback budget", false)
            .map_err(|m| errors.push(Error::field(&path("rollback_budget"), m)))
            .ok();
        let what =
            "the stop condition's percent over the rollback budget (20 in seed 000's example)";
        let stop = positive(&p.stop_over_percent, what, true)
            .map_err(|m| errors.push(Error::field(&path("stop_over_percent"), m)))
            .ok();
        if errors.len() != before {
            return None;
        }
        Some(Plan {
            window: window?,
            rate: rate?,
            mix,
            budget: budget?,
            stop_over_percent: stop?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_an_offset_is_read_in_the_finance_time_zone() {
        let cases: [(&str, &str, Result<&str, &str>); 6] = [
            ("2026-05-09T14:00", "", Ok("2026-05-09T14:00:00Z")),
            ("2026-05-09 14:00", "+08:00", Ok("2026-05-09T06:00:00Z")),
            ("2026-05-09T14:00:00Z", "+08:00", Ok("2026-05-09T14:00:00Z")),
            ("2026-05-09T14:00-05:00", "+08:00", Ok("2026-05-09T19:00:00Z")),
            // Summer time in Berlin: UTC+2.
            ("2026-07-01T12:00", "Europe/Berlin", Ok("2026-07-01T10:00:00Z")),
            ("14:00", "", Err("expected a time like 2026-05-09T14:00 (in the finance time zone) or 2026-05-09T14:00:00Z, but found \"14:00\"")),
        ];
        for (text, zone, want) in cases {
            let zone = StatedZone::parse(zone).unwrap();
            let got = moment(text, zone).map(|t| t.to_string());
            let got = got.as_ref().map(String::as_str).map_err(String::as_str);
            assert_eq!(got, want, "{text}");
        }
        assert_eq!(
            moment(" ", None).unwrap_err(),
            "expected a time like 2026-05-09T14:00, but found nothing"
        );
    }
}
