//! The "Budget review" view: the same evidence and rate card, spend allocated by the
//! reviewer's mapping table (FinOps allocation). It shows what the worker computed
//! (`budget::review`) table by table, unallocated spend as such, and offers the budget
//! review document; it computes nothing itself.

use yew::prelude::*;

use super::scroll::Scroll;

use super::budget_baseline::PlanTables;
use super::budget_retry::RetryTables;
use super::budget_thresholds::ThresholdTable;
use super::budget_unit::UnitTables;
use super::money::Money;
use crate::budget::allocate::{Line, ValueLine};
use crate::budget::{document, Answer, BudgetFigures};
use crate::ingest::FileReport;
use crate::settings::Settings;
use crate::web::browser;

#[derive(Properties, PartialEq)]
pub struct BudgetReviewProps {
    /// None while the settings ask for no budget review (no mapping rule yet).
    pub answer: Option<Answer>,
    pub files: Vec<FileReport>,
    pub settings: Settings,
    /// The worker is computing for newer settings: a document now would mix them.
    #[prop_or_default]
    pub recomputing: bool,
    pub on_notice: Callback<String>,
}

fn count(n: Option<u64>) -> Html {
    match n {
        Some(n) => html! { { n.to_string() } },
        None => html! { <span class="absent">{ "unknown" }</span> },
    }
}

#[derive(Properties, PartialEq)]
struct LinesProps {
    title: AttrValue,
    testid: AttrValue,
    lines: Vec<Line>,
    currency: AttrValue,
    /// Whether the shared-cost split is shown (by owner, under a proportional rule).
    #[prop_or_default]
    shared: bool,
}

#[function_component(Lines)]
fn lines(props: &LinesProps) -> Html {
    let row = |line: &Line| {
        let name = match &line.name {
            Some(name) => html! { { name.clone() } },
            None => html! { <em data-testid="unallocated">{ "unallocated" }</em> },
        };
        let t = &line.tally;
        let shown = line.name.clone().unwrap_or_default();
        html! {
            <tr data-testid="budget-line" data-name={shown} data-unallocated={line.name.is_none().then_some("true")}>
                <th scope="row">{ name }</th>
                <td>{ count(t.request_count()) }</td>
                <td>{ t.input_tokens.to_string() }</td>
                <td>{ t.output_tokens.to_string() }</td>
                <td><Money amount={t.expected()} currency={props.currency.clone()} testid="expected" /></td>
                if props.shared {
                    <td><Money amount={line.shared} currency={props.currency.clone()} testid="shared" /></td>
                    <td><Money amount={line.allocated()} currency={props.currency.clone()} testid="allocated" /></td>
                }
                <td>{ if t.unpriced > 0 { format!("{} unpriced", t.unpriced) } else { String::new() } }</td>
            </tr>
        }
    };
    html! {
        <Scroll label={props.title.clone()}>
        <table data-testid={props.testid.clone()}>
            <caption>{ &props.title }</caption>
            <thead><tr>
                <th scope="col">{ "Name" }</th><th scope="col">{ "Requests" }</th>
                <th scope="col">{ "Input tokens" }</th><th scope="col">{ "Output tokens" }</th>
                <th scope="col">{ "Expected" }</th>
                if props.shared {
                    <th scope="col">{ "Shared cost" }</th><th scope="col">{ "Allocated" }</th>
                }
                <th scope="col">{ "Note" }</th>
            </tr></thead>
            <tbody>{ for props.lines.iter().map(row) }</tbody>
        </table>
        </Scroll>
    }
}

