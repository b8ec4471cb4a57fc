//! Real-world files (issue 3): each trap a spreadsheet or an export sets, with a
//! hand-made fixture in tests/fixtures/traps/ and its expected ledger; the rejection texts are snapshots.

use super::properties::{as_json_array, gen_row, GenRow};
use super::*;

fn trap(name: &str) -> (&str, Vec<u8>) {
    (name, fixture(&format!("traps/{name}")))
}

/// The settings fixture with a window wide enough for every trap fixture and `edits`.
fn trap_settings(edits: &[(&str, &str)]) -> Settings {
    let mut value = settings_json();
    value["incident_window_utc"] =
        json!({"start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"});
    for (field, text) in edits {
        value[*field] = json!(text);
    }
    settings(&value)
}

/// The ledger counts, each rejection, and each accepted row's time and counts.
fn ledger_lines(report: &FileReport) -> String {
    let l = &report.ledger;
    assert!(l.is_balanced(), "{}: {l:?}", report.name);
    let mut lines = vec![format!(
        "{}: read {}, accepted {}, excluded {:?}, rejected {}",
        report.name, l.rows_read, l.accepted, l.excluded, l.rejected
    )];
    lines.extend(
        l.rejections
            .iter()
            .map(|r| format!("  rejected {}", rejection_text(r))),
    );
    lines.extend(report.rows.iter().map(|r| {
        format!(
            "  accepted {} {} quota {} prompt {} completion {}",
            r.at, r.model, r.quota, r.prompt_tokens, r.completion_tokens
        )
    }));
    lines.join("\n")
}

#[test]
fn decimal_comma_numbers_read_when_the_reviewer_says_so() {
    let german = [
        ("number_format", "1.234,5"),
        ("date_order", "day/month/year"),
        ("zoneless_times_offset", "Europe/Berlin"),
    ];
    let read = run(&[trap("german-excel.csv")], &trap_settings(&german));
    let report = &read.files[0];
    assert_eq!(report.format, Some(Format::NewApiCsv));
    let l = &report.ledger;
    assert_eq!((l.rows_read, l.accepted, l.rejected), (7, 3, 4));
    // Unstated, the same file is refused row by row, each sentence naming the setting.
    let unstated = run(&[trap("german-excel.csv")], &trap_settings(&[]));
    assert_eq!(unstated.files[0].ledger.rejected, 7);
    let us = [
        ("number_format", "1,234.5"),
        ("date_order", "month/day/year"),
        ("zoneless_times_offset", "America/New_York"),
    ];
    let us_read = run(&[trap("us-excel.csv")], &trap_settings(&us));
    let l = &us_read.files[0].ledger;
    assert_eq!((l.rows_read, l.accepted, l.rejected), (4, 3, 1));
    // Dates and zone stated but not the number format: grouped numbers are ambiguous.
    let no_numbers = run(&[trap("us-excel.csv")], &trap_settings(&us[1..]));
    let l = &no_numbers.files[0].ledger;
    assert_eq!((l.accepted, l.rejected), (1, 3));
    let seen = [
        &read.files[0],
        &unstated.files[0],
        &us_read.files[0],
        &no_numbers.files[0],
    ];
    let seen: Vec<String> = seen.iter().map(|r| ledger_lines(r)).collect();
    snapshot("traps_number_formats", &seen.join("\n"));
}

#[test]
fn times_as_unix_seconds_milliseconds_iso_and_zoneless_text() {
    let stated = [("zoneless_times_offset", "Asia/Shanghai")];
    let read = run(&[trap("times.jsonl")], &trap_settings(&stated));
    let report = &read.files[0];
    let l = &report.ledger;
    assert_eq!((l.rows_read, l.accepted, l.rejected), (10, 9, 1));
    let at: Timestamp = "2026-01-01T00:02:03Z".parse().unwrap();
    assert!(report.rows.iter().all(|r| r.at == at));
    let unstated = run(&[trap("times.jsonl")], &trap_settings(&[]));
    let l = &unstated.files[0].ledger;
    assert_eq!((l.accepted, l.rejected), (7, 3));
    let seen = [ledger_lines(report), ledger_lines(&unstated.files[0])];
    snapshot("traps_times", &seen.join("\n"));
}

/// one-api: no `other`, `elapsed_time` in ms, ratios only as rounded text in `content`
/// (not read). The rows price from the reviewer's card; the quota check says it could
/// not check them.
#[test]
fn one_api_logs_price_from_the_card_and_go_unchecked() {
    let review = run(&[trap("one-api-logs.json")], &trap_settings(&[]));
    let report = &review.files[0];
    assert_eq!(
        (&report.problem, report.format),
        (&None, Some(Format::NewApiLogPage))
    );
    let l = &report.ledger;
    assert_eq!(
        (l.rows_read, l.accepted + l.excluded_total(), l.rejected),
        (3, 3, 0)
    );
    assert!(report.rows.iter().all(|r| r.ratios.is_none()));
    let pricing = pricing(figures(&review));
    // (1,000 + 12,000) × $2.50 + (100 + 500) × $10, per 1M tokens.
    assert_eq!(pricing.expected, dec("0.0385"));
    let check = &pricing.quota_check;
    assert_eq!((check.consistent_rows, check.inconsistent_rows), (0, 0));
    // The two consume rows; the error row (quota 0) has nothing to check.
    assert_eq!(check.unchecked_rows, 2);
}

