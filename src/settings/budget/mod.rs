//! The `budget_review` section of the settings document: what a budget review of the
//! same evidence needs besides the rate card. The mapping table that allocates spend to
//! owners, environments, request classes and budget buckets, and the shared-cost rule
//! for what it leaves unallocated; the unit cost's metric (FinOps unit economics) and the
//! periods it is followed over.
//!
//! As everywhere in the document, every value is kept as the text the reviewer wrote;
//! [`BudgetText::validate`] turns it into exact values ([`ValidBudget`]) and names each
//! problem by its path (`budget_review.mapping[2].field`). A problem here never stops
//! the reconciliation: the budget review says it is not computed, and why.

use serde::{Deserialize, Serialize};

mod log;
mod plan;
#[cfg(test)]
pub use log::tests as log_tests;
mod threshold;
mod unit;
mod validate;

pub use log::{note, ReviewRowText, NEXT_ACTIONS, REFUSAL};
pub use plan::{moment, MixShareText, PeriodText, Plan, PlanText, PlannedRate, ReadinessText};
pub use threshold::{BucketBudget, BucketBudgetText, DEFAULT_THRESHOLDS};
pub use unit::{Period, UnitMetric, UnitSettings};
pub use validate::{AllocationRule, MatchField, SharedCost, ValidBudget};

/// The `budget_review` section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetText {
    /// Which evidence stream the budget review reads: `gateway_log`, `client_requests`
    /// or `provider_usage`; empty for the one the reconciliation prices. Streams are never
    /// blended: one stream is read, and the review names it.
    pub stream: String,
    /// The mapping table: each rule matches rows by one evidence field and gives them an
    /// owner, environment, request class and/or budget bucket (first rule that matches and
    /// gives a dimension wins, for each dimension).
    pub mapping: Vec<AllocationRuleText>,
    pub shared_cost: SharedCostText,
    /// What cost is divided by: `successful_request` (the default), `1k_tokens`,
    /// `request` (per request, by request class) or `business_unit` (the counts below).
    pub unit_metric: String,
    /// What a business unit is (`workflow step`, `seat`): the reviewer's own word.
    pub business_unit: String,
    /// How many business units each owner group had in the window.
    pub business_units: Vec<UnitCountText>,
    /// The periods unit cost is followed over: `day` (the default) or `hour`.
    pub unit_period: String,
    /// The finance time zone the periods start in: an offset (`+08:00`) or an IANA
    /// name (`Asia/Shanghai`); empty for UTC.
    pub finance_time_zone: String,
    /// Budgets per bucket, each with its owner and the percentages flagged.
    pub budgets: Vec<BucketBudgetText>,
    /// The review log: one admitted (sanitized) pass/fail row per review.
    pub review_log: Vec<ReviewRowText>,
    /// The reference period the baseline is measured over (seed 000), in the finance
    /// time zone unless a time states its offset.
    pub reference_period: PeriodText,
    /// The planned window projected from the baseline, against its stop condition.
    pub plan: PlanText,
    /// Seed 000's readiness form.
    pub readiness: ReadinessText,
}

/// One owner group's count of business units, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnitCountText {
    pub owner: String,
    /// A whole count (`1200`).
    pub count: String,
}

/// One rule of the mapping table, as typed or imported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AllocationRuleText {
    /// `token`, `group`, `tag`, `project`, `environment`, `tenant`, `route` or `model`.
    pub field: String,
    /// The value the field holds (letter case aside); matched through its hash, as the
    /// evidence keeps only hashes of these values.
    pub value: String,
    pub owner: String,
    pub environment: String,
    pub request_class: String,
    pub budget_bucket: String,
}

impl AllocationRuleText {
    /// The rule's columns, in the order the CSV form writes them.
    pub const COLUMNS: [&'static str; 6] = [
        "field",
        "value",
        "owner",
        "environment",
        "request_class",
        "budget_bucket",
    ];

    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "field" => &mut self.field,
            "value" => &mut self.value,
            "owner" => &mut self.owner,
            "environment" => &mut self.environment,
            "request_class" => &mut self.request_class,
            "budget_bucket" => &mut self.budget_bucket,
            _ => return None,
        })
    }

    pub fn get(&self, key: &str) -> &str {
        match key {
            "field" => &self.field,
            "value" => &self.value,
            "owner" => &self.owner,
            "environment" => &self.environment,
            "request_class" => &self.request_class,
            "budget_bucket" => &self.budget_bucket,
            _ => "",
        }
    }
}

/// What happens to spend no rule gives an owner.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SharedCostText {
    /// `unallocated` (the default: it stays unallocated, shown as such) or
    /// `proportional` (split between the owners below by their stated percentages).
    pub rule: String,
    pub shares: Vec<ShareText>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShareText {
    pub owner: String,
    /// Percent of the unallocated cost this owner takes; the shares add up to 100.
    pub percent: String,
}

