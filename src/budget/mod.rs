//! budget: a budget review of the same evidence and rate card as the reconciliation,
//! for the runbooks that are about budget decisions rather than an incident (seeds 000,
//! 003 and 004): spend allocated to owners, environments, request classes and budget
//! buckets by the reviewer's mapping table (FinOps allocation).
//!
//! It reads one usage stream (the one the reconciliation prices, or the one the reviewer
//! names; streams are never blended), prices each row with the reconciliation's own
//! pricing, and sums what the settings' `budget_review` section asks for. Its output is
//! a sibling of the reconciliation record, the budget review document ([`document`],
//! JSON Schema `schemas/budget-review.schema.json`), built from an allow-list: the
//! reconciliation record is not changed by it.
//!
//! - [`rows`]: the stream's rows, priced one by one, with the labels the ingest kept.
//! - [`tally`]: requests, tokens and charges summed, unknowns kept unknown.
//! - [`allocate`]: the mapping table applied; unallocated spend shown as such.
//! - [`retry`]: retry amplification and failure cost, by outcome class.
//! - [`threshold`]: each bucket's spend against its budget and threshold percentages.
//! - [`unit`]: unit cost by owner group and model, and per period (unit economics).
//! - [`mapping`], [`table`]: the mapping table exported and imported (CSV, JSON).
//! - [`log`]: the review log exported and imported (CSV, JSON), each row admitted.
//! - [`baseline`], [`percentile`]: the baseline over the reviewer's reference period,
//!   p95 by nearest rank (seed 000).
//! - [`projection`]: the planned window projected, against its stop condition.
//! - [`readiness`]: seed 000's readiness form checked, phases A–D as pass or hold.
//! - [`document`]: the sanitized budget review document ([`plan_out`]: its seed 000 part).

pub mod allocate;
pub mod baseline;
pub mod clock;
pub mod document;
pub mod log;
pub mod mapping;
pub mod percentile;
pub mod plan_out;
pub mod projection;
pub mod readiness;
pub mod retry;
pub mod rows;
pub mod table;
pub mod tally;
pub mod threshold;
pub mod unit;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ingest::{ExclusionRule, FileReport, Stream};
use crate::settings::budget::ValidBudget;
use crate::settings::Settings;

pub use allocate::Allocation;
pub use tally::Tally;

/// What a budget review computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetFigures {
    /// The stream read.
    pub stream: Stream,
    pub currency: String,
    /// Every row of the stream.
    pub total: Tally,
    pub allocation: Allocation,
    pub unit_cost: unit::UnitCost,
    pub retries: retry::Retries,
    /// Each bucket budget's spend and the thresholds it crossed.
    pub thresholds: Vec<threshold::BucketCheck>,
    /// Requests the stream counts whose usage it does not give (client logs with no
    /// usage): in no figure here.
    pub usage_unknown: u64,
    /// Rows the outcome policy excludes as not billable: not read, so in no figure here.
    pub not_billable: u64,
    /// The baseline over the reference period (None while none is marked).
    pub baseline: baseline::BaselineAnswer,
    /// The planned window projected (None while none is planned).
    pub projection: projection::ProjectionAnswer,
    /// Seed 000's readiness and phases (None while nothing of seed 000 is typed).
    pub readiness: Option<readiness::Readiness>,
}

/// Why a budget review has no figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BudgetProblem {
    /// The settings, or their `budget_review` section, have problems (each with its path).
    Settings(Vec<Error>),
    /// No file gives usage of the stream to read.
    NoUsage(Option<Stream>),
    Arithmetic(Error),
}

impl std::fmt::Display for BudgetProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BudgetProblem::Settings(errors) => {
                let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
                write!(f, "the settings have problems: {}", shown.join("; "))
            }
            BudgetProblem::NoUsage(Some(stream)) => write!(
                f,
                "expected a {} to read, but found none among the files",
                stream.describe()
            ),
            BudgetProblem::NoUsage(None) => f.write_str(
                "expected usage to read (a gateway log, a client request log or a provider usage report), but found none among the files",
            ),
            BudgetProblem::Arithmetic(error) => write!(f, "{error}"),
        }
    }
}

