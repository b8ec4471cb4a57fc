//! The budget review from the command line: its mapping table read from a file or
//! written to one, and the budget review document written beside the record.

use std::path::Path;

use jiff::Timestamp;
use spend_reconciler::budget::{self, document, mapping};
use spend_reconciler::ingest::FileReport;
use spend_reconciler::outputs::CsvStyle;
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
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let text = if json {
            mapping::mapping_json(rules)
        } else {
            mapping::mapping_csv(rules, style)
        };
        write_file(path, &text)?;
    }
    if let Some(path) = &args.budget_review {
        let review = budget::review(files, settings);
        if let Err(problem) = &review {
            eprintln!("note: the budget review is not computed: {problem}");
        }
        let document = document::build(files, settings, &review, generated_at);
        write_file(path, &document.to_json())?;
    }
    Ok(())
}
