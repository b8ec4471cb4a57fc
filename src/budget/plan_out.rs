//! The budget review document's seed 000 part (schema version 2): the baseline, the
//! projection and the readiness form with its phases, from an allow-list like the rest
//! of the document. Every amount is a string; projected amounts are labelled estimates;
//! the form's roles pass [`sanitize::role`] and its notes the review log's
//! [`note`] sanitizer (no keys, emails, IPs, prompts or balances).

use serde::Serialize;

use super::baseline::{Baseline, BaselineLine};
use super::document::amount;
use super::percentile;
use super::projection::Projection;
use super::readiness::Readiness;
use crate::sanitize;
use crate::settings::budget::{note, ReadinessText};

#[derive(Serialize)]
pub struct ClassRateOut {
    pub outcome_class: &'static str,
    pub requests: u64,
    pub percent: String,
}

#[derive(Serialize)]
pub struct BaselineLineOut {
    pub model: Option<String>,
    pub route: Option<String>,
    pub requests: u64,
    pub requests_per_minute_mean: Option<String>,
    pub peak_minute_requests: u64,
    pub peak_minute_start: String,
    pub error_rate_percent: String,
    pub by_status_class: Vec<ClassRateOut>,
    pub timeouts: u64,
    pub retries: u64,
    pub input_tokens_mean: String,
    pub input_tokens_p95: u64,
    pub output_tokens_mean: String,
    pub output_tokens_p95: u64,
    pub p95_method: String,
    pub charge: Option<String>,
    pub charge_per_request_mean: Option<String>,
    pub charge_per_request_p95: Option<String>,
    pub unpriced_requests: u64,
}

fn baseline_line(l: &BaselineLine) -> BaselineLineOut {
    BaselineLineOut {
        model: l.model.clone(),
        route: l.route.clone(),
        requests: l.requests,
        requests_per_minute_mean: l.per_minute_mean.map(amount),
        peak_minute_requests: l.peak_minute_requests,
        peak_minute_start: l.peak_minute_start.clone(),
        error_rate_percent: amount(l.error_rate_percent),
        by_status_class: (l.by_outcome_class.iter())
            .map(|c| ClassRateOut {
                outcome_class: c.class.name(),
                requests: c.requests,
                percent: amount(c.percent),
            })
            .collect(),
        timeouts: l.timeouts,
        retries: l.retries,
        input_tokens_mean: amount(l.input_tokens_mean),
        input_tokens_p95: l.input_tokens_p95,
        output_tokens_mean: amount(l.output_tokens_mean),
        output_tokens_p95: l.output_tokens_p95,
        p95_method: percentile::method(l.requests as usize),
        charge: l.charge.map(amount),
        charge_per_request_mean: l.charge_per_request_mean.map(amount),
        charge_per_request_p95: l.charge_per_request_p95.map(amount),
        unpriced_requests: l.unpriced,
    }
}

#[derive(Serialize)]
pub struct BaselineFiguresOut {
    pub start: String,
    pub end: String,
    pub time_zone: String,
    pub seconds: i64,
    pub all: BaselineLineOut,
    pub by_model: Vec<BaselineLineOut>,
    pub by_model_and_route: Vec<BaselineLineOut>,
    pub usage_buckets_not_counted: u64,
    pub untimed_requests: u64,
}

/// A part that is computed, or says why not.
#[derive(Serialize)]
pub struct Part<T> {
    /// `computed` or `not_computed`.
    pub status: &'static str,
    pub not_computed: Option<String>,
    pub figures: Option<T>,
}

fn part<T, U>(answer: &Result<T, String>, out: impl Fn(&T) -> U) -> Part<U> {
    Part {
        status: if answer.is_ok() {
            "computed"
        } else {
            "not_computed"
        },
        not_computed: answer.as_ref().err().cloned(),
        figures: answer.as_ref().ok().map(out),
    }
}

pub fn baseline(answer: &Result<Baseline, String>) -> Part<BaselineFiguresOut> {
    part(answer, |b| BaselineFiguresOut {
        start: b.start.to_string(),
        end: b.end.to_string(),
        time_zone: b.time_zone.clone(),
        seconds: b.seconds,
        all: baseline_line(&b.all),
        by_model: b.by_model.iter().map(baseline_line).collect(),
        by_model_and_route: b.by_model_and_route.iter().map(baseline_line).collect(),
        usage_buckets_not_counted: b.usage_buckets_not_counted,
        untimed_requests: b.untimed_rows,
    })
}

