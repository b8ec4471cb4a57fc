//! The budget review's mapping table as the reviewer edits it: one row per rule (which
//! evidence field holds which value, and what it gives), the shared-cost rule, and the
//! table imported from or exported to CSV and JSON. Every change goes out as a
//! [`BudgetEdit`]; the core checks each value and names its problem by path.

use yew::prelude::*;

use super::budget_plan::PlanForm;
use super::budget_thresholds::BudgetForm;
use super::budget_unit::UnitForm;
use super::fields::{error_at, SelectField, TextField};
use super::text_files::{import_text, save};
use crate::budget::mapping::{import_mapping, mapping_csv, mapping_json};
use crate::error::Error;
use crate::settings::budget::{
    AllocationRuleText, BudgetEdit, BudgetField, BudgetText, MatchField,
};
use crate::settings::{Settings, SettingsEdit};

#[derive(Properties, PartialEq)]
pub struct BudgetMappingProps {
    pub settings: Settings,
    /// The `budget_review` section's problems, each shown beside its field.
    pub errors: Vec<Error>,
    pub on_edit: Callback<BudgetEdit>,
    /// An imported table, or why the file could not be read.
    pub on_import: Callback<Result<SettingsEdit, String>>,
    pub on_notice: Callback<String>,
}

/// What a rule's columns are called on the page.
const LABELS: [(&str, &str); 6] = [
    ("field", "Evidence field"),
    ("value", "Holds the value"),
    ("owner", "Owner group"),
    ("environment", "Environment"),
    ("request_class", "Request class"),
    ("budget_bucket", "Budget bucket"),
];

