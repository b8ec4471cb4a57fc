//! Reading the compact rows back: [`RowIter`] decodes them one at a time, checked
//! against the tables, so a damaged store ends the iteration instead of panicking.

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::layout::{
    count_bits, decimal, unzigzag, Reader, Store, ADDITIVE, EXPLICIT_PRICE, HAS_RATIOS, KINDS,
    MORE, REQUESTS, SUBSECOND,
};
use crate::ingest::formats::row::{Counts, GatewayRow, LoggedRatios, TokenSemantic};
use crate::policy::Outcome;

pub struct RowIter<'a> {
    pub(super) store: &'a Store,
    pub(super) at: usize,
    pub(super) left: usize,
    pub(super) last_second: i64,
    /// The ratio set of the row [`RowIter::next_into`] decoded last (its place in
    /// [`super::Rows::ratio_sets`]).
    pub(super) ratio_set: Option<usize>,
    /// The model of that row (its place in [`super::Rows::models`]).
    pub(super) model: Option<usize>,
}

/// How far a pass over a store has gone: rows, bytes, and the time the next row's is
/// a delta from. A pass over rows still being read stops at the last one stored and
/// resumes here once more are ([`super::RowsBuilder::iter_from`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowMark {
    pub(super) row: usize,
    pub(super) at: usize,
    pub(super) last_second: i64,
}

impl<'a> RowIter<'a> {
    /// The rows of `store` after `mark`; none when the mark is past them (it came from
    /// another store, or one since cut back: the reader then refuses its bytes).
    pub(super) fn from_mark(store: &'a Store, mark: RowMark) -> RowIter<'a> {
        RowIter {
            store,
            at: mark.at,
            left: store.len.saturating_sub(mark.row),
            last_second: mark.last_second,
            ratio_set: None,
            model: None,
        }
    }

    /// Where this pass stands: the rows it has given, and their end.
    pub fn mark(&self) -> RowMark {
        RowMark {
            row: self.store.len - self.left,
            at: self.at,
            last_second: self.last_second,
        }
    }

    /// Whether `mark` is the end of the store: every row before it, no byte after it.
    pub fn ends_at(&self, mark: RowMark) -> bool {
        mark.row == self.store.len && mark.at == self.store.data.len()
    }

    /// The model names of the store, which [`RowIter::model`] indexes.
    pub fn models(&self) -> &'a [String] {
        &self.store.models
    }

    /// The ratio sets of the store, which [`RowIter::ratio_set`] indexes.
    pub fn ratio_sets(&self) -> &'a [LoggedRatios] {
        &self.store.ratios
    }
}

