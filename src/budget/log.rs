//! The review log outside the page: exported as CSV (in the reviewer's spreadsheet
//! style) or JSON, and imported from either. Each row is admitted as it is read
//! ([`ReviewRowText::admit`]): a refused row is named by its file, line and column (or
//! JSON path) with its reason, and nothing is imported. Rows come back exactly as they
//! were exported (admission is idempotent), so a team keeps one log across weeks.

use serde::{Deserialize, Serialize};

use super::table::{from_csv, to_csv};
use crate::error::{from_json_with_path, Error, Position};
use crate::outputs::CsvStyle;
use crate::settings::budget::ReviewRowText;

/// The JSON form: `{"review_log": [rows]}` (a bare list of rows is read too).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogDocument {
    review_log: Vec<ReviewRowText>,
}

/// The rows a log writes: each admitted (sanitized); a row a hand-edited settings
/// document holds that is not admitted is left out (the settings name its problem).
pub fn admitted_rows(rows: &[ReviewRowText]) -> Vec<ReviewRowText> {
    rows.iter().filter_map(|row| row.admit().ok()).collect()
}

pub fn log_csv(rows: &[ReviewRowText], style: CsvStyle) -> String {
    let rows = admitted_rows(rows)
        .iter()
        .map(|r| ReviewRowText::COLUMNS.iter().map(|c| r.get(c)).collect())
        .collect();
    to_csv(style, &ReviewRowText::COLUMNS, rows)
}

pub fn log_json(rows: &[ReviewRowText]) -> String {
    let document = LogDocument {
        review_log: admitted_rows(rows),
    };
    serde_json::to_string_pretty(&document).expect("rows are plain strings") + "\n"
}

/// The first problem of a row, at `position(column)`.
fn admitted(
    row: &ReviewRowText,
    position: impl Fn(&str) -> Position,
) -> Result<ReviewRowText, Error> {
    row.admit().map_err(|problems| {
        let (column, message) = problems.into_iter().next().expect("a refusal names one");
        Error::data(position(column), message)
    })
}

