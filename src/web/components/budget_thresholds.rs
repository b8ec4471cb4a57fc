//! Budget thresholds on the page (seed 004's budget alerts): each bucket's budget, its
//! owner and the percentages flagged, as the reviewer types them; and what the worker
//! computed (`budget::threshold`): spend against each, and which it crossed.

use yew::prelude::*;

use super::scroll::Scroll;

use super::fields::{error_at, TextField};
use super::money::Money;
use crate::budget::threshold::{BucketCheck, Crossing};
use crate::error::Error;
use crate::settings::budget::{BucketBudgetText, BudgetEdit};

#[derive(Properties, PartialEq)]
pub struct BudgetFormProps {
    pub budgets: Vec<BucketBudgetText>,
    pub errors: Vec<Error>,
    pub on_edit: Callback<BudgetEdit>,
}

const LABELS: [(&str, &str, &str); 4] = [
    ("bucket", "Budget bucket", ""),
    ("owner", "Owner", "team or role"),
    ("amount", "Budget for the window", ""),
    ("thresholds", "Thresholds (%)", "50/90/100"),
];

#[function_component(BudgetForm)]
pub fn budget_form(props: &BudgetFormProps) -> Html {
    let row = |index: usize, b: &BucketBudgetText| {
        let values = [&b.bucket, &b.owner, &b.amount, &b.thresholds];
        let cells = LABELS.iter().zip(values).map(|((key, label, hint), value)| {
            let key: &'static str = key;
            let on_input = props
                .on_edit
                .reform(move |v: String| BudgetEdit::Budget(index, key, v));
            html! {
                <TextField label={*label} value={value.clone()} testid={format!("budget-budget-{index}-{key}")}
                    placeholder={*hint} context={format!(" for budget {}", index + 1)}
                    error={error_at(&props.errors, &format!("budget_review.budgets[{index}].{key}"))} {on_input} />
            }
        });
        html! {
            <li data-testid={format!("budget-budget-{index}")}>
                { for cells }
                <button type="button" onclick={props.on_edit.reform(move |_| BudgetEdit::RemoveBudget(index))}>{ "Remove" }</button>
            </li>
        }
    };
    html! {
        <div class="budget-budgets" data-testid="budget-budgets">
            <ul class="budget-shares">
                { for props.budgets.iter().enumerate().map(|(i, b)| row(i, b)) }
            </ul>
            <button type="button" data-testid="budget-budget-add" onclick={props.on_edit.reform(|_| BudgetEdit::AddBudget)}>{ "Add a bucket budget" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ThresholdTableProps {
    pub checks: Vec<BucketCheck>,
    pub currency: AttrValue,
}

fn crossing(c: Crossing) -> &'static str {
    match c {
        Crossing::Crossed => "crossed",
        Crossing::NotCrossed => "not crossed",
        Crossing::Unknown => "unknown",
    }
}

#[function_component(ThresholdTable)]
pub fn threshold_table(props: &ThresholdTableProps) -> Html {
    if props.checks.is_empty() {
        return html! {};
    }
    let currency = &props.currency;
    let row = |c: &BucketCheck| {
        let used = match c.used_percent {
            Some(p) => html! { { format!("{} %", crate::decimal::format(p)) } },
            None => html! { <span class="absent">{ "unknown" }</span> },
        };
        html! {
            <tr data-testid="budget-threshold-line" data-bucket={c.bucket.clone()}>
                <th scope="row">{ c.bucket.clone() }</th>
                <td>{ c.owner.clone() }</td>
                <td><Money amount={Some(c.budget)} currency={currency.clone()} testid="budget" /></td>
                <td><Money amount={c.spend_low} currency={currency.clone()} testid="spend-low" /></td>
                <td><Money amount={c.spend_high} currency={currency.clone()} testid="spend-high" /></td>
                <td data-testid="used">{ used }</td>
                <td data-testid="levels">
                    { for c.levels.iter().map(|l| html! {
                        <span class={format!("level {}", l.crossing.name())} data-testid="level" data-percent={crate::decimal::format(l.percent)}>
                            { format!("{} %: {}", crate::decimal::format(l.percent), crossing(l.crossing)) }
                        </span>
                    }) }
                </td>
            </tr>
        }
    };
    html! {
        <Scroll label="Budgets by bucket">
        <table data-testid="budget-thresholds">
            <caption>{ "Budgets by bucket: spend (expected to at most, with at-risk and unallocated spend) against each threshold" }</caption>
            <thead><tr>
                <th scope="col">{ "Bucket" }</th><th scope="col">{ "Owner" }</th>
                <th scope="col">{ "Budget" }</th><th scope="col">{ "Spend" }</th>
                <th scope="col">{ "At most" }</th><th scope="col">{ "Used" }</th>
                <th scope="col">{ "Thresholds" }</th>
            </tr></thead>
            <tbody>{ for props.checks.iter().map(row) }</tbody>
        </table>
        </Scroll>
    }
}
