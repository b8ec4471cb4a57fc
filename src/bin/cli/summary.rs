//! `--summary`: each file's row ledger and the totals on standard error, as text for a
//! person or as JSON for a pipeline (amounts as decimal strings, absent figures null).

use rust_decimal::Decimal;
use serde_json::{json, Value};
use spend_reconciler::decimal::format;
use spend_reconciler::ingest::FileReport;
use spend_reconciler::pipeline::{Problem, Review};
use spend_reconciler::record;

pub fn text(review: &Review) -> String {
    let mut out = String::new();
    for file in &review.files {
        file_text(file, &mut out);
    }
    if let Ok(figures) = &review.figures {
        out.push_str(&format!(
            "{}. {}\nnext: {}\n",
            record::status(figures).describe(),
            record::exact_sentence(figures),
            record::next_action(figures, figures.tolerance())
        ));
        let total = &figures.reconciliation.total;
        let money = |value: Option<Decimal>, why: &str| {
            value.map_or_else(
                || format!("not computed ({why})"),
                |v| format!("{} USD", format(v)),
            )
        };
        out.push_str(&format!(
            "expected {}{}, provider recorded {}, variance {}\n",
            money(total.expected, "no usage evidence"),
            if total.expected.is_none() || total.expected_complete {
                ""
            } else {
                " (incomplete: a floor; see the unpriced lines and requests of unknown usage)"
            },
            money(total.provider, "no provider-side evidence"),
            money(total.variance, "one side is missing")
        ));
        let models = figures.pricing.iter().flat_map(|p| &p.models);
        for model in models.filter(|m| m.untimed_unpriced > 0) {
            out.push_str(&format!(
                "{}: {} request(s) without a time unpriced: every rate-card entry for it has effective dates\n",
                model.model, model.untimed_unpriced
            ));
        }
        for check in &figures.cross_checks {
            out.push_str(&format!(
                "{} {} vs {} {}: difference {}{}; {}\n",
                check.left.describe(),
                format(check.left_amount),
                check.right.describe(),
                format(check.right_amount),
                format(check.difference),
                check
                    .class
                    .map_or(String::new(), |c| format!(" ({})", c.describe())),
                check.evidence
            ));
        }
        out.push_str(&super::review::text(figures));
    }
    out
}

fn file_text(file: &FileReport, out: &mut String) {
    let ledger = &file.ledger;
    let format = file.format.map_or("unreadable", |f| f.describe());
    out.push_str(&format!(
        "{}: {format}; {} rows read: {} accepted, {} excluded, {} rejected\n",
        file.name,
        ledger.rows_read,
        ledger.accepted,
        ledger.excluded_total(),
        ledger.rejected
    ));
    if let Some(problem) = &file.problem {
        out.push_str(&format!("  {problem}\n"));
    }
    if ledger.accepted_without_time > 0 {
        out.push_str(&format!(
            "  {} accepted without a time: the incident window was not applied to them\n",
            ledger.accepted_without_time
        ));
    }
    for (rule, count) in &ledger.excluded {
        out.push_str(&format!("  {count} excluded: {}\n", rule.describe()));
    }
    // One line per reason, not one per row: a file whose every row fails the same way
    // says so once.
    for group in ledger.rejection_groups() {
        out.push_str(&format!("  rejected {}\n", group.describe()));
    }
    let unlisted = ledger.unlisted_rejections();
    if unlisted > 0 {
        out.push_str(&format!(
            "  and {unlisted} more rejected rows not listed (all rejections by column: {})\n",
            by_column(file).join(", ")
        ));
    }
}

fn by_column(file: &FileReport) -> Vec<String> {
    let columns = file.ledger.rejected_by_column.iter();
    columns
        .map(|(column, n)| {
            let column = if column.is_empty() {
                "the row as a whole"
            } else {
                column
            };
            format!("{column} {n}")
        })
        .collect()
}

fn amount(value: Option<Decimal>) -> Value {
    value.map_or(Value::Null, |v| Value::String(format(v)))
}

pub fn json(review: &Review) -> String {
    let files: Vec<Value> = review
        .files
        .iter()
        .map(|file| {
            let ledger = &file.ledger;
            let groups: Vec<Value> = ledger
                .rejection_groups()
                .iter()
                .map(|g| {
                    json!({
                        "rows": g.positions.len(),
                        "places": g.places(),
                        "column": g.column,
                        "message": g.first.message.to_string(),
                    })
                })
                .collect();
            json!({
                "name": file.name,
                "format": file.format,
                "readable": file.format.is_some(),
                "problem": file.problem.as_ref().map(|p| p.to_string()),
                "rows_read": ledger.rows_read,
                "accepted": ledger.accepted,
                "accepted_without_time": ledger.accepted_without_time,
                "excluded": ledger.excluded,
                "rejected": ledger.rejected,
                "rejections": groups,
                "unlisted_rejections": ledger.unlisted_rejections(),
            })
        })
        .collect();
    let figures = match &review.figures {
        Ok(f) => {
            let t = &f.reconciliation.total;
            json!({
                "status": record::status(f),
                "answer": record::exact_sentence(f),
                "next_action": record::next_action(f, f.tolerance()),
                "expected": amount(t.expected),
                "expected_complete": t.expected.map(|_| t.expected_complete),
                "provider_recorded": amount(t.provider),
                "variance": amount(t.variance),
                "variance_percent": amount(t.variance_percent),
                "within_tolerance": t.within_tolerance,
                "expected_priced_from": f.priced_stream,
                "provider_recorded_from": f.recorded_stream,
                "checklist": super::review::json(f),
                "closure": super::review::closure_json(f),
            })
        }
        Err(Problem::NothingRead) => json!({"problem": "no file gave a row that could be read"}),
        Err(Problem::Settings(errors)) => {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            json!({ "problem": "the settings have problems", "settings": errors })
        }
        Err(Problem::Arithmetic(error)) => json!({ "problem": error.to_string() }),
    };
    let summary = json!({ "files": files, "figures": figures });
    serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n"
}
