//! Allocation (FinOps): each row's spend to an owner, environment, request class and
//! budget bucket by the reviewer's mapping table. For each of the four, the first rule
//! that matches the row and gives it wins. Spend no rule gives an owner is
//! *unallocated* and shown as such; the shared-cost rule may split its expected charge
//! between owners by stated percentages, and the split is shown line by line, never
//! folded in silently. Evidence values appear only as the reviewer's own text (the value
//! of a rule naming them) or as a hash.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rows::PricedRow;
use super::tally::Tally;
use crate::decimal::{exact_div, exact_mul, serde_str};
use crate::error::Error;
use crate::ingest::{label_hash, LabelField};
use crate::sanitize;
use crate::settings::budget::{AllocationRule, MatchField, SharedCost, ValidBudget};

/// How many values per field the unallocated breakdown lists (the largest first).
pub const UNALLOCATED_VALUES: usize = 10;

/// One line of a table by owner, environment, request class or bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// None: unallocated.
    pub name: Option<String>,
    pub tally: Tally,
    /// By owner under a proportional shared-cost rule: the share of the unallocated
    /// expected charge this owner takes (negative on the unallocated line, which gives it).
    #[serde(default, with = "serde_str::option")]
    pub shared: Option<Decimal>,
}

impl Line {
    fn new(name: Option<String>) -> Line {
        Line {
            name,
            tally: Tally::default(),
            shared: None,
        }
    }

    /// The expected charge after the shared-cost split; None when not computed.
    pub fn allocated(&self) -> Option<Decimal> {
        let expected = self.tally.expected()?;
        match self.shared {
            Some(shared) => expected.checked_add(shared),
            None => Some(expected),
        }
    }
}

/// Unallocated spend by one value of one evidence field: what to map next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueLine {
    /// `token`, `group`, `tag`, `project`, `environment`, `tenant`, `route` or `model`.
    pub field: String,
    /// The reviewer's text when a rule names the value, a model's label, else `#` and
    /// the first eight hex digits of its hash.
    pub value: String,
    pub tally: Tally,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub by_owner: Vec<Line>,
    pub by_environment: Vec<Line>,
    pub by_request_class: Vec<Line>,
    pub by_bucket: Vec<Line>,
    pub unallocated_by_value: Vec<ValueLine>,
    /// Per rule of the mapping table, in order: the rows it matched.
    pub rule_matches: Vec<u64>,
}

/// What the mapping table gives one row: owner, environment, request class, bucket.
pub type Allocated = [Option<String>; 4];

/// The four dimensions a row is allocated on, in [`Allocated`] order.
pub const DIMENSIONS: [&str; 4] = ["owner", "environment", "request_class", "budget_bucket"];

fn matches(rule: &AllocationRule, row: &PricedRow) -> bool {
    match rule.field {
        MatchField::Label(field) => rule.hash != 0 && row.labels.field(field) == rule.hash,
        MatchField::Tag => row.labels.has_tag(rule.hash),
        MatchField::Model => {
            label_hash(&row.logged_model) == rule.hash || label_hash(&row.model) == rule.hash
        }
    }
}

/// What the rules give `row`, and which rules matched it.
fn allocate_row(rules: &[AllocationRule], row: &PricedRow, matched: &mut [u64]) -> Allocated {
    let mut out: Allocated = Default::default();
    for (rule, count) in rules.iter().zip(matched.iter_mut()) {
        if !matches(rule, row) {
            continue;
        }
        *count += 1;
        let gives = [
            &rule.owner,
            &rule.environment,
            &rule.request_class,
            &rule.budget_bucket,
        ];
        for (slot, given) in out.iter_mut().zip(gives) {
            if slot.is_none() {
                *slot = given.as_deref().map(sanitize::label_text);
            }
        }
    }
    out
}

