//! One JSON log row into [`Cells`], without building a `Map` of every field.
//!
//! The visitor borrows the known columns as raw JSON text from the reader's buffer and
//! skips the rest (prompts, IPs and keys are never copied). It accepts and refuses
//! exactly what parsing the row into a `serde_json::Map` would, and picks the same value
//! when a key repeats: the canonical column name wins over an alias (`model`, `时间`);
//! a repeated key keeps its last value; among different aliases the first one wins.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::labels;
use super::newapi::{Cells, Column, COLUMNS};

/// A JSON row as read: its cells, and whether the object had any field at all.
pub struct JsonRow<'a> {
    pub cells: Cells<'a>,
    pub empty: bool,
}

impl<'de> de::Deserialize<'de> for JsonRow<'de> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_map(RowVisitor)
    }
}

struct RowVisitor;

/// How a key matched a column: exactly, or through an alias spelled this way.
enum Slot<'a> {
    Exact(Column),
    Alias(Column, Cow<'a, str>),
    Unknown,
}

fn classify(key: &str) -> Option<(Column, bool)> {
    let exact = match key {
        "created_at" => Column::CreatedAt,
        "type" => Column::Type,
        "model_name" => Column::ModelName,
        "quota" => Column::Quota,
        "prompt_tokens" => Column::PromptTokens,
        "completion_tokens" => Column::CompletionTokens,
        "other" => Column::Other,
        "request_id" => Column::RequestId,
        _ => return alias(key).map(|c| (c, false)),
    };
    Some((exact, true))
}

/// `Column::from_header` lowercases into a new String; most keys of a log row are
/// plain ASCII names that match no alias, so those are settled without allocating.
fn alias(key: &str) -> Option<Column> {
    if !key.is_ascii() {
        return Column::from_header(key);
    }
    let name = key.trim().trim_matches('"').trim();
    if name.len() >= 64 || labels::ASCII_LENGTHS & (1 << name.len()) == 0 {
        return None;
    }
    labels::HEADERS
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        .map(|(_, column)| *column)
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Slot<'de>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Slot<'de>, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Slot<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Slot<'de>, E> {
        Ok(match classify(key) {
            Some((column, true)) => Slot::Exact(column),
            Some((column, false)) => Slot::Alias(column, Cow::Borrowed(key)),
            None => Slot::Unknown,
        })
    }

    fn visit_str<E>(self, key: &str) -> Result<Slot<'de>, E> {
        Ok(match classify(key) {
            Some((column, true)) => Slot::Exact(column),
            Some((column, false)) => Slot::Alias(column, Cow::Owned(key.to_string())),
            None => Slot::Unknown,
        })
    }
}

impl<'de> Visitor<'de> for RowVisitor {
    type Value = JsonRow<'de>;

