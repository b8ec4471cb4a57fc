//! CometAPI / new-api usage-log rows: column names, and turning one row of text into a
//! typed [`GatewayRow`]. The same code serves JSON pages, bare arrays, JSON lines and CSV.
//!
//! Facts this relies on (reference/formats.md §1.3–1.4): `created_at` is Unix seconds
//! (other ways of writing times: [`super::times`]);
//! `type` 2 = consume, 5 = error, 6 = refund (1 top-up, 3 manage, 4 system); `quota` is an
//! integer of 1/500,000 USD; `other` is a JSON string holding the ratios that priced the
//! row; `usage_semantic = "anthropic"` means prompt_tokens excludes cache reads and writes.

use std::borrow::Cow;

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::other::Other;
use super::rows::RowsBuilder;
use super::times::{parse_time, CellFormat};
use crate::decimal::{parse_count_as, parse_integer_as, quote, NumberFormat};

/// The columns we read, in a fixed order. Everything else in a row is ignored, which is
/// also how prompts, keys and IPs stay out: we never hold them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    CreatedAt,
    Type,
    ModelName,
    Quota,
    PromptTokens,
    CompletionTokens,
    Other,
    RequestId,
}

pub const COLUMNS: [Column; 8] = [
    Column::CreatedAt,
    Column::Type,
    Column::ModelName,
    Column::Quota,
    Column::PromptTokens,
    Column::CompletionTokens,
    Column::Other,
    Column::RequestId,
];

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::CreatedAt => "created_at",
            Column::Type => "type",
            Column::ModelName => "model_name",
            Column::Quota => "quota",
            Column::PromptTokens => "prompt_tokens",
            Column::CompletionTokens => "completion_tokens",
            Column::Other => "other",
            Column::RequestId => "request_id",
        }
    }

    /// Header spellings seen in new-api dumps and fork exports (see [`super::labels`]).
    pub fn from_header(header: &str) -> Option<Column> {
        super::labels::column(header)
    }

    fn required(self) -> bool {
        !matches!(self, Column::Other | Column::RequestId | Column::Type)
    }
}

/// Says which required columns a header lacks, so a wrong file fails once, clearly.
pub fn missing_columns(present: &[Column]) -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter(|c| c.required() && !present.contains(c))
        .map(|c| c.name())
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    Consume,
    Refund,
    Error,
    NotUsage,
}

/// How a row's prompt_tokens relates to its cache tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSemantic {
    /// prompt_tokens includes cache reads and writes (OpenAI style).
    Inclusive,
    /// prompt_tokens is uncached input only; cache tokens are on top (Anthropic style).
    Additive,
}

/// What happened to the request, as far as the evidence says. The outcome policy in
/// the settings decides which outcomes are billable.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    CancelledStream,
    ClientError4xx,
    RateLimited429,
    ServerError5xx,
    ClientTimeout,
    RetryAttempt,
    /// A gateway error row that does not say which failure it was.
    FailedUnspecified,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Success,
        Outcome::CancelledStream,
        Outcome::ClientError4xx,
        Outcome::RateLimited429,
        Outcome::ServerError5xx,
        Outcome::ClientTimeout,
        Outcome::RetryAttempt,
        Outcome::FailedUnspecified,
    ];

    pub fn is_failure(self) -> bool {
        self != Outcome::Success
    }
}

/// The multipliers new-api logged in `other` for this row (formats.md §1.3–1.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoggedRatios {
    pub model_ratio: Option<Decimal>,
    pub completion_ratio: Option<Decimal>,
    pub cache_ratio: Option<Decimal>,
    pub cache_creation_ratio: Option<Decimal>,
    pub cache_creation_ratio_1h: Option<Decimal>,
    pub group_ratio: Option<Decimal>,
    /// USD per call; new-api logs −1 for ratio-billed models.
    pub model_price: Option<Decimal>,
    /// Σ price × count ÷ 1000 over `tool_surcharges`, in USD before the group ratio.
    pub tool_surcharge_usd: Decimal,
}

/// One gateway log row, typed. Quantities are exact integers; prices exact decimals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayRow {
    pub at: Timestamp,
    pub kind: RowKind,
    pub outcome: Outcome,
    pub model: String,
    pub quota: i64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cache_read_tokens: u64,
    /// Cache writes at the default (5-minute) lifetime.
    pub cache_write_tokens: u64,
    pub cache_write_1h_tokens: u64,
    /// Reasoning tokens when the log says (a subset of completion tokens); else 0.
    pub reasoning_tokens: u64,
    /// Billed tool calls (web search and similar) from `tool_surcharges`.
    pub tool_calls: u64,
    pub semantic: TokenSemantic,
    /// USD per call for per-call models (`other.model_price` ≥ 0); None for token models.
    pub model_price: Option<Decimal>,
    /// None when the row carries no `other` ratios (a CSV without the column, one-api).
    pub ratios: Option<LoggedRatios>,
}

