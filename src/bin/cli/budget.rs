//! The budget review from the command line: its mapping table and review log read from
//! files or written to them, and the budget review document written beside the record.

use std::path::Path;

use jiff::Timestamp;
use spend_reconciler::budget::{self, document, log, mapping};
use spend_reconciler::ingest::FileReport;
use spend_reconciler::outputs::CsvStyle;
use spend_reconciler::settings::budget::PeriodText;
use spend_reconciler::settings::Settings;

use super::args::Reconcile;
use super::run::write_file;

/// The settings with the mapping table `path` holds in place of their own.
pub fn with_mapping(mut settings: Settings, path: Option<&Path>) -> Result<Settings, String> {
    let Some(path) = path else {
        return Ok(settings);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
    let name = path.display().to_string();
    settings.budget_review.mapping =
        mapping::import_mapping(&name, &text).map_err(|e| e.to_string())?;
    Ok(settings)
}

fn read(path: &Path) -> Result<(String, String), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
    Ok((path.display().to_string(), text))
}

/// The settings with the review log `--budget-log` holds in place of their own, and the
/// rows of `--budget-log-add` added; each row admitted (sanitized) or nothing runs.
pub fn with_log(mut settings: Settings, args: &Reconcile) -> Result<Settings, String> {
    if let Some(path) = &args.budget_log {
        let (name, text) = read(path)?;
        settings.budget_review.review_log =
            log::import_log(&name, &text).map_err(|e| e.to_string())?;
    }
    if let Some(path) = &args.budget_log_add {
        let (name, text) = read(path)?;
        let rows = log::import_log(&name, &text).map_err(|e| e.to_string())?;
        settings.budget_review.review_log.extend(rows);
    }
    // A log written keeps every row: the settings' own are held to the same rule as
    // imported ones, rather than left out of it.
    if args.budget_log_out.is_some() {
        for (i, row) in settings.budget_review.review_log.iter_mut().enumerate() {
            *row = row.admit().map_err(|problems| {
                let (column, message) = &problems[0];
                format!("the settings, budget_review.review_log[{i}].{column}: {message}")
            })?;
        }
    }
    Ok(settings)
}

/// The settings with the reference period, planned window and readiness form the
/// command line gives in place of their own.
pub fn with_plan(mut settings: Settings, args: &Reconcile) -> Result<Settings, String> {
    let section = &mut settings.budget_review;
    if let Some(text) = &args.budget_reference {
        let (start, end) = text.split_once('/').ok_or_else(|| {
            format!("--budget-reference: expected START/END (2026-05-09T13:00/2026-05-09T14:00), but found \"{text}\"")
        })?;
        section.reference_period = PeriodText {
            start: start.trim().to_string(),
            end: end.trim().to_string(),
        };
    }
    if let Some(path) = &args.budget_plan {
        let (name, text) = read(path)?;
        section.plan = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
    }
    if let Some(path) = &args.budget_readiness {
        let (name, text) = read(path)?;
        section.readiness = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(settings)
}

/// Seed 000's verdicts on standard error: the projection and each phase.
fn print_plan(figures: &budget::BudgetFigures) {
    match &figures.projection {
        Some(Ok(p)) => eprintln!("budget projection: {}", p.verdict(&figures.currency)),
        Some(Err(reason)) => eprintln!("budget projection: not computed: {reason}"),
        None => {}
    }
    if let Some(readiness) = &figures.readiness {
        for phase in &readiness.phases {
            let result = if phase.pass { "pass" } else { "hold" };
            eprintln!(
                "budget phase {} ({}): {result}: {}",
                phase.phase, phase.name, phase.reason
            );
        }
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Writes what the command line asked of the budget review. A review that cannot be
/// computed is still written, saying why; it never changes the exit status, which is
/// the reconciliation's.
pub fn write(
    args: &Reconcile,
    files: &[FileReport],
    settings: &Settings,
    style: CsvStyle,
    generated_at: Timestamp,
) -> Result<(), String> {
    if let Some(path) = &args.budget_mapping_out {
        let rules = &settings.budget_review.mapping;
        let text = if is_json(path) {
            mapping::mapping_json(rules)
        } else {
            mapping::mapping_csv(rules, style)
        };
        write_file(path, &text)?;
    }
    if let Some(path) = &args.budget_log_out {
        let rows = &settings.budget_review.review_log;
        let text = if is_json(path) {
            log::log_json(rows)
        } else {
            log::log_csv(rows, style)
        };
        write_file(path, &text)?;
    }
    if let Some(path) = &args.budget_review {
        let review = budget::review(files, settings);
        match &review {
            Ok(figures) => print_plan(figures),
            Err(problem) => eprintln!("note: the budget review is not computed: {problem}"),
        }
        let document = document::build(files, settings, &review, generated_at);
        write_file(path, &document.to_json())?;
    }
    Ok(())
}
