//! The billable dimensions, disjoint by construction: a token is counted in exactly one.

use serde::{Deserialize, Serialize};

use crate::ingest::newapi::GatewayRow;
use crate::ratecard::Entry;

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

/// The disjoint quantities of one row, given the entry that prices it, and whether they
/// are all known: a per-call price on a usage bucket that does not state its request
/// count has no quantity to multiply.
pub(super) fn quantities(row: &GatewayRow, entry: Option<&Entry>) -> (Vec<(Dimension, u64)>, bool) {
    let per_call = row.model_price.is_some()
        || entry.is_some_and(|e| e.price(Dimension::Calls).is_some() && !e.prices_tokens());
    let mut q = Vec::new();
    let mut known = true;
    if per_call {
        match row.requests {
            Some(n) => q.push((Dimension::Calls, n)),
            None => known = false,
        }
    } else {
        let reasoning_apart = entry.is_some_and(|e| e.price(Dimension::Reasoning).is_some());
        let reasoning = if reasoning_apart {
            row.reasoning_tokens
        } else {
            0
        };
        // Rows are checked when read (cache and audio inside the prompt, reasoning and
        // audio inside the completion), so nothing here goes below zero.
        let text_output = row.text_output().unwrap_or(0).saturating_sub(reasoning);
        q.extend([
            (Dimension::UncachedInput, row.uncached_input().unwrap_or(0)),
            (Dimension::CachedInput, row.cache_read_tokens),
            (Dimension::CacheWrite, row.cache_write_tokens),
            (Dimension::CacheWrite1h, row.cache_write_1h_tokens),
            (Dimension::Output, text_output),
            (Dimension::Reasoning, reasoning),
            (Dimension::AudioInput, row.audio_input_tokens),
            (Dimension::AudioCachedInput, row.audio_cached_input_tokens),
            (Dimension::AudioOutput, row.audio_output_tokens),
        ]);
    }
    q.push((Dimension::ToolCalls, row.tool_calls));
    q.retain(|(_, n)| *n > 0);
    (q, known)
}
