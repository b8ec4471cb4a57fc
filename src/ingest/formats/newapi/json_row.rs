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

use super::cells::Cells;
use super::columns::{self, Column, COLUMNS};
use crate::ingest::text::json::buffer::exact;
use crate::ingest::text::json::value::cell;
use crate::ingest::text::json::{scan, Object, RowReader};

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

fn classify(key: &str) -> Class {
    let exact = match key {
        "created_at" => Column::CreatedAt,
        "type" => Column::Type,
        "model_name" => Column::ModelName,
        "quota" => Column::Quota,
        "prompt_tokens" => Column::PromptTokens,
        "completion_tokens" => Column::CompletionTokens,
        "other" => Column::Other,
        "request_id" => Column::RequestId,
        "id" => Column::Id,
        "token_name" => Column::TokenName,
        "group" => Column::Group,
        "is_stream" => Column::IsStream,
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
    if name.len() >= 64 || columns::ASCII_LENGTHS & (1 << name.len()) == 0 {
        return None;
    }
    columns::HEADERS
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        .map(|(_, column)| *column)
}

fn slot(key: &str) -> Slot<'_> {
    slot_of(classify(key), key)
}

fn slot_of(class: Class, key: &str) -> Slot<'_> {
    match class {
        Some((column, true)) => Slot::Exact(column),
        Some((column, false)) => Slot::Alias(column, Cow::Borrowed(key)),
        None => Slot::Unknown,
    }
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
        Ok(slot(key))
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
        let mut row = Collector::default();
        while let Some(slot) = map.next_key_seed(KeySeed)? {
            if row.wants(&slot) {
                let raw: &'de RawValue = map.next_value()?;
                row.set(slot, raw.get());
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(row.finish())
    }
}

/// The cells of a row as its fields arrive, whichever reader finds them: the canonical
/// column name wins over an alias, a repeated key keeps its last value, and among
/// different aliases of one column the first one wins.
struct Collector<'a> {
    cells: Cells<'a>,
    exact: [bool; COLUMNS.len()],
    aliases: [Option<Cow<'a, str>>; COLUMNS.len()],
    empty: bool,
}

impl Default for Collector<'_> {
    fn default() -> Self {
        Collector {
            cells: Cells::default(),
            exact: [false; COLUMNS.len()],
            aliases: Default::default(),
            empty: true,
        }
    }
}

impl<'a> Collector<'a> {
    /// Whether the value of this field can matter (else it is only skipped).
    fn wants(&mut self, slot: &Slot<'a>) -> bool {
        self.empty = false;
        match slot {
            Slot::Exact(_) => true,
            Slot::Alias(column, _) => !self.exact[*column as usize],
            Slot::Unknown => false,
        }
    }

    fn set(&mut self, slot: Slot<'a>, raw: &'a str) {
        match slot {
            Slot::Exact(column) => {
                self.exact[column as usize] = true;
                self.set_cell(column, raw);
            }
            Slot::Alias(column, key) => {
                let chosen = &mut self.aliases[column as usize];
                if chosen.as_ref().is_none_or(|k| *k == key) {
                    *chosen = Some(key);
                    self.set_cell(column, raw);
                }
            }
            Slot::Unknown => {}
        }
    }

    /// `other` written as a JSON string with escapes is kept raw, to be read in place
    /// (`scan::quoted_object`); every other value becomes its cell text here.
    fn set_cell(&mut self, column: Column, raw: &'a str) {
        let escaped = raw.starts_with('"') && memchr::memchr(b'\\', raw.as_bytes()).is_some();
        if column == Column::Other && escaped {
            self.cells.set_escaped_other(raw);
        } else {
            self.cells.set(column, cell(raw));
        }
    }

    /// A field as the scanner found it, its key classified and its value raw JSON text.
    fn field(&mut self, slot: Slot<'a>, raw: &'a str) -> Option<()> {
        if self.wants(&slot) {
            self.set(slot, raw);
        }
        Some(())
    }

    fn finish(self) -> JsonRow<'a> {
        JsonRow {
            cells: self.cells,
            empty: self.empty,
        }
    }
}

