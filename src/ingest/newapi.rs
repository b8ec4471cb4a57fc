//! CometAPI / new-api usage-log rows: column names, and turning one row of text into a
//! typed [`GatewayRow`]. The same code serves JSON pages, bare arrays, JSON lines and CSV.
//!
//! Facts this relies on (reference/formats.md §1.3–1.4): `created_at` is Unix seconds
//! (other ways of writing times: [`super::times`]);
//! `type` 2 = consume, 5 = error, 6 = refund (1 top-up, 3 manage, 4 system); `quota` is an
//! integer of 1/500,000 USD; `other` is a JSON string holding the ratios that priced the
//! row; `usage_semantic = "anthropic"` means prompt_tokens excludes cache reads and writes.

use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::decimal::{parse_count_as, parse_integer_as, NumberFormat};
use crate::policy::Outcome;

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
    /// The row's id: unique in a table dump, `id % 1024` in the log API's pages. Never a
    /// dedupe key on its own; part of a row's identity across files ([`super::overlap`]).
    Id,
}

pub const COLUMNS: [Column; 9] = [
    Column::CreatedAt,
    Column::Type,
    Column::ModelName,
    Column::Quota,
    Column::PromptTokens,
    Column::CompletionTokens,
    Column::Other,
    Column::RequestId,
    Column::Id,
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
            Column::Id => "id",
        }
    }

    /// Whether a header or key naming this column marks a file as a gateway log. A bare
    /// `id` does not: nearly every export has one.
    pub fn names_a_log(self) -> bool {
        self != Column::Id
    }

    /// Header spellings seen in new-api dumps and fork exports (see [`super::labels`]).
    pub fn from_header(header: &str) -> Option<Column> {
        super::labels::column(header)
    }

    fn required(self) -> bool {
        !matches!(
            self,
            Column::Other | Column::RequestId | Column::Type | Column::Id
        )
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
    /// Set on rows new-api billed with its audio formula (chat audio, realtime).
    pub audio_ratio: Option<Decimal>,
    pub audio_completion_ratio: Option<Decimal>,
    /// USD per 1M audio input tokens, on text rows whose audio input new-api priced apart
    /// (`audio_input_seperate_price`, its spelling).
    pub audio_input_price: Option<Decimal>,
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
    /// Audio input not read from a cache, a part of the prompt tokens; else 0.
    pub audio_input_tokens: u64,
    /// Cached audio input, where the source states it apart (inside the prompt tokens
    /// under OpenAI style, on top of them under Anthropic style); else 0.
    pub audio_cached_input_tokens: u64,
    /// Audio output, a part of the completion tokens; else 0.
    pub audio_output_tokens: u64,
    /// The text part new-api logged for a row it billed with its audio formula
    /// (`other.text_input`, `other.text_output`): read only by the quota check.
    pub text_input_tokens: u64,
    pub text_output_tokens: u64,
    /// How many requests the row stands for: 1 for a request, the stated count for a
    /// usage-report bucket (which may be 0); None when a bucket does not say.
    pub requests: Option<u64>,
    pub semantic: TokenSemantic,
    /// USD per call for per-call models (`other.model_price` ≥ 0); None for token models.
    pub model_price: Option<Decimal>,
    /// None when the row carries no `other` ratios (a CSV without the column, one-api).
    pub ratios: Option<LoggedRatios>,
}

/// The time a row that states none is kept under (a client request counted under
/// `untimed_requests: count`): the earliest time there is, which no log writes (a row
/// that does is refused). Only [`GatewayRow::time`] and the readers look at it: whatever
/// depends on a row's time asks for it and treats "none" on purpose.
pub const UNTIMED: Timestamp = Timestamp::MIN;

