//! Expected versus provider-recorded, per model and in total, and the variance bridge.

use yew::prelude::*;

use super::scroll::Scroll;

use super::{Later, Money, RateDifferences};
use crate::pipeline::{Problem, Review};
use crate::reconcile::{Comparison, Verdict};

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub review: Review,
}

/// The variance percent with `%`; its exact figure stays in `data-exact`.
/// "1 client request", "2 client requests".
fn counted(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

fn percent(c: &Comparison, testid: &'static str) -> Html {
    match (c.variance, c.variance_percent) {
        (None, _) => html! { <span data-testid={testid}>{ "not computed" }</span> },
        (Some(_), None) => {
            html! { <span data-testid={testid} title="nothing was expected: no percent">{ "n/a" }</span> }
        }
        (Some(_), Some(p)) => html! {
            <span data-testid={testid} data-exact={crate::decimal::format(p)}>{ crate::money::percent(p) }</span>
        },
    }
}

/// The colour a verdict is shown in (styles/app.css); its words say it too.
fn verdict(c: &Comparison) -> Html {
    let verdict = c.verdict();
    let class = match verdict {
        Verdict::WithinTolerance => "status status-ok",
        Verdict::OutsideTolerance => "status status-bad",
        Verdict::Incomplete => "status status-warn",
        Verdict::NotComputed | Verdict::NotCompared => "status status-none",
    };
    html! { <span {class}>{ verdict.describe() }</span> }
}

#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    let figures = match &props.review.figures {
        Ok(figures) => figures,
        Err(Problem::NothingRead) if props.review.files.is_empty() => {
            return html! { <p class="hint">{ "Load the exports you have (step 1) to see the figures." }</p> }
        }
        Err(Problem::NothingRead) => {
            return html! { <p class="problem" role="alert" data-testid="nothing-read">{ "None of the files gave a row that could be read (each one above says why), so there is nothing to reconcile yet: no record can be made." }</p> }
        }
        Err(Problem::Settings(_)) => {
            return html! { <p class="hint">{ "Fix the settings above to see the figures." }</p> }
        }
        Err(Problem::Arithmetic(error)) => {
            return html! { <p class="problem" role="alert">{ error.to_string() }</p> }
        }
    };
    let total = &figures.reconciliation.total;
    let currency = AttrValue::from(figures.settings.billing_currency.clone());
    let money = |amount, testid: &'static str| {
        html! {
            <Money amount={amount} currency={currency.clone()} testid={testid} />
        }
    };
    let signed = |amount, testid: &'static str| {
        html! {
            <Money amount={amount} currency={currency.clone()} signed=true testid={testid} />
        }
    };
    let nothing_recorded = total.provider.is_none_or(|p| p.is_zero());
    if figures
        .pricing
        .as_ref()
        .is_some_and(|p| p.models.is_empty())
        && nothing_recorded
    {
        return html! { <p class="hint">{ "No usage in the window yet: load a usage log (and check the window)." }</p> };
    }
    // Aliases are shown, never silently folded: "gpt-4o (logged as gpt-4o-2024-08-06)".
    let logged_as = |model: &str| {
        let models = figures
            .pricing
            .as_ref()
            .map_or(&[][..], |p| p.models.as_slice());
        let charge = models.iter().find(|m| m.model == model);
        let others: Vec<&str> = charge.map_or_else(Vec::new, |m| {
            m.logged_as
                .iter()
                .map(String::as_str)
                .filter(|n| *n != model)
                .collect()
        });
        if others.is_empty() {
            String::new()
        } else {
            format!(" (logged as {})", others.join(", "))
        }
    };
    let row = |model: &str, c: &Comparison| {
        html! {
            <tr data-testid="result-row" data-model={model.to_string()}>
                <th scope="row">{ model }<span class="alias">{ logged_as(model) }</span></th>
                <td class="num" data-label="Expected">{ money(c.expected, "expected") }</td>
                <td class="num" data-label="Recorded by the provider">{ money(c.provider, "provider") }</td>
                <td class="num" data-label="Difference (recorded − expected)">{ signed(c.variance, "variance") }</td>
                <td class="num" data-label="Difference %">{ percent(c, "variance-percent") }</td>
                <td class={classes!("verdict", format!("verdict-{}", c.verdict().name()))} data-label="Status">{ verdict(c) }</td>
            </tr>
        }
    };
    html! {
        <>
            // On a phone each row becomes a card, every figure beside its column's name
            // (data-label, styles/app.css).
            <Scroll label="Expected versus recorded by model">
            <table class="results">
                <thead>
                    <tr><th scope="col">{ "Model" }</th><th scope="col" class="num">{ "Expected" }</th><th scope="col" class="num">{ "Recorded by the provider" }</th>
                        <th scope="col" class="num">{ "Difference (recorded − expected)" }</th><th scope="col" class="num">{ "Difference %" }</th><th scope="col">{ "Status" }</th></tr>
                </thead>
                <tbody>
                    { for figures.reconciliation.per_model.iter().map(|(model, c)| row(model, c)) }
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{ "Total" }</th>
                        <td class="num" data-label="Expected">{ money(total.expected, "total-expected") }</td>
                        <td class="num" data-label="Recorded by the provider">{ money(total.provider, "total-provider") }</td>
                        <td class="num" data-label="Difference (recorded − expected)">{ signed(total.variance, "total-variance") }</td>
                        <td class="num" data-label="Difference %">{ percent(total, "total-variance-percent") }</td>
                        <td data-testid="total-status" class={classes!("verdict", format!("verdict-{}", total.verdict().name()))} data-label="Status">{ verdict(total) }</td>
                    </tr>
                </tfoot>
            </table>
            </Scroll>
            <h3 id="bridge-title">{ "Variance explained" }</h3>
            if let Some(bridge) = &figures.bridge {
                <ul class="bridge" data-testid="bridge">
                    { for bridge.steps.iter().map(|step| html! {
                        <li>
                            { money(Some(step.amount), "bridge-step-amount") }
                            { format!(" {} ({}): {}", step.class.describe(), step.cause.describe(), step.evidence) }
                            if step.class == crate::classify::VarianceClass::AccountSpecificBillingIssue
                                && step.cause == crate::classify::Cause::CreditAdjustment {
                                <span class="hint">{ " Refunds are routine: the gateway returned quota for requests it did not complete." }</span>
                            }
                        </li>
                    }) }
                    <li data-testid="bridge-residual">{ money(Some(bridge.residual), "bridge-residual-amount") }{ " unexplained (residual)" }</li>
                </ul>
                if let Some(join) = bridge.request_join {
                    <p class="hint" data-testid="request-join">{ format!(
                        "What the client saw joined to the gateway's charges by request id: {} tied; not tied, without a request id: {} and {}.",
                        join.tied_requests, counted(join.untied_client_requests, "client request"),
                        counted(join.untied_gateway_rows, "gateway row")) }</p>
                }
                // Its table follows the totals by a frame, like the charge lines.
                <Later>
                    <RateDifferences differences={bridge.rate_differences.clone()} currency={currency.clone()} />
                </Later>
            } else {
                <p class="hint" data-testid="bridge">{ "Not computed: there is no variance to explain until both the expected charge and a provider-side figure are known." }</p>
            }
        </>
    }
}