/// Reads rows with the one-pass scanner ([`scan`]); None when it leaves a row to
/// serde_json. Remembers how the keys of the last row were classified, by position: the
/// rows of one file nearly always repeat their keys in one order, so a key is usually
/// settled by one comparison instead of a lookup among the column names and aliases.
#[derive(Default)]
pub struct RowScanner {
    keys: Vec<(Box<str>, Class)>,
}

/// A key's column, and whether the key is the column's own name (not an alias).
type Class = Option<(Column, bool)>;

/// Keys remembered per row; a row with more fields classifies the rest every time.
const REMEMBERED_KEYS: usize = 64;

impl RowReader for RowScanner {
    type Row<'a> = JsonRow<'a>;

    fn scan<'a>(&mut self, text: &'a str) -> Option<(Self::Row<'a>, usize)> {
        let mut row = Collector::default();
        let mut index = 0;
        let (end, _) = scan::object(text, |key, raw| {
            let class = self.classify(index, key);
            index += 1;
            row.field(slot_of(class, key), raw)
        })?;
        Some((row.finish(), end))
    }

    /// serde_json with the visitor above; a broken row fails with the words and column
    /// a whole `Map` gives (what the rows were once read as).
    fn parse(text: &str) -> Option<Result<(Self::Row<'_>, usize), serde_json::Error>> {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<JsonRow>();
        Some(match stream.next()? {
            Ok(row) => Ok((row, stream.byte_offset())),
            Err(e) => Err(exact::<Object>(text).unwrap_or(e)),
        })
    }

    fn parse_line(line: &str) -> Option<Self::Row<'_>> {
        serde_json::from_str(line).ok()
    }

    fn not_an_object<'a>() -> Self::Row<'a> {
        JsonRow {
            cells: Cells::default(),
            empty: true,
        }
    }
}

impl RowScanner {
    fn classify(&mut self, index: usize, key: &str) -> Class {
        if let Some((seen, class)) = self.keys.get(index) {
            if **seen == *key {
                return *class;
            }
        }
        let class = classify(key);
        if index < self.keys.len() {
            self.keys[index] = (key.into(), class);
        } else if index < REMEMBERED_KEYS {
            self.keys.push((key.into(), class));
        }
        class
    }
}

