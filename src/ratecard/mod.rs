//! The rate card: verified pricing units with provenance, as the reviewer entered them.
//!
//! Entries are keyed by the model or service label exactly as written on the pricing
//! page, with aliases mapping log names to it (never guessed). Each entry prices any of
//! the billable dimensions per its own unit size, may reprice a whole request above a
//! long-context threshold, and may be limited to an effective period. Named factors
//! (a CometAPI 0.8 discount, a group ratio, batch 0.5, …) multiply what they cover.
//! The document keeps the typed text; [`validate`] turns it into exact values.

mod convert;
mod dimension;
mod paste;
pub(crate) mod validate;

use jiff::Timestamp;

use crate::decimal::quote;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use convert::{describe_ratios, ratios_from_usd, usd_from_ratios, NewApiRatios, UsdPrices};
pub use dimension::Dimension;
pub use paste::rates_from_table;
pub use validate::validate;

/// How far a figure can be trusted: read off the provider's page, worked out from
/// other evidence, or neither. Ordered from the strongest: a line takes the weakest of
/// its rate and factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Verified,
    Inferred,
    Unknown,
}

pub fn parse_confidence(text: &str) -> Result<Confidence, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "verified" => Ok(Confidence::Verified),
        "inferred" => Ok(Confidence::Inferred),
        "unknown" | "" => Ok(Confidence::Unknown),
        _ => Err(format!(
            "expected verified, inferred or unknown, but found {}",
            quote(text)
        )),
    }
}

/// One entry of the rate card, as typed. Empty text means "not priced on this page".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateText {
    pub model: String,
    /// Log names that mean this entry, comma-separated (`gpt-4o-2024-08-06, gpt-4o-2024-11-20`).
    pub aliases: String,
    /// ISO 4217 code of the prices; empty means USD.
    pub currency: String,
    /// Token unit the token prices are quoted per: `1M` (default), `1K` or `1`.
    pub token_unit: String,
    pub input: String,
    pub cached_input: String,
    /// Cache write at the default (5-minute) lifetime.
    pub cache_write: String,
    pub cache_write_1h: String,
    pub output: String,
    /// Only when the page prices reasoning apart from output.
    pub reasoning: String,
    /// Audio tokens, per the token unit like the text prices above.
    pub audio_input: String,
    /// Cached audio input, for exports that state it apart.
    pub audio_cached_input: String,
    pub audio_output: String,
    pub per_call: String,
    pub per_image: String,
    pub per_second: String,
    /// e.g. web search, per 1,000 calls.
    pub per_1k_tool_calls: String,
    /// Above this many input tokens in one request, the whole request is repriced.
    pub long_context_above: String,
    pub long_context_input: String,
    pub long_context_cached_input: String,
    pub long_context_output: String,
    /// new-api ratio form, instead of the USD prices above (converted at 500,000 quota/USD).
    pub model_ratio: String,
    pub completion_ratio: String,
    pub cache_ratio: String,
    pub cache_creation_ratio: String,
    pub model_price: String,
    pub effective_from: String,
    pub effective_to: String,
    pub source_url: String,
    pub captured_at: String,
    /// A role, not a name (`finance reviewer`).
    pub captured_by: String,
    /// verified / inferred / unknown
    pub label: String,
    pub note: String,
}

