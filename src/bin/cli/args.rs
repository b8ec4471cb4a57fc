//! The command line, declared once: clap derives the parser, the help, the errors and
//! the shell completions from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "spend-reconciler: reconcile AI-API spend offline, in exact decimal";

const LONG_ABOUT: &str = "\
spend-reconciler: reconcile AI-API spend offline, in exact decimal

Reads the exports you have, each as its own evidence stream: CometAPI / new-api usage
logs (log-API JSON pages, JSON arrays, JSON lines, CSV), client request logs (OpenAI chat
or Responses usage, Anthropic usage, LiteLLM spend logs, ai_request_cost_observation
events), provider usage reports (OpenAI usage API / Activity CSV, Anthropic usage_report),
billing exports (OpenAI Costs JSON / Cost CSV, Anthropic cost_report, FOCUS CSV) and
CometAPI daily account totals; and a settings document (incident window, verified rates
with provenance, tolerance). Writes the sanitized reconciliation record as JSON. The
page's \"Export settings\" button writes the same settings document; given the same files,
settings and --generated-at, the page and this command produce the same record, byte for
byte.";

pub const EXIT_STATUS: &str = "\
EXIT STATUS:
    0  the record was written (a file that could not be read is listed in it as
       readable: false, and named on standard error)
    1  the figures could not be computed (settings problems or arithmetic overflow)
    2  the command line was wrong, a file could not be opened, or none of the files
       gave a row that could be read (no record is written)

  verify: 0 identical, 1 different (what differs is printed), 2 the command line was
  wrong or the record cannot be checked (not a record, or one older than version 3)";

#[derive(Debug, Parser)]
#[command(
    name = "spend-reconciler",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXIT_STATUS,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Reconcile (the default when no subcommand is named).
    #[command(flatten)]
    pub reconcile: Reconcile,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reconcile the files and write the record (what the command does by default).
    Reconcile(Box<Reconcile>),
    /// Check a reconciliation record against its files: run the review again from the
    /// settings the record carries, at its generated_at, and say "identical" or name the
    /// first fields that differ and the files whose SHA-256 does not match.
    Verify(Verify),
    /// Print a completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct Reconcile {
    /// Exports to reconcile (read, never modified): files, folders (every file directly
    /// in them, by name), glob patterns such as 'logs/*.jsonl' (quoted, or as the shell
    /// expands them), or - for standard input. The format of each is detected from its
    /// first record or header line.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// The settings document (JSON, as the page exports it); without it: no window, no
    /// rates, default tolerance.
    #[arg(long, value_name = "PATH")]
    pub settings: Option<PathBuf>,
    /// RFC 3339 time written as generated_at (default: now); pass the same value to
    /// reproduce a record exactly.
    #[arg(long, value_name = "TIME")]
    pub generated_at: Option<String>,
    /// Write the record to PATH instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Also write the expected-charge lines as CSV.
    #[arg(long, value_name = "PATH")]
    pub lines_csv: Option<PathBuf>,
    /// Also write expected versus recorded per model as CSV.
    #[arg(long, value_name = "PATH")]
    pub reconciliation_csv: Option<PathBuf>,
    /// Also write the dual ledger as CSV: per model and day (in the finance time zone
    /// when the review sets one), the estimated cost beside the reconciled cost, days
    /// within 24 hours of their end (as of generated_at) marked provisional.
    #[arg(long, value_name = "PATH")]
    pub ledger_csv: Option<PathBuf>,
    /// Also write the expected charge per UTC day (and any billed lines beside it) as a
    /// FinOps FOCUS 1.2 CSV, for a cost tool or a warehouse.
    #[arg(long, value_name = "PATH")]
    pub focus_csv: Option<PathBuf>,
    /// Which stream is the provider-side figure (default: the settings' choice, else the
    /// gateway log's own quota, else a billing export, else account totals); the record
    /// carries the choice.
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub provider_side: Option<ProviderSideArg>,
    /// Which evidence prices the expected charge (default: the settings' choice, else the
    /// gateway log's rows): client_requests prices what the client saw, so retries charged
    /// twice, timeouts and cancelled streams charged, and requests the gateway never saw
    /// become steps of the bridge; the record's settings carry the choice.
    #[arg(long, value_enum, value_name = "SIDE")]
    pub expected_side: Option<ExpectedSideArg>,
    /// How the CSVs separate cells and write decimals (default: the settings' choice,
    /// else comma).
    #[arg(long, value_enum, value_name = "STYLE")]
    pub csv_style: Option<CsvStyleArg>,
    /// Start the CSVs with a UTF-8 byte-order mark, so Excel reads non-ASCII labels right
    /// (also when the settings ask for it).
    #[arg(long)]
    pub csv_bom: bool,
    /// Also write the support packet (seed 002's ten items, sanitized) as PATH.md, to
    /// paste into a ticket, and PATH.json; the page's download holds the same bytes.
    #[arg(long, value_name = "PATH")]
    pub support_packet: Option<PathBuf>,
    /// Also write the budget review document (JSON, `schemas/budget-review.schema.json`):
    /// spend allocated by the settings' `budget_review` mapping table, beside the record.
    #[arg(long, value_name = "PATH")]
    pub budget_review: Option<PathBuf>,
    /// Allocate by the mapping table in PATH (CSV or JSON, as the page exports it) in
    /// place of the one in the settings.
    #[arg(long, value_name = "PATH")]
    pub budget_mapping: Option<PathBuf>,
    /// Write the mapping table in use to PATH: JSON when PATH ends in .json, else CSV
    /// (in the CSV style chosen).
    #[arg(long, value_name = "PATH")]
    pub budget_mapping_out: Option<PathBuf>,
    /// Keep the review log in PATH (CSV or JSON, as the page exports it) in place of the
    /// settings' own; every row is admitted or nothing runs.
    #[arg(long, value_name = "PATH")]
    pub budget_log: Option<PathBuf>,
    /// Add the review rows in PATH (CSV or JSON) to the log; a row with no owner group,
    /// request class or unit metric is refused (seed 003).
    #[arg(long, value_name = "PATH")]
    pub budget_log_add: Option<PathBuf>,
    /// Write the review log to PATH: JSON when PATH ends in .json, else CSV (in the CSV
    /// style chosen).
    #[arg(long, value_name = "PATH")]
    pub budget_log_out: Option<PathBuf>,
    /// Measure the budget review's baseline (seed 000) over START/END, in place of the
    /// settings' reference period: times like 2026-05-09T13:00 are read in the finance
    /// time zone (UTC when none is set), times with Z or an offset as written.
    #[arg(long, value_name = "START/END")]
    pub budget_reference: Option<String>,
    /// Project the planned window in PATH (JSON, the settings' `budget_review.plan`:
    /// start, end, request_rate or traffic_share, model_mix, rollback_budget,
    /// stop_over_percent) in place of the settings' own. With --budget-review, the
    /// verdict (pass or fail, the numbers, the knob that drives it) is also printed to
    /// standard error.
    #[arg(long, value_name = "PATH")]
    pub budget_plan: Option<PathBuf>,
    /// Check the readiness form in PATH (JSON, the settings' `budget_review.readiness`)
    /// in place of the settings' own. With --budget-review, phases A-D are also printed
    /// to standard error as pass or hold with the reason.
    #[arg(long, value_name = "PATH")]
    pub budget_readiness: Option<PathBuf>,
    /// Print each file's row ledger and the totals to standard error.
    #[arg(long)]
    pub summary: bool,
    /// The summary's form: text (default) or json, for pipelines (implies --summary).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub summary_format: Option<SummaryFormat>,
}

