//! The native command-line entry: the same core as the page, for batch use and tests.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use jiff::Timestamp;
use rust_decimal::Decimal;
use spend_reconciler::decimal::format;
#[cfg(not(target_arch = "wasm32"))]
use spend_reconciler::native::run as review_files;
use spend_reconciler::outputs;
// The native shell reads a large file in two parts on threads; a wasm32 build of this
// command (which only the lints make) reads each in one pass: the same review.
#[cfg(target_arch = "wasm32")]
use spend_reconciler::pipeline::run as review_files;
use spend_reconciler::pipeline::{self, InputFile, Problem};
use spend_reconciler::settings::Settings;

const HELP: &str = "\
spend-reconciler: reconcile AI-API spend offline, in exact decimal

Reads the exports you have, each as its own evidence stream: CometAPI / new-api usage
logs (log-API JSON pages, JSON arrays, JSON lines, CSV), client request logs (OpenAI chat
or Responses usage, Anthropic usage, LiteLLM spend logs, ai_request_cost_observation
events), provider usage reports (OpenAI usage API / Activity CSV, Anthropic usage_report),
billing exports (OpenAI Costs JSON / Cost CSV, Anthropic cost_report, FOCUS CSV) and
CometAPI daily account totals; and a settings document (incident window, verified rates
with provenance, tolerance). Writes the sanitized reconciliation record as JSON. The page's \"Export settings\"
button writes the same settings document; given the same files, settings and
--generated-at, the page and this command produce the same record, byte for byte.

USAGE:
    spend-reconciler [OPTIONS] <FILE>...

ARGS:
    <FILE>...                 exports to reconcile (read, never modified); the format of
                              each is detected from its first record or header line

OPTIONS:
    --settings <PATH>         settings JSON; without it: no window, no rates, default tolerance
    --generated-at <TIME>     RFC 3339 time written as generated_at (default: now); pass the
                              same value to reproduce a record exactly
    --out <PATH>              write the record to PATH instead of standard output
    --lines-csv <PATH>        also write the expected-charge lines as CSV
    --reconciliation-csv <PATH>
                              also write expected versus recorded per model as CSV
    --summary                 print the row ledger and totals to standard error
    -h, --help                print this help
    -V, --version             print the version

EXIT STATUS:
    0  the record was written (a file that could not be read is listed in it as
       readable: false, and named on standard error)
    1  the figures could not be computed (settings problems or arithmetic overflow)
    2  the command line was wrong, a file could not be opened, or none of the files
       could be read (no record is written)
";

