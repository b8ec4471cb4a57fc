//! One record of an export that is not a gateway log (a client request log, a billing
//! or usage report), seen as named fields: a JSON object, where nested objects are
//! reached by dotted path (`usage.prompt_tokens_details.cached_tokens`), or a CSV row,
//! where a cell holding a JSON object (LiteLLM's `metadata`) is read the same way.
//!
//! A field is missing, null, or text: JSON numbers keep their original text
//! (`arbitrary_precision`), so no quantity or amount ever passes through a float.
//! An empty CSV cell is null: the export had no value there. A JSON string holding an
//! object is walked into like the object (LiteLLM's `metadata`, in JSON as in CSV), and
//! a null object on the way is no object at all (see `walk`).

use std::borrow::Cow;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::times::{parse_time, CellFormat};
use crate::decimal::{parse_count_as, parse_decimal_as, quote};

pub enum Fields<'a> {
    /// A JSON record; `format` says where zoneless times were written.
    Json(&'a Map<String, Value>, &'a CellFormat),
    /// A CSV row, under its file's header; `format` also says how numbers are written.
    Csv {
        header: &'a [String],
        cells: &'a [&'a str],
        format: &'a CellFormat,
    },
}

/// What a record holds under a name.
#[derive(Debug, PartialEq, Eq)]
pub enum Field<'a> {
    Missing,
    Null,
    Text(Cow<'a, str>),
    /// A JSON object or array (or a CSV cell holding one).
    Nested,
}

/// A problem with one field: its name (as the export spells it) and the sentence.
pub type FieldError = (String, String);

impl<'a> Fields<'a> {
    /// The field at `path` (dots separate nested names). For a CSV row the whole path is
    /// first tried as a column name, then its first part as a column holding JSON.
    /// How the export writes numbers and times, as the reviewer stated it.
    pub fn format(&self) -> &'a CellFormat {
        match self {
            Fields::Json(_, format) | Fields::Csv { format, .. } => format,
        }
    }

    pub fn get(&self, path: &str) -> Field<'a> {
        match self {
            Fields::Json(map, _) => walk(map, path),
            Fields::Csv { header, cells, .. } => {
                let cell = |name: &str| {
                    let at = header.iter().position(|h| h.trim() == name)?;
                    Some(cells.get(at).copied().unwrap_or(""))
                };
                if let Some(text) = cell(path) {
                    return csv_field(text);
                }
                let Some((first, rest)) = path.split_once('.') else {
                    return Field::Missing;
                };
                match cell(first).and_then(embedded_object) {
                    Some(map) => owned(walk(&map, rest)),
                    None => Field::Missing,
                }
            }
        }
    }

    /// The first of `paths` that is present (null counts as present: it says unknown).
    pub fn first<'p>(&self, paths: &[&'p str]) -> (&'p str, Field<'a>) {
        for path in paths {
            match self.get(path) {
                Field::Missing => continue,
                found => return (path, found),
            }
        }
        (paths.first().copied().unwrap_or(""), Field::Missing)
    }

    pub fn has(&self, path: &str) -> bool {
        self.get(path) != Field::Missing
    }

    /// Text of the first present field, trimmed; None when missing, null or empty.
    pub fn text(&self, paths: &[&str]) -> Option<String> {
        match self.first(paths).1 {
            Field::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            _ => None,
        }
    }

    /// A token count: None when the export says nothing (missing or null: unknown, never
    /// zero). `59200.0` is 59,200; a fraction or a negative count is an error.
    pub fn count(&self, paths: &[&str]) -> Result<Option<u64>, FieldError> {
        match self.first(paths) {
            (_, Field::Missing | Field::Null) => Ok(None),
            (path, Field::Text(t)) => parse_count_as(&t, self.numbers())
                .map(Some)
                .map_err(|m| (path.to_string(), m)),
            (path, Field::Nested) => Err((
                path.to_string(),
                "expected a token count, but found a list or object".into(),
            )),
        }
    }

    /// A count that must be there.
    pub fn need_count(&self, paths: &[&str]) -> Result<u64, FieldError> {
        self.count(paths)?
            .ok_or_else(|| empty(paths[0], "a token count"))
    }

    /// An exact amount (decimal text); None when missing or null.
    pub fn amount(&self, paths: &[&str]) -> Result<Option<Decimal>, FieldError> {
        match self.first(paths) {
            (_, Field::Missing | Field::Null) => Ok(None),
            (path, Field::Text(t)) => parse_decimal_as(&t, self.numbers())
                .map(Some)
                .map_err(|m| (path.to_string(), m)),
            (path, Field::Nested) => Err((
                path.to_string(),
                "expected an amount, but found a list or object".into(),
            )),
        }
    }

    /// JSON numbers are always plain; CSV cells as the reviewer said the file writes them.
    fn numbers(&self) -> crate::decimal::NumberFormat {
        match self {
            Fields::Json(..) => crate::decimal::NumberFormat::Plain,
            Fields::Csv { format, .. } => format.numbers,
        }
    }

    /// A point in time: Unix seconds or milliseconds, RFC 3339 with a zone, or a
    /// zoneless time when the reviewer stated the zone it was written in.
    pub fn time(&self, paths: &[&str]) -> Result<Timestamp, FieldError> {
        match self.first(paths) {
            (path, Field::Text(t)) if !t.trim().is_empty() => {
                parse_time(&t, self.format()).map_err(|m| (path.to_string(), m))
            }
            (path, _) => Err(empty(path, "a time")),
        }
    }

    /// A point in time as [`Fields::time`] reads it, or None when the record states none
    /// (every path missing, null or empty): the caller says what that means.
    /// The first of `paths` with a value is read.
    pub fn time_if_any(&self, paths: &[&str]) -> Result<Option<Timestamp>, FieldError> {
        for path in paths {
            match self.get(path) {
                Field::Text(t) if !t.trim().is_empty() => {
                    return parse_time(&t, self.format())
                        .map(Some)
                        .map_err(|m| (path.to_string(), m))
                }
                Field::Nested => {
                    return Err((
                        path.to_string(),
                        "expected a time, but found a list or object".into(),
                    ))
                }
                _ => {}
            }
        }
        Ok(None)
    }

    /// true/false, TRUE/False, 1/0, yes/no; None when missing, null or empty.
    pub fn flag(&self, paths: &[&str]) -> Result<Option<bool>, FieldError> {
        let (path, field) = self.first(paths);
        let Field::Text(t) = field else {
            return Ok(None);
        };
        match t.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            _ => Err((
                path.to_string(),
                format!("expected true or false, but found {}", quote(&t)),
            )),
        }
    }
}

