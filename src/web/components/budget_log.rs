//! The review log on the page (seeds 003 and 004): a row the reviewer fills and adds,
//! the log kept in the settings, imported from and downloaded as CSV or JSON. Whether a
//! row is admitted, and what it keeps, is the core's (`ReviewRowText::admit`): the page
//! shows its reasons beside the fields.

use yew::prelude::*;

use super::scroll::Scroll;

use super::fields::{SelectField, TextField};
use super::text_files::{import_text, save};
use crate::budget::log::{import_log, log_csv, log_json};
use crate::settings::budget::{BudgetEdit, ReviewRowText, NEXT_ACTIONS};
use crate::settings::{Settings, SettingsEdit};

#[derive(Properties, PartialEq)]
pub struct BudgetLogProps {
    pub settings: Settings,
    pub on_edit: Callback<BudgetEdit>,
    /// An imported log, or why the file could not be read.
    pub on_import: Callback<Result<SettingsEdit, String>>,
    pub on_notice: Callback<String>,
}

/// Each column's label on the page, and the hint in its empty field.
const LABELS: [(&str, &str, &str); 20] = [
    ("review_date", "Review date", "2026-07-02"),
    (
        "operator",
        "Operator (team or role)",
        "platform SRE on-call",
    ),
    ("request_class", "Request class", ""),
    ("owner_group", "Owner group", ""),
    ("budget_bucket", "Budget bucket", ""),
    (
        "unit_metric",
        "Unit metric",
        "request class, workflow step, 1K tokens",
    ),
    (
        "source_urls_checked",
        "Source URLs checked",
        "pricing and help pages",
    ),
    ("request_pattern_checked", "Request pattern checked", ""),
    ("test_environment", "Test environment", "staging"),
    ("result_category", "Result", ""),
    ("happy_path_result", "Happy path", ""),
    ("error_path_result", "Error path", ""),
    ("error_category", "Error category", "4xx, 429, 5xx, timeout"),
    ("retry_decision", "Retry decision", ""),
    ("trace_marker", "Trace marker (kept only as redacted)", ""),
    (
        "usage_evidence_location",
        "Usage evidence location",
        "internal record",
    ),
    ("budget_owner_notified", "Budget owner notified (role)", ""),
    ("cost_owner_action", "Cost owner action", ""),
    ("next_action", "Next action", ""),
    (
        "notes",
        "Notes (sanitized summary)",
        "no keys, prompts, emails or balances",
    ),
];

fn options(key: &str) -> Option<Vec<(String, String)>> {
    let pair = |v: &str| {
        (
            v.to_string(),
            if v.is_empty() {
                "—".into()
            } else {
                v.replace('-', " ")
            },
        )
    };
    match key {
        "result_category" => Some(["", "pass", "fail"].map(pair).to_vec()),
        "happy_path_result" | "error_path_result" => Some(["", "pass", "fail"].map(pair).to_vec()),
        "next_action" => Some(std::iter::once("").chain(NEXT_ACTIONS).map(pair).collect()),
        _ => None,
    }
}