struct Args {
    files: Vec<PathBuf>,
    settings: Option<PathBuf>,
    generated_at: Option<String>,
    out: Option<PathBuf>,
    lines_csv: Option<PathBuf>,
    reconciliation_csv: Option<PathBuf>,
    summary: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        files: Vec::new(),
        settings: None,
        generated_at: None,
        out: None,
        lines_csv: None,
        reconciliation_csv: None,
        summary: false,
    };
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next().ok_or_else(|| {
                format!("expected a value after {flag}, but found the end of the command")
            })
        };
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("spend-reconciler {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--settings" => parsed.settings = Some(value("--settings")?.into()),
            "--generated-at" => parsed.generated_at = Some(value("--generated-at")?),
            "--out" => parsed.out = Some(value("--out")?.into()),
            "--lines-csv" => parsed.lines_csv = Some(value("--lines-csv")?.into()),
            "--reconciliation-csv" => {
                parsed.reconciliation_csv = Some(value("--reconciliation-csv")?.into())
            }
            "--summary" => parsed.summary = true,
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(format!(
                    "expected one of the options in --help, but found {flag}"
                ))
            }
            file => parsed.files.push(file.into()),
        }
    }
    if parsed.files.is_empty() {
        return Err("expected at least one input file, but found none (see --help)".into());
    }
    Ok(Some(parsed))
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let Some(args) = parse_args(std::env::args().skip(1))? else {
        return Ok(ExitCode::SUCCESS);
    };
    let settings = match &args.settings {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
            Settings::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Settings::default(),
    };
    let generated_at = match &args.generated_at {
        Some(text) => text.parse::<Timestamp>().map_err(|_| {
            format!(
                "--generated-at: expected a time like 2026-05-11T12:00:00Z, but found \"{text}\""
            )
        })?,
        None => Timestamp::now(),
    };
    let mut files = Vec::new();
    for path in &args.files {
        let bytes =
            std::fs::read(path).map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
        // The page only ever sees a file's name, so the record uses the name alone here too.
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        files.push(InputFile { name, bytes });
    }
    let review = review_files(&files, &settings);
    if args.summary {
        print_summary(&review);
    }
    // A file that cannot be read is said on standard error whether or not --summary
    // asked; with none readable there is no review at all.
    for file in review.files.iter().filter(|f| f.format.is_none()) {
        let problem = file.problem.as_ref().map_or_else(
            || "its format was not recognised".to_string(),
            ToString::to_string,
        );
        eprintln!("warning: {} could not be read: {problem}", file.name);
    }
    let record = match (&review.figures, review.record(generated_at)) {
        (_, Some(record)) => record,
        (Err(Problem::NothingRead), _) => {
            return Err(format!(
                "none of the {} file(s) gave a row that could be read, so there is nothing to reconcile and no record was written{}",
                review.files.len(),
                if args.summary { "" } else { " (--summary says why, row by row)" }
            ))
        }
        (Err(Problem::Settings(errors)), _) => {
            for error in errors {
                eprintln!("settings: {error}");
            }
            return Ok(ExitCode::from(1));
        }
        (Err(Problem::Arithmetic(error)), _) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(1));
        }
        (Ok(_), None) => unreachable!("figures computed means a record"),
    };
    if let Ok(figures) = &review.figures {
        let exports = [
            (
                &args.lines_csv,
                outputs::charge_lines_csv as fn(&_) -> String,
            ),
            (&args.reconciliation_csv, outputs::reconciliation_csv),
        ];
        for (path, write) in exports {
            if let Some(path) = path {
                std::fs::write(path, write(figures))
                    .map_err(|e| format!("{}: cannot be written: {e}", path.display()))?;
            }
        }
    }
    let json = record.to_json();
    match &args.out {
        Some(path) => std::fs::write(path, json)
            .map_err(|e| format!("{}: cannot be written: {e}", path.display()))?,
        None => std::io::stdout()
            .write_all(json.as_bytes())
            .map_err(|e| format!("standard output: {e}"))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(review: &pipeline::Review) {
    for file in &review.files {
        let ledger = &file.ledger;
        let format = file.format.map_or("unreadable", |f| f.describe());
        eprintln!(
            "{}: {format}; {} rows read: {} accepted, {} excluded, {} rejected",
            file.name,
            ledger.rows_read,
            ledger.accepted,
            ledger.excluded_total(),
            ledger.rejected
        );
        if let Some(problem) = &file.problem {
            eprintln!("  {problem}");
        }
        if ledger.accepted_without_time > 0 {
            eprintln!(
                "  {} accepted without a time: the incident window was not applied to them",
                ledger.accepted_without_time
            );
        }
        for (rule, count) in &ledger.excluded {
            eprintln!("  {count} excluded: {}", rule.describe());
        }
        // One line per reason, not one per row: a file whose every row fails the same
        // way says so once.
        for group in ledger.rejection_groups() {
            eprintln!("  rejected {}", group.describe());
        }
        let unlisted = ledger.unlisted_rejections();
        if unlisted > 0 {
            let by_column: Vec<String> = ledger
                .rejected_by_column
                .iter()
                .map(|(column, n)| {
                    let column = if column.is_empty() {
                        "the row as a whole"
                    } else {
                        column
                    };
                    format!("{column} {n}")
                })
                .collect();
            eprintln!(
                "  and {unlisted} more rejected rows not listed (all rejections by column: {})",
                by_column.join(", ")
            );
        }
    }
    if let Ok(figures) = &review.figures {
        let total = &figures.reconciliation.total;
        let money = |value: Option<Decimal>, why: &str| {
            value.map_or_else(
                || format!("not computed ({why})"),
                |v| format!("{} USD", format(v)),
            )
        };
        eprintln!(
            "expected {}{}, provider recorded {}, variance {}",
            money(total.expected, "no usage evidence"),
            if total.expected.is_none() || total.expected_complete {
                ""
            } else {
                " (incomplete: a floor; see the unpriced lines and requests of unknown usage)"
            },
            money(total.provider, "no provider-side evidence"),
            money(total.variance, "one side is missing")
        );
        let models = figures.pricing.iter().flat_map(|p| &p.models);
        for model in models.filter(|m| m.untimed_unpriced > 0) {
            eprintln!(
                "{}: {} request(s) without a time unpriced: every rate-card entry for it has effective dates",
                model.model, model.untimed_unpriced
            );
        }
        for check in &figures.cross_checks {
            eprintln!(
                "{} {} vs {} {}: difference {}{}; {}",
                check.left.describe(),
                format(check.left_amount),
                check.right.describe(),
                format(check.right_amount),
                format(check.difference),
                check
                    .class
                    .map_or(String::new(), |c| format!(" ({})", c.describe())),
                check.evidence
            );
        }
    }
}
