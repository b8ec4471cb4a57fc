//! Seed 000's rollback planning on the page, as the reviewer types it: the reference
//! period the baseline is measured over, the planned window (traffic, model mix,
//! rollback budget, stop condition) and the readiness form. Each value goes to the core
//! as a [`BudgetEdit`]; the core checks it and names its problem by path.

use yew::prelude::*;

use super::fields::{error_at, SelectField, TextField};
use crate::error::Error;
use crate::settings::budget::{BudgetEdit, BudgetField, BudgetText, ReadinessText};

#[derive(Properties, PartialEq)]
pub struct PlanFormProps {
    pub budget: BudgetText,
    pub errors: Vec<Error>,
    pub on_edit: Callback<BudgetEdit>,
}

/// The planned window's fields: key, label, placeholder.
const PLAN_FIELDS: [(&str, &str, &str); 6] = [
    ("start", "Planned window start", "2026-05-09T14:00"),
    ("end", "Planned window end", "2026-05-09T15:00"),
    (
        "request_rate",
        "Expected requests per minute",
        "or a traffic share",
    ),
    (
        "traffic_share",
        "Or traffic share of the baseline (%)",
        "100",
    ),
    ("rollback_budget", "Rollback budget", ""),
    (
        "stop_over_percent",
        "Stop when projected spend exceeds the budget by (%)",
        "20",
    ),
];

fn plan_value<'a>(b: &'a BudgetText, key: &str) -> &'a str {
    let p = &b.plan;
    match key {
        "start" => &p.start,
        "end" => &p.end,
        "request_rate" => &p.request_rate,
        "traffic_share" => &p.traffic_share,
        "rollback_budget" => &p.rollback_budget,
        _ => &p.stop_over_percent,
    }
}

#[function_component(PlanForm)]
pub fn plan_form(props: &PlanFormProps) -> Html {
    let b = &props.budget;
    let error = |path: &str| error_at(&props.errors, &format!("budget_review.{path}"));
    let field = |field: BudgetField| props.on_edit.reform(move |v| BudgetEdit::Field(field, v));
    let plan_fields = PLAN_FIELDS.iter().map(|(key, label, hint)| {
        let key: &'static str = key;
        html! {
            <TextField label={*label} value={plan_value(b, key).to_string()} testid={format!("budget-plan-{key}")}
                placeholder={*hint} error={error(&format!("plan.{key}"))}
                on_input={props.on_edit.reform(move |v| BudgetEdit::Plan(key, v))} />
        }
    });
    let mix_row = |index: usize, model: &str, percent: &str| {
        let set = |key: &'static str| {
            (props.on_edit).reform(move |v: String| BudgetEdit::MixShare(index, key, v))
        };
        let context = format!(" for model share {}", index + 1);
        let path = |key: &str| format!("plan.model_mix[{index}].{key}");
        html! {
            <li data-testid={format!("budget-mix-{index}")}>
                <TextField label="Model" value={model.to_string()} testid={format!("budget-mix-{index}-model")}
                    context={context.clone()} error={error(&path("model"))} on_input={set("model")} />
                <TextField label="Share of requests (%)" value={percent.to_string()} testid={format!("budget-mix-{index}-percent")}
                    {context} error={error(&path("percent"))} on_input={set("percent")} />
                <button type="button" onclick={props.on_edit.reform(move |_| BudgetEdit::RemoveMixShare(index))}>{ "Remove" }</button>
            </li>
        }
    };
    html! {
        <div class="budget-plan-form" data-testid="budget-plan-form">
            <p class="hint">{ "Times without an offset are read in the finance time zone (UTC when none is set). The baseline is measured over a reference period of the loaded evidence; the planned window is projected from it at the verified rates, as an estimate." }</p>
            <div class="budget-plan-fields">
                <TextField label="Reference period start" value={b.reference_period.start.clone()} testid="budget-reference-start"
                    placeholder="2026-05-09T13:00" error={error("reference_period.start")} on_input={field(BudgetField::ReferenceStart)} />
                <TextField label="Reference period end" value={b.reference_period.end.clone()} testid="budget-reference-end"
                    placeholder="2026-05-09T14:00" error={error("reference_period.end")} on_input={field(BudgetField::ReferenceEnd)} />
            </div>
            <div class="budget-plan-fields">{ for plan_fields }</div>
            <ul class="budget-shares">
                { for b.plan.model_mix.iter().enumerate().map(|(i, m)| mix_row(i, &m.model, &m.percent)) }
            </ul>
            if let Some(message) = error("plan.model_mix") {
                <p class="field-error" data-testid="budget-mix-error">{ message }</p>
            }
            <button type="button" data-testid="budget-mix-add" onclick={props.on_edit.reform(|_| BudgetEdit::AddMixShare)}>{ "Add a model share (none: the baseline's mix)" }</button>
            <ReadinessForm form={b.readiness.clone()} errors={props.errors.clone()} on_edit={props.on_edit.clone()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ReadinessFormProps {
    form: ReadinessText,
    errors: Vec<Error>,
    on_edit: Callback<BudgetEdit>,
}

/// The readiness items' labels, in [`ReadinessText::ITEMS`] order.
const READINESS_LABELS: [(&str, &str); 9] = [
    ("Rollback owner", "team or role"),
    ("Billing observer", "team or role"),
    ("Kill switch: who can trigger it", "team or role"),
    ("Kill switch: where it is configured", ""),
    ("Kill switch: time to take effect", ""),
    ("Kill switch: how to verify it worked", ""),
    ("Kill switch: how to reverse it", ""),
    ("Drill request traced end to end (phase B)", ""),
    ("Kill switch tested (phase C)", ""),
];

#[function_component(ReadinessForm)]
fn readiness_form(props: &ReadinessFormProps) -> Html {
    let yes_no = vec![
        (String::new(), "not yet".to_string()),
        ("yes".to_string(), "yes".to_string()),
        ("no".to_string(), "no".to_string()),
    ];
    let items = ReadinessText::ITEMS.iter().zip(READINESS_LABELS).map(|((key, _), (label, hint))| {
        let key: &'static str = key;
        let value = props.form.get(key).to_string();
        let error = error_at(&props.errors, &format!("budget_review.readiness.{key}"));
        let on_edit = props.on_edit.reform(move |v| BudgetEdit::Readiness(key, v));
        let testid = format!("budget-readiness-{key}");
        if matches!(key, "drill_traced" | "kill_switch_tested") {
            html! { <SelectField {label} {value} {testid} options={yes_no.clone()} {error} on_change={on_edit} /> }
        } else {
            html! { <TextField {label} {value} {testid} placeholder={hint} {error} on_input={on_edit} /> }
        }
    });
    html! {
        <fieldset class="budget-readiness-form" data-testid="budget-readiness-form">
            <legend>{ "Readiness (seed 000): roles and short notes, no names, keys or balances" }</legend>
            <div class="budget-plan-fields">{ for items }</div>
        </fieldset>
    }
}