#[function_component(BudgetLog)]
pub fn budget_log(props: &BudgetLogProps) -> Html {
    let draft = use_state(ReviewRowText::default);
    let problems = use_state(Vec::<(&'static str, String)>::new);
    let log = &props.settings.budget_review.review_log;
    let field = |(key, label, hint): &(&'static str, &'static str, &'static str)| {
        let key: &'static str = key;
        let set = {
            let draft = draft.clone();
            Callback::from(move |value: String| {
                let mut row = (*draft).clone();
                if let Some(slot) = row.field_mut(key) {
                    *slot = value;
                }
                draft.set(row);
            })
        };
        let value = AttrValue::from(draft.get(key));
        let testid = AttrValue::from(format!("budget-log-{key}"));
        let error = problems
            .iter()
            .find(|(c, _)| *c == key)
            .map(|(_, m)| AttrValue::from(m.clone()));
        match options(key) {
            Some(options) => {
                html! { <SelectField label={*label} {value} {testid} {options} {error} on_change={set} /> }
            }
            None => {
                html! { <TextField label={*label} {value} {testid} placeholder={*hint} {error} on_input={set} /> }
            }
        }
    };
    let add = {
        let (draft, problems, on_edit) = (draft.clone(), problems.clone(), props.on_edit.clone());
        Callback::from(move |_| match draft.admit() {
            Ok(row) => {
                on_edit.emit(BudgetEdit::AddLogRow(Box::new(row)));
                problems.set(Vec::new());
                draft.set(ReviewRowText::default());
            }
            Err(found) => problems.set(found),
        })
    };
    let import = import_text(
        "review log",
        |name, text| {
            import_log(name, text)
                .map(|found| SettingsEdit::Budget(BudgetEdit::ReplaceLog(found)))
                .map_err(|e| e.to_string())
        },
        &props.on_import,
    );
    let export = |json: bool| {
        let (settings, on_notice) = (props.settings.clone(), props.on_notice.clone());
        Callback::from(move |_| {
            let rows = &settings.budget_review.review_log;
            let (name, text) = if json {
                ("review-log.json", log_json(rows))
            } else {
                let style = settings.validate().map(|v| v.csv).unwrap_or_default();
                ("review-log.csv", log_csv(rows, style))
            };
            save(&on_notice, name, &text);
        })
    };
    let row = |index: usize, r: &ReviewRowText| {
        html! {
            <tr data-testid="budget-log-row">
                <td>{ r.review_date.clone() }</td><td>{ r.owner_group.clone() }</td>
                <td>{ r.request_class.clone() }</td><td>{ r.budget_bucket.clone() }</td>
                <td>{ r.unit_metric.clone() }</td>
                <td data-testid="result">{ r.result_category.clone() }</td>
                <td>{ r.next_action.clone() }</td>
                <td data-testid="notes">{ r.notes.clone() }</td>
                <td><button type="button" data-testid={format!("budget-log-{index}-remove")}
                    onclick={props.on_edit.reform(move |_| BudgetEdit::RemoveLogRow(index))}>{ "Remove" }</button></td>
            </tr>
        }
    };
    html! {
        <div class="budget-log" data-testid="budget-log">
            <h3>{ "Review log" }</h3>
            <p class="hint">{ "One pass/fail row per review. A row with no owner group, request class or unit metric is refused: do not approve a token budget change yet. What the row keeps is sanitized: no keys, prompts, emails or balances; the trace marker only as redacted." }</p>
            <div class="budget-log-form">
                { for LABELS.iter().map(field) }
            </div>
            <div class="actions">
                <button type="button" data-testid="budget-log-add" onclick={add}>{ "Add to the review log" }</button>
                <label class="file-button">{ "Import review log (CSV or JSON)" }
                    <input type="file" accept=".csv,.json,text/csv,application/json" data-testid="budget-log-import" onchange={import} />
                </label>
                <button type="button" data-testid="budget-log-csv" onclick={export(false)}>{ "Download log as CSV" }</button>
                <button type="button" data-testid="budget-log-json" onclick={export(true)}>{ "Download log as JSON" }</button>
            </div>
            if !log.is_empty() {
                <Scroll label="Review log">
                <table data-testid="budget-log-table">
                    <caption>{ format!("Review log: {} rows", log.len()) }</caption>
                    <thead><tr>
                        <th scope="col">{ "Date" }</th><th scope="col">{ "Owner group" }</th>
                        <th scope="col">{ "Request class" }</th><th scope="col">{ "Bucket" }</th>
                        <th scope="col">{ "Unit" }</th><th scope="col">{ "Result" }</th>
                        <th scope="col">{ "Next action" }</th><th scope="col">{ "Notes" }</th>
                        <th scope="col">{ "Remove" }</th>
                    </tr></thead>
                    <tbody>{ for log.iter().enumerate().map(|(i, r)| row(i, r)) }</tbody>
                </table>
                </Scroll>
            }
        </div>
    }
}
