//! Expected versus provider-recorded, the variance bridge, and the downloads.

use yew::prelude::*;

use crate::decimal::format;
use crate::reconcile::Comparison;
use crate::review::{Problem, Review};

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub review: Review,
}

fn percent(c: &Comparison) -> String {
    c.variance_percent.map_or_else(|| "n/a".to_string(), format)
}

fn status(c: &Comparison) -> &'static str {
    if !c.expected_complete {
        "incomplete: some usage has no verified rate"
    } else if c.within_tolerance {
        "within tolerance"
    } else {
        "outside tolerance"
    }
}

#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    let figures = match &props.review.figures {
        Ok(figures) => figures,
        Err(Problem::Settings(_)) => {
            return html! { <p class="hint">{ "Fix the settings above to see the figures." }</p> }
        }
        Err(Problem::Arithmetic(error)) => {
            return html! { <p class="problem" role="alert">{ error.to_string() }</p> }
        }
    };
    if figures.pricing.models.is_empty() {
        return html! { <p class="hint">{ "No usage in the window yet: load a usage log (and check the window)." }</p> };
    }
    let total = &figures.reconciliation.total;
    // Aliases are shown, never silently folded: "gpt-4o (logged as gpt-4o-2024-08-06)".
    let logged_as = |model: &str| {
        let charge = figures.pricing.models.iter().find(|m| m.model == model);
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
                <td data-testid="expected">{ format(c.expected) }</td>
                <td data-testid="provider">{ format(c.provider) }</td>
                <td data-testid="variance">{ format(c.variance) }</td>
                <td data-testid="variance-percent">{ percent(c) }</td>
                <td>{ status(c) }</td>
            </tr>
        }
    };
    html! {
        <>
            <table class="results">
                <thead>
                    <tr><th>{ "Model" }</th><th>{ "Expected USD" }</th><th>{ "Provider recorded USD" }</th>
                        <th>{ "Variance USD" }</th><th>{ "Variance %" }</th><th>{ "Status" }</th></tr>
                </thead>
                <tbody>
                    { for figures.reconciliation.per_model.iter().map(|(model, c)| row(model, c)) }
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{ "Total" }</th>
                        <td data-testid="total-expected">{ format(total.expected) }</td>
                        <td data-testid="total-provider">{ format(total.provider) }</td>
                        <td data-testid="total-variance">{ format(total.variance) }</td>
                        <td data-testid="total-variance-percent">{ percent(total) }</td>
                        <td data-testid="total-status">{ status(total) }</td>
                    </tr>
                </tfoot>
            </table>
            <h3>{ "Variance explained" }</h3>
            <ul class="bridge" data-testid="bridge">
                { for figures.bridge.steps.iter().map(|step| html! {
                    <li>{ format!("{} USD: {} ({}): {}", format(step.amount), step.class.describe(), step.cause.describe(), step.evidence) }</li>
                }) }
                <li data-testid="bridge-residual">{ format!("{} USD unexplained (residual)", format(figures.bridge.residual)) }</li>
            </ul>
        </>
    }
}