impl RateText {
    /// Every text field with its JSON key: one listing for the editor, the paste
    /// reader and anything else that addresses a field by name.
    pub fn fields_mut(&mut self) -> [(&'static str, &mut String); 33] {
        [
            ("model", &mut self.model),
            ("aliases", &mut self.aliases),
            ("currency", &mut self.currency),
            ("token_unit", &mut self.token_unit),
            ("input", &mut self.input),
            ("cached_input", &mut self.cached_input),
            ("cache_write", &mut self.cache_write),
            ("cache_write_1h", &mut self.cache_write_1h),
            ("output", &mut self.output),
            ("reasoning", &mut self.reasoning),
            ("audio_input", &mut self.audio_input),
            ("audio_cached_input", &mut self.audio_cached_input),
            ("audio_output", &mut self.audio_output),
            ("per_call", &mut self.per_call),
            ("per_image", &mut self.per_image),
            ("per_second", &mut self.per_second),
            ("per_1k_tool_calls", &mut self.per_1k_tool_calls),
            ("long_context_above", &mut self.long_context_above),
            ("long_context_input", &mut self.long_context_input),
            (
                "long_context_cached_input",
                &mut self.long_context_cached_input,
            ),
            ("long_context_output", &mut self.long_context_output),
            ("model_ratio", &mut self.model_ratio),
            ("completion_ratio", &mut self.completion_ratio),
            ("cache_ratio", &mut self.cache_ratio),
            ("cache_creation_ratio", &mut self.cache_creation_ratio),
            ("model_price", &mut self.model_price),
            ("effective_from", &mut self.effective_from),
            ("effective_to", &mut self.effective_to),
            ("source_url", &mut self.source_url),
            ("captured_at", &mut self.captured_at),
            ("captured_by", &mut self.captured_by),
            ("label", &mut self.label),
            ("note", &mut self.note),
        ]
    }

    /// Whether any price (or new-api ratio) has been typed, valid or not.
    pub fn has_price(&self) -> bool {
        [
            &self.input,
            &self.cached_input,
            &self.cache_write,
            &self.cache_write_1h,
            &self.output,
            &self.reasoning,
            &self.audio_input,
            &self.audio_cached_input,
            &self.audio_output,
            &self.per_call,
            &self.per_image,
            &self.per_second,
            &self.per_1k_tool_calls,
            &self.model_ratio,
            &self.model_price,
        ]
        .iter()
        .any(|t| !t.trim().is_empty())
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        self.fields_mut()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    pub fn field(&self, key: &str) -> String {
        self.clone()
            .field_mut(key)
            .map(|v| v.clone())
            .unwrap_or_default()
    }
}

/// A named multiplier, visible in every line it touches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactorText {
    pub name: String,
    pub value: String,
    /// Models (labels or aliases) it applies to, comma-separated; empty means all.
    pub models: String,
    /// `all` (default), `tokens` or `calls`.
    pub applies_to: String,
    pub source_url: String,
    pub captured_at: String,
    pub captured_by: String,
    pub label: String,
    pub note: String,
}

/// The rate card on its own: what "Export rate card" writes and "Import" reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateCardText {
    pub schema_version: u32,
    pub rates: Vec<RateText>,
    pub factors: Vec<FactorText>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub source_url: String,
    pub captured_at: Option<Timestamp>,
    pub captured_by: String,
    pub label: Confidence,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongContext {
    pub above: u64,
    pub input: Option<Decimal>,
    pub cached_input: Option<Decimal>,
    pub output: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub model: String,
    pub aliases: Vec<String>,
    pub currency: String,
    pub token_unit: Decimal,
    /// Price per unit, indexed by [`Dimension::index`].
    pub prices: [Option<Decimal>; Dimension::COUNT],
    pub long_context: Option<LongContext>,
    pub effective_from: Option<Timestamp>,
    pub effective_to: Option<Timestamp>,
    pub provenance: Provenance,
    /// True when the prices came from the new-api ratio form.
    pub from_ratios: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppliesTo {
    All,
    Tokens,
    Calls,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factor {
    pub name: String,
    pub value: Decimal,
    pub models: Vec<String>,
    pub applies_to: AppliesTo,
    pub provenance: Provenance,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateCard {
    pub entries: Vec<Entry>,
    pub factors: Vec<Factor>,
}

impl Entry {
    pub fn price(&self, dimension: Dimension) -> Option<Decimal> {
        self.prices[dimension.index()]
    }

    pub fn is_empty(&self) -> bool {
        self.prices.iter().all(Option::is_none)
    }

    pub fn prices_tokens(&self) -> bool {
        Dimension::ALL
            .iter()
            .any(|d| d.is_token() && self.price(*d).is_some())
    }

    /// Units one price is quoted per: tokens per the token unit, 1,000 tool calls, else 1.
    pub fn unit_size(&self, dimension: Dimension) -> Decimal {
        if dimension.is_token() {
            self.token_unit
        } else if dimension == Dimension::ToolCalls {
            Decimal::ONE_THOUSAND
        } else {
            Decimal::ONE
        }
    }

    fn names(&self, model: &str) -> bool {
        self.model == model || self.aliases.iter().any(|a| a == model)
    }

    /// In effect at `at`; for a request that states no time (None), only an entry
    /// without effective dates is: a dated entry may not apply, and which one would is
    /// never guessed.
    fn in_effect(&self, at: Option<Timestamp>) -> bool {
        match at {
            Some(at) => {
                self.effective_from.is_none_or(|from| from <= at)
                    && self.effective_to.is_none_or(|to| at < to)
            }
            None => self.effective_from.is_none() && self.effective_to.is_none(),
        }
    }
}

impl Factor {
    pub fn covers(&self, entry: &Entry, dimension: Dimension) -> bool {
        let model = self.models.is_empty()
            || self
                .models
                .iter()
                .any(|m| entry.names(m) || *m == entry.model);
        let kind = match self.applies_to {
            AppliesTo::All => true,
            AppliesTo::Tokens => dimension.is_token(),
            AppliesTo::Calls => !dimension.is_token(),
        };
        model && kind
    }
}

impl RateCard {
    /// The entry that prices `model` at `at`: its label or an alias, within its period
    /// (at no time: an entry without a period). Entries with no price at all do not
    /// count (a row the user has not filled in yet).
    pub fn lookup(&self, model: &str, at: Option<Timestamp>) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.names(model) && e.in_effect(at) && !e.is_empty())
    }

    /// Any entry naming `model`, whatever its period (to tell "unpriced" from "out of period").
    pub fn names(&self, model: &str) -> bool {
        self.entries.iter().any(|e| e.names(model) && !e.is_empty())
    }
}

impl RateCardText {
    pub fn from_json(text: &str) -> Result<RateCardText, crate::error::Error> {
        crate::error::from_json_with_path(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the rate card is plain strings") + "\n"
    }
}