impl Fields<'_> {
    /// Short texts listed under the first present of `paths`: a JSON array of strings or
    /// numbers (in a CSV cell too), or text separated by commas; empty when missing or
    /// null. Nested objects in the list are left out.
    pub fn list(&self, paths: &[&str]) -> Vec<String> {
        let (path, field) = self.first(paths);
        let array = match field {
            Field::Text(text) if !text.trim_start().starts_with('[') => {
                let parts = text.split(',').map(str::trim).filter(|t| !t.is_empty());
                return parts.map(str::to_string).collect();
            }
            Field::Text(text) => serde_json::from_str::<Value>(&text).ok(),
            Field::Nested => match self {
                Fields::Json(map, _) => value_at(map, path),
                Fields::Csv { header, cells, .. } => header
                    .iter()
                    .position(|h| h.trim() == path)
                    .and_then(|at| cells.get(at))
                    .and_then(|cell| serde_json::from_str::<Value>(cell.trim()).ok()),
            },
            Field::Missing | Field::Null => None,
        };
        let Some(Value::Array(items)) = array else {
            return Vec::new();
        };
        let text = |item: &Value| match item {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        items
            .iter()
            .filter_map(text)
            .filter(|t| !t.is_empty())
            .collect()
    }
}

/// The value at a dotted path through nested objects (and objects held in strings).
fn value_at(map: &Map<String, Value>, path: &str) -> Option<Value> {
    let (first, rest) = match path.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (path, None),
    };
    let value = map.get(first)?;
    match (rest, value) {
        (None, value) => Some(value.clone()),
        (Some(rest), Value::Object(inner)) => value_at(inner, rest),
        (Some(rest), Value::String(text)) => value_at(&embedded_object(text)?, rest),
        _ => None,
    }
}

pub fn empty(path: &str, what: &str) -> FieldError {
    (
        path.to_string(),
        format!("expected {what} in {path}, but found it empty"),
    )
}

/// The field at a dotted `path` in a JSON object. On the way down, a string that holds a
/// JSON object is read as that object (LiteLLM keeps `metadata` so in its database and
/// exports), parsed as every JSON here is: numbers keep their text. A null (or anything
/// but an object) on the way means the export gives no such object, as when it is
/// absent: `prompt_tokens_details: null` is no breakdown, not an unknown one. Only the
/// field itself being null says unknown.
fn walk<'a>(map: &'a Map<String, Value>, path: &str) -> Field<'a> {
    let (first, rest) = match path.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (path, None),
    };
    let Some(value) = map.get(first) else {
        return Field::Missing;
    };
    let Some(rest) = rest else {
        return leaf(value);
    };
    match value {
        Value::Object(inner) => walk(inner, rest),
        Value::String(text) => match embedded_object(text) {
            Some(inner) => owned(walk(&inner, rest)),
            None => Field::Missing,
        },
        _ => Field::Missing,
    }
}