impl GatewayRow {
    /// Input tokens billed at the full input price; None when the row contradicts its
    /// own semantics (more cache tokens than prompt tokens under OpenAI style).
    pub fn uncached_input(&self) -> Option<u64> {
        self.counts().uncached_input(self.semantic)
    }

    pub fn counts(&self) -> Counts {
        Counts {
            prompt: self.prompt_tokens,
            completion: self.completion_tokens,
            cache_read: self.cache_read_tokens,
            cache_write: self.cache_write_tokens,
            cache_write_1h: self.cache_write_1h_tokens,
            reasoning: self.reasoning_tokens,
            tool_calls: self.tool_calls,
        }
    }

    /// All input tokens of the request (what long-context thresholds look at).
    pub fn input_total(&self) -> u64 {
        let cache = self
            .cache_read_tokens
            .saturating_add(self.cache_write_tokens)
            .saturating_add(self.cache_write_1h_tokens);
        match self.semantic {
            TokenSemantic::Inclusive => self.prompt_tokens,
            TokenSemantic::Additive => self.prompt_tokens.saturating_add(cache),
        }
    }
}

/// A problem with one cell: which column and what is wrong with it.
pub type CellError = (Column, String);

/// The text of the columns we read from one row; None when absent or empty. Cells borrow
/// from the reader's buffer where they can, so a row costs no allocation per cell.
#[derive(Debug, Default)]
pub struct Cells<'a> {
    texts: [Option<Cow<'a, str>>; COLUMNS.len()],
    /// `other` as the raw JSON string of a JSON row, quotes and escapes and all, when it
    /// has escapes: read in place ([`Cells::other`]), not unescaped up front.
    escaped_other: Option<&'a str>,
}

/// The `other` cell as a row holds it.
pub enum OtherCell<'c> {
    Text(&'c str),
    /// A raw JSON string with escapes (see [`Cells::set_escaped_other`]).
    Escaped(&'c str),
}

impl<'a> Cells<'a> {
    /// A column's text; for `other` only when it is not held escaped ([`Cells::other`]).
    pub fn get(&self, column: Column) -> Option<&str> {
        self.texts[column as usize].as_deref()
    }

    pub fn set(&mut self, column: Column, text: Option<Cow<'a, str>>) {
        if column == Column::Other {
            self.escaped_other = None;
        }
        self.texts[column as usize] = text;
    }

    /// `other` given as `raw`, a JSON string with escapes (quotes included).
    pub fn set_escaped_other(&mut self, raw: &'a str) {
        self.texts[Column::Other as usize] = None;
        self.escaped_other = Some(raw);
    }

    /// A column's text, `other` unescaped if need be (for messages and tests; rows are
    /// read through [`Cells::get`] and [`Cells::other`]).
    pub fn text(&self, column: Column) -> Option<Cow<'_, str>> {
        match (column, self.escaped_other) {
            (Column::Other, Some(raw)) => super::jsonrow::cell(raw),
            _ => self.get(column).map(Cow::Borrowed),
        }
    }

    pub fn other(&self) -> Option<OtherCell<'_>> {
        match self.escaped_other {
            Some(raw) => Some(OtherCell::Escaped(raw)),
            None => self.get(Column::Other).map(OtherCell::Text),
        }
    }
}

/// The token counts of a row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub prompt: u64,
    pub completion: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    pub cache_write_1h: u64,
    pub reasoning: u64,
    pub tool_calls: u64,
}

impl Counts {
    pub fn uncached_input(&self, semantic: TokenSemantic) -> Option<u64> {
        match semantic {
            TokenSemantic::Additive => Some(self.prompt),
            TokenSemantic::Inclusive => self
                .prompt
                .checked_sub(self.cache_read)?
                .checked_sub(self.cache_write)?
                .checked_sub(self.cache_write_1h),
        }
    }
}

/// A row as read, before it is filed: a [`GatewayRow`] with its model borrowed from the
/// text and its ratio set interned in the [`RowsBuilder`] (a log repeats a handful of
/// them, so each distinct set is parsed once; see [`RowsBuilder::ratios`]).
#[derive(Debug)]
pub struct Parts<'a> {
    pub at: Timestamp,
    pub kind: RowKind,
    pub outcome: Outcome,
    pub model: &'a str,
    pub quota: i64,
    pub counts: Counts,
    pub semantic: TokenSemantic,
    pub ratios: Option<u32>,
    /// The gateway's request id, when the log carries one (for joining other streams).
    pub request_id: Option<&'a str>,
}

