//! CometAPI / new-api usage-log rows: column names, and turning one row of text into a
//! typed [`GatewayRow`]. The same code serves JSON pages, bare arrays, JSON lines and CSV.
//!
//! Facts this relies on (reference/formats.md §1.3–1.4): `created_at` is Unix seconds;
//! `type` 2 = consume, 5 = error, 6 = refund (1 top-up, 3 manage, 4 system); `quota` is an
//! integer of 1/500,000 USD; `other` is a JSON string holding the ratios that priced the
//! row; `usage_semantic = "anthropic"` means prompt_tokens excludes cache reads and writes.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::decimal::{parse_count, parse_exact, parse_integer, quote};

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

/// One gateway log row, typed. Quantities are exact integers; prices exact decimals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayRow {
    pub at: Timestamp,
    pub kind: RowKind,
    pub model: String,
    pub quota: i64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub semantic: TokenSemantic,
    /// USD per call for per-call models (`other.model_price` ≥ 0); None for token models.
    pub model_price: Option<Decimal>,
    pub has_ratios: bool,
}

impl GatewayRow {
    /// Input tokens billed at the full input price.
    pub fn uncached_input(&self) -> Option<u64> {
        match self.semantic {
            TokenSemantic::Additive => Some(self.prompt_tokens),
            TokenSemantic::Inclusive => self
                .prompt_tokens
                .checked_sub(self.cache_read_tokens)?
                .checked_sub(self.cache_write_tokens),
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
        Some(text) => parse_other(&text).map_err(|m| (Column::Other, m))?,
        None => Map::new(),
    };
    let other_count = |key: &str| -> Result<u64, CellError> {
        match other_text(&other, key) {
            Some(text) => parse_count(&text).map_err(|m| (Column::Other, format!("{key}: {m}"))),
            None => Ok(0),
        }
    };
    let cache_write_tokens = [
        "cache_creation_tokens",
        "cache_creation_tokens_5m",
        "cache_creation_tokens_1h",
    ]
    .iter()
    .try_fold(0u64, |sum, key| Ok(sum.saturating_add(other_count(key)?)))?;
    let model_price = match other_text(&other, "model_price") {
        Some(text) => {
            let price =
                parse_exact(&text).map_err(|m| (Column::Other, format!("model_price: {m}")))?;
            (!price.is_sign_negative()).then_some(price)
        }
        None => None,
    };
    let semantic = match other_text(&other, "usage_semantic").as_deref() {
        Some("anthropic") => TokenSemantic::Additive,
        _ => TokenSemantic::Inclusive,
    };
    let model = need(Column::ModelName).or_else(|e| {
        if kind == RowKind::Consume {
            Err(e)
        } else {
            Ok(String::new())
        }
    })?;
    Ok(GatewayRow {
        at,
        kind,
        model: model.trim().to_string(),
        quota,
        prompt_tokens: count(Column::PromptTokens)?,
        completion_tokens: count(Column::CompletionTokens)?,
        cache_read_tokens: other_count("cache_tokens")?,
        cache_write_tokens,
        semantic,
        model_price,
        has_ratios: other.contains_key("model_ratio"),
    })
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

/// `other` is a JSON object written as a string; numbers keep their exact text.
fn parse_other(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) | Err(_) => Err(format!(
            "expected the JSON object of billing ratios, but found {}",
            quote(text)
        )),
    }
}

fn other_text(other: &Map<String, Value>, key: &str) -> Option<String> {
    match other.get(key)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
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