/// The JSON object a string holds, if it holds exactly one.
fn embedded_object(text: &str) -> Option<Map<String, Value>> {
    let text = text.trim();
    if !text.starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

fn leaf(value: &Value) -> Field<'_> {
    match value {
        Value::Null => Field::Null,
        Value::String(s) => Field::Text(Cow::Borrowed(s)),
        // With arbitrary_precision this is the number exactly as written.
        Value::Number(n) => Field::Text(Cow::Owned(n.to_string())),
        Value::Bool(b) => Field::Text(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Object(_) | Value::Array(_) => Field::Nested,
    }
}

fn owned(field: Field<'_>) -> Field<'static> {
    match field {
        Field::Missing => Field::Missing,
        Field::Null => Field::Null,
        Field::Nested => Field::Nested,
        Field::Text(t) => Field::Text(Cow::Owned(t.into_owned())),
    }
}

fn csv_field(text: &str) -> Field<'_> {
    match super::newapi::csv_cell(text) {
        None => Field::Null,
        Some(t) if t.starts_with('{') || t.starts_with('[') => Field::Nested,
        Some(t) => Field::Text(Cow::Borrowed(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_table() {
        let json: Map<String, Value> = serde_json::from_str(
            r#"{"usage":{"prompt_tokens":59200.0,"completion_tokens":null,
                "prompt_tokens_details":{"cached_tokens":12}},"amount":0.8958740000000000,
                "ok":true,"bad":-3,"frac":1.5}"#,
        )
        .unwrap();
        let plain = CellFormat::default();
        let row = Fields::Json(&json, &plain);
        assert_eq!(row.count(&["usage.prompt_tokens"]), Ok(Some(59200)));
        assert_eq!(row.count(&["usage.completion_tokens"]), Ok(None));
        assert_eq!(
            row.count(&["usage.nope", "usage.prompt_tokens_details.cached_tokens"]),
            Ok(Some(12))
        );
        assert_eq!(row.count(&["missing"]), Ok(None));
        assert_eq!(
            row.amount(&["amount"]).unwrap().unwrap().to_string(),
            "0.8958740000000000"
        );
        assert_eq!(row.flag(&["ok"]), Ok(Some(true)));
        assert_eq!(
            row.count(&["bad"]),
            Err((
                "bad".into(),
                "expected a count of zero or more, but found \"-3\"".into()
            ))
        );
        assert_eq!(
            row.count(&["frac"]),
            Err((
                "frac".into(),
                "expected a whole number, but found \"1.5\"".into()
            ))
        );
        assert_eq!(row.get("usage"), Field::Nested);

        // LiteLLM's metadata as a string holding JSON, in a JSON record: walked into, its
        // numbers as written; a null object on the way is no object; a null count is null.
        let json: Map<String, Value> = serde_json::from_str(
            r#"{"metadata":"{\"usage_object\":{\"prompt_tokens_details\":{\"cached_tokens\":8000,\"audio_tokens\":null},\"completion_tokens_details\":null,\"cost\":0.0000125000}}",
                "object":{"usage_object":{"prompt_tokens_details":null}},
                "deeper":"{\"inner\":\"{\\\"n\\\":7}\"}",
                "list":"[1]","broken":"{\"a\":","plain":"text","number":5}"#,
        )
        .unwrap();
        let row = Fields::Json(&json, &plain);
        let cases: [(&str, Field); 11] = [
            (
                "metadata.usage_object.prompt_tokens_details.cached_tokens",
                Field::Text("8000".into()),
            ),
            (
                "metadata.usage_object.prompt_tokens_details.audio_tokens",
                Field::Null,
            ),
            (
                "metadata.usage_object.completion_tokens_details.reasoning_tokens",
                Field::Missing,
            ),
            (
                "metadata.usage_object.cost",
                Field::Text("0.0000125000".into()),
            ),
            ("metadata.usage_object", Field::Nested),
            (
                "object.usage_object.prompt_tokens_details.cached_tokens",
                Field::Missing,
            ),
            ("deeper.inner.n", Field::Text("7".into())),
            ("list.0", Field::Missing),
            ("broken.a", Field::Missing),
            ("plain.x", Field::Missing),
            ("number.x", Field::Missing),
        ];
        for (path, expected) in cases {
            assert_eq!(row.get(path), expected, "{path}");
        }
        assert_eq!(
            row.get("metadata"),
            Field::Text(json["metadata"].as_str().unwrap().into())
        );

        let header: Vec<String> = ["spend", "metadata", "cache_hit", "model"]
            .map(String::from)
            .to_vec();
        let cells = [
            "0.025",
            r#"{"usage_object":{"cache_read_input_tokens":7}}"#,
            "False",
            "",
        ];
        // A decimal-comma file: the spend cell is read in that format.
        let comma = CellFormat {
            numbers: crate::decimal::NumberFormat::parse("1.234,5").unwrap(),
            ..CellFormat::default()
        };
        let cells = ["0,025", cells[1], cells[2], cells[3]];
        let row = Fields::Csv {
            header: &header,
            cells: &cells,
            format: &comma,
        };
        assert_eq!(
            row.amount(&["spend"]).unwrap().unwrap().to_string(),
            "0.025"
        );
        assert_eq!(
            row.count(&["metadata.usage_object.cache_read_input_tokens"]),
            Ok(Some(7))
        );
        assert_eq!(row.flag(&["cache_hit"]), Ok(Some(false)));
        assert_eq!(row.text(&["model"]), None);
        assert_eq!(row.get("model"), Field::Null);
        assert_eq!(row.get("absent"), Field::Missing);
    }
}