impl GatewayRow {
    /// When the request was made; None for one that states no time.
    pub fn time(&self) -> Option<Timestamp> {
        (self.at != UNTIMED).then_some(self.at)
    }

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
            audio_input: self.audio_input_tokens,
            audio_cached_input: self.audio_cached_input_tokens,
            audio_output: self.audio_output_tokens,
            text_input: self.text_input_tokens,
            text_output: self.text_output_tokens,
        }
    }

    /// Output tokens billed at the text output price (reasoning included); None when the
    /// row has more audio output than completion tokens.
    pub fn text_output(&self) -> Option<u64> {
        self.completion_tokens.checked_sub(self.audio_output_tokens)
    }

    /// All input tokens of the request (what long-context thresholds look at).
    pub fn input_total(&self) -> u64 {
        let cache = self
            .cache_read_tokens
            .saturating_add(self.cache_write_tokens)
            .saturating_add(self.cache_write_1h_tokens)
            .saturating_add(self.audio_cached_input_tokens);
        match self.semantic {
            TokenSemantic::Inclusive => self.prompt_tokens,
            TokenSemantic::Additive => self.prompt_tokens.saturating_add(cache),
        }
    }
}

/// A problem with one cell: which column and what is wrong with it.
pub type CellError = (Column, String);

mod cells;

pub use cells::{parse_parts, parse_row, Cells, OtherCell};

/// The token counts of a row (see [`GatewayRow`] for what each one holds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub prompt: u64,
    pub completion: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    pub cache_write_1h: u64,
    pub reasoning: u64,
    pub tool_calls: u64,
    pub audio_input: u64,
    pub audio_cached_input: u64,
    pub audio_output: u64,
    pub text_input: u64,
    pub text_output: u64,
}

impl Counts {
    /// How many counts a row has.
    pub const LEN: usize = 12;

    /// Every count, in the order the compact rows store them (one mask bit each).
    pub fn as_array(&self) -> [u64; Counts::LEN] {
        [
            self.prompt,
            self.completion,
            self.cache_read,
            self.cache_write,
            self.cache_write_1h,
            self.reasoning,
            self.tool_calls,
            self.audio_input,
            self.audio_cached_input,
            self.audio_output,
            self.text_input,
            self.text_output,
        ]
    }

    /// [`Counts::as_array`] read back.
    pub fn from_array(c: [u64; Counts::LEN]) -> Counts {
        Counts {
            prompt: c[0],
            completion: c[1],
            cache_read: c[2],
            cache_write: c[3],
            cache_write_1h: c[4],
            reasoning: c[5],
            tool_calls: c[6],
            audio_input: c[7],
            audio_cached_input: c[8],
            audio_output: c[9],
            text_input: c[10],
            text_output: c[11],
        }
    }

    /// Input tokens billed at the full (text) input price: the prompt less its cache
    /// tokens (OpenAI style) and its audio. None when the row contradicts itself.
    pub fn uncached_input(&self, semantic: TokenSemantic) -> Option<u64> {
        match semantic {
            TokenSemantic::Additive => self.prompt.checked_sub(self.audio_input),
            TokenSemantic::Inclusive => self
                .prompt
                .checked_sub(self.cache_read)?
                .checked_sub(self.cache_write)?
                .checked_sub(self.cache_write_1h)?
                .checked_sub(self.audio_input)?
                .checked_sub(self.audio_cached_input),
        }
    }

    /// Every token the prompt count leaves out of the text input (cache and audio), for
    /// messages.
    pub fn inside_prompt(&self, semantic: TokenSemantic) -> u64 {
        let audio = self.audio_input;
        match semantic {
            TokenSemantic::Additive => audio,
            TokenSemantic::Inclusive => [
                self.cache_read,
                self.cache_write,
                self.cache_write_1h,
                self.audio_cached_input,
            ]
            .into_iter()
            .fold(audio, u64::saturating_add),
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
    /// See [`GatewayRow::requests`].
    pub requests: Option<u64>,
    pub semantic: TokenSemantic,
    pub ratios: Option<u32>,
    /// The gateway's request id, when the log carries one (for joining other streams).
    pub request_id: Option<&'a str>,
    /// The row's `id` cell, as written (see [`Column::Id`]).
    pub id: Option<&'a str>,
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

/// Strips the `'` that fork exports put before cells to defuse spreadsheet formulas.
pub fn csv_cell(text: &str) -> Option<&str> {
    let text = text.trim();
    let text = text.strip_prefix('\'').unwrap_or(text);
    (!text.is_empty()).then_some(text)
}
