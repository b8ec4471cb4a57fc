//! Seed 000's figures on the page, as the worker computed them: the baseline over the
//! reference period (`budget::baseline`), the planned window's projection against its
//! stop condition (`budget::projection`) and the readiness phases
//! (`budget::readiness`). It shows; it decides nothing.

use yew::prelude::*;

use super::scroll::Scroll;

use super::money::{mark, unbroken, Money};
use crate::budget::baseline::{BaselineAnswer, BaselineLine};
use crate::budget::percentile;
use crate::budget::projection::ProjectionAnswer;
use crate::budget::readiness::Readiness;
use crate::decimal::format;

#[derive(Properties, PartialEq)]
pub struct PlanTablesProps {
    pub baseline: BaselineAnswer,
    pub projection: ProjectionAnswer,
    pub readiness: Option<Readiness>,
    pub currency: AttrValue,
}

fn baseline_row(l: &BaselineLine, currency: &AttrValue) -> Html {
    let name = match (&l.model, &l.route) {
        (None, _) => "every request".to_string(),
        (Some(model), None) => model.clone(),
        (Some(model), Some(route)) => format!("{model}, route {route}"),
    };
    let rate = l
        .per_minute_mean
        .map_or_else(|| "unknown".to_string(), format);
    let classes: Vec<String> = (l.by_outcome_class.iter())
        .filter(|c| c.class.name() != "success")
        .map(|c| {
            format!(
                "{} {} ({} %)",
                c.class.name().replace('_', " "),
                c.requests,
                format(c.percent)
            )
        })
        .collect();
    html! {
        <tr data-testid="budget-baseline-line" data-model={l.model.clone()} data-route={l.route.clone()}>
            <th scope="row">{ name }</th>
            <td>{ l.requests.to_string() }</td>
            <td data-testid="per-minute">{ format!("{rate} (peak {} at {})", l.peak_minute_requests, l.peak_minute_start) }</td>
            <td data-testid="errors">{ format!("{} %", format(l.error_rate_percent)) }
                if !classes.is_empty() { <br /><small>{ classes.join(", ") }</small> }</td>
            <td>{ format!("{} / {}", l.timeouts, l.retries) }</td>
            <td data-testid="input">{ format!("{} / {}", format(l.input_tokens_mean), l.input_tokens_p95) }</td>
            <td data-testid="output">{ format!("{} / {}", format(l.output_tokens_mean), l.output_tokens_p95) }</td>
            <td>
                <Money amount={l.charge_per_request_mean} currency={currency.clone()} testid="charge-mean" />
                { " / " }
                <Money amount={l.charge_per_request_p95} currency={currency.clone()} testid="charge-p95" />
            </td>
        </tr>
    }
}

fn baseline_view(answer: &BaselineAnswer, currency: &AttrValue) -> Html {
    match answer {
        None => html! {},
        Some(Err(reason)) => {
            html! { <p class="problem" data-testid="budget-baseline-absent">{ format!("No baseline: {reason}") }</p> }
        }
        Some(Ok(b)) => {
            let lines = std::iter::once(&b.all)
                .chain(b.by_model.iter())
                .chain(b.by_model_and_route.iter());
            html! {
                <>
                <p data-testid="budget-baseline-method">{ format!("Baseline from {} to {} ({}): p95 by {}.", b.start, b.end, b.time_zone, percentile::method(b.all.requests as usize)) }
                    if b.usage_buckets_not_counted + b.untimed_rows > 0 {
                        { format!(" {} usage buckets and {} requests with no time are in no figure.", b.usage_buckets_not_counted, b.untimed_rows) }
                    }
                </p>
                <Scroll label="Baseline">
                <table data-testid="budget-baseline">
                    <caption>{ "Baseline per model and route (requests are attempts, retries included)" }</caption>
                    <thead><tr>
                        <th scope="col">{ "Model and route" }</th><th scope="col">{ "Requests" }</th>
                        <th scope="col">{ "Per minute (mean, peak)" }</th><th scope="col">{ "Error rate" }</th>
                        <th scope="col">{ "Timeouts / retries" }</th><th scope="col">{ "Input tokens mean / p95" }</th>
                        <th scope="col">{ "Output tokens mean / p95" }</th><th scope="col">{ "Charge per request mean / p95" }</th>
                    </tr></thead>
                    <tbody>{ for lines.map(|l| baseline_row(l, currency)) }</tbody>
                </table>
                </Scroll>
                </>
            }
        }
    }
}

fn projection_view(answer: &ProjectionAnswer, currency: &AttrValue) -> Html {
    match answer {
        None => html! {},
        Some(Err(reason)) => {
            html! { <p class="problem" data-testid="budget-projection-absent">{ format!("No projection: {reason}") }</p> }
        }
        Some(Ok(p)) => {
            let money = |d| mark(crate::money::money(d, currency));
            let knobs: Vec<String> = (p.knobs.iter())
                .map(|k| format!("{} {}", k.knob.name(), money(k.amount)))
                .collect();
            html! {
                <div class={if p.pass { "budget-verdict pass" } else { "budget-verdict fail" }} data-testid="budget-projection" data-result={if p.pass { "pass" } else { "fail" }}>
                    <p data-testid="budget-verdict"><strong>{ if p.pass { "Pass" } else { "Fail" } }</strong>{ unbroken(&format!(": {}", p.explain(&money))) }</p>
                    <p class="hint">{ unbroken(&format!("Estimate: {} requests ({} per minute) over {} minutes; headroom {} to {}; what each knob accounts for in the high end: {}.",
                        format(p.requests), format(p.requests_per_minute), p.seconds / 60, money(p.headroom_at_mean), money(p.headroom_at_p95), knobs.join(", "))) }</p>
                </div>
            }
        }
    }
}

fn readiness_view(readiness: &Option<Readiness>) -> Html {
    let Some(r) = readiness else { return html! {} };
    html! {
        <>
            if r.complete() {
                <p data-testid="budget-readiness-complete">{ "The readiness form is complete." }</p>
            } else {
                <p data-testid="budget-readiness-missing">{ format!("The readiness form is missing: {}.", r.missing.join("; ")) }</p>
            }
            <Scroll label="Rollback phases">
            <table data-testid="budget-phases">
                <caption>{ "Rollback phases (seed 000)" }</caption>
                <thead><tr><th scope="col">{ "Phase" }</th><th scope="col">{ "Result" }</th><th scope="col">{ "Why" }</th></tr></thead>
                <tbody>
                    { for r.phases.iter().map(|p| html! {
                        <tr data-testid="budget-phase" data-phase={p.phase.clone()} data-result={if p.pass { "pass" } else { "hold" }}>
                            <th scope="row">{ format!("{}: {}", p.phase, p.name) }</th>
                            <td class={if p.pass { "phase pass" } else { "phase hold" }}>{ if p.pass { "pass" } else { "hold" } }</td>
                            <td>{ p.reason.clone() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            </Scroll>
        </>
    }
}

#[function_component(PlanTables)]
pub fn plan_tables(props: &PlanTablesProps) -> Html {
    if props.baseline.is_none() && props.projection.is_none() && props.readiness.is_none() {
        return html! {};
    }
    html! {
        <div class="budget-plan" data-testid="budget-plan">
            <h3>{ "Baseline, projection and readiness" }</h3>
            { baseline_view(&props.baseline, &props.currency) }
            { projection_view(&props.projection, &props.currency) }
            { readiness_view(&props.readiness) }
        </div>
    }
}