/// Whether a settings problem is the rollback part's (reference period, planned window,
/// readiness answers): while it is typed, the rest of the review stays computed.
fn is_rollback_path(error: &Error) -> bool {
    let path = error.position.path.as_deref().unwrap_or_default();
    [
        "budget_review.reference_period",
        "budget_review.plan",
        "budget_review.readiness",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

/// The budget section validated; when only its rollback part has problems, validated
/// without that part, with the first problem's message (shown where the projection
/// would be; every problem is also beside its field).
pub(crate) fn validate_beside_plan(
    settings: &Settings,
) -> Result<(ValidBudget, Option<String>), Vec<Error>> {
    let text = &settings.budget_review;
    match text.validate() {
        Ok(budget) => Ok((budget, None)),
        Err(errors) if errors.iter().all(is_rollback_path) => {
            let at = |part: &str| {
                let part = format!("budget_review.{part}");
                errors.iter().any(|e| {
                    e.position
                        .path
                        .as_deref()
                        .is_some_and(|p| p.starts_with(&part))
                })
            };
            // Only the parts with a problem are left out; the others still count.
            let mut rest = text.clone();
            if at("reference_period") {
                rest.reference_period = Default::default();
            }
            if at("plan") {
                rest.plan = Default::default();
            }
            if at("readiness") {
                rest.readiness.drill_traced.clear();
                rest.readiness.kill_switch_tested.clear();
            }
            // The projection names the window's first problem; a readiness answer's
            // is said beside its field only.
            let first = (errors.iter())
                .find(|e| {
                    !e.position
                        .path
                        .as_deref()
                        .unwrap_or_default()
                        .contains(".readiness")
                })
                .map(|e| e.to_string());
            rest.validate().map(|budget| (budget, first))
        }
        Err(errors) => Err(errors),
    }
}

/// Names the models the projection draws on (its mix, else every model of the
/// baseline) whose entries on the card are not verified, with their label.
fn with_rate_labels(
    mut projection: projection::Projection,
    plan: &crate::settings::budget::Plan,
    baseline: &baseline::Baseline,
    valid: &crate::settings::ValidSettings,
) -> projection::Projection {
    let drawn: Vec<String> = if plan.mix.is_empty() {
        (baseline.by_model.iter())
            .filter_map(|line| line.model.clone())
            .collect()
    } else {
        plan.mix
            .iter()
            .map(|(m, _)| crate::sanitize::label(m))
            .collect()
    };
    let mut named = std::collections::BTreeSet::new();
    for entry in &valid.rate_card.entries {
        let label = entry.provenance.label;
        let shown = crate::sanitize::label(&entry.model);
        if label != crate::ratecard::Confidence::Verified && drawn.contains(&shown) {
            named.insert(format!("{shown} ({})", label.name()));
        }
    }
    projection.unverified_rates = named.into_iter().collect();
    projection
}

/// The budget review of `files` under `settings`.
pub fn review(files: &[FileReport], settings: &Settings) -> Result<BudgetFigures, BudgetProblem> {
    let (valid, budget, unready) = match (settings.validate(), validate_beside_plan(settings)) {
        (Ok(valid), Ok((budget, unready))) => (valid, budget, unready),
        (valid, budget) => {
            let mut errors = valid.err().unwrap_or_default();
            errors.extend(budget.err().unwrap_or_default());
            return Err(BudgetProblem::Settings(errors));
        }
    };
    let stream =
        rows::stream_of(files, budget.stream).ok_or(BudgetProblem::NoUsage(budget.stream))?;
    let arithmetic = BudgetProblem::Arithmetic;
    let rows = rows::priced_rows(files, stream, &valid).map_err(arithmetic)?;
    let mut total = Tally::default();
    for row in &rows {
        total.add(row).map_err(arithmetic)?;
    }
    let (allocation, allocated) = allocate::allocation(&budget, &rows).map_err(arithmetic)?;
    let unit_cost = unit::unit_cost(&budget.unit, &rows, &allocated).map_err(arithmetic)?;
    let retries = retry::retries(&rows).map_err(arithmetic)?;
    let thresholds =
        threshold::thresholds(&budget.budgets, &allocation.by_bucket).map_err(arithmetic)?;
    let baseline = match budget.reference {
        Some(period) => Some(baseline::baseline(&budget, period, &rows).map_err(arithmetic)?),
        None => None,
    };
    let projection = match (&budget.plan, &baseline) {
        (None, _) | (_, None) if unready.is_some() => Some(Err(format!(
            "the reference period or the planned window is not complete: {}",
            unready.unwrap_or_default()
        ))),
        (None, _) => None,
        (Some(_), None) => Some(Err(
            "no reference period is marked: there is no baseline to project from".to_string(),
        )),
        (Some(_), Some(Err(reason))) => Some(Err(format!("no baseline: {reason}"))),
        (Some(plan), Some(Ok(base))) => Some(
            projection::project(plan, base)
                .map_err(arithmetic)?
                .map(|p| with_rate_labels(p, plan, base, &valid)),
        ),
    };
    let text = &settings.budget_review;
    let asked = text.readiness != Default::default()
        || text.reference_period != Default::default()
        || text.plan != Default::default();
    let readiness = asked.then(|| readiness::readiness(&text.readiness, &baseline, &projection));
    let of_stream = || crate::crosscheck::files_of(files, stream);
    let not_billable = of_stream()
        .map(|f| {
            let excluded = &f.ledger.excluded;
            excluded
                .get(&ExclusionRule::NonBillableOutcome)
                .copied()
                .unwrap_or(0)
        })
        .sum();
    Ok(BudgetFigures {
        stream,
        currency: valid.billing_currency.clone(),
        total,
        allocation,
        unit_cost,
        retries,
        thresholds,
        usage_unknown: of_stream().map(|f| f.evidence.unknown_total()).sum(),
        not_billable,
        baseline,
        projection,
        readiness,
    })
}

/// What a budget review gives the page, as the worker computes it.
pub type Answer = Result<BudgetFigures, BudgetProblem>;

/// For the trip from the page's worker (which holds the rows and their labels) to the
/// page: the review in the wire form ([`crate::wire`]); None while the settings'
/// `budget_review` section asks for no figures (each row is priced on its own, so a
/// review no one asked for is not computed; a review log alone asks for none).
pub fn wire(files: &[FileReport], settings: &Settings) -> Option<Vec<u8>> {
    if !settings.budget_review.asks_for_figures() {
        return None;
    }
    crate::wire::to_bytes(&review(files, settings)).ok()
}

/// The review [`wire`] sent.
pub fn from_wire(bytes: &[u8]) -> Result<Answer, String> {
    crate::wire::from_bytes(bytes)
        .map_err(|e| format!("the budget review sent by the worker is damaged: {e}"))
}

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod tests;
