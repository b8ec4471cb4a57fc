//! Unit cost on the page (FinOps unit economics): the reviewer picks the unit (a
//! successful request, 1,000 tokens, a request of each class, or a business unit they
//! count per owner group) and the periods to follow it over; the page shows what the
//! worker computed (`budget::unit`), by owner group and model, and per period.

use yew::prelude::*;

use super::scroll::Scroll;

use super::fields::{error_at, SelectField, TextField};
use super::money::Money;
use crate::budget::unit::{UnitCost, UnitLine};
use crate::error::Error;
use crate::settings::budget::{BudgetEdit, BudgetField, BudgetText, UnitMetric};

#[derive(Properties, PartialEq)]
pub struct UnitFormProps {
    pub budget: BudgetText,
    pub errors: Vec<Error>,
    pub on_edit: Callback<BudgetEdit>,
}

/// The unit, the business unit counts and the periods.
#[function_component(UnitForm)]
pub fn unit_form(props: &UnitFormProps) -> Html {
    let b = &props.budget;
    let field = |field: BudgetField| props.on_edit.reform(move |v| BudgetEdit::Field(field, v));
    let error = |path: &str| error_at(&props.errors, &format!("budget_review.{path}"));
    let metrics = vec![
        (
            "successful_request".to_string(),
            "a successful request, by owner group".to_string(),
        ),
        (
            "1k_tokens".to_string(),
            "1,000 tokens, by owner group".to_string(),
        ),
        (
            "request".to_string(),
            "a request, by request class".to_string(),
        ),
        (
            "business_unit".to_string(),
            "a business unit I count per owner group".to_string(),
        ),
    ];
    let periods = vec![
        ("day".to_string(), "Day".to_string()),
        ("hour".to_string(), "Hour".to_string()),
    ];
    let business = b.unit_metric.trim() == UnitMetric::BusinessUnit.name();
    let count_row = |index: usize, owner: &str, count: &str| {
        let set = |key: &'static str| {
            props
                .on_edit
                .reform(move |value: String| BudgetEdit::UnitCount(index, key, value))
        };
        let context = format!(" for count {}", index + 1);
        let path = |key: &str| format!("business_units[{index}].{key}");
        html! {
            <li data-testid={format!("budget-unit-count-{index}")}>
                <TextField label="Owner group" value={owner.to_string()} testid={format!("budget-unit-count-{index}-owner")}
                    context={context.clone()} error={error(&path("owner"))} on_input={set("owner")} />
                <TextField label="Units in the window" value={count.to_string()} testid={format!("budget-unit-count-{index}-count")}
                    {context} error={error(&path("count"))} on_input={set("count")} />
                <button type="button" onclick={props.on_edit.reform(move |_| BudgetEdit::RemoveUnitCount(index))}>{ "Remove" }</button>
            </li>
        }
    };
    html! {
        <div class="budget-unit-form" data-testid="budget-unit-form">
            <SelectField label="Cost per" value={if b.unit_metric.trim().is_empty() { "successful_request".into() } else { b.unit_metric.clone() }}
                testid="budget-unit-metric" options={metrics} error={error("unit_metric")} on_change={field(BudgetField::UnitMetric)} />
            if business {
                <TextField label="A business unit is" value={b.business_unit.clone()} testid="budget-business-unit"
                    placeholder="workflow step, seat" error={error("business_unit")} on_input={field(BudgetField::BusinessUnit)} />
                <ul class="budget-shares">
                    { for b.business_units.iter().enumerate().map(|(i, u)| count_row(i, &u.owner, &u.count)) }
                </ul>
                if let Some(message) = error("business_units") {
                    <p class="field-error">{ message }</p>
                }
                <button type="button" data-testid="budget-unit-count-add" onclick={props.on_edit.reform(|_| BudgetEdit::AddUnitCount)}>{ "Add a count" }</button>
            }
            <SelectField label="Followed per" value={if b.unit_period.trim().is_empty() { "day".into() } else { b.unit_period.clone() }}
                testid="budget-unit-period" options={periods} error={error("unit_period")} on_change={field(BudgetField::UnitPeriod)} />
            <TextField label="Finance time zone" value={b.finance_time_zone.clone()} testid="budget-finance-zone"
                placeholder="UTC, +08:00, Asia/Shanghai" error={error("finance_time_zone")} on_input={field(BudgetField::FinanceTimeZone)} />
        </div>
    }
}