#[derive(Serialize)]
pub struct MixOut {
    pub model: String,
    pub percent: String,
}

#[derive(Serialize)]
pub struct KnobOut {
    pub knob: &'static str,
    pub amount: String,
}

#[derive(Serialize)]
pub struct ProjectionOut {
    /// Always `estimate`: a projection is never a charge.
    pub label: &'static str,
    pub start: String,
    pub end: String,
    pub seconds: i64,
    pub requests_per_minute: String,
    pub requests: String,
    pub model_mix: Vec<MixOut>,
    pub spend_at_mean: String,
    pub spend_at_p95: String,
    pub rollback_budget: String,
    pub stop_over_percent: String,
    pub stop_limit: String,
    pub headroom_at_mean: String,
    pub headroom_at_p95: String,
    /// `pass` or `fail`.
    pub result: &'static str,
    pub driver: &'static str,
    pub knobs: Vec<KnobOut>,
    /// Models it draws on whose card rate is not verified, with the label.
    pub unverified_rates: Vec<String>,
    pub verdict: String,
}

pub fn projection(answer: &Result<Projection, String>, currency: &str) -> Part<ProjectionOut> {
    part(answer, |p| ProjectionOut {
        label: "estimate",
        start: p.start.to_string(),
        end: p.end.to_string(),
        seconds: p.seconds,
        requests_per_minute: amount(p.requests_per_minute),
        requests: amount(p.requests),
        model_mix: (p.mix.iter())
            .map(|m| MixOut {
                model: m.model.clone(),
                percent: amount(m.percent),
            })
            .collect(),
        spend_at_mean: amount(p.spend_mean),
        spend_at_p95: amount(p.spend_p95),
        rollback_budget: amount(p.budget),
        stop_over_percent: amount(p.stop_over_percent),
        stop_limit: amount(p.stop_limit),
        headroom_at_mean: amount(p.headroom_at_mean),
        headroom_at_p95: amount(p.headroom_at_p95),
        result: if p.pass { "pass" } else { "fail" },
        driver: p.driver.name(),
        knobs: (p.knobs.iter())
            .map(|k| KnobOut {
                knob: k.knob.name(),
                amount: amount(k.amount),
            })
            .collect(),
        unverified_rates: p.unverified_rates.clone(),
        verdict: p.verdict(&sanitize::label_text(currency)),
    })
}

#[derive(Serialize)]
pub struct FormOut {
    pub owner: String,
    pub billing_observer: String,
    pub kill_switch_who: String,
    pub kill_switch_where: String,
    pub kill_switch_time_to_effect: String,
    pub kill_switch_verify: String,
    pub kill_switch_reverse: String,
    /// `yes`, `no` or empty.
    pub drill_traced: String,
    pub kill_switch_tested: String,
}

#[derive(Serialize)]
pub struct PhaseOut {
    pub phase: String,
    pub name: String,
    /// `pass` or `hold`.
    pub result: &'static str,
    pub reason: String,
}

#[derive(Serialize)]
pub struct ReadinessOut {
    pub complete: bool,
    pub missing: Vec<String>,
    pub form: FormOut,
    pub phases: Vec<PhaseOut>,
}

fn yes_no(text: &str) -> String {
    match text.trim().to_ascii_lowercase().as_str() {
        word @ ("yes" | "no") => word.to_string(),
        _ => String::new(),
    }
}

pub fn readiness(r: &Readiness, form: &ReadinessText) -> ReadinessOut {
    ReadinessOut {
        complete: r.complete(),
        missing: r.missing.clone(),
        form: FormOut {
            owner: sanitize::role(&form.owner),
            billing_observer: sanitize::role(&form.billing_observer),
            kill_switch_who: sanitize::role(&form.kill_switch_who),
            kill_switch_where: note(&form.kill_switch_where),
            kill_switch_time_to_effect: note(&form.kill_switch_time_to_effect),
            kill_switch_verify: note(&form.kill_switch_verify),
            kill_switch_reverse: note(&form.kill_switch_reverse),
            drill_traced: yes_no(&form.drill_traced),
            kill_switch_tested: yes_no(&form.kill_switch_tested),
        },
        phases: (r.phases.iter())
            .map(|p| PhaseOut {
                phase: p.phase.clone(),
                name: p.name.clone(),
                result: if p.pass { "pass" } else { "hold" },
                reason: p.reason.clone(),
            })
            .collect(),
    }
}