/// Zero-spend rows are usage that cost nothing: accepted and counted. A row with no
/// model and nothing spent is not usage. Booleans (`TRUE`, `False`, `0`) sit in
/// `is_stream`, which is not read.
#[test]
fn zero_spend_rows_are_accepted_and_counted() {
    let review = run(&[trap("zero-spend.csv")], &trap_settings(&[]));
    let l = &review.files[0].ledger;
    assert_eq!((l.rows_read, l.accepted, l.rejected), (4, 3, 0));
    assert_eq!(l.excluded.get(&ingest::ExclusionRule::NotUsage), Some(&1));
    let figures = figures(&review);
    let model = &pricing(figures).models[0];
    assert_eq!((model.model.as_str(), model.requests), ("gpt-4o", 3));
    assert_eq!(pricing(figures).expected, dec("0.0035"));
}

/// How a spreadsheet writes one generated file: delimiter, number format, whether it
/// groups thousands and adds `.0` to counts, how it writes times, Excel's `sep=` line, CRLF.
#[derive(Debug, Clone, Copy)]
struct Sheet {
    delimiter: char,
    numbers: NumberFormat,
    grouped: bool,
    dot_zero: bool,
    times: u8,
    sep_line: bool,
    crlf: bool,
}

fn sheet() -> impl Strategy<Value = Sheet> {
    let delimiter = proptest::sample::select(vec![',', ';', '\t', '|']);
    let numbers = proptest::sample::select(NumberFormat::ALL.to_vec());
    let flags = (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>());
    (delimiter, numbers, flags, 0u8..5).prop_map(
        |(delimiter, numbers, (grouped, dot_zero, sep_line, crlf), times)| Sheet {
            delimiter,
            numbers,
            grouped,
            dot_zero,
            times,
            sep_line,
            crlf,
        },
    )
}

impl Sheet {
    /// A whole number as this sheet shows it: `-1.234.567,0` and the like.
    fn number(&self, value: i128) -> String {
        let (decimal, group) = match self.numbers {
            NumberFormat::Plain => (".", ""),
            NumberFormat::CommaThousandsPointDecimal => (".", ","),
            NumberFormat::PointThousandsCommaDecimal => (",", "."),
            NumberFormat::SpaceThousandsCommaDecimal => (",", "\u{a0}"),
        };
        let digits = value.unsigned_abs().to_string();
        let mut out = if value < 0 {
            "-".to_string()
        } else {
            String::new()
        };
        for (i, digit) in digits.chars().enumerate() {
            if self.grouped && i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(group);
            }
            out.push(digit);
        }
        if self.dot_zero {
            out.push_str(decimal);
            out.push('0');
        }
        out
    }

    fn time(&self, second: i64) -> String {
        let at = Timestamp::from_second(second).unwrap();
        let shanghai = at.in_tz("Asia/Shanghai").unwrap();
        match self.times {
            0 => self.number(i128::from(second)),
            1 => self.number(i128::from(second) * 1000),
            2 => shanghai.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            3 => shanghai.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            _ => shanghai.strftime("%d/%m/%Y %H:%M:%S").to_string(),
        }
    }

    /// A cell, quoted when it holds the delimiter, a quote or a line break.
    fn cell(&self, text: &str) -> String {
        if text.contains([self.delimiter, '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_string()
        }
    }

    fn write(&self, rows: &[GenRow]) -> Vec<u8> {
        let end = if self.crlf { "\r\n" } else { "\n" };
        let mut lines = Vec::new();
        if self.sep_line {
            lines.push(format!("sep={}", self.delimiter));
        }
        lines.push(format!("{HEADER},other").replace(',', &self.delimiter.to_string()));
        for r in rows {
            let cells = [
                self.time(r.at),
                r.kind.to_string(),
                r.model.to_string(),
                self.number(i128::from(r.quota)),
                self.number(i128::from(r.prompt)),
                self.number(i128::from(r.completion)),
                r.other(),
            ];
            let cells: Vec<String> = cells.iter().map(|c| self.cell(c)).collect();
            lines.push(cells.join(&self.delimiter.to_string()));
        }
        (lines.join(end) + end).into_bytes()
    }

    /// The rules a reviewer states for this sheet.
    fn rules(&self) -> ingest::Rules {
        ingest::Rules {
            number_format: self.numbers,
            date_order: ingest::DateOrder::DayFirst,
            zoneless_zone: ingest::StatedZone::parse("Asia/Shanghai").unwrap(),
            ..ingest::Rules::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// CSV written and re-read is unchanged: any delimiter, number format, grouping,
    /// `59200.0`-style counts, way of writing times, `sep=` line and line ending give
    /// the rows the same log gives as plain JSON.
    #[test]
    fn spreadsheet_csv_reads_back_as_the_rows_written(
        rows in proptest::collection::vec(gen_row(), 1..16),
        sheet in sheet(),
    ) {
        let reference = read("gen.json", &as_json_array(&rows));
        let text = sheet.write(&rows);
        let csv = ingest::ingest("gen.csv", &text, sheet.rules());
        prop_assert_eq!(&csv.problem, &None);
        prop_assert_eq!(csv.format, Some(Format::NewApiCsv));
        let l = &csv.ledger;
        prop_assert_eq!(l.rejected, 0, "{:?}\n{}", l.rejections, String::from_utf8_lossy(&text));
        prop_assert_eq!((l.rows_read, l.accepted), (reference.ledger.rows_read, reference.ledger.accepted));
        prop_assert_eq!(&l.excluded, &reference.ledger.excluded);
        prop_assert_eq!(&csv.rows, &reference.rows);
    }
}
