//! The billable dimensions a rate card prices, disjoint by construction: a token is
//! counted in exactly one (which quantity of a row falls in which: `price`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    UncachedInput,
    CachedInput,
    /// Cache write at the default (5-minute) lifetime.
    CacheWrite,
    CacheWrite1h,
    /// Output tokens (less reasoning tokens when reasoning is priced apart).
    Output,
    Reasoning,
    /// Audio input tokens not read from a cache (all audio input when an export does not
    /// state cached audio apart).
    AudioInput,
    /// Cached audio input, only where an export states it apart.
    AudioCachedInput,
    AudioOutput,
    Calls,
    Images,
    Seconds,
    ToolCalls,
}

impl Dimension {
    pub const COUNT: usize = 13;
    pub const ALL: [Dimension; Dimension::COUNT] = [
        Dimension::UncachedInput,
        Dimension::CachedInput,
        Dimension::CacheWrite,
        Dimension::CacheWrite1h,
        Dimension::Output,
        Dimension::Reasoning,
        Dimension::AudioInput,
        Dimension::AudioCachedInput,
        Dimension::AudioOutput,
        Dimension::Calls,
        Dimension::Images,
        Dimension::Seconds,
        Dimension::ToolCalls,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_token(self) -> bool {
        self.index() <= Dimension::AudioOutput.index()
    }

    pub fn label(self) -> &'static str {
        match self {
            Dimension::UncachedInput => "input (uncached)",
            Dimension::CachedInput => "cached input",
            Dimension::CacheWrite => "cache write (5m)",
            Dimension::CacheWrite1h => "cache write (1h)",
            Dimension::Output => "output",
            Dimension::Reasoning => "reasoning",
            Dimension::AudioInput => "audio input",
            Dimension::AudioCachedInput => "cached audio input",
            Dimension::AudioOutput => "audio output",
            Dimension::Calls => "calls",
            Dimension::Images => "images",
            Dimension::Seconds => "seconds",
            Dimension::ToolCalls => "tool calls",
        }
    }

    /// The unit a price is quoted per when no entry says: 1M tokens, 1,000 tool calls,
    /// one call, image or second.
    pub fn default_unit_size(self) -> rust_decimal::Decimal {
        match self {
            d if d.is_token() => rust_decimal::Decimal::from(1_000_000u32),
            Dimension::ToolCalls => rust_decimal::Decimal::ONE_THOUSAND,
            _ => rust_decimal::Decimal::ONE,
        }
    }

    /// The unit the price is quoted per, in words.
    pub fn unit(self, token_unit: rust_decimal::Decimal) -> String {
        match self {
            d if d.is_token() => match token_unit.to_string().as_str() {
                "1000000" => "per 1M tokens".into(),
                "1000" => "per 1K tokens".into(),
                "1" => "per token".into(),
                other => format!("per {other} tokens"),
            },
            Dimension::Calls => "per call".into(),
            Dimension::Images => "per image".into(),
            Dimension::Seconds => "per second".into(),
            _ => "per 1K calls".into(),
        }
    }
}