#[cfg(test)]
mod tests {
    use super::super::cells::OtherCell;
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    /// A column's text, `other` unescaped if the row holds it escaped.
    fn cell_text<'c>(cells: &'c Cells, column: Column) -> Option<Cow<'c, str>> {
        match (column, cells.other()) {
            (Column::Other, Some(OtherCell::Escaped(raw))) => cell(raw),
            (Column::Other, Some(OtherCell::Text(text))) => Some(Cow::Borrowed(text)),
            (Column::Other, Some(OtherCell::Doubled(_))) => unreachable!("a CSV cell"),
            (Column::Other, None) => None,
            _ => cells.get(column).map(Cow::Borrowed),
        }
    }

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
            .map(|&c| cell_text(&row.cells, c).map(Cow::into_owned))
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
        let mut scanner = RowScanner::default();
        for text in cases {
            assert_eq!(via_visitor(text), via_map(text), "{text}");
            if let Some(row) = scanner.scan_line(text) {
                assert_eq!(Ok(cells_of(&row)), via_map(text), "{text}");
            }
        }
    }

    fn cells_of(row: &JsonRow) -> (bool, Vec<Option<String>>) {
        let cells = COLUMNS
            .iter()
            .map(|&c| cell_text(&row.cells, c).map(Cow::into_owned))
            .collect();
        (row.empty, cells)
    }

    /// A log row with some of the shapes real exports have: aliases, repeated keys,
    /// escapes, numbers in every notation, nested values, whitespace, non-ASCII text.
    fn row() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "created_at",
            "type",
            "model_name",
            "quota",
            "prompt_tokens",
            "completion_tokens",
            "other",
            "request_id",
            "model",
            "Model",
            "时间",
            " Prompt ",
            "id",
            "content",
            "token_name",
            "group",
            "is_stream",
        ]);
        let value = prop::sample::select(vec![
            "1767225600",
            "-0.5e+3",
            "2E-3",
            "0",
            "true",
            "null",
            r#""gpt-4o""#,
            r#""  ""#,
            r#""模型-ü \u00e9\ud83d\ude00""#,
            r#""a\/b\\c\n""#,
            r#""{\"model_ratio\":1.25,\"cache_tokens\":5}""#,
            r#"{"model_ratio": [1, {"x": null}], "y": "z"}"#,
            "[]",
            "{}",
        ]);
        let space = prop::sample::select(vec!["", " ", "\n\t", "\r\n "]);
        let field = (key, space.clone(), value, space);
        proptest::collection::vec(field, 0..12).prop_map(|fields| {
            let body: Vec<String> = fields
                .iter()
                .map(|(k, s1, v, s2)| format!("{s1}\"{k}\"{s1}:{s2}{v}{s2}"))
                .collect();
            format!("{{{}}}", body.join(","))
        })
    }

    /// A row with a few bytes inserted, removed or replaced by ones that change the
    /// meaning of JSON text most often.
    fn mutated() -> impl Strategy<Value = String> {
        let alphabet = b"{}[]\":,\\ u0123456789eE+-.tfnl\t\n\x01\x1f/ab".to_vec();
        let edit = (
            any::<prop::sample::Index>(),
            0u8..3,
            prop::sample::select(alphabet),
        );
        (row(), proptest::collection::vec(edit, 0..4)).prop_map(|(text, edits)| {
            let mut bytes = text.into_bytes();
            for (at, kind, b) in edits {
                let at = at.index(bytes.len() + 1);
                match kind {
                    0 => bytes.insert(at, b),
                    1 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ if at < bytes.len() => bytes[at] = b,
                    _ => bytes.push(b),
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the scanner reads, serde_json reads the same way: same cells, same
        /// end of the row (as a JSON line and inside a list); what it leaves, serde_json
        /// decides, so the verdict and the message are serde_json's. One scanner reads
        /// all the rows, so the keys it remembers from row to row are tested too.
        #[test]
        fn scanner_agrees_with_serde_json(texts in proptest::collection::vec(mutated(), 1..6)) {
            let mut scanner = RowScanner::default();
            for text in &texts {
                if let Some(row) = scanner.scan_line(text) {
                    prop_assert_eq!(Ok(cells_of(&row)), via_visitor(text), "{}", text);
                }
                let listed = format!("{text} , {{}}]");
                if let Some((row, used)) = scanner.scan(&listed) {
                    let mut stream = serde_json::Deserializer::from_str(&listed).into_iter::<JsonRow>();
                    let serde = stream.next().and_then(Result::ok).map(|r| cells_of(&r));
                    prop_assert_eq!(Some(cells_of(&row)), serde, "{}", text);
                    prop_assert_eq!(used, stream.byte_offset(), "{}", text);
                }
            }
        }

        /// Rows as generated (before any damage) are the scanner's to read, so the
        /// comparison above is not an empty one.
        #[test]
        fn scanner_reads_well_formed_rows(text in row()) {
            let read = RowScanner::default().scan_line(&text).map(|r| cells_of(&r));
            prop_assert_eq!(read, via_visitor(&text).ok(), "{}", text);
        }

        /// The scanner under both readers (rows, and `other`) hands over the same keys
        /// and the same value text, in the same order, as serde_json's `RawValue`.
        #[test]
        fn scanned_fields_are_serde_json_raw_values(text in mutated()) {
            let mut fields = Vec::new();
            let scanned = scan::whole_object(&text, |key, raw| {
                fields.push((key.to_string(), raw.to_string()));
                Some(())
            });
            if scanned.is_some() {
                prop_assert_eq!(Some(fields), raw_fields(&text), "{}", text);
            }
        }
    }

    /// Every field of an object as serde_json sees it: key, and the raw text of its value.
    fn raw_fields(text: &str) -> Option<Vec<(String, String)>> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some((key, raw)) = map.next_entry::<String, &RawValue>()? {
                    fields.push((key, raw.get().to_string()));
                }
                Ok(fields)
            }
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let fields = de.deserialize_map(Fields).ok()?;
        de.end().ok()?;
        Some(fields)
    }
}
