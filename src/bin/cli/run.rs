//! Reconciling from the command line: settings and files in, the record and CSVs out.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use jiff::Timestamp;
use spend_reconciler::figures::Figures;
use spend_reconciler::ingest::FileReport;
use spend_reconciler::outputs::{self, CsvLocale, CsvStyle};
use spend_reconciler::pipeline::Problem;
use spend_reconciler::settings::Settings;

use super::args::{Cli, Command, CsvStyleArg, Reconcile, SummaryFormat};
use super::{budget, inputs, summary};

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Completions { shell }) => {
            let mut command = Cli::command();
            clap_complete::generate(
                shell,
                &mut command,
                "spend-reconciler",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Reconcile(args)) => reconcile(&args),
        Some(Command::Verify(args)) => super::verify::verify(&args),
        None => reconcile(&cli.reconcile),
    };
    result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    })
}

pub fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: cannot be written: {e}", path.display()))
}

fn reconcile(args: &Reconcile) -> Result<ExitCode, String> {
    let mut settings = match &args.settings {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
            Settings::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Settings::default(),
    };
    if let Some(side) = args.provider_side {
        settings.provider_side = side.name().to_string();
    }
    if let Some(side) = args.expected_side {
        settings.expected_side = side.name().to_string();
    }
    let settings = budget::with_mapping(settings, args.budget_mapping.as_deref())?;
    let settings = budget::with_log(settings, args)?;
    let settings = budget::with_plan(settings, args)?;
    let generated_at = match &args.generated_at {
        Some(text) => text.parse::<Timestamp>().map_err(|_| {
            format!(
                "--generated-at: expected a time like 2026-05-11T12:00:00Z, but found \"{text}\""
            )
        })?,
        None => Timestamp::now(),
    };
    let files = inputs::open_inputs(&args.files)?;
    // The native shell: a large file read in two parts on threads, from the disk, the
    // same review.
    let files: Vec<_> = files.iter().collect();
    let review = spend_reconciler::native::run_inputs(&files, &settings)?;
    match args.summary_format {
        Some(SummaryFormat::Json) => eprint!("{}", summary::json(&review)),
        Some(SummaryFormat::Text) => eprint!("{}", summary::text(&review)),
        None if args.summary => eprint!("{}", summary::text(&review)),
        None => {}
    }
    // A file that cannot be read is said on standard error whether or not --summary
    // asked; with none readable there is no review at all.
    for file in review.files.iter().filter(|f| f.format.is_none()) {
        let problem = file.problem.as_ref().map_or_else(
            || "its format was not recognised".to_string(),
            |p| p.to_string(),
        );
        eprintln!("warning: {} could not be read: {problem}", file.name);
    }
    let record = match (&review.figures, review.record(generated_at)) {
        (_, Some(record)) => record,
        (Err(Problem::NothingRead), _) => {
            let hint = if args.summary || args.summary_format.is_some() {
                ""
            } else {
                " (--summary says why, row by row)"
            };
            return Err(format!(
                "none of the {} file(s) gave a row that could be read, so there is nothing to reconcile and no record was written{hint}",
                review.files.len()
            ));
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
        write_csvs(args, &review.files, figures, generated_at)?;
        if let Some(stem) = &args.support_packet {
            let packet = spend_reconciler::closure::packet(figures);
            let with = |ext: &str| {
                let mut name = stem.clone().into_os_string();
                name.push(ext);
                std::path::PathBuf::from(name)
            };
            write_file(&with(".md"), &packet.to_markdown())?;
            write_file(&with(".json"), &packet.to_json())?;
        }
        budget::write(
            args,
            &review.files,
            &settings,
            csv_style(args, figures),
            generated_at,
        )?;
    }
    let json = record.to_json();
    match &args.out {
        Some(path) if path.as_os_str() != "-" => write_file(path, &json)?,
        _ => std::io::stdout()
            .write_all(json.as_bytes())
            .map_err(|e| format!("standard output: {e}"))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The style the command line names, else the settings'.
fn csv_style(args: &Reconcile, figures: &Figures) -> CsvStyle {
    let chosen = figures.settings.csv;
    CsvStyle {
        locale: match args.csv_style {
            Some(CsvStyleArg::Comma) => CsvLocale::Comma,
            Some(CsvStyleArg::Semicolon) => CsvLocale::Semicolon,
            Some(CsvStyleArg::Tab) => CsvLocale::Tab,
            None => chosen.locale,
        },
        byte_order_mark: args.csv_bom || chosen.byte_order_mark,
    }
}

/// The CSVs asked for, in the style the command line names, else the settings'.
fn write_csvs(
    args: &Reconcile,
    files: &[FileReport],
    figures: &Figures,
    generated_at: jiff::Timestamp,
) -> Result<(), String> {
    let style = csv_style(args, figures);
    if let Some(path) = &args.ledger_csv {
        write_file(
            path,
            &outputs::dual_ledger_csv(figures, style, generated_at),
        )?;
    }
    type Table = fn(&Figures, CsvStyle) -> String;
    let tables: [(&Option<std::path::PathBuf>, Table); 2] = [
        (&args.lines_csv, outputs::charge_lines_csv),
        (&args.reconciliation_csv, outputs::reconciliation_csv),
    ];
    for (path, table) in tables {
        if let Some(path) = path {
            write_file(path, &table(figures, style))?;
        }
    }
    if let Some(path) = &args.focus_csv {
        let focus = outputs::focus_csv(files, figures, style);
        if focus.untimed_lines_left_out > 0 {
            eprintln!(
                "note: {} priced line(s) of requests without a time are not in the FOCUS file: without an incident window they have no charge period",
                focus.untimed_lines_left_out
            );
        }
        write_file(path, &focus.text)?;
    }
    Ok(())
}
