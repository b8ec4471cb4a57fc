//! The page's pieces, each a function component: props in, `Callback`s out. None holds
//! state beyond what is being typed, none computes a figure: settings changes go out
//! as [`crate::settings::SettingsEdit`]s, and what they show is what the core computed.

mod budget_baseline;
mod budget_log;
mod budget_mapping;
mod budget_plan;
mod budget_retry;
mod budget_review;
mod budget_thresholds;
mod budget_unit;
mod charges;
mod charts;
mod cross_checks;
mod downloads;
mod dual_ledger;
mod factors;
mod fields;
mod file_picker;
mod file_summaries;
mod incident_review;
mod keep_files;
mod mapping_form;
mod money;
mod policy_form;
mod rate_differences;
mod rate_table;
mod results;
mod review_form;
mod scroll;
mod summary;
mod text_files;
mod verify_record;
mod window_form;

pub use budget_log::BudgetLog;
pub use budget_mapping::BudgetMapping;
pub use budget_review::BudgetReview;
pub use charges::Charges;
pub use charts::Charts;
pub use cross_checks::CrossChecks;
pub use downloads::Downloads;
pub use dual_ledger::DualLedgerTable;
pub use factors::Factors;
pub use file_picker::{FilePicker, LoadProgress};
pub use file_summaries::FileSummaries;
pub use incident_review::IncidentReview;
pub use keep_files::KeepFiles;
pub use money::Money;
pub use policy_form::PolicyForm;
pub use rate_differences::RateDifferences;
pub use rate_table::RateTable;
pub use results::Results;
pub use review_form::ReviewForm;
pub use summary::Summary;
pub use verify_record::VerifyRecord;
pub use window_form::WindowForm;
