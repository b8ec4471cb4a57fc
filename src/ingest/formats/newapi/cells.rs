//! One new-api row from the text of its cells: [`Cells`] as a reader found them, and
//! [`parse_parts`], which reads them into a row (its ratio set interned on the way).

use std::borrow::Cow;

use super::columns::{self, Column, COLUMNS};
use super::other_field::Other;
use super::{count_as, integer_as, CellError};
use crate::decimal::quote;
use crate::ingest::formats::row::{Counts, Parts, RowKind, TokenSemantic};
use crate::ingest::formats::times::{parse_time, CellFormat};
use crate::ingest::text::delimited::RawCell;
use crate::ingest::text::json::value;
use crate::ingest::text::trim;
use crate::policy::Outcome;

/// The text of the columns we read from one row; None when absent or empty. Cells borrow
/// from the reader's buffer where they can, so a row costs no allocation per cell.
#[derive(Debug, Default)]
pub struct Cells<'a> {
    texts: [Option<Cow<'a, str>>; COLUMNS.len()],
    /// `other` as the raw JSON string of a JSON row, quotes and escapes and all, when it
    /// has escapes, or as a CSV cell's text with its quotes still doubled: read in place
    /// ([`Cells::other`]), not unescaped up front.
    raw_other: Option<OtherCell<'a>>,
}

