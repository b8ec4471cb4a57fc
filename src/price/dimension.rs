//! A row's quantities in the billable dimensions, disjoint by construction: a token is
//! counted in exactly one.

use crate::ingest::GatewayRow;
use crate::ratecard::{Dimension, Entry};

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