#[function_component(BudgetMapping)]
pub fn budget_mapping(props: &BudgetMappingProps) -> Html {
    let budget: &BudgetText = &props.settings.budget_review;
    let field_options: Vec<(String, String)> = MatchField::NAMES
        .iter()
        .map(|(name, _)| (name.to_string(), name.replace('_', " ")))
        .collect();
    let rule_row = |index: usize, rule: &AllocationRuleText| {
        let cell = |key: &'static str, label: &'static str| {
            let on_edit = props.on_edit.clone();
            let set = Callback::from(move |value: String| {
                on_edit.emit(BudgetEdit::Rule(index, key.to_string(), value))
            });
            let path = format!("budget_review.mapping[{index}].{key}");
            let testid = AttrValue::from(format!("budget-rule-{index}-{key}"));
            let value = AttrValue::from(rule.get(key).to_string());
            let error = error_at(&props.errors, &path);
            if key == "field" {
                html! { <SelectField label={label} {value} {testid} options={field_options.clone()} {error} on_change={set} /> }
            } else {
                let context = format!(" for rule {}", index + 1);
                html! { <TextField label={label} {value} {testid} {context} {error} on_input={set} /> }
            }
        };
        let remove = props.on_edit.reform(move |_| BudgetEdit::RemoveRule(index));
        let whole = error_at(&props.errors, &format!("budget_review.mapping[{index}]"));
        html! {
            <li class="budget-rule" data-testid={format!("budget-rule-{index}")}>
                { for LABELS.iter().map(|(key, label)| cell(key, label)) }
                <button type="button" data-testid={format!("budget-rule-{index}-remove")} onclick={remove}>{ "Remove" }</button>
                if let Some(message) = whole {
                    <span class="field-error">{ message }</span>
                }
            </li>
        }
    };
    let add = props.on_edit.reform(|_| BudgetEdit::AddRule);
    let import = import_text(
        "mapping table",
        |name, text| {
            import_mapping(name, text)
                .map(|found| SettingsEdit::Budget(BudgetEdit::ReplaceRules(found)))
                .map_err(|e| e.to_string())
        },
        &props.on_import,
    );
    let export = |json: bool| {
        let (settings, on_notice) = (props.settings.clone(), props.on_notice.clone());
        Callback::from(move |_| {
            let rules = &settings.budget_review.mapping;
            let (name, text) = if json {
                ("budget-mapping.json", mapping_json(rules))
            } else {
                let style = settings.validate().map(|v| v.csv).unwrap_or_default();
                ("budget-mapping.csv", mapping_csv(rules, style))
            };
            save(&on_notice, name, &text);
        })
    };
    let shared = props
        .on_edit
        .reform(|value| BudgetEdit::Field(BudgetField::SharedCostRule, value));
    let shared_options = vec![
        (
            "unallocated".to_string(),
            "Leave it unallocated (shown as such)".to_string(),
        ),
        (
            "proportional".to_string(),
            "Split it by stated percentages".to_string(),
        ),
    ];
    let proportional = budget.shared_cost.rule.trim() == "proportional";
    let share_row = |index: usize, owner: &str, percent: &str| {
        let set = |key: &'static str| {
            props
                .on_edit
                .reform(move |value: String| BudgetEdit::Share(index, key, value))
        };
        let path = |key: &str| format!("budget_review.shared_cost.shares[{index}].{key}");
        let context = format!(" for share {}", index + 1);
        html! {
            <li data-testid={format!("budget-share-{index}")}>
                <TextField label="Owner group" value={owner.to_string()} testid={format!("budget-share-{index}-owner")}
                    context={context.clone()} error={error_at(&props.errors, &path("owner"))} on_input={set("owner")} />
                <TextField label="Percent" value={percent.to_string()} testid={format!("budget-share-{index}-percent")}
                    {context} error={error_at(&props.errors, &path("percent"))} on_input={set("percent")} />
                <button type="button" onclick={props.on_edit.reform(move |_| BudgetEdit::RemoveShare(index))}>{ "Remove" }</button>
            </li>
        }
    };
    html! {
        <div class="budget-mapping" data-testid="budget-mapping">
            <p class="hint">{ "Each rule matches rows by one evidence field and gives them an owner group, environment, request class or budget bucket; for each of the four, the first rule that matches and gives it wins. Values are matched through hashes: token names and tenant ids are never shown." }</p>
            <ol class="budget-rules">
                { for budget.mapping.iter().enumerate().map(|(i, rule)| rule_row(i, rule)) }
            </ol>
            <div class="actions">
                <button type="button" data-testid="budget-rule-add" onclick={add}>{ "Add rule" }</button>
                <label class="file-button">{ "Import mapping table (CSV or JSON)" }
                    <input type="file" accept=".csv,.json,text/csv,application/json" data-testid="budget-mapping-import" onchange={import} />
                </label>
                <button type="button" data-testid="budget-mapping-csv" onclick={export(false)}>{ "Export as CSV" }</button>
                <button type="button" data-testid="budget-mapping-json" onclick={export(true)}>{ "Export as JSON" }</button>
            </div>
            <SelectField label="Spend no rule gives an owner" value={budget.shared_cost.rule.clone()} testid="budget-shared-rule"
                options={shared_options} error={error_at(&props.errors, "budget_review.shared_cost.rule")} on_change={shared} />
            if proportional {
                <ul class="budget-shares">
                    { for budget.shared_cost.shares.iter().enumerate().map(|(i, s)| share_row(i, &s.owner, &s.percent)) }
                </ul>
                if let Some(message) = error_at(&props.errors, "budget_review.shared_cost.shares") {
                    <p class="field-error" data-testid="budget-shares-error">{ message }</p>
                }
                <button type="button" data-testid="budget-share-add" onclick={props.on_edit.reform(|_| BudgetEdit::AddShare)}>{ "Add share" }</button>
            }
            <h3>{ "Unit cost" }</h3>
            <UnitForm budget={budget.clone()} errors={props.errors.clone()} on_edit={props.on_edit.clone()} />
            <h3>{ "Budgets and thresholds" }</h3>
            <BudgetForm budgets={budget.budgets.clone()} errors={props.errors.clone()} on_edit={props.on_edit.clone()} />
            <h3>{ "Baseline and rollback plan" }</h3>
            <PlanForm budget={budget.clone()} errors={props.errors.clone()} on_edit={props.on_edit.clone()} />
        </div>
    }
}
