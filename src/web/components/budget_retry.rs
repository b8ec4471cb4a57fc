//! Retries and failures on the page: the retry amplification, what the extra attempts
//! met and cost, and what failed requests cost as a range (`budget::retry`).

use yew::prelude::*;

use super::scroll::Scroll;

use super::money::Money;
use crate::budget::retry::{ClassLine, Retries};

#[derive(Properties, PartialEq)]
pub struct RetryTablesProps {
    pub retries: Retries,
    pub currency: AttrValue,
}

#[derive(Properties, PartialEq)]
struct ClassTableProps {
    title: AttrValue,
    testid: AttrValue,
    lines: Vec<ClassLine>,
    currency: AttrValue,
}

#[function_component(ClassTable)]
fn class_table(props: &ClassTableProps) -> Html {
    let row = |l: &ClassLine| {
        let range = l.range();
        html! {
            <tr data-testid="budget-class-line" data-class={l.class.name()}>
                <th scope="row">{ l.class.name().replace('_', " ") }</th>
                <td>{ l.tally.rows.to_string() }</td>
                <td>{ l.tally.tokens().map_or_else(|| "unknown".to_string(), |t| t.to_string()) }</td>
                <td>
                    <Money amount={range.map(|r| r.0)} currency={props.currency.clone()} testid="cost-low" />
                    { " to " }
                    <Money amount={range.map(|r| r.1)} currency={props.currency.clone()} testid="cost-high" />
                </td>
                <td>{ if l.tally.unpriced > 0 { format!("{} unpriced", l.tally.unpriced) } else { String::new() } }</td>
            </tr>
        }
    };
    html! {
        <Scroll label={props.title.clone()}>
        <table data-testid={props.testid.clone()}>
            <caption>{ &props.title }</caption>
            <thead><tr>
                <th scope="col">{ "Outcome" }</th><th scope="col">{ "Attempts" }</th>
                <th scope="col">{ "Tokens" }</th><th scope="col">{ "Cost if billed (policy's billable to all)" }</th>
                <th scope="col">{ "Note" }</th>
            </tr></thead>
            <tbody>{ for props.lines.iter().map(row) }</tbody>
        </table>
        </Scroll>
    }
}

#[function_component(RetryTables)]
pub fn retry_tables(props: &RetryTablesProps) -> Html {
    let r = &props.retries;
    let amplification = r
        .amplification
        .map_or_else(|| "unknown".to_string(), crate::decimal::format);
    html! {
        <>
            <p data-testid="budget-retries">
                { format!("{} attempts for {} logical requests: {} extra, {} attempts per request", r.attempts, r.logical_requests, r.extra_attempts, amplification) }
                if r.usage_buckets > 0 {
                    { format!(" ({} usage buckets do not tell attempts apart and are left out)", r.usage_buckets) }
                }
                { "." }
            </p>
            if !r.extra_by_class.is_empty() {
                <ClassTable title="Extra attempts by what they met" testid="budget-extra-attempts" lines={r.extra_by_class.clone()} currency={props.currency.clone()} />
            }
            if !r.failures_by_class.is_empty() {
                <ClassTable title="Failed requests and what they cost if billed" testid="budget-failure-cost" lines={r.failures_by_class.clone()} currency={props.currency.clone()} />
            }
        </>
    }
}