/// Reads a log exported by [`log_csv`] or [`log_json`] (or written by hand the same
/// way); JSON when the text starts with `{` or `[`. Every row is admitted or the import
/// is refused.
pub fn import_log(file: &str, text: &str) -> Result<Vec<ReviewRowText>, Error> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let in_file = |e: Error| Error {
            position: Box::new(Position {
                file: file.to_string(),
                ..*e.position
            }),
            ..e
        };
        let (rows, prefix) = if trimmed.starts_with('[') {
            let rows = from_json_with_path::<Vec<ReviewRowText>>(trimmed).map_err(in_file)?;
            (rows, "")
        } else {
            let document = from_json_with_path::<LogDocument>(trimmed).map_err(in_file)?;
            (document.review_log, "review_log")
        };
        return rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                admitted(row, |column| Position {
                    file: file.to_string(),
                    path: Some(format!("{prefix}[{i}].{column}")),
                    ..Position::default()
                })
            })
            .collect();
    }
    let rows = from_csv(file, trimmed, &ReviewRowText::COLUMNS)?;
    rows.iter()
        .map(|cells| {
            let mut row = ReviewRowText::default();
            for column in ReviewRowText::COLUMNS {
                if let Some(slot) = row.field_mut(column) {
                    *slot = cells.get(column).to_string();
                }
            }
            admitted(&row, |column| cells.at(file, column))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::CsvLocale;
    use crate::settings::budget::ReviewRowText;

    fn rows() -> Vec<ReviewRowText> {
        let mut second = ReviewRowText {
            review_date: "2026-07-09".into(),
            request_class: "batch".into(),
            owner_group: "data".into(),
            unit_metric: "workflow step".into(),
            result_category: "fail".into(),
            error_path_result: "fail".into(),
            error_category: "429".into(),
            retry_decision: "cap retries at 2; owner accepts the risk".into(),
            next_action: "escalate-review".into(),
            notes: "=SUM(A1) said \"see runbook\", 3 retries; per request".into(),
            ..ReviewRowText::default()
        };
        second.operator = "finance reviewer".into();
        let first = crate::settings::budget::ReviewRowText {
            review_date: "2026-07-02".into(),
            operator: "platform SRE on-call".into(),
            request_class: "chat".into(),
            owner_group: "search".into(),
            budget_bucket: "search-prod".into(),
            unit_metric: "successful_request".into(),
            source_urls_checked: "https://apidoc.cometapi.com/pricing/about-pricing".into(),
            result_category: "pass".into(),
            happy_path_result: "pass".into(),
            trace_marker: "x".into(),
            next_action: "keep-monitoring".into(),
            ..ReviewRowText::default()
        };
        [first, second].iter().map(|r| r.admit().unwrap()).collect()
    }

    #[test]
    fn export_then_import_gives_the_same_log_in_every_form() {
        let log = rows();
        for locale in [CsvLocale::Comma, CsvLocale::Semicolon, CsvLocale::Tab] {
            for byte_order_mark in [false, true] {
                let style = CsvStyle {
                    locale,
                    byte_order_mark,
                };
                let csv = log_csv(&log, style);
                assert_eq!(import_log("log.csv", &csv).unwrap(), log, "{locale:?}");
                assert_eq!(log_csv(&import_log("log.csv", &csv).unwrap(), style), csv);
            }
        }
        let json = log_json(&log);
        assert_eq!(import_log("log.json", &json).unwrap(), log);
        assert_eq!(log_json(&import_log("log.json", &json).unwrap()), json);
        let bare = serde_json::to_string(&log).unwrap();
        assert_eq!(import_log("log.json", &bare).unwrap(), log);
        let header = log_csv(&[], CsvStyle::default());
        assert!(header.starts_with("review_date,operator,request_class,owner_group,budget_bucket,unit_metric,source_urls_checked,"));
    }

    #[test]
    fn a_refused_row_is_named_where_it_is_and_nothing_is_imported() {
        let cases = [
            ("log.csv", "review_date,owner_group,request_class,unit_metric,result_category\n2026-07-02,search,chat,request,pass\n2026-07-09,,chat,request,pass\n", "log.csv, line 3, column owner_group: expected an owner group, but found nothing: do not approve a token budget change yet"),
            ("log.csv", "review_date,owner_group,request_class,result_category\n2026-07-02,search,chat,pass\n", "log.csv, line 2, column unit_metric: expected a unit metric, but found nothing: do not approve a token budget change yet"),
            ("log.csv", "review_date,owner,request_class\n", "log.csv, line 1, column owner: expected the columns review_date, operator, request_class, owner_group, budget_bucket, unit_metric, source_urls_checked, request_pattern_checked, test_environment, result_category, happy_path_result, error_path_result, error_category, retry_decision, trace_marker, usage_evidence_location, budget_owner_notified, cost_owner_action, next_action, notes, but found \"owner\" (column 2)"),
            ("log.json", r#"{"review_log":[{"review_date":"2026-07-02","owner_group":"a","unit_metric":"request","result_category":"pass"}]}"#, "log.json, review_log[0].request_class: expected a request class, but found nothing: do not approve a token budget change yet"),
            ("log.json", r#"[{"review_date":"2026-07-02","owner_group":"a","request_class":"c","unit_metric":"u","result_category":"pass","next_action":"wait"}]"#, "log.json, [0].next_action: expected keep-monitoring, update-runbook or escalate-review, but found \"wait\""),
            // The unknown field is named where it is (serde's own words after that).
            ("log.json", r#"{"review_log":[{"reviewer":"x"}]}"#, "log.json, review_log[0].reviewer: unknown field `reviewer`, expected one of `review_date`, `operator`, `request_class`, `owner_group`, `budget_bucket`, `unit_metric`, `source_urls_checked`, `request_pattern_checked`, `test_environment`, `result_category`, `happy_path_result`, `error_path_result`, `error_category`, `retry_decision`, `trace_marker`, `usage_evidence_location`, `budget_owner_notified`, `cost_owner_action`, `next_action`, `notes` at line 1 column 26"),
        ];
        for (file, text, want) in cases {
            assert_eq!(import_log(file, text).unwrap_err().to_string(), want);
        }
    }

    #[test]
    fn planted_secrets_do_not_reach_an_exported_log() {
        use crate::settings::budget::log_tests::{planted_row, PLANTED};
        let log = vec![planted_row().admit().unwrap()];
        let style = CsvStyle::default();
        for text in [log_csv(&log, style), log_json(&log)] {
            for secret in PLANTED {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
            assert!(!text.to_ascii_lowercase().contains("alice"));
        }
        // Imported by hand with the secrets in: admitted, so sanitized, on the way in.
        let raw = serde_json::to_string(&vec![planted_row()]).unwrap();
        assert_eq!(import_log("log.json", &raw).unwrap(), log);
        // Held raw (a settings document edited by hand): sanitized on the way out, and a
        // row that is not admitted is not written.
        let raw = vec![planted_row(), ReviewRowText::default()];
        assert_eq!(log_json(&raw), log_json(&log));
        assert_eq!(log_csv(&raw, style), log_csv(&log, style));
    }
}