impl RowIter<'_> {
    /// The next row's fields, checked against the tables, without building it.
    pub(super) fn fields(&mut self) -> Option<Fields> {
        let s = self.store;
        let mut r = Reader {
            bytes: &s.data,
            at: self.at,
        };
        let header = r.byte()?;
        let first = r.byte()?;
        // Only what the builder writes: a second byte that says something, top bit clear.
        let mask = match first & MORE {
            0 => [first, 0],
            _ => [first, r.byte().filter(|b| *b != 0 && *b & MORE == 0)?],
        };
        let second = self.last_second.wrapping_add(unzigzag(r.varint()?));
        let nanos = if mask[1] & SUBSECOND != 0 {
            i32::try_from(unzigzag(r.varint()?)).ok()?
        } else {
            0
        };
        let at = Timestamp::new(second, nanos).ok()?;
        let model = usize::try_from(r.varint()?)
            .ok()
            .filter(|m| *m < s.models.len())?;
        let ratios = match header & HAS_RATIOS {
            0 => None,
            _ => Some(
                usize::try_from(r.varint()?)
                    .ok()
                    .filter(|i| *i < s.ratios.len())?,
            ),
        };
        let quota = unzigzag(r.varint()?);
        let mut counts = [0u64; Counts::LEN];
        // The counts the row has, in order (most rows have two or three of twelve).
        let mut bits = count_bits(mask);
        while bits != 0 {
            counts[bits.trailing_zeros() as usize] = r.varint()?;
            bits &= bits - 1;
        }
        let requests = match mask[1] & REQUESTS {
            0 => Some(1),
            // A count of 1 has no bit, so 1 is free to stand for "unknown".
            _ => match r.varint()? {
                1 => None,
                n => Some(n),
            },
        };
        let price = match header & EXPLICIT_PRICE {
            0 => None,
            _ => Some(match r.byte()? {
                0 => None,
                1 => Some(decimal(r.take(16)?)?),
                _ => return None,
            }),
        };
        Outcome::ALL.get(usize::from(header >> 2 & 7))?;
        self.at = r.at;
        self.last_second = second;
        Some(Fields {
            header,
            at,
            model,
            ratios,
            quota,
            counts,
            requests,
            price,
        })
    }

    fn decode(&mut self) -> Option<GatewayRow> {
        let f = self.fields()?;
        Some(self.built(f))
    }

    /// The row `f` describes, in a row of its own.
    fn built(&self, f: Fields) -> GatewayRow {
        let ratios = f.ratios.map(|i| self.store.ratios[i].clone());
        let model_price = f.price.unwrap_or_else(|| implied_price(ratios.as_ref()));
        GatewayRow {
            at: f.at,
            kind: KINDS[usize::from(f.header & 3)],
            outcome: Outcome::ALL[usize::from(f.header >> 2 & 7)],
            model: self.store.models[f.model].clone(),
            quota: f.quota,
            prompt_tokens: f.counts[0],
            completion_tokens: f.counts[1],
            cache_read_tokens: f.counts[2],
            cache_write_tokens: f.counts[3],
            cache_write_1h_tokens: f.counts[4],
            reasoning_tokens: f.counts[5],
            tool_calls: f.counts[6],
            audio_input_tokens: f.counts[7],
            audio_cached_input_tokens: f.counts[8],
            audio_output_tokens: f.counts[9],
            text_input_tokens: f.counts[10],
            text_output_tokens: f.counts[11],
            requests: f.requests,
            semantic: semantic(f.header),
            model_price,
            ratios,
        }
    }

    /// The next row into `slot`, written over the row it held (its model name's
    /// allocation and its ratios' place reused: a pass over a million rows that looks at
    /// each once need not allocate, build and move a row for each); false, and `slot`
    /// empty, at the end or where the store is damaged, as [`Iterator::next`].
    pub fn next_into(&mut self, slot: &mut Option<GatewayRow>) -> bool {
        let fields = if self.left == 0 { None } else { self.fields() };
        self.ratio_set = fields.as_ref().and_then(|f| f.ratios);
        self.model = fields.as_ref().map(|f| f.model);
        match (fields, slot.as_mut()) {
            (Some(f), Some(row)) => self.fill(f, row),
            (Some(f), None) => *slot = Some(self.built(f)),
            (None, _) => *slot = None,
        }
        self.left = if slot.is_some() { self.left - 1 } else { 0 };
        slot.is_some()
    }

    /// Where the row [`RowIter::next_into`] decoded last finds its ratios among the
    /// store's sets; None for a row without ratios.
    pub fn ratio_set(&self) -> Option<usize> {
        self.ratio_set
    }

    /// Where the row [`RowIter::next_into`] decoded last finds its model among the
    /// store's names ([`super::Rows::models`]).
    pub fn model(&self) -> Option<usize> {
        self.model
    }

    /// Writes every field of the row `f` describes into `row`. The row is taken apart
    /// whole (no `..`), so a field added to `GatewayRow` cannot be left stale here.
    fn fill(&self, f: Fields, row: &mut GatewayRow) {
        let GatewayRow {
            at,
            kind,
            outcome,
            model,
            quota,
            prompt_tokens,
            completion_tokens,
            cache_read_tokens,
            cache_write_tokens,
            cache_write_1h_tokens,
            reasoning_tokens,
            tool_calls,
            audio_input_tokens,
            audio_cached_input_tokens,
            audio_output_tokens,
            text_input_tokens,
            text_output_tokens,
            requests,
            semantic: row_semantic,
            model_price,
            ratios,
        } = row;
        match (f.ratios, &mut *ratios) {
            (Some(i), Some(held)) => held.clone_from(&self.store.ratios[i]),
            (Some(i), none) => *none = Some(self.store.ratios[i].clone()),
            (None, held) => *held = None,
        }
        *model_price = f.price.unwrap_or_else(|| implied_price(ratios.as_ref()));
        model.clear();
        model.push_str(&self.store.models[f.model]);
        *at = f.at;
        *kind = KINDS[usize::from(f.header & 3)];
        *outcome = Outcome::ALL[usize::from(f.header >> 2 & 7)];
        *quota = f.quota;
        [
            *prompt_tokens,
            *completion_tokens,
            *cache_read_tokens,
            *cache_write_tokens,
            *cache_write_1h_tokens,
            *reasoning_tokens,
            *tool_calls,
            *audio_input_tokens,
            *audio_cached_input_tokens,
            *audio_output_tokens,
            *text_input_tokens,
            *text_output_tokens,
        ] = f.counts;
        *requests = f.requests;
        *row_semantic = semantic(f.header);
    }
}

/// The per-call price a row's ratios imply (a negative `model_price` is new-api's "none").
fn implied_price(ratios: Option<&LoggedRatios>) -> Option<Decimal> {
    ratios
        .and_then(|r| r.model_price)
        .filter(|p| !p.is_sign_negative())
}

fn semantic(header: u8) -> TokenSemantic {
    if header & ADDITIVE != 0 {
        TokenSemantic::Additive
    } else {
        TokenSemantic::Inclusive
    }
}

/// One encoded row, its tables' indexes already checked (so building it cannot fail).
pub(super) struct Fields {
    pub(super) header: u8,
    pub(super) at: Timestamp,
    pub(super) model: usize,
    pub(super) ratios: Option<usize>,
    pub(super) quota: i64,
    pub(super) counts: [u64; Counts::LEN],
    pub(super) requests: Option<u64>,
    /// Set only when the row's price is not the one its ratios imply.
    pub(super) price: Option<Option<Decimal>>,
}

impl Iterator for RowIter<'_> {
    type Item = GatewayRow;

    fn next(&mut self) -> Option<GatewayRow> {
        if self.left == 0 {
            return None;
        }
        let row = self.decode();
        // A damaged store ends the iteration rather than panicking (from_bytes refuses it).
        self.left = if row.is_some() { self.left - 1 } else { 0 };
        row
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}