impl BudgetText {
    /// Nothing typed: the section is left out of the exported document.
    pub fn is_empty(&self) -> bool {
        *self == BudgetText::default()
    }

    /// The section without its review log: what the figures depend on.
    pub fn without_log(&self) -> BudgetText {
        BudgetText {
            review_log: Vec::new(),
            ..self.clone()
        }
    }

    /// Whether the section asks for figures (a review log alone does not).
    pub fn asks_for_figures(&self) -> bool {
        !self.without_log().is_empty()
    }
}

/// A field of the section that holds one text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetField {
    Stream,
    SharedCostRule,
    UnitMetric,
    BusinessUnit,
    UnitPeriod,
    FinanceTimeZone,
    ReferenceStart,
    ReferenceEnd,
}

/// One change to the section, as the page makes it. An index that names nothing, or a
/// key that is not a column, changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BudgetEdit {
    Field(BudgetField, String),
    Rule(usize, String, String),
    AddRule,
    RemoveRule(usize),
    /// An imported table replaces the mapping table.
    ReplaceRules(Vec<AllocationRuleText>),
    Share(usize, &'static str, String),
    AddShare,
    RemoveShare(usize),
    /// A business unit count's `owner` or `count`.
    UnitCount(usize, &'static str, String),
    AddUnitCount,
    RemoveUnitCount(usize),
    /// A bucket budget's `bucket`, `owner`, `amount` or `thresholds`.
    Budget(usize, &'static str, String),
    AddBudget,
    RemoveBudget(usize),
    /// An admitted row joins the log (a row that is not admitted changes nothing).
    AddLogRow(Box<ReviewRowText>),
    RemoveLogRow(usize),
    /// An imported log replaces the log.
    ReplaceLog(Vec<ReviewRowText>),
    /// A planned window's field ([`PlanText::KEYS`]).
    Plan(&'static str, String),
    /// A model mix share's `model` or `percent`.
    MixShare(usize, &'static str, String),
    AddMixShare,
    RemoveMixShare(usize),
    /// A readiness item ([`ReadinessText::ITEMS`]).
    Readiness(&'static str, String),
}

impl BudgetText {
    pub fn field_mut(&mut self, field: BudgetField) -> &mut String {
        match field {
            BudgetField::Stream => &mut self.stream,
            BudgetField::SharedCostRule => &mut self.shared_cost.rule,
            BudgetField::UnitMetric => &mut self.unit_metric,
            BudgetField::BusinessUnit => &mut self.business_unit,
            BudgetField::UnitPeriod => &mut self.unit_period,
            BudgetField::FinanceTimeZone => &mut self.finance_time_zone,
            BudgetField::ReferenceStart => &mut self.reference_period.start,
            BudgetField::ReferenceEnd => &mut self.reference_period.end,
        }
    }

    pub fn apply(&mut self, edit: BudgetEdit) {
        match edit {
            BudgetEdit::Field(field, value) => *self.field_mut(field) = value,
            BudgetEdit::Rule(index, key, value) => {
                if let Some(slot) = self.mapping.get_mut(index).and_then(|r| r.field_mut(&key)) {
                    *slot = value;
                }
            }
            BudgetEdit::AddRule => self.mapping.push(AllocationRuleText {
                field: "token".into(),
                ..AllocationRuleText::default()
            }),
            BudgetEdit::RemoveRule(index) => remove(&mut self.mapping, index),
            BudgetEdit::ReplaceRules(rules) => self.mapping = rules,
            BudgetEdit::Share(index, key, value) => {
                if let Some(share) = self.shared_cost.shares.get_mut(index) {
                    match key {
                        "owner" => share.owner = value,
                        "percent" => share.percent = value,
                        _ => {}
                    }
                }
            }
            BudgetEdit::AddShare => self.shared_cost.shares.push(ShareText::default()),
            BudgetEdit::RemoveShare(index) => remove(&mut self.shared_cost.shares, index),
            BudgetEdit::UnitCount(index, key, value) => {
                if let Some(unit) = self.business_units.get_mut(index) {
                    match key {
                        "owner" => unit.owner = value,
                        "count" => unit.count = value,
                        _ => {}
                    }
                }
            }
            BudgetEdit::AddUnitCount => self.business_units.push(UnitCountText::default()),
            BudgetEdit::RemoveUnitCount(index) => remove(&mut self.business_units, index),
            BudgetEdit::Budget(index, key, value) => {
                if let Some(slot) = self.budgets.get_mut(index).and_then(|b| b.field_mut(key)) {
                    *slot = value;
                }
            }
            BudgetEdit::AddBudget => self.budgets.push(BucketBudgetText::default()),
            BudgetEdit::RemoveBudget(index) => remove(&mut self.budgets, index),
            BudgetEdit::AddLogRow(row) => {
                if let Ok(row) = row.admit() {
                    self.review_log.push(row);
                }
            }
            BudgetEdit::RemoveLogRow(index) => remove(&mut self.review_log, index),
            BudgetEdit::ReplaceLog(rows) => self.review_log = rows,
            BudgetEdit::Plan(key, value) => {
                if let Some(slot) = self.plan.field_mut(key) {
                    *slot = value;
                }
            }
            BudgetEdit::MixShare(index, key, value) => {
                if let Some(share) = self.plan.model_mix.get_mut(index) {
                    match key {
                        "model" => share.model = value,
                        "percent" => share.percent = value,
                        _ => {}
                    }
                }
            }
            BudgetEdit::AddMixShare => self.plan.model_mix.push(MixShareText::default()),
            BudgetEdit::RemoveMixShare(index) => remove(&mut self.plan.model_mix, index),
            BudgetEdit::Readiness(key, value) => {
                if let Some(slot) = self.readiness.field_mut(key) {
                    *slot = value;
                }
            }
        }
    }
}

fn remove<T>(items: &mut Vec<T>, index: usize) {
    if index < items.len() {
        items.remove(index);
    }
}

/// Every problem of a budget section as its sentence, for the table-driven tests of
/// each part of the section.
#[cfg(test)]
pub(crate) fn problems(text: &BudgetText) -> Vec<String> {
    text.validate()
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    type Check = fn(&BudgetText) -> bool;

    #[test]
    fn each_edit_lands_where_it_says() {
        let start = || BudgetText {
            mapping: vec![AllocationRuleText::default()],
            ..BudgetText::default()
        };
        let cases: Vec<(BudgetEdit, Check)> = vec![
            (
                BudgetEdit::Field(BudgetField::Stream, "client_requests".into()),
                |b| b.stream == "client_requests",
            ),
            (BudgetEdit::Rule(0, "owner".into(), "search".into()), |b| {
                b.mapping[0].owner == "search"
            }),
            (BudgetEdit::Rule(0, "colour".into(), "red".into()), |b| {
                b.mapping == [AllocationRuleText::default()]
            }),
            (BudgetEdit::Rule(4, "owner".into(), "x".into()), |b| {
                b.mapping.len() == 1 && b.mapping[0].owner.is_empty()
            }),
            (BudgetEdit::AddRule, |b| {
                b.mapping.len() == 2 && b.mapping[1].field == "token"
            }),
            (BudgetEdit::RemoveRule(0), |b| b.mapping.is_empty()),
            (BudgetEdit::ReplaceRules(Vec::new()), |b| {
                b.mapping.is_empty()
            }),
            (BudgetEdit::AddShare, |b| b.shared_cost.shares.len() == 1),
            (
                BudgetEdit::Field(BudgetField::SharedCostRule, "proportional".into()),
                |b| b.shared_cost.rule == "proportional",
            ),
            (
                BudgetEdit::Field(BudgetField::UnitMetric, "1k_tokens".into()),
                |b| b.unit_metric == "1k_tokens",
            ),
            (
                BudgetEdit::Field(BudgetField::FinanceTimeZone, "+08:00".into()),
                |b| b.finance_time_zone == "+08:00",
            ),
            (BudgetEdit::AddUnitCount, |b| b.business_units.len() == 1),
            (BudgetEdit::AddBudget, |b| b.budgets.len() == 1),
            (BudgetEdit::Budget(0, "amount", "9".into()), |b| {
                b.budgets.is_empty()
            }),
            (BudgetEdit::UnitCount(0, "count", "9".into()), |b| {
                b.business_units.is_empty()
            }),
            (
                BudgetEdit::Field(BudgetField::ReferenceStart, "2026-05-09T13:00".into()),
                |b| b.reference_period.start == "2026-05-09T13:00",
            ),
            (BudgetEdit::Plan("rollback_budget", "50".into()), |b| {
                b.plan.rollback_budget == "50"
            }),
            (BudgetEdit::Plan("colour", "red".into()), |b| {
                b.plan.is_empty()
            }),
            (BudgetEdit::AddMixShare, |b| b.plan.model_mix.len() == 1),
            (BudgetEdit::MixShare(0, "model", "x".into()), |b| {
                b.plan.model_mix.is_empty()
            }),
            (BudgetEdit::Readiness("owner", "platform-ops".into()), |b| {
                b.readiness.owner == "platform-ops"
            }),
        ];
        for (edit, check) in cases {
            let mut text = start();
            let shown = format!("{edit:?}");
            text.apply(edit);
            assert!(check(&text), "{shown}");
        }
        let mut text = start();
        text.apply(BudgetEdit::AddShare);
        text.apply(BudgetEdit::Share(0, "percent", "60".into()));
        assert_eq!(text.shared_cost.shares[0].percent, "60");
        assert!(BudgetText::default().is_empty() && !text.is_empty());
    }
}
