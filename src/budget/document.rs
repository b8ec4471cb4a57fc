//! The budget review document: the sibling of the reconciliation record for budget
//! decisions, with its own JSON Schema (`schemas/budget-review.schema.json`). Built from
//! an allow-list like the record: counts, exact amounts (as strings), fingerprints, the
//! reviewer's own names (sanitized) and hashes. No token name, tenant id, key, prompt or
//! settings value that failed to read reaches it.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

use super::allocate::{Line, ValueLine};
use super::plan_out::{self, Part};
use super::tally::Tally;
use super::{BudgetFigures, BudgetProblem};
use crate::ingest::{FileReport, Format, Stream};
use crate::sanitize;
use crate::settings::Settings;

/// 2: the seed 000 part (`baseline`, `projection`, `readiness`) added.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Serialize)]
pub struct BudgetDocument {
    pub schema_version: u32,
    pub kind: &'static str,
    pub generated_at: String,
    pub generator: String,
    pub reconciliation_run_id: String,
    pub provider: String,
    pub currency: String,
    pub rate_card_sha256: String,
    pub input_files: Vec<FileOut>,
    /// The stream the figures were read from; null when none could be.
    pub stream_read: Option<Stream>,
    pub status: &'static str,
    /// Why there are no figures; null when there are.
    pub not_computed: Option<String>,
    pub totals: Option<TallyOut>,
    pub requests_without_usage: Option<u64>,
    pub excluded_not_billable: Option<u64>,
    pub allocation: Option<AllocationOut>,
    pub unit_cost: Option<UnitCostOut>,
    pub retries: Option<RetriesOut>,
    /// Each bucket budget against its spend; null when not computed.
    pub budgets: Option<Vec<BucketOut>>,
    /// The review log (seeds 003 and 004): each admitted row, sanitized; a row the
    /// settings hold that is not admitted is left out (the settings name its problem).
    pub review_log: Vec<crate::settings::budget::ReviewRowText>,
    /// Seed 000 (version 2, [`super::plan_out`]): null while not asked for.
    pub baseline: Option<Part<plan_out::BaselineFiguresOut>>,
    pub projection: Option<Part<plan_out::ProjectionOut>>,
    pub readiness: Option<plan_out::ReadinessOut>,
}

#[derive(Serialize)]
pub struct LevelOut {
    pub percent: String,
    pub amount: String,
    /// `crossed`, `not_crossed` or `unknown`.
    pub crossing: &'static str,
}

#[derive(Serialize)]
pub struct BucketOut {
    pub bucket: String,
    pub owner: String,
    pub budget: String,
    pub spend_low: Option<String>,
    pub spend_high: Option<String>,
    pub used_percent: Option<String>,
    pub highest_crossed: Option<String>,
    pub thresholds: Vec<LevelOut>,
}