/// The `other` cell as a row holds it.
#[derive(Clone, Copy, Debug)]
pub enum OtherCell<'c> {
    Text(&'c str),
    /// A raw JSON string with escapes (see [`Cells::set_escaped_other`]).
    Escaped(&'c str),
    /// A quoted CSV cell's text with its quotes doubled (see [`Cells::set_doubled_other`]).
    Doubled(&'c str),
}

impl<'a> Cells<'a> {
    /// A column's text; for `other` only when it is not held escaped ([`Cells::other`]).
    pub fn get(&self, column: Column) -> Option<&str> {
        self.texts[column as usize].as_deref()
    }

    pub fn set(&mut self, column: Column, text: Option<Cow<'a, str>>) {
        if column == Column::Other {
            self.raw_other = None;
        }
        self.texts[column as usize] = text;
    }

    /// `other` given as `raw`, a JSON string with escapes (quotes included).
    pub fn set_escaped_other(&mut self, raw: &'a str) {
        self.texts[Column::Other as usize] = None;
        self.raw_other = Some(OtherCell::Escaped(raw));
    }

    /// `other` given as `raw`, the text between a CSV cell's quotes with each quote
    /// inside doubled (what `newapi::csv_cell` makes of it once undone is what it holds).
    pub fn set_doubled_other(&mut self, raw: &'a str) {
        self.texts[Column::Other as usize] = None;
        self.raw_other = Some(OtherCell::Doubled(raw));
    }

    pub fn other(&self) -> Option<OtherCell<'_>> {
        match self.raw_other {
            Some(raw) => Some(raw),
            None => self.get(Column::Other).map(OtherCell::Text),
        }
    }
}

/// The text between the quotes of a raw JSON string.
fn string_inner(raw: &str) -> &str {
    raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default()
}

/// Where the ratio set a row's `other` logs is interned as the row is read: the row
/// store, which parses each distinct set once per file (a log repeats a handful).
pub trait RatioSets {
    /// The index of the set `other` logs; None when it logs none.
    fn ratio_set(&mut self, other: &Other) -> Result<Option<u32>, String>;
}

/// Reads one row from the text of its cells, its ratio set interned in `rows`.
pub fn parse_parts<'a>(
    cells: &'a Cells,
    rows: &mut impl RatioSets,
    format: &CellFormat,
) -> Result<Parts<'a>, CellError> {
    let get = |column: Column| cells.get(column);
    let empty = |column: Column| {
        let message = format!("expected a value in {}, but found it empty", column.name());
        (column, message)
    };
    let need = |column: Column| get(column).ok_or_else(|| empty(column));
    let kind = match get(Column::Type) {
        Some(text) => parse_kind(text).map_err(|m| (Column::Type, m))?,
        None => RowKind::Consume,
    };
    let at = parse_time(need(Column::CreatedAt)?, format).map_err(|m| (Column::CreatedAt, m))?;
    let count = |column: Column| match get(column) {
        Some(text) => count_as(text, format.numbers).map_err(|m| (column, m)),
        None => Ok(0),
    };
    let quota = match get(Column::Quota) {
        Some(text) => integer_as(text, format.numbers).map_err(|m| (Column::Quota, m))?,
        None => 0,
    };
    // Read in place when it is an escaped JSON string of the plain shape; else from its
    // text (a JSON string unescaped first).
    let in_place = match cells.other() {
        Some(OtherCell::Escaped(raw)) => Other::parse_escaped(string_inner(raw)),
        Some(OtherCell::Doubled(raw)) => Other::parse_doubled(raw),
        _ => None,
    };
    let unescaped;
    let other = match in_place {
        Some(other) => other,
        None => {
            let text = match cells.other() {
                Some(OtherCell::Escaped(raw)) => {
                    unescaped = value::cell(raw);
                    unescaped.as_deref()
                }
                Some(OtherCell::Doubled(raw)) => {
                    unescaped = Some(RawCell::Doubled(raw).text());
                    unescaped.as_deref().and_then(super::csv_cell)
                }
                Some(OtherCell::Text(text)) => Some(text),
                None => None,
            };
            match text {
                Some(text) => Other::parse(text).map_err(|m| (Column::Other, m))?,
                None => Other::default(),
            }
        }
    };
    let usage = other.usage().map_err(|m| (Column::Other, m))?;
    let counts = Counts {
        prompt: count(Column::PromptTokens)?,
        completion: count(Column::CompletionTokens)?,
        cache_read: usage.cache_read,
        cache_write: usage.cache_write_5m,
        cache_write_1h: usage.cache_write_1h,
        reasoning: usage.reasoning,
        tool_calls: usage.tool_calls,
        audio_input: usage.audio_input,
        audio_cached_input: 0,
        audio_output: usage.audio_output,
        text_input: usage.text_input,
        text_output: usage.text_output,
    };
    let (kind, model) = match get(Column::ModelName) {
        Some(model) => (kind, model),
        None if kind != RowKind::Consume => (kind, ""),
        // A spreadsheet's empty zero-spend line: nothing to price and no model to price
        // it under, so it is counted as not usage rather than rejected.
        None if quota == 0 && counts == Counts::default() => (RowKind::NotUsage, ""),
        None => return Err(empty(Column::ModelName)),
    };
    let ratios = rows.ratio_set(&other).map_err(|m| (Column::Other, m))?;
    let parts = Parts {
        at,
        kind,
        outcome: if kind == RowKind::Error {
            Outcome::FailedUnspecified
        } else {
            Outcome::Success
        },
        model: trim(model),
        quota,
        counts,
        requests: Some(1),
        semantic: if other.anthropic_semantics() {
            TokenSemantic::Additive
        } else {
            TokenSemantic::Inclusive
        },
        ratios,
        request_id: get(Column::RequestId).map(trim).filter(|id| !id.is_empty()),
        id: get(Column::Id).map(trim).filter(|id| !id.is_empty()),
        token_name: get(Column::TokenName),
        group: get(Column::Group),
        stream: match get(Column::IsStream) {
            Some(text) => Some(parse_stream(text).map_err(|m| (Column::IsStream, m))?),
            None => None,
        },
    };
    check_consistency(&parts.counts, parts.semantic)?;
    Ok(parts)
}

/// Flags rows that contradict themselves instead of absorbing the difference.
// Inlined into `parse_parts`, its one caller: LLVM takes the calls after the parser's
// many `?` for cold and would leave this and the other one-caller helpers (the ratio
// set, `anthropic_semantics`) out of line, a call each per row.
#[inline(always)]
fn check_consistency(counts: &Counts, semantic: TokenSemantic) -> Result<(), CellError> {
    if counts.uncached_input(semantic).is_none() {
        let inside = counts.inside_prompt(semantic);
        let audio = counts.audio_input;
        let message = if semantic == TokenSemantic::Additive || inside == audio {
            format!("expected prompt_tokens to include the {audio} audio tokens of other.audio_input, but found only {}", counts.prompt)
        } else if audio == 0 {
            format!(
                "expected prompt_tokens to include the {inside} cache tokens (OpenAI-style usage), but found only {}; \
                 if this row follows Anthropic semantics its other.usage_semantic should say \"anthropic\"",
                counts.prompt
            )
        } else {
            format!("expected prompt_tokens to include the {inside} cache and audio tokens, but found only {}", counts.prompt)
        };
        return Err((Column::PromptTokens, message));
    }
    let inside = counts.reasoning.saturating_add(counts.audio_output);
    if inside > counts.completion {
        let what = match (counts.reasoning, counts.audio_output) {
            (_, 0) => "reasoning",
            (0, _) => "audio (other.audio_output)",
            _ => "reasoning and audio",
        };
        return Err((
            Column::CompletionTokens,
            format!(
                "expected completion_tokens to include the {inside} {what} tokens, but found only {}",
                counts.completion
            ),
        ));
    }
    Ok(())
}