fn units(value: Option<rust_decimal::Decimal>) -> Html {
    match value {
        Some(v) => html! { { crate::decimal::format(v) } },
        None => html! { <span class="absent">{ "unknown" }</span> },
    }
}

#[derive(Properties, PartialEq)]
pub struct UnitTablesProps {
    pub unit: UnitCost,
    pub currency: AttrValue,
}

/// Unit cost by group and model, and per period.
#[function_component(UnitTables)]
pub fn unit_tables(props: &UnitTablesProps) -> Html {
    let u = &props.unit;
    let unit = match u.metric {
        UnitMetric::SuccessfulRequest => "successful request".to_string(),
        UnitMetric::Tokens1k => "1K tokens".to_string(),
        UnitMetric::Request => "request".to_string(),
        UnitMetric::BusinessUnit => u.unit_name.clone(),
    };
    let group = if u.metric == UnitMetric::Request {
        "Request class"
    } else {
        "Owner group"
    };
    let row = |l: &UnitLine| {
        let name = l.group.clone().unwrap_or_default();
        html! {
            <tr data-testid="budget-unit-line" data-group={name.clone()} data-model={l.model.clone().unwrap_or_default()}>
                <th scope="row">{ if l.group.is_some() { html! { { name } } } else { html! { <em>{ "unallocated" }</em> } } }</th>
                <td>{ l.model.clone().unwrap_or_else(|| "all models".into()) }</td>
                <td>{ units(l.units) }</td>
                <td><Money amount={l.tally.expected()} currency={props.currency.clone()} /></td>
                <td><Money amount={l.per_unit} currency={props.currency.clone()} testid="per-unit" /></td>
            </tr>
        }
    };
    html! {
        <>
            <Scroll label="Unit cost by group and model">
            <table data-testid="budget-unit-cost">
                <caption>{ format!("Cost per {unit}, by {} and model", group.to_lowercase()) }</caption>
                <thead><tr>
                    <th scope="col">{ group }</th><th scope="col">{ "Model" }</th><th scope="col">{ "Units" }</th>
                    <th scope="col">{ "Expected" }</th><th scope="col">{ format!("Per {unit}") }</th>
                </tr></thead>
                <tbody>{ for u.by_group.iter().chain(&u.by_group_and_model).map(row) }</tbody>
            </table>
            </Scroll>
            <Scroll label="Unit cost per period">
            <table data-testid="budget-unit-periods">
                <caption>{ format!("Cost per {unit} per {} ({})", if u.period == crate::settings::budget::Period::Hour { "hour" } else { "day" }, u.time_zone) }</caption>
                <thead><tr>
                    <th scope="col">{ "From" }</th><th scope="col">{ "Units" }</th>
                    <th scope="col">{ "Expected" }</th><th scope="col">{ format!("Per {unit}") }</th>
                </tr></thead>
                <tbody>
                    { for u.by_period.iter().map(|p| html! {
                        <tr data-testid="budget-unit-period-line" data-start={p.start.clone()}>
                            <th scope="row">{ p.start.clone() }</th>
                            <td>{ units(p.units) }</td>
                            <td><Money amount={p.tally.expected()} currency={props.currency.clone()} /></td>
                            <td><Money amount={p.per_unit} currency={props.currency.clone()} testid="per-unit" /></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            </Scroll>
            if u.untimed_rows > 0 {
                <p class="hint">{ format!("{} rows state no time: they are in the lines by group, in no period.", u.untimed_rows) }</p>
            }
        </>
    }
}
