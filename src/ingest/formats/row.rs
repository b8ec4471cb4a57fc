//! One usage row, typed: what every format's reader makes of a record (a gateway log row,
//! a client request, a usage-report bucket) and what the row store keeps and the later
//! stages price. Quantities are exact integers, prices exact decimals.

use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::policy::Outcome;

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
/// Serialized only for the page's wire (a worker's groups, `price::groups`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// The product of every multiplier in `other.other_ratios` (new-api multiplies the
    /// row's quota by each: an image count `n`, a duration `seconds`, a size or
    /// resolution factor); None when the row logs none.
    pub factors: Option<Decimal>,
    /// `other_ratios.n`: how many images a per-call image row was charged for.
    pub images: Option<Decimal>,
    /// `other_ratios.seconds`: how many seconds a per-call video or audio task was
    /// charged for.
    pub seconds: Option<Decimal>,
}

impl LoggedRatios {
    /// Priced by the plain formulas alone: no audio formula, no audio input price of its
    /// own, no tool surcharge and no further multiplier. Only such rows have their rate
    /// differences named one by one.
    pub fn is_plain(&self) -> bool {
        self.is_plain_but_factors() && self.factors.is_none()
    }

    /// [`LoggedRatios::is_plain`], multipliers aside.
    pub fn is_plain_but_factors(&self) -> bool {
        self.audio_ratio.is_none()
            && self.audio_input_price.is_none()
            && self.tool_surcharge_usd.is_zero()
    }
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
    /// The token name and group a gateway row logs: hashed when the row is filed
    /// (`store::labels`), never kept as text.
    pub token_name: Option<&'a str>,
    pub group: Option<&'a str>,
    /// Whether the gateway logged the request as streamed (new-api's `is_stream`); None
    /// when the log does not say. Read only for the incident checklist: a successful
    /// stream row with no completion tokens was logged when it started.
    pub stream: Option<bool>,
}