/// Allocates every row: the tables, and what each row was given (in row order).
pub fn allocation(
    budget: &ValidBudget,
    rows: &[PricedRow],
) -> Result<(Allocation, Vec<Allocated>), Error> {
    let mut matched = vec![0; budget.rules.len()];
    let allocated: Vec<Allocated> = rows
        .iter()
        .map(|row| allocate_row(&budget.rules, row, &mut matched))
        .collect();
    let mut tables: [BTreeMap<Option<String>, Line>; 4] = Default::default();
    let mut by_value: BTreeMap<(&'static str, String), Tally> = BTreeMap::new();
    let named = named_values(&budget.rules);
    for (row, allocated) in rows.iter().zip(&allocated) {
        for (table, name) in tables.iter_mut().zip(allocated) {
            let line = table
                .entry(name.clone())
                .or_insert_with(|| Line::new(name.clone()));
            line.tally.add(row)?;
        }
        if allocated[0].is_none() {
            for (field, value) in values_of(row, &named) {
                by_value.entry((field, value)).or_default().add(row)?;
            }
        }
    }
    let mut by_owner: Vec<Line> = std::mem::take(&mut tables[0]).into_values().collect();
    if let SharedCost::Proportional(shares) = &budget.shared {
        split(&mut by_owner, shares)?;
    }
    let [_, environment, class, bucket] = tables;
    let tables = Allocation {
        by_owner: unallocated_last(by_owner),
        by_environment: unallocated_last(environment.into_values().collect()),
        by_request_class: unallocated_last(class.into_values().collect()),
        by_bucket: unallocated_last(bucket.into_values().collect()),
        unallocated_by_value: largest_values(by_value),
        rule_matches: matched,
    };
    Ok((tables, allocated))
}

/// Named lines in name order, then the unallocated one.
fn unallocated_last(mut lines: Vec<Line>) -> Vec<Line> {
    lines.sort_by(|a, b| (a.name.is_none(), &a.name).cmp(&(b.name.is_none(), &b.name)));
    lines
}

/// Splits the unallocated expected charge between `shares` (adding up to 100 %): each
/// owner's line gains its share (a line is added for an owner with no spend of its own)
/// and the unallocated line gives the sum. `amount × percent ÷ 100` is exact, and the
/// shares of 100 % add up to the whole.
fn split(lines: &mut Vec<Line>, shares: &[(String, Decimal)]) -> Result<(), Error> {
    let Some(unallocated) = lines.iter().position(|l| l.name.is_none()) else {
        return Ok(());
    };
    let amount = lines[unallocated].tally.expected;
    let mut given = Decimal::ZERO;
    for (owner, percent) in shares {
        let owner = sanitize::label_text(owner);
        let share = exact_mul(amount, *percent)
            .and_then(|a| exact_div(a, Decimal::ONE_HUNDRED))
            .ok_or_else(|| Error::overflow("a shared-cost split"))?;
        given = given
            .checked_add(share)
            .ok_or_else(|| Error::overflow("a shared-cost split"))?;
        let at = match lines.iter().position(|l| l.name.as_deref() == Some(&owner)) {
            Some(at) => at,
            None => {
                lines.push(Line::new(Some(owner)));
                lines.len() - 1
            }
        };
        let line = &mut lines[at];
        let before = line.shared.unwrap_or(Decimal::ZERO);
        line.shared = Some(
            before
                .checked_add(share)
                .ok_or_else(|| Error::overflow("a shared-cost split"))?,
        );
    }
    let unallocated = lines
        .iter_mut()
        .find(|l| l.name.is_none())
        .expect("found above");
    unallocated.shared = Some(-given);
    Ok(())
}

/// Each rule's value by (field, hash): how a value a rule names is shown. Token names
/// and tenant ids are never shown, even as the reviewer typed them: only as hashes.
fn named_values(rules: &[AllocationRule]) -> BTreeMap<(MatchField, u64), String> {
    let mut named = BTreeMap::new();
    let secret = [
        MatchField::Label(LabelField::Key),
        MatchField::Label(LabelField::Tenant),
    ];
    for rule in rules.iter().filter(|r| !secret.contains(&r.field)) {
        named
            .entry((rule.field, rule.hash))
            .or_insert_with(|| sanitize::label_text(&rule.value));
    }
    named
}

/// The values an unallocated row carries, each field by its name, as shown.
fn values_of(
    row: &PricedRow,
    named: &BTreeMap<(MatchField, u64), String>,
) -> Vec<(&'static str, String)> {
    let shown = |field: MatchField, hash: u64| {
        named
            .get(&(field, hash))
            .cloned()
            .unwrap_or_else(|| format!("#{:08x}", hash >> 32))
    };
    let mut out = Vec::new();
    for field in LabelField::ALL {
        let hash = row.labels.field(field);
        if hash != 0 {
            let field = MatchField::Label(field);
            out.push((field.name(), shown(field, hash)));
        }
    }
    for tag in row.labels.tags.iter().filter(|t| **t != 0) {
        out.push((MatchField::Tag.name(), shown(MatchField::Tag, *tag)));
    }
    out.push(("model", sanitize::label(&row.model)));
    out
}

/// Per field, the values with the largest expected charge (then most rows), at most
/// [`UNALLOCATED_VALUES`] each.
fn largest_values(by_value: BTreeMap<(&'static str, String), Tally>) -> Vec<ValueLine> {
    let mut lines: Vec<ValueLine> = by_value
        .into_iter()
        .map(|((field, value), tally)| ValueLine {
            field: field.to_string(),
            value,
            tally,
        })
        .collect();
    let order = |field: &str| MatchField::NAMES.iter().position(|(n, _)| *n == field);
    lines.sort_by(|a, b| {
        (
            order(&a.field),
            std::cmp::Reverse(a.tally.expected),
            std::cmp::Reverse(a.tally.rows),
            &a.value,
        )
            .cmp(&(
                order(&b.field),
                std::cmp::Reverse(b.tally.expected),
                std::cmp::Reverse(b.tally.rows),
                &b.value,
            ))
    });
    let mut kept: Vec<ValueLine> = Vec::new();
    for line in lines {
        if kept.iter().filter(|l| l.field == line.field).count() < UNALLOCATED_VALUES {
            kept.push(line);
        }
    }
    kept
}
