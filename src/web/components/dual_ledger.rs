//! Seed 001's dual ledger: per model and day, the estimated cost beside the reconciled
//! cost and their variance, as the core computed them ([`crate::dual_ledger`]) as of
//! the moment the page shows them; provisional days say so.

use yew::prelude::*;

use super::scroll::Scroll;

use super::Money;
use crate::dual_ledger::{LedgerLine, POSTING_WINDOW_HOURS};
use crate::ingest::Stream;

#[derive(Properties, PartialEq)]
pub struct DualLedgerProps {
    pub zone: String,
    pub estimated_from: Option<Stream>,
    pub reconciled_from: Option<Stream>,
    pub lines: Vec<LedgerLine>,
    pub currency: AttrValue,
}

#[function_component(DualLedgerTable)]
pub fn dual_ledger_table(props: &DualLedgerProps) -> Html {
    if props.lines.is_empty() {
        return html! {};
    }
    let from =
        |s: Option<Stream>, none: &str| s.map_or(none.to_string(), |s| s.describe().to_string());
    let row = |l: &LedgerLine| {
        let currency = props.currency.clone();
        html! {
            <tr data-testid="ledger-line">
                <td>{ l.day.clone().unwrap_or_else(|| "no single day".into()) }</td>
                <td>{ &l.model }</td>
                <td class="num"><Money amount={l.estimated} currency={currency.clone()} /></td>
                <td class="num"><Money amount={l.reconciled} currency={currency.clone()} /></td>
                <td class="num"><Money amount={l.variance} {currency} signed=true /></td>
                <td>{ if l.provisional { "provisional" } else { "settled" } }</td>
                <td class="num">{ format!("{} / {}", l.estimated_rows, l.reconciled_rows) }
                    if l.unpriced_rows > 0 { { format!(" ({} unpriced)", l.unpriced_rows) } }
                </td>
            </tr>
        }
    };
    html! {
        <div class="dual-ledger" data-testid="dual-ledger">
            <h3>{ "Dual ledger: estimated and reconciled, per day" }</h3>
            <p class="hint">{ format!(
                "Days in {}. Estimated from the {}; reconciled from the {}. Neither column overwrites the other. A day stays provisional until {} hours after it ends; rows without a time, and bills spanning two days, are on no single day.",
                props.zone,
                from(props.estimated_from, "nothing (no usage evidence)"),
                from(props.reconciled_from, "nothing (no provider-side figure)"),
                POSTING_WINDOW_HOURS) }</p>
            <Scroll label="Dual ledger">
                <table>
                    <thead><tr><th scope="col">{ "day" }</th><th scope="col">{ "model" }</th><th scope="col" class="num">{ "estimated" }</th>
                        <th scope="col" class="num">{ "reconciled" }</th><th scope="col" class="num">{ "variance" }</th><th scope="col">{ "status" }</th>
                        <th scope="col" class="num">{ "rows (estimated / reconciled)" }</th></tr></thead>
                    <tbody>{ for props.lines.iter().map(row) }</tbody>
                </table>
            </Scroll>
        </div>
    }
}
