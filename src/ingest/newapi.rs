//! CometAPI / new-api usage-log rows: column names, and turning one row of text into a
//! typed [`GatewayRow`]. The same code serves JSON pages, bare arrays, JSON lines and CSV.
//!
//! Facts this relies on (reference/formats.md §1.3–1.4): `created_at` is Unix seconds;
//! `type` 2 = consume, 5 = error, 6 = refund (1 top-up, 3 manage, 4 system); `quota` is an
//! integer of 1/500,000 USD; `other` is a JSON string holding the ratios that priced the
//! row; `usage_semantic = "anthropic"` means prompt_tokens excludes cache reads and writes.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::decimal::{parse_count, parse_integer, quote};

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

    /// Header spellings seen in new-api dumps and fork exports (incl. the Chinese UI).
    pub fn from_header(header: &str) -> Option<Column> {
        let h = header.trim().trim_matches('"').to_lowercase();
        let column = match h.as_str() {
            "created_at" | "time" | "时间" => Column::CreatedAt,
            "type" | "类型" => Column::Type,
            "model_name" | "model" | "模型" => Column::ModelName,
            "quota" | "额度" => Column::Quota,
            "prompt_tokens" | "prompt" | "提示" => Column::PromptTokens,
            "completion_tokens" | "completion" | "补全" => Column::CompletionTokens,
            "other" => Column::Other,
            "request_id" | "x-request-id" => Column::RequestId,
            _ => return None,
        };
        Some(column)
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
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
        match self.semantic {
            TokenSemantic::Additive => Some(self.prompt_tokens),
            TokenSemantic::Inclusive => self
                .prompt_tokens
                .checked_sub(self.cache_read_tokens)?
                .checked_sub(self.cache_write_tokens)?
                .checked_sub(self.cache_write_1h_tokens),
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

/// Reads one row. `get` returns the text of a column, or None when absent or empty.
pub fn parse_row(get: &dyn Fn(Column) -> Option<String>) -> Result<GatewayRow, CellError> {
    let need = |column: Column| {
        get(column).ok_or((
            column,
            format!("expected a value in {}, but found it empty", column.name()),
        ))
    };
    let kind = match get(Column::Type) {
        Some(text) => parse_kind(&text).map_err(|m| (Column::Type, m))?,
        None => RowKind::Consume,
    };
    let at = parse_created_at(&need(Column::CreatedAt)?).map_err(|m| (Column::CreatedAt, m))?;
    let count = |column: Column| match get(column) {
        Some(text) => parse_count(&text).map_err(|m| (column, m)),
        None => Ok(0),
    };
    let quota = match get(Column::Quota) {
        Some(text) => parse_integer(&text).map_err(|m| (Column::Quota, m))?,
        None => 0,
    };
    let other = match get(Column::Other) {
        Some(text) => super::other::Other::parse(&text).map_err(|m| (Column::Other, m))?,
        None => super::other::Other::default(),
    };
    let model = need(Column::ModelName).or_else(|e| {
        if kind == RowKind::Consume {
            Err(e)
        } else {
            Ok(String::new())
        }
    })?;
    let usage = other.usage().map_err(|m| (Column::Other, m))?;
    let ratios = other.ratios().map_err(|m| (Column::Other, m))?;
    let row = GatewayRow {
        at,
        kind,
        outcome: if kind == RowKind::Error {
            Outcome::FailedUnspecified
        } else {
            Outcome::Success
        },
        model: model.trim().to_string(),
        quota,
        prompt_tokens: count(Column::PromptTokens)?,
        completion_tokens: count(Column::CompletionTokens)?,
        cache_read_tokens: usage.cache_read,
        cache_write_tokens: usage.cache_write_5m,
        cache_write_1h_tokens: usage.cache_write_1h,
        reasoning_tokens: usage.reasoning,
        tool_calls: usage.tool_calls,
        semantic: if other.anthropic_semantics() {
            TokenSemantic::Additive
        } else {
            TokenSemantic::Inclusive
        },
        model_price: ratios
            .as_ref()
            .and_then(|r| r.model_price)
            .filter(|p| !p.is_sign_negative()),
        ratios,
    };
    check_consistency(&row)?;
    Ok(row)
}

/// Flags rows that contradict themselves instead of absorbing the difference.
fn check_consistency(row: &GatewayRow) -> Result<(), CellError> {
    if row.uncached_input().is_none() {
        let cache = row
            .cache_read_tokens
            .saturating_add(row.cache_write_tokens)
            .saturating_add(row.cache_write_1h_tokens);
        return Err((Column::PromptTokens, format!(
            "expected prompt_tokens to include the {cache} cache tokens (OpenAI-style usage), but found only {}; \
             if this row follows Anthropic semantics its other.usage_semantic should say \"anthropic\"",
            row.prompt_tokens
        )));
    }
    if row.reasoning_tokens > row.completion_tokens {
        return Err((
            Column::CompletionTokens,
            format!(
                "expected completion_tokens to include the {} reasoning tokens, but found only {}",
                row.reasoning_tokens, row.completion_tokens
            ),
        ));
    }
    Ok(())
}

fn parse_kind(text: &str) -> Result<RowKind, String> {
    let kind = match text.trim().to_lowercase().as_str() {
        "2" | "consume" | "消费" => RowKind::Consume,
        "6" | "refund" | "退款" => RowKind::Refund,
        "5" | "error" | "错误" => RowKind::Error,
        "0" | "1" | "3" | "4" | "topup" | "top-up" | "充值" | "manage" | "管理" | "system"
        | "系统" => RowKind::NotUsage,
        _ => {
            return Err(format!(
                "expected a log type (2 consume, 5 error, 6 refund, or 1/3/4), but found {}",
                quote(text)
            ))
        }
    };
    Ok(kind)
}

/// Unix seconds (new-api), Unix milliseconds (13 digits, some clones), or RFC 3339 with a zone.
pub fn parse_created_at(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let value: i64 = text
            .parse()
            .map_err(|_| format!("expected a Unix time in seconds, but found {}", quote(text)))?;
        let at = if text.len() >= 13 {
            Timestamp::from_millisecond(value)
        } else {
            Timestamp::from_second(value)
        };
        return at
            .map_err(|_| format!("expected a Unix time in seconds, but found {}", quote(text)));
    }
    text.parse::<Timestamp>().map_err(|_| {
        format!(
            "expected a time as Unix seconds or with a zone (2026-05-11T08:00:00Z), but found {}",
            quote(text)
        )
    })
}

/// A JSON cell as text: numbers keep their exact digits (arbitrary_precision), nested
/// objects become JSON text (some dumps store `other` as an object, not a string).
pub fn json_cell(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(_) | Value::Array(_) => Some(value.to_string()),
    }
}

/// Strips the `'` that fork exports put before cells to defuse spreadsheet formulas.
pub fn csv_cell(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_prefix('\'').unwrap_or(text);
    (!text.is_empty()).then(|| text.to_string())
}