    // The same words serde_json uses for a Map, so a non-object row reads the same.
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonRow<'de>, A::Error> {
        let mut cells = Cells::default();
        let mut exact = [false; COLUMNS.len()];
        let mut aliases: [Option<Cow<'de, str>>; COLUMNS.len()] = Default::default();
        let mut empty = true;
        while let Some(slot) = map.next_key_seed(KeySeed)? {
            empty = false;
            match slot {
                Slot::Exact(column) => {
                    let raw: &'de RawValue = map.next_value()?;
                    exact[column as usize] = true;
                    cells.set(column, cell(raw.get()));
                }
                Slot::Alias(column, key) if !exact[column as usize] => {
                    let raw: &'de RawValue = map.next_value()?;
                    let chosen = &mut aliases[column as usize];
                    if chosen.as_ref().is_none_or(|k| *k == key) {
                        *chosen = Some(key);
                        cells.set(column, cell(raw.get()));
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(JsonRow { cells, empty })
    }
}

/// A JSON value as cell text: strings unescaped, numbers with their exact digits
/// (never through a float), booleans as words, nested values as compact JSON text
/// (some dumps store `other` as an object); null and blank strings are no value.
pub fn cell(raw: &str) -> Option<Cow<'_, str>> {
    let text = match raw.as_bytes().first()? {
        b'"' => string(raw)?,
        b'n' => return None,
        b'{' | b'[' => Cow::Owned(serde_json::from_str::<Value>(raw).ok()?.to_string()),
        b't' | b'f' => Cow::Borrowed(raw),
        _ => number(raw),
    };
    (!text.trim().is_empty()).then_some(text)
}

/// A number's text as serde_json keeps it (arbitrary_precision): exact digits, but the
/// exponent written `e+5` / `e-5`, so messages quote what they always quoted.
pub fn number(raw: &str) -> Cow<'_, str> {
    let Some(at) = raw.bytes().position(|b| b | 0x20 == b'e') else {
        return Cow::Borrowed(raw);
    };
    let (mantissa, exponent) = (&raw[..at], &raw[at + 1..]);
    let sign = if exponent.starts_with(['+', '-']) {
        ""
    } else {
        "+"
    };
    Cow::Owned(format!("{mantissa}e{sign}{exponent}"))
}

/// The text of a raw JSON string (quotes included, already checked by serde_json);
/// borrowed unless it has escapes.
pub fn string(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Some(Cow::Borrowed(inner));
    }
    // `other` is a JSON string holding JSON, so nearly every row has \" escapes: undo the
    // one-character escapes here, and leave \u (surrogate pairs) to serde_json.
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let mut escaped = rest[at + 1..].chars();
        out.push(match escaped.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            _ => return serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
        });
        rest = escaped.as_str();
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    /// What the old reader did: a full Map, then `get` with alias fallback.
    fn via_map(text: &str) -> Result<(bool, Vec<Option<String>>), ()> {
        let row: Map<String, Value> = serde_json::from_str(text).map_err(|_| ())?;
        let json_cell = |value: &Value| match value {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Object(_) | Value::Array(_) => Some(value.to_string()),
        };
        let cells = COLUMNS
            .iter()
            .map(|&column| {
                let value = row.get(column.name()).or_else(|| {
                    row.iter()
                        .find(|(k, _)| Column::from_header(k) == Some(column))
                        .map(|(_, v)| v)
                })?;
                json_cell(value)
            })
            .collect();
        Ok((row.is_empty(), cells))
    }

    fn via_visitor(text: &str) -> Result<(bool, Vec<Option<String>>), ()> {
        let row: JsonRow = serde_json::from_str(text).map_err(|_| ())?;
        let cells = COLUMNS
            .iter()
            .map(|&c| row.cells.get(c).map(str::to_string))
            .collect();
        Ok((row.empty, cells))
    }

    #[test]
    fn ascii_aliases_are_the_ones_from_header_knows_as_json_keys() {
        for key in [
            "Model",
            " \"TIME\" ",
            "token_name",
            "content",
            "Prompt",
            "x-request-id",
            "Completion Tokens",
            "Created At ",
            "input",
            "id",
            "a key longer than sixty-four characters, which no header ever is at all",
        ] {
            assert_eq!(super::alias(key), Column::from_header(key), "{key}");
        }
    }

    #[test]
    fn strings_unescape_like_serde_json() {
        for raw in [
            r#""plain""#,
            r#""a\"b\\c\/d\n\t\r\b\f""#,
            r#""\u00e9\ud83d\ude00 x""#,
            r#""{\"k\":1}""#,
        ] {
            let want: String = serde_json::from_str(raw).unwrap();
            assert_eq!(string(raw).as_deref(), Some(want.as_str()), "{raw}");
        }
    }

    #[test]
    fn matches_the_map_reader() {
        let cases = [
            r#"{"created_at": 1, "model_name": "gpt-4o", "quota": 12, "other": "{\"a\":1}"}"#,
            r#"{"model": "a", "model_name": "b"}"#,
            r#"{"model_name": "b", "model": "a"}"#,
            r#"{"model": "a", "Model": "b", "model": "c"}"#,
            r#"{"Model": "b", "model": "a"}"#,
            r#"{"model_name": null, "model": "a"}"#,
            r#"{"model_name": "  ", "quota": 1.50, "type": true}"#,
            r#"{"other": {"model_ratio": 1.0, "x": [1, 2]}, "prompt_tokens": "12"}"#,
            r#"{"时间": 1767225723, "模型": "gpt-4o", "提示": 5, " Prompt ": 6}"#,
            r#"{"\u0071uota": 5, "quota": 6}"#,
            r#"{"mod\u0065l": "x"}"#,
            r#"{}"#,
            r#"{"id": 1, "content": "a \"quoted\" prompt"}"#,
            r#"[1]"#,
            r#"{"quota": 1,}"#,
            r#"{"quota": 01}"#,
            r#"{"content": "bad \x01 control"}"#,
            r#"{"created_at": 1e400, "quota": 2E-3, "prompt_tokens": 5e+1}"#,
        ];
        for text in cases {
            assert_eq!(via_visitor(text), via_map(text), "{text}");
        }
    }
}