/// new-api's `is_stream` as JSON (`true`), a CSV export (`true`, `TRUE`), a MySQL dump
/// (`1`) or a PostgreSQL one (`t`).
fn parse_stream(text: &str) -> Result<bool, String> {
    // Compared in place: a lowercased copy was an allocation a row.
    let word = trim(text);
    let is = |words: [&str; 3]| words.iter().any(|w| word.eq_ignore_ascii_case(w));
    if is(["true", "1", "t"]) {
        Ok(true)
    } else if is(["false", "0", "f"]) {
        Ok(false)
    } else {
        Err(format!(
            "expected true or false (whether the request was streamed), but found {}",
            quote(text)
        ))
    }
}

fn parse_kind(text: &str) -> Result<RowKind, String> {
    // Digits first: nearly every row, and no lowercased copy needed for them.
    let kind = match trim(text) {
        "2" => return Ok(RowKind::Consume),
        "5" => return Ok(RowKind::Error),
        "6" => return Ok(RowKind::Refund),
        "0" | "1" | "3" | "4" => return Ok(RowKind::NotUsage),
        trimmed => trimmed.to_lowercase(),
    };
    columns::kind(&kind).ok_or_else(|| {
        format!(
            "expected a log type (2 consume, 5 error, 6 refund, or 1/3/4), but found {}",
            quote(text)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::store::rows::RowsBuilder;

    /// A row whose `other` is set by `set`, read: the row (or its error) and the ratio
    /// sets it interned.
    fn read<'a>(set: impl FnOnce(&mut Cells<'a>)) -> String {
        let mut cells = Cells::default();
        for (column, text) in [
            (Column::CreatedAt, "1767225600"),
            (Column::ModelName, "gpt-4o"),
            (Column::Quota, "1250"),
            (Column::PromptTokens, "1000"),
            (Column::CompletionTokens, "200"),
        ] {
            cells.set(column, Some(Cow::Borrowed(text)));
        }
        set(&mut cells);
        let mut rows = RowsBuilder::default();
        let parts = format!(
            "{:?}",
            parse_parts(&cells, &mut rows, &CellFormat::default())
        );
        format!("{parts} {:?}", rows.finish().ratio_sets())
    }

    /// A quoted CSV cell's `other`, handed on with its quotes still doubled, reads as its
    /// text once undone did: read in place where the scan takes it, else undone and
    /// parsed (nesting, escapes, the spreadsheet's apostrophe, damage).
    #[test]
    fn a_doubled_other_reads_as_its_text() {
        // (other, whether the row reads: else it is refused with its message)
        let others = [
            (
                r#"{"model_ratio":1.25,"completion_ratio":4,"cache_tokens":10,"group_ratio":1}"#,
                true,
            ),
            (
                r#" {"model_ratio":1.5, "usage_semantic":"anthropic","cache_tokens":5} "#,
                true,
            ),
            (
                r#"{"model_ratio":1,"tool_surcharges":[{"name":"web","count":2,"price":10}]}"#,
                true,
            ),
            (r#"{"model_ratio":1,"other_ratios":{"n":2}}"#, true),
            (r#"{"model_ratio":1,"note":"a \"quoted\" word"}"#, true),
            (r#"'{"model_ratio":1}"#, true),
            (r#"{"model_ratio":"x"}"#, false),
            (r#"{"cache_tokens":5000}"#, false),
            (r#"not json"#, false),
            (r#"""#, false),
        ];
        for (text, reads) in others {
            let doubled = text.replace('"', "\"\"");
            let plain = read(|c| {
                c.set(
                    Column::Other,
                    super::super::csv_cell(text).map(Cow::Borrowed),
                )
            });
            assert_eq!(read(|c| c.set_doubled_other(&doubled)), plain, "{text}");
            assert_eq!(plain.starts_with("Ok("), reads, "{text}: {plain}");
        }
    }
}