fn values(values: &[ValueLine], currency: &AttrValue) -> Html {
    html! {
        <Scroll label="Unallocated spend by what it carries">
        <table data-testid="budget-unallocated-values">
            <caption>{ "Unallocated spend by what it carries (what to map next)" }</caption>
            <thead><tr>
                <th scope="col">{ "Field" }</th><th scope="col">{ "Value" }</th>
                <th scope="col">{ "Rows" }</th><th scope="col">{ "Expected" }</th>
            </tr></thead>
            <tbody>
                { for values.iter().map(|v| html! {
                    <tr>
                        <td>{ v.field.clone() }</td><td><code>{ v.value.clone() }</code></td>
                        <td>{ v.tally.rows.to_string() }</td>
                        <td><Money amount={v.tally.expected()} currency={currency.clone()} /></td>
                    </tr>
                }) }
            </tbody>
        </table>
        </Scroll>
    }
}

fn figures_view(f: &BudgetFigures, shared: bool) -> Html {
    let currency = AttrValue::from(f.currency.clone());
    let a = &f.allocation;
    html! {
        <>
            <p data-testid="budget-total">
                { format!("Read from the {}: {} rows; expected ", f.stream.describe(), f.total.rows) }
                <Money amount={f.total.expected()} currency={currency.clone()} testid="budget-total-expected" />
                if f.usage_unknown > 0 {
                    { format!("; {} requests without usage are in no figure", f.usage_unknown) }
                }
                if f.not_billable > 0 {
                    { format!("; {} rows the outcome policy calls not billable are left out", f.not_billable) }
                }
                { "." }
            </p>
            <Lines title="By owner group" testid="budget-by-owner" lines={a.by_owner.clone()} currency={currency.clone()} {shared} />
            <Lines title="By environment" testid="budget-by-environment" lines={a.by_environment.clone()} currency={currency.clone()} />
            <Lines title="By request class" testid="budget-by-request-class" lines={a.by_request_class.clone()} currency={currency.clone()} />
            <Lines title="By budget bucket" testid="budget-by-bucket" lines={a.by_bucket.clone()} currency={currency.clone()} />
            <ThresholdTable checks={f.thresholds.clone()} currency={currency.clone()} />
            if !a.unallocated_by_value.is_empty() {
                { values(&a.unallocated_by_value, &currency) }
            }
            <UnitTables unit={f.unit_cost.clone()} currency={currency.clone()} />
            <RetryTables retries={f.retries.clone()} currency={currency.clone()} />
            <PlanTables baseline={f.baseline.clone()} projection={f.projection.clone()} readiness={f.readiness.clone()} {currency} />
        </>
    }
}

#[function_component(BudgetReview)]
pub fn budget_review(props: &BudgetReviewProps) -> Html {
    let download = {
        let (files, settings, answer) = (
            props.files.clone(),
            props.settings.clone(),
            props.answer.clone(),
        );
        let on_notice = props.on_notice.clone();
        Callback::from(move |_| {
            let Some(answer) = &answer else { return };
            let text = document::build(&files, &settings, answer, browser::now()).to_json();
            if let Err(problem) = browser::download("budget-review.json", "application/json", &text)
            {
                on_notice.emit(problem);
            }
        })
    };
    let shared = props.settings.budget_review.shared_cost.rule.trim() == "proportional";
    // The document names each file by its SHA-256, like the record: it waits for them.
    let hashing = props.files.iter().any(|f| f.fingerprint.sha256.is_empty());
    html! {
        <div class="budget-review" data-testid="budget-review">
            { match &props.answer {
                None => html! { <p class="hint" data-testid="budget-absent">{ "Add a mapping rule (or import a mapping table) to allocate the expected spend to owners, environments, request classes and budget buckets, or mark a reference period above to measure a baseline for a rollback." }</p> },
                Some(Err(problem)) => html! { <p class="problem" data-testid="budget-not-computed">{ format!("Not computed: {problem}") }</p> },
                Some(Ok(figures)) => figures_view(figures, shared),
            } }
            if props.answer.is_some() {
                if hashing {
                    <p class="hint" data-testid="budget-download-why">{ "The budget review waits for each file's fingerprint (SHA-256), which names it in the document." }</p>
                }
                <button type="button" data-testid="download-budget-review" disabled={props.recomputing || hashing} onclick={download}>
                    { "Download budget review (JSON)" }
                </button>
            }
        </div>
    }
}
