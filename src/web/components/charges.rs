//! The expected-charge table: model × dimension, with rate, unit, factors, label and
//! source; totals split verified / estimated, the at-risk range, unpriced usage, and the
//! gateway quota consistency check.

use yew::prelude::*;

use super::scroll::Scroll;

use super::Money;
use crate::decimal::format;
use crate::price::quota::QuotaCheck;
use crate::price::{LineStatus, Pricing};

#[derive(Properties, PartialEq)]
pub struct ChargesProps {
    pub pricing: Pricing,
    pub currency: String,
    /// The gateway quota check, when the usage was priced from a gateway log.
    pub quota_check: Option<QuotaCheck>,
    /// Per-image and per-second prices no quantity in the usage uses.
    #[prop_or_default]
    pub unapplied: Vec<crate::confidence::UnappliedPrice>,
}

fn status(status: LineStatus) -> &'static str {
    match status {
        LineStatus::Expected => "expected",
        LineStatus::AtRisk => "at risk",
        LineStatus::Unpriced => "unpriced",
    }
}

/// The colour the status word is shown in (styles/app.css); the word says it too.
fn status_class(status: LineStatus) -> &'static str {
    match status {
        LineStatus::Expected => "status status-ok",
        LineStatus::AtRisk => "status status-warn",
        LineStatus::Unpriced => "status status-bad",
    }
}

#[function_component(Charges)]
pub fn charges(props: &ChargesProps) -> Html {
    let p = &props.pricing;
    let unpriced: Vec<&str> = p.unpriced_models().collect();
    let currency = AttrValue::from(props.currency.clone());
    let money = |amount| html! { <Money amount={Some(amount)} currency={currency.clone()} /> };
    let at_risk = match p.expected_range() {
        Ok((low, high)) => html! {
            <>{ money(p.at_risk) }{ " (expected range " }{ money(low) }{ " to " }{ money(high) }{ ")" }</>
        },
        Err(error) => html! { <>{ money(p.at_risk) }{ format!(" ({error})") }</> },
    };
    html! {
        <>
            <Scroll label="Expected charge lines">
                <table class="charges" data-testid="charge-lines">
                    <thead><tr>
                        <th scope="col">{ "Model" }</th><th scope="col">{ "Dimension" }</th><th scope="col">{ "Status" }</th>
                        <th scope="col" class="num">{ "Quantity" }</th><th scope="col" class="num">{ "Rate" }</th>
                        <th scope="col">{ "Unit" }</th><th scope="col">{ "Factors" }</th>
                        <th scope="col" class="num">{ format!("Amount {}", props.currency) }</th><th scope="col">{ "Label" }</th><th scope="col">{ "Source" }</th>
                    </tr></thead>
                    <tbody>
                        { for p.lines.iter().map(|l| html! {
                            <tr data-testid="charge-line" data-model={l.model.clone()} class={classes!((l.status == LineStatus::Unpriced).then_some("unpriced"))}>
                                <th scope="row">{ &l.model }</th>
                                <td>{ l.dimension.label() }{ if l.long_context { " (long context)" } else { "" } }</td>
                                <td><span class={status_class(l.status)}>{ status(l.status) }</span></td>
                                <td class="num">{ l.quantity }</td>
                                <td class="num">{ l.rate.map_or_else(|| "—".to_string(), format) }</td>
                                <td>{ &l.unit }</td>
                                <td>{ l.factors.join(", ") }</td>
                                <td class="num" data-testid="line-amount">
                                    if let Some(amount) = l.amount { { money(amount) } } else { { "unpriced" } }
                                </td>
                                <td>{ l.label.name() }</td>
                                <td class="source">{ &l.source_url }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </Scroll>
            <dl class="totals">
                <dt>{ "Expected, verified (verified rates on verified usage)" }</dt><dd data-testid="expected-verified">{ money(p.expected_verified) }</dd>
                <dt>{ "Expected, estimated (inferred or unknown rates, or usage not verified)" }</dt><dd data-testid="expected-estimated">{ money(p.expected_estimated) }</dd>
                <dt>{ "At risk (outcome unknown)" }</dt>
                <dd data-testid="at-risk">{ at_risk }</dd>
                if !props.unapplied.is_empty() {
                    <dt>{ "Prices not applied" }</dt>
                    <dd data-testid="prices-without-quantities">{ format!(
                        "{}: priced on the card, but the usage states no such quantity, so the expected total may lack that part",
                        props.unapplied.iter().map(|u| format!("{} ({})", u.model, u.dimension.label())).collect::<Vec<_>>().join(", ")
                    ) }</dd>
                }
                <dt>{ "Unpriced" }</dt>
                <dd data-testid="unpriced">{ if unpriced.is_empty() && p.complete { "none".to_string() } else if unpriced.is_empty() { "some dimensions (see the table): the expected total is incomplete".to_string() } else { format!("{}: the expected total is incomplete", unpriced.join(", ")) } }</dd>
                { for p.models.iter().filter(|m| m.untimed_unpriced > 0).map(|m| html! {
                    <dd data-testid="untimed-unpriced">{ format!(
                        "{}: {} request(s) without a time unpriced: every entry for it has effective dates, so none can be said to apply (add one without dates to price them)",
                        m.model, m.untimed_unpriced
                    ) }</dd>
                }) }
                if let Some(q) = &props.quota_check {
                    <dt>{ "Gateway quota check" }</dt>
                    <dd data-testid="quota-check">{ format!(
                        "{} rows match their own logged ratios (±1 quota, {} rule), {} do not ({} quota), {} cannot be checked (no ratios or no usage)",
                        q.consistent_rows, q.rule.name(), q.inconsistent_rows, q.inconsistent_quota, q.unchecked_rows) }</dd>
                    if q.reread_rows > 0 {
                        <dd data-testid="quota-check-reread">{ format!(
                            "{} rows match only when their usage fields are read another way (see the bridge's field interpretation steps)",
                            q.reread_rows) }</dd>
                    }
                }
            </dl>
        </>
    }
}
