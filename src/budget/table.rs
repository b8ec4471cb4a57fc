//! Small tables the reviewer keeps outside the page (the mapping table, the review
//! log): written as CSV in their spreadsheet's style or as JSON, and read back from
//! either. A CSV row that cannot be read is refused with its file, line and column.

use csv_core::{ReadRecordResult, ReaderBuilder};

use crate::error::{Error, Position};
use crate::outputs::{write, Cell, CsvStyle};

/// One data row of a CSV table: its physical line and its cells by column name.
#[derive(Debug)]
pub struct CsvRow {
    pub line: u64,
    pub cells: Vec<(String, String)>,
}

impl CsvRow {
    pub fn get(&self, column: &str) -> &str {
        self.cells
            .iter()
            .find(|(name, _)| name == column)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The position of a cell of this row, for a message.
    pub fn at(&self, file: &str, column: &str) -> Position {
        Position {
            file: file.to_string(),
            line: Some(self.line),
            column: Some(column.to_string()),
            ..Position::default()
        }
    }
}

/// Writes `rows` under `columns` as text cells (formulas defused).
pub fn to_csv(style: CsvStyle, columns: &[&str], rows: Vec<Vec<String>>) -> String {
    let rows = rows
        .into_iter()
        .map(|row| row.iter().map(|c| Cell::text(c)).collect());
    write(style, columns, rows)
}

/// The separator a header line uses: a comma, semicolon or tab, whichever it has most.
fn separator(first_line: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|s| first_line.bytes().filter(|b| b == s).count())
        .unwrap_or(b',')
}

/// The cell as the spreadsheet meant it: the apostrophe we put before a cell a
/// spreadsheet would take for a formula is taken off again.
fn cell(text: &str) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => text.to_string(),
    }
}

/// Reads a CSV table whose header names only `columns` (in any order, letter case and
/// spaces aside: `Budget bucket` is `budget_bucket`), any of them may be left out.
pub fn from_csv(file: &str, text: &str, columns: &[&str]) -> Result<Vec<CsvRow>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("");
    let mut reader = ReaderBuilder::new()
        .delimiter(separator(first_line))
        .build();
    let mut records: Vec<(u64, Vec<String>)> = Vec::new();
    let (mut input, mut fields, mut ends) = (text.as_bytes(), vec![0u8; 1024], vec![0usize; 64]);
    let (mut used, mut ends_used, mut line) = (0, 0, 1);
    loop {
        if used == 0 && ends_used == 0 {
            // A record starts past any line ends still ahead (the rest of the last
            // record's, blank lines): its line is one more than the breaks before it.
            let at = text.len() - input.len();
            let skipped = input
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            line = 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..at + skipped]).count() as u64;
        }
        let (result, read, wrote, ended) =
            reader.read_record(input, &mut fields[used..], &mut ends[ends_used..]);
        input = &input[read..];
        used += wrote;
        ends_used += ended;
        match result {
            ReadRecordResult::OutputFull => fields.resize(fields.len() * 2, 0),
            ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            ReadRecordResult::InputEmpty => {}
            ReadRecordResult::Record => {
                let bytes = &fields[..used];
                let mut start = 0;
                let mut cells = Vec::new();
                for end in &ends[..ends_used] {
                    cells.push(
                        String::from_utf8_lossy(&bytes[start..*end])
                            .trim()
                            .to_string(),
                    );
                    start = *end;
                }
                if cells.iter().any(|c| !c.is_empty()) {
                    records.push((line, cells));
                }
                (used, ends_used) = (0, 0);
            }
            ReadRecordResult::End => break,
        }
    }
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(Error::syntax(
            Position::file(file),
            format!(
                "expected a header line naming {}, but found nothing",
                columns.join(", ")
            ),
        ));
    };
    let mut names = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let key = name.to_ascii_lowercase().replace([' ', '-'], "_");
        if !columns.contains(&key.as_str()) {
            let position = Position {
                column: Some(name.clone()),
                ..Position::line(1)
            };
            return Err(Error::syntax(
                Position {
                    file: file.to_string(),
                    ..position
                },
                format!(
                    "expected the columns {}, but found {} (column {})",
                    columns.join(", "),
                    crate::decimal::quote(name),
                    i + 1
                ),
            ));
        }
        names.push(key);
    }
    Ok(records
        .map(|(line, cells)| CsvRow {
            line,
            cells: names
                .iter()
                .cloned()
                .zip(
                    cells
                        .iter()
                        .map(|c| cell(c))
                        .chain(std::iter::repeat(String::new())),
                )
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::CsvLocale;

    const COLUMNS: [&str; 3] = ["field", "value", "budget_bucket"];

    #[test]
    fn what_is_written_reads_back_in_every_style() {
        let rows = vec![
            vec![
                "token".to_string(),
                "=cmd|x".to_string(),
                "a; b, \"c\"".to_string(),
            ],
            vec!["tag".to_string(), "-minus".to_string(), String::new()],
        ];
        for locale in [CsvLocale::Comma, CsvLocale::Semicolon, CsvLocale::Tab] {
            for byte_order_mark in [false, true] {
                let style = CsvStyle {
                    locale,
                    byte_order_mark,
                };
                let text = to_csv(style, &COLUMNS, rows.clone());
                let back = from_csv("t.csv", &text, &COLUMNS).unwrap();
                let cells: Vec<Vec<String>> = back
                    .iter()
                    .map(|r| COLUMNS.iter().map(|c| r.get(c).to_string()).collect())
                    .collect();
                assert_eq!(cells, rows, "{locale:?}");
                assert_eq!(back[1].line, 3);
            }
        }
    }

    #[test]
    fn headers_are_matched_loosely_and_unknown_columns_refused() {
        let text = "Value,Budget bucket\nk,b\n\nk2\n";
        let rows = from_csv("t.csv", text, &COLUMNS).unwrap();
        assert_eq!(
            (rows.len(), rows[1].line, rows[1].get("budget_bucket")),
            (2, 4, "")
        );
        assert_eq!(
            rows[0].at("t.csv", "value").to_string(),
            "t.csv, line 2, column value"
        );
        let error = from_csv("t.csv", "field,colour\n", &COLUMNS).unwrap_err();
        assert_eq!(error.to_string(), "t.csv, line 1, column colour: expected the columns field, value, budget_bucket, but found \"colour\" (column 2)");
        let error = from_csv("t.csv", "", &COLUMNS).unwrap_err();
        assert_eq!(
            error.to_string(),
            "t.csv: expected a header line naming field, value, budget_bucket, but found nothing"
        );
    }
}
