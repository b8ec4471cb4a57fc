//! A row's quantities in the billable dimensions, disjoint by construction: a token is
//! counted in exactly one.

use rust_decimal::Decimal;

use crate::ingest::GatewayRow;
use crate::ratecard::{Dimension, Entry};

/// A count a row states as a decimal (`5`, `5.0`) as a whole number; None for a fraction
/// or a negative one, which no quantity can be.
fn whole(value: Decimal) -> Option<u64> {
    let value = value.normalize();
    let whole = value.scale() == 0 && !value.is_sign_negative();
    whole
        .then(|| u64::try_from(value.mantissa()).ok())
        .flatten()
}

/// The disjoint quantities of one row, given the entry that prices it, and whether they
/// are all known: a per-call price on a usage bucket that does not state its request
/// count has no quantity to multiply.
pub(super) fn quantities(row: &GatewayRow, entry: Option<&Entry>) -> (Quantities, bool) {
    let per_call = row.model_price.is_some()
        || entry.is_some_and(|e| e.price(Dimension::Calls).is_some() && !e.prices_tokens());
    let mut q = Quantities::default();
    let mut known = true;
    if per_call {
        // An image count or a duration the row states is priced where the card prices
        // images or seconds; the call itself where the card prices calls, or nothing else.
        let stated = |dimension: Dimension, value: Option<Decimal>| {
            let priced = entry.is_some_and(|e| e.price(dimension).is_some());
            priced.then(|| whole(value?)).flatten()
        };
        let logged = row.ratios.as_ref();
        let images = stated(Dimension::Images, logged.and_then(|r| r.images));
        let seconds = stated(Dimension::Seconds, logged.and_then(|r| r.seconds));
        let calls_priced = entry.is_none_or(|e| e.price(Dimension::Calls).is_some());
        if calls_priced || (images.is_none() && seconds.is_none()) {
            match row.requests {
                Some(n) => q.push((Dimension::Calls, n)),
                None => known = false,
            }
        }
        q.push((Dimension::Images, images.unwrap_or(0)));
        q.push((Dimension::Seconds, seconds.unwrap_or(0)));
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
        [
            (Dimension::UncachedInput, row.uncached_input().unwrap_or(0)),
            (Dimension::CachedInput, row.cache_read_tokens),
            (Dimension::CacheWrite, row.cache_write_tokens),
            (Dimension::CacheWrite1h, row.cache_write_1h_tokens),
            (Dimension::Output, text_output),
            (Dimension::Reasoning, reasoning),
            (Dimension::AudioInput, row.audio_input_tokens),
            (Dimension::AudioCachedInput, row.audio_cached_input_tokens),
            (Dimension::AudioOutput, row.audio_output_tokens),
        ]
        .into_iter()
        .for_each(|p| q.push(p));
    }
    q.push((Dimension::ToolCalls, row.tool_calls));
    (q, known)
}

/// At most this many dimensions have a quantity in one row (nine token kinds and tool
/// calls, or calls, images, seconds and tool calls).
const MOST: usize = 10;

/// A row's non-zero quantities, in the order [`quantities`] lists them, held inline: every
/// row priced or filed needs them, and a heap allocation per row was a tenth of the
/// filing's time.
#[derive(Clone, Copy, Debug)]
pub(super) struct Quantities {
    len: usize,
    items: [(Dimension, u64); MOST],
}

impl Default for Quantities {
    fn default() -> Quantities {
        Quantities {
            len: 0,
            items: [(Dimension::ToolCalls, 0); MOST],
        }
    }
}

impl Quantities {
    /// Keeps a quantity that is not zero.
    fn push(&mut self, (dimension, n): (Dimension, u64)) {
        if n > 0 {
            self.items[self.len] = (dimension, n);
            self.len += 1;
        }
    }
}

impl std::ops::Deref for Quantities {
    type Target = [(Dimension, u64)];

    fn deref(&self) -> &[(Dimension, u64)] {
        &self.items[..self.len]
    }
}

impl IntoIterator for Quantities {
    type Item = (Dimension, u64);
    type IntoIter = std::iter::Take<std::array::IntoIter<(Dimension, u64), MOST>>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter().take(self.len)
    }
}