/// The text between the quotes of a raw JSON string.
fn string_inner(raw: &str) -> &str {
    raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default()
}

/// Reads one row from the text of its cells.
pub fn parse_row(cells: &Cells) -> Result<GatewayRow, CellError> {
    let mut rows = RowsBuilder::default();
    let parts = parse_parts(cells, &mut rows, &CellFormat::default())?;
    Ok(rows.row(&parts))
}

/// [`parse_row`] without building the row: its ratio set goes into `rows`' table.
pub fn parse_parts<'a>(
    cells: &'a Cells,
    rows: &mut RowsBuilder,
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
        _ => None,
    };
    let unescaped;
    let other = match in_place {
        Some(other) => other,
        None => {
            let text = match cells.other() {
                Some(OtherCell::Escaped(raw)) => {
                    unescaped = super::jsonrow::cell(raw);
                    unescaped.as_deref()
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
    };
    let (kind, model) = match get(Column::ModelName) {
        Some(model) => (kind, model),
        None if kind != RowKind::Consume => (kind, ""),
        // A spreadsheet's empty zero-spend line: nothing to price and no model to price
        // it under, so it is counted as not usage rather than rejected.
        None if quota == 0 && counts == Counts::default() => (RowKind::NotUsage, ""),
        None => return Err(empty(Column::ModelName)),
    };
    let ratios = rows.ratios(&other).map_err(|m| (Column::Other, m))?;
    let parts = Parts {
        at,
        kind,
        outcome: if kind == RowKind::Error {
            Outcome::FailedUnspecified
        } else {
            Outcome::Success
        },
        model: model.trim(),
        quota,
        counts,
        semantic: if other.anthropic_semantics() {
            TokenSemantic::Additive
        } else {
            TokenSemantic::Inclusive
        },
        ratios,
        request_id: get(Column::RequestId)
            .map(str::trim)
            .filter(|id| !id.is_empty()),
    };
    check_consistency(&parts.counts, parts.semantic)?;
    Ok(parts)
}

/// A plain count (JSON numbers, `other`): [`count_as`] in [`NumberFormat::Plain`].
pub fn count(text: &str) -> Result<u64, String> {
    count_as(text, NumberFormat::Plain)
}

/// [`parse_count_as`], with a shortcut for plain digits (nearly every cell): up to 19
/// digits always fit a u64 and mean the same in every number format.
pub fn count_as(text: &str, format: NumberFormat) -> Result<u64, String> {
    if !text.is_empty() && text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(value) = text.parse() {
            return Ok(value);
        }
    }
    parse_count_as(text, format)
}

/// [`parse_integer_as`], with the same shortcut for an optional minus and up to 18 digits.
pub fn integer_as(text: &str, format: NumberFormat) -> Result<i64, String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(value) = text.parse() {
            return Ok(value);
        }
    }
    parse_integer_as(text, format)
}

/// Flags rows that contradict themselves instead of absorbing the difference.
fn check_consistency(counts: &Counts, semantic: TokenSemantic) -> Result<(), CellError> {
    if counts.uncached_input(semantic).is_none() {
        let cache = counts
            .cache_read
            .saturating_add(counts.cache_write)
            .saturating_add(counts.cache_write_1h);
        return Err((Column::PromptTokens, format!(
            "expected prompt_tokens to include the {cache} cache tokens (OpenAI-style usage), but found only {}; \
             if this row follows Anthropic semantics its other.usage_semantic should say \"anthropic\"",
            counts.prompt
        )));
    }
    if counts.reasoning > counts.completion {
        return Err((
            Column::CompletionTokens,
            format!(
                "expected completion_tokens to include the {} reasoning tokens, but found only {}",
                counts.reasoning, counts.completion
            ),
        ));
    }
    Ok(())
}

fn parse_kind(text: &str) -> Result<RowKind, String> {
    // Digits first: nearly every row, and no lowercased copy needed for them.
    let kind = match text.trim() {
        "2" => return Ok(RowKind::Consume),
        "5" => return Ok(RowKind::Error),
        "6" => return Ok(RowKind::Refund),
        "0" | "1" | "3" | "4" => return Ok(RowKind::NotUsage),
        trimmed => trimmed.to_lowercase(),
    };
    super::labels::kind(&kind).ok_or_else(|| {
        format!(
            "expected a log type (2 consume, 5 error, 6 refund, or 1/3/4), but found {}",
            quote(text)
        )
    })
}

/// Strips the `'` that fork exports put before cells to defuse spreadsheet formulas.
pub fn csv_cell(text: &str) -> Option<&str> {
    let text = text.trim();
    let text = text.strip_prefix('\'').unwrap_or(text);
    (!text.is_empty()).then_some(text)
}
