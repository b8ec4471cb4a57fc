//! Expected versus provider-recorded, per model and in total, and the variance bridge.

use yew::prelude::*;

use crate::decimal::format;
use crate::pipeline::{Problem, Review};
use crate::reconcile::{Comparison, Verdict};

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub review: Review,
}

/// An absent figure says so in words: never a zero, never a blank.
fn money(value: Option<rust_decimal::Decimal>) -> String {
    value.map_or_else(|| "not computed".to_string(), format)
}

fn percent(c: &Comparison) -> String {
    match (c.variance, c.variance_percent) {
        (None, _) => "not computed".to_string(),
        (Some(_), None) => "n/a".to_string(),
        (Some(_), Some(p)) => format(p),
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
                <td data-testid="expected" data-label="Expected USD">{ money(c.expected) }</td>
                <td data-testid="provider" data-label="Provider recorded USD">{ money(c.provider) }</td>
                <td data-testid="variance" data-label="Variance USD">{ money(c.variance) }</td>
                <td data-testid="variance-percent" data-label="Variance %">{ percent(c) }</td>
                <td data-label="Status">{ verdict(c) }</td>
            </tr>
        }
    };
    html! {
        <>
            // On a phone each row becomes a card, every figure beside its column's name
            // (data-label, styles/app.css).
            <div class="scroll" role="region" aria-label="Expected versus recorded by model" tabindex="0">
            <table class="results">
                <thead>
                    <tr><th scope="col">{ "Model" }</th><th scope="col" class="num">{ "Expected USD" }</th><th scope="col" class="num">{ "Provider recorded USD" }</th>
                        <th scope="col" class="num">{ "Variance USD" }</th><th scope="col" class="num">{ "Variance %" }</th><th scope="col">{ "Status" }</th></tr>
                </thead>
                <tbody>
                    { for figures.reconciliation.per_model.iter().map(|(model, c)| row(model, c)) }
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{ "Total" }</th>
                        <td data-testid="total-expected" data-label="Expected USD">{ money(total.expected) }</td>
                        <td data-testid="total-provider" data-label="Provider recorded USD">{ money(total.provider) }</td>
                        <td data-testid="total-variance" data-label="Variance USD">{ money(total.variance) }</td>
                        <td data-testid="total-variance-percent" data-label="Variance %">{ percent(total) }</td>
                        <td data-testid="total-status" data-label="Status">{ verdict(total) }</td>
                    </tr>
                </tfoot>
            </table>
            </div>
            <h3>{ "Variance explained" }</h3>
            if let Some(bridge) = &figures.bridge {
                <ul class="bridge" data-testid="bridge">
                    { for bridge.steps.iter().map(|step| html! {
                        <li>{ format!("{} USD: {} ({}): {}", format(step.amount), step.class.describe(), step.cause.describe(), step.evidence) }</li>
                    }) }
                    <li data-testid="bridge-residual">{ format!("{} USD unexplained (residual)", format(bridge.residual)) }</li>
                </ul>
            } else {
                <p class="hint" data-testid="bridge">{ "Not computed: there is no variance to explain until both the expected charge and a provider-side figure are known." }</p>
            }
        </>
    }
}