#[derive(Debug, Args)]
pub struct Verify {
    /// The reconciliation record to check (JSON, as written by this command or the page).
    #[arg(value_name = "RECORD")]
    pub record: PathBuf,
    /// The files the record was made from, in any order: files, folders, glob patterns,
    /// or - for standard input (the record names each with its SHA-256).
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum ProviderSideArg {
    /// The gateway log's own quota (CometAPI / new-api).
    GatewayLog,
    /// The provider's usage report, priced with the rate card.
    ProviderUsage,
    /// A billing export (buckets wholly inside the window).
    Billing,
    /// Account totals (CometAPI's balance query).
    AccountTotals,
}

impl ProviderSideArg {
    /// The settings' word for it (`provider_side`).
    pub fn name(self) -> &'static str {
        match self {
            ProviderSideArg::GatewayLog => "gateway_log",
            ProviderSideArg::ProviderUsage => "provider_usage",
            ProviderSideArg::Billing => "billing",
            ProviderSideArg::AccountTotals => "account_totals",
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum ExpectedSideArg {
    /// The gateway log's rows (the default).
    GatewayLogRows,
    /// What the client saw: the client request log's usage at the card's rates.
    ClientRequests,
}

impl ExpectedSideArg {
    /// The settings' word for it (`expected_side`; empty is the default).
    pub fn name(self) -> &'static str {
        match self {
            ExpectedSideArg::GatewayLogRows => "",
            ExpectedSideArg::ClientRequests => "client_requests",
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CsvStyleArg {
    /// `,` between cells, `.` before decimals.
    Comma,
    /// `;` between cells, `,` before decimals (Excel in most of Europe).
    Semicolon,
    /// A tab between cells, `.` before decimals.
    Tab,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}