fn bucket(c: &super::threshold::BucketCheck) -> BucketOut {
    BucketOut {
        bucket: c.bucket.clone(),
        owner: c.owner.clone(),
        budget: amount(c.budget),
        spend_low: c.spend_low.map(amount),
        spend_high: c.spend_high.map(amount),
        used_percent: c.used_percent.map(amount),
        highest_crossed: c.highest_crossed().map(amount),
        thresholds: c
            .levels
            .iter()
            .map(|l| LevelOut {
                percent: amount(l.percent),
                amount: amount(l.amount),
                crossing: l.crossing.name(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct ClassOut {
    pub outcome_class: &'static str,
    pub rows: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// What these rows cost if billed: what the outcome policy calls billable ...
    pub cost_low: Option<String>,
    /// ... and with the rows it does not know about; null while no row is priced.
    pub cost_high: Option<String>,
    pub unpriced_rows: u64,
}

#[derive(Serialize)]
pub struct RetriesOut {
    pub attempts: u64,
    pub logical_requests: u64,
    pub extra_attempts: u64,
    /// attempts ÷ logical requests (10 places, half to even); null without a request.
    pub amplification: Option<String>,
    pub usage_buckets_not_counted: u64,
    pub extra_by_outcome_class: Vec<ClassOut>,
    pub failure_cost_by_outcome_class: Vec<ClassOut>,
}

fn class_line(l: &super::retry::ClassLine) -> ClassOut {
    let range = l.range();
    ClassOut {
        outcome_class: l.class.name(),
        rows: l.tally.rows,
        input_tokens: l.tally.input_tokens,
        output_tokens: l.tally.output_tokens,
        cost_low: range.map(|(low, _)| amount(low)),
        cost_high: range.map(|(_, high)| amount(high)),
        unpriced_rows: l.tally.unpriced,
    }
}

fn retries(r: &super::retry::Retries) -> RetriesOut {
    RetriesOut {
        attempts: r.attempts,
        logical_requests: r.logical_requests,
        extra_attempts: r.extra_attempts,
        amplification: r.amplification.map(amount),
        usage_buckets_not_counted: r.usage_buckets,
        extra_by_outcome_class: r.extra_by_class.iter().map(class_line).collect(),
        failure_cost_by_outcome_class: r.failures_by_class.iter().map(class_line).collect(),
    }
}

#[derive(Serialize)]
pub struct FileOut {
    pub name: String,
    pub sha256: String,
    pub format: Option<Format>,
    pub stream: Option<Stream>,
}

#[derive(Serialize)]
pub struct TallyOut {
    pub rows: u64,
    /// Null while a usage bucket does not state how many requests it holds.
    pub requests: Option<u64>,
    pub successful_requests: Option<u64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// The expected charge of the priced rows; null when rows exist and none is priced.
    pub expected: Option<String>,
    /// False while some rows are unpriced: `expected` is then the priced part only.
    pub expected_complete: bool,
    pub unpriced_rows: u64,
    /// Charges of rows the outcome policy calls unknown (possibly billed), apart.
    pub at_risk: String,
}

#[derive(Serialize)]
pub struct LineOut {
    /// Null for spend no rule allocates.
    pub name: Option<String>,
    pub unallocated: bool,
    #[serde(flatten)]
    pub tally: TallyOut,
    /// The share of the unallocated expected charge this line takes (negative on the
    /// unallocated line); null without a proportional shared-cost rule.
    pub shared: Option<String>,
    /// `expected` + `shared`; null when `expected` is.
    pub allocated: Option<String>,
}

#[derive(Serialize)]
pub struct ValueOut {
    pub field: String,
    /// A model label, a name the reviewer gave in a rule, or `#` and a hash.
    pub value: String,
    #[serde(flatten)]
    pub tally: TallyOut,
}

#[derive(Serialize)]
pub struct RuleOut {
    pub rule: usize,
    pub field: String,
    pub matched_rows: u64,
}

#[derive(Serialize)]
pub struct AllocationOut {
    pub shared_cost_rule: &'static str,
    pub by_owner: Vec<LineOut>,
    pub by_environment: Vec<LineOut>,
    pub by_request_class: Vec<LineOut>,
    pub by_budget_bucket: Vec<LineOut>,
    pub unallocated_by_value: Vec<ValueOut>,
    pub rules: Vec<RuleOut>,
}

#[derive(Serialize)]
pub struct UnitLineOut {
    /// The owner group (request class under `request`); null for unallocated spend.
    pub group: Option<String>,
    pub unallocated: bool,
    /// Null on a line for every model of the group.
    pub model: Option<String>,
    pub rows: u64,
    pub expected: Option<String>,
    pub expected_complete: bool,
    /// Null when the count is unknown.
    pub units: Option<String>,
    /// `expected ÷ units`, rounded to `per_unit_decimal_places`; null when either is
    /// unknown or the count is zero.
    pub per_unit: Option<String>,
}

#[derive(Serialize)]
pub struct PeriodOut {
    pub start: String,
    pub rows: u64,
    pub expected: Option<String>,
    pub expected_complete: bool,
    pub units: Option<String>,
    pub per_unit: Option<String>,
}

#[derive(Serialize)]
pub struct UnitCostOut {
    pub metric: &'static str,
    /// The reviewer's word for a business unit (sanitized); empty for other metrics.
    pub unit_name: String,
    pub per_unit_decimal_places: u32,
    pub period: crate::settings::budget::Period,
    pub time_zone: String,
    pub by_group: Vec<UnitLineOut>,
    pub by_group_and_model: Vec<UnitLineOut>,
    pub by_period: Vec<PeriodOut>,
    pub untimed_rows: u64,
}

fn unit_line(l: &super::unit::UnitLine) -> UnitLineOut {
    UnitLineOut {
        group: l.group.clone(),
        unallocated: l.group.is_none(),
        model: l.model.as_deref().map(sanitize::label),
        rows: l.tally.rows,
        expected: l.tally.expected().map(amount),
        expected_complete: l.tally.complete(),
        units: l.units.map(amount),
        per_unit: l.per_unit.map(amount),
    }
}

fn unit_cost(u: &super::unit::UnitCost) -> UnitCostOut {
    UnitCostOut {
        metric: u.metric.name(),
        unit_name: sanitize::label_text(&u.unit_name),
        per_unit_decimal_places: super::unit::PER_UNIT_PLACES,
        period: u.period,
        time_zone: u.time_zone.clone(),
        by_group: u.by_group.iter().map(unit_line).collect(),
        by_group_and_model: u.by_group_and_model.iter().map(unit_line).collect(),
        by_period: u
            .by_period
            .iter()
            .map(|p| PeriodOut {
                start: p.start.clone(),
                rows: p.tally.rows,
                expected: p.tally.expected().map(amount),
                expected_complete: p.tally.complete(),
                units: p.units.map(amount),
                per_unit: p.per_unit.map(amount),
            })
            .collect(),
        untimed_rows: u.untimed_rows,
    }
}

pub fn amount(value: Decimal) -> String {
    crate::decimal::format(value)
}

pub fn tally(t: &Tally) -> TallyOut {
    let requests = t.request_count();
    TallyOut {
        rows: t.rows,
        requests,
        successful_requests: requests.map(|_| t.successful),
        input_tokens: t.input_tokens,
        output_tokens: t.output_tokens,
        expected: t.expected().map(amount),
        expected_complete: t.complete(),
        unpriced_rows: t.unpriced,
        at_risk: amount(t.at_risk),
    }
}

fn line(l: &Line) -> LineOut {
    LineOut {
        name: l.name.clone(),
        unallocated: l.name.is_none(),
        tally: tally(&l.tally),
        shared: l.shared.map(amount),
        allocated: l.allocated().map(amount),
    }
}

fn value(v: &ValueLine) -> ValueOut {
    ValueOut {
        field: v.field.clone(),
        value: v.value.clone(),
        tally: tally(&v.tally),
    }
}

/// Where a problem is, never what was typed there (a value that failed to read may be
/// anything, a key included).
fn problem_text(problem: &BudgetProblem) -> String {
    match problem {
        BudgetProblem::Settings(errors) => {
            let places: Vec<String> = errors.iter().map(|e| e.position.to_string()).collect();
            format!("the settings have problems at {}", places.join(", "))
        }
        other => other.to_string(),
    }
}

pub fn build(
    files: &[FileReport],
    settings: &Settings,
    review: &Result<BudgetFigures, BudgetProblem>,
    generated_at: Timestamp,
) -> BudgetDocument {
    let figures = review.as_ref().ok();
    let budget = super::validate_beside_plan(settings).ok().map(|(b, _)| b);
    let shared_cost_rule = match budget.map(|b| b.shared) {
        Some(crate::settings::budget::SharedCost::Proportional(_)) => "proportional",
        _ => "unallocated",
    };
    let rules = settings.budget_review.mapping.iter();
    let matches = figures.map_or(&[][..], |f| &f.allocation.rule_matches[..]);
    BudgetDocument {
        schema_version: SCHEMA_VERSION,
        kind: "budget_review",
        generated_at: generated_at.to_string(),
        generator: format!("spend-reconciler {}", env!("CARGO_PKG_VERSION")),
        reconciliation_run_id: sanitize::label_text(&settings.reconciliation_run_id),
        provider: sanitize::label_text(&settings.provider),
        currency: sanitize::label_text(&settings.billing_currency),
        rate_card_sha256: settings.rate_card_text().sha256(),
        input_files: files
            .iter()
            .map(|f| FileOut {
                name: sanitize::file_name(&f.name),
                sha256: f.fingerprint.sha256.clone(),
                format: f.format,
                stream: f.format.map(Format::stream),
            })
            .collect(),
        stream_read: figures.map(|f| f.stream),
        status: if figures.is_some() {
            "computed"
        } else {
            "not_computed"
        },
        not_computed: review.as_ref().err().map(problem_text),
        totals: figures.map(|f| tally(&f.total)),
        requests_without_usage: figures.map(|f| f.usage_unknown),
        excluded_not_billable: figures.map(|f| f.not_billable),
        allocation: figures.map(|f| {
            let a = &f.allocation;
            AllocationOut {
                shared_cost_rule,
                by_owner: a.by_owner.iter().map(line).collect(),
                by_environment: a.by_environment.iter().map(line).collect(),
                by_request_class: a.by_request_class.iter().map(line).collect(),
                by_budget_bucket: a.by_bucket.iter().map(line).collect(),
                unallocated_by_value: a.unallocated_by_value.iter().map(value).collect(),
                rules: rules
                    .zip(matches)
                    .enumerate()
                    .map(|(i, (r, n))| RuleOut {
                        rule: i,
                        field: crate::settings::budget::MatchField::parse(&r.field)
                            .map_or_else(|_| String::new(), |f| f.name().to_string()),
                        matched_rows: *n,
                    })
                    .collect(),
            }
        }),
        unit_cost: figures.map(|f| unit_cost(&f.unit_cost)),
        retries: figures.map(|f| retries(&f.retries)),
        budgets: figures.map(|f| f.thresholds.iter().map(bucket).collect()),
        review_log: super::log::admitted_rows(&settings.budget_review.review_log),
        baseline: figures
            .and_then(|f| f.baseline.as_ref())
            .map(plan_out::baseline),
        projection: (figures.and_then(|f| f.projection.as_ref()))
            .map(|p| plan_out::projection(p, &settings.billing_currency)),
        readiness: (figures.and_then(|f| f.readiness.as_ref()))
            .map(|r| plan_out::readiness(r, &settings.budget_review.readiness)),
    }
}

impl BudgetDocument {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the document is plain data") + "\n"
    }
}
