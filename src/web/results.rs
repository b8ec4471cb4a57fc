//! Expected versus provider-recorded, the variance bridge, and the downloads.

use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::browser;
use super::state::Action;
use crate::decimal::format;
use crate::ratecard::RateCardText;
use crate::reconcile::Comparison;
use crate::review::{Problem, Review};
use crate::settings::Settings;

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
    let row = |model: &str, c: &Comparison| {
        html! {
            <tr data-testid="result-row" data-model={model.to_string()}>
                <th scope="row">{ model }</th>
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

#[derive(Properties, PartialEq)]
pub struct DownloadsProps {
    pub review: Review,
    pub settings: Settings,
    pub on_action: Callback<Action>,
}

#[function_component(Downloads)]
pub fn downloads(props: &DownloadsProps) -> Html {
    let on_record = {
        let (review, on_action) = (props.review.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(record) = review.record(browser::now()) else {
                return;
            };
            let name = format!(
                "reconciliation-record-{}.json",
                record.reconciliation_run_id
            );
            if let Err(problem) = browser::download(&name, "application/json", &record.to_json()) {
                on_action.emit(Action::Notice(Some(problem)));
            }
        })
    };
    let on_settings = {
        let (settings, on_action) = (props.settings.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            if let Err(problem) = browser::download(
                "reconciliation-settings.json",
                "application/json",
                &settings.to_json(),
            ) {
                on_action.emit(Action::Notice(Some(problem)));
            }
        })
    };
    let on_import = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let list = browser::take_files(input.files());
            input.set_value("");
            let on_action = on_action.clone();
            spawn_local(async move {
                let Some(Ok(file)) = browser::read_files(list).await.into_iter().next() else {
                    return;
                };
                let parsed = std::str::from_utf8(&file.bytes)
                    .map_err(|_| "expected UTF-8 text".to_string())
                    .and_then(|text| {
                        Settings::from_json(text)
                            .map(Box::new)
                            .map_err(|e| e.to_string())
                    })
                    .map_err(|problem| format!("{}: settings not imported: {problem}", file.name));
                on_action.emit(Action::ImportSettings(parsed));
            });
        })
    };
    let on_card = {
        let (settings, on_action) = (props.settings.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let card = RateCardText {
                schema_version: 1,
                rates: settings.rates.clone(),
                factors: settings.factors.clone(),
            };
            if let Err(problem) =
                browser::download("rate-card.json", "application/json", &card.to_json())
            {
                on_action.emit(Action::Notice(Some(problem)));
            }
        })
    };
    let on_card_import = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let list = browser::take_files(input.files());
            input.set_value("");
            let on_action = on_action.clone();
            spawn_local(async move {
                let Some(Ok(file)) = browser::read_files(list).await.into_iter().next() else {
                    return;
                };
                let parsed = std::str::from_utf8(&file.bytes)
                    .map_err(|_| "expected UTF-8 text".to_string())
                    .and_then(|text| RateCardText::from_json(text).map_err(|e| e.to_string()))
                    .map_err(|problem| format!("{}: rate card not imported: {problem}", file.name));
                on_action.emit(Action::ImportRateCard(parsed));
            });
        })
    };
    let ready = props
        .review
        .figures
        .as_ref()
        .is_ok_and(|f| !f.pricing.models.is_empty());
    html! {
        <div class="downloads">
            <button type="button" data-testid="download-record" disabled={!ready} onclick={on_record}>
                { "Download reconciliation record" }
            </button>
            <button type="button" class="secondary" data-testid="download-settings" onclick={on_settings}>
                { "Export settings" }
            </button>
            <label class="secondary import">
                { "Import settings" }
                <input type="file" accept=".json" data-testid="import-settings" onchange={on_import} />
            </label>
            <button type="button" class="secondary" data-testid="download-rate-card" onclick={on_card}>
                { "Export rate card" }
            </button>
            <label class="secondary import">
                { "Import rate card" }
                <input type="file" accept=".json" data-testid="import-rate-card" onchange={on_card_import} />
            </label>
        </div>
    }
}
