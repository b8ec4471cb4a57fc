//! JSON inputs: a log-API page (`{"success":true,"data":{"items":[…]}}`), a page whose
//! `data` is the array itself, a bare array of rows, or JSON lines (one row per line).
//!
//! Rows are handed over one at a time as they are parsed, so a file cut off half-way
//! still delivers every row before the cut, and no tree of the whole file is built.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

pub type Row = Map<String, Value>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonLayout {
    LogPage,
    Array,
    Lines,
}

/// What went wrong with the JSON as a whole, with its 1-based line and column.
#[derive(Debug, PartialEq, Eq)]
pub struct JsonProblem {
    pub line: u64,
    pub message: String,
}

/// Calls `on_row(row_number, line, row)` for each row. `line` is known for JSON lines only.
pub fn read_rows(
    text: &str,
    on_row: &mut dyn FnMut(u64, Option<u64>, Row),
) -> (JsonLayout, Option<JsonProblem>) {
    if looks_like_json_lines(text) {
        return (JsonLayout::Lines, read_lines(text, on_row));
    }
    let layout = if text.trim_start().starts_with('[') {
        JsonLayout::Array
    } else {
        JsonLayout::LogPage
    };
    let mut count = 0u64;
    let mut sink = |row: Row| {
        count += 1;
        on_row(count, None, row);
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Document {
        sink: &mut sink,
        api_error: None,
    };
    let problem = match seed
        .deserialize(&mut de)
        .and_then(|outcome| de.end().map(|_| outcome))
    {
        Ok(Outcome::Rows) => None,
        Ok(Outcome::NoRows) => Some(JsonProblem {
            line: 1,
            message: "expected log rows (a list, or an object with data.items), but found neither"
                .into(),
        }),
        Ok(Outcome::ApiError(message)) => Some(JsonProblem {
            line: 1,
            message: format!(
                "the log API answered with an error instead of rows: {}",
                crate::decimal::quote(&message)
            ),
        }),
        Err(e) => Some(problem_from(&e)),
    };
    (layout, problem)
}

fn problem_from(e: &serde_json::Error) -> JsonProblem {
    let what = if e.is_eof() {
        "the JSON ends too early (the file looks cut off)".to_string()
    } else {
        // serde_json's text carries its own "at line …"; we show line and column ourselves.
        let text = e.to_string();
        let text = text.split(" at line ").next().unwrap_or(&text).to_string();
        format!("this is not valid JSON here: {text}")
    };
    JsonProblem {
        line: e.line() as u64,
        message: format!(
            "column {}: {what}; rows before this point were read",
            e.column()
        ),
    }
}

/// A text whose first non-empty line is a complete JSON object is JSON lines,
/// unless that object is the whole file.
fn looks_like_json_lines(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let (Some(first), Some(_)) = (lines.next(), lines.next()) else {
        return false;
    };
    first.starts_with('{') && serde_json::from_str::<IgnoredAny>(first).is_ok()
}

fn read_lines(text: &str, on_row: &mut dyn FnMut(u64, Option<u64>, Row)) -> Option<JsonProblem> {
    let mut count = 0;
    let mut problem = None;
    for (index, line) in text.lines().enumerate() {
        let line_number = index as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        count += 1;
        match serde_json::from_str::<Row>(line) {
            Ok(row) => on_row(count, Some(line_number), row),
            // A broken line is one rejected row, not a broken file; report the first.
            Err(e) => {
                on_row(count, Some(line_number), Row::new());
                if problem.is_none() {
                    problem = Some(JsonProblem { line: line_number, message: format!("column {}: this line is not a JSON object; it was rejected and the other lines were read", e.column()) });
                }
            }
        }
    }
    problem
}

enum Outcome {
    Rows,
    NoRows,
    ApiError(String),
}

struct Document<'a> {
    sink: &'a mut dyn FnMut(Row),
    api_error: Option<String>,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = Outcome;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Outcome, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = Outcome;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of log rows or a log-API page")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Outcome, A::Error> {
        while let Some(row) = seq.next_element::<Row>()? {
            (self.sink)(row);
        }
        Ok(Outcome::Rows)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Outcome, A::Error> {
        let mut outcome = Outcome::NoRows;
        let mut success = true;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "data" | "items" => {
                    let inner = Document {
                        sink: &mut *self.sink,
                        api_error: None,
                    };
                    if let Outcome::Rows = map.next_value_seed(inner)? {
                        outcome = Outcome::Rows;
                    }
                }
                "success" => success = map.next_value::<Value>()? != Value::Bool(false),
                "message" => {
                    if let Value::String(message) = map.next_value::<Value>()? {
                        self.api_error = Some(message);
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !success {
            return Ok(Outcome::ApiError(self.api_error.unwrap_or_default()));
        }
        Ok(outcome)
    }

    // `"data": null` on an empty page.
    fn visit_unit<E>(self) -> Result<Outcome, E> {
        Ok(Outcome::NoRows)
    }
}
