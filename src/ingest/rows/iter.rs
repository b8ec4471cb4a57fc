//! Reading the compact rows back: [`RowIter`] decodes them one at a time, checked
//! against the tables, so a damaged store ends the iteration instead of panicking.

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::{
    has_count, unzigzag, Rows, Store, ADDITIVE, EXPLICIT_PRICE, HAS_RATIOS, KINDS, MORE, REQUESTS,
    SUBSECOND,
};
use crate::ingest::newapi::{Counts, GatewayRow, TokenSemantic};
use crate::policy::Outcome;

/// One optional decimal as 17 bytes: a presence byte, then `Decimal::serialize`.
pub(super) fn decimal_field(bytes: &[u8]) -> Option<Option<Decimal>> {
    match bytes.split_first()? {
        (0, rest) if rest.iter().all(|b| *b == 0) => Some(None),
        (1, rest) => decimal(rest).map(Some),
        _ => None,
    }
}

/// `Decimal::deserialize` trusts its input; only accept what `serialize` could write.
pub(super) fn decimal(bytes: &[u8]) -> Option<Decimal> {
    let raw: [u8; 16] = bytes.try_into().ok()?;
    let flags = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
    let scale = (flags >> 16) & 0xff;
    if flags & !0x80ff_0000 != 0 || scale > 28 {
        return None;
    }
    let value = Decimal::deserialize(raw);
    (value.serialize() == raw).then_some(value)
}

pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    pub(super) fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }
}

pub struct RowIter<'a> {
    pub(super) store: &'a Store,
    pub(super) at: usize,
    pub(super) left: usize,
    pub(super) last_second: i64,
}

impl RowIter<'_> {
    /// The next row's fields, checked against the tables, without building it.
    pub(in crate::ingest) fn fields(&mut self) -> Option<Fields> {
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
        for (i, count) in counts.iter_mut().enumerate() {
            if has_count(mask, i) {
                *count = r.varint()?;
            }
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
        let ratios = f.ratios.map(|i| self.store.ratios[i].clone());
        let model_price = f.price.unwrap_or_else(|| {
            ratios
                .as_ref()
                .and_then(|r| r.model_price)
                .filter(|p| !p.is_sign_negative())
        });
        Some(GatewayRow {
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
            semantic: if f.header & ADDITIVE != 0 {
                TokenSemantic::Additive
            } else {
                TokenSemantic::Inclusive
            },
            model_price,
            ratios,
        })
    }
}

/// One encoded row, its tables' indexes already checked (so building it cannot fail).
pub(in crate::ingest) struct Fields {
    pub(in crate::ingest) header: u8,
    pub(in crate::ingest) at: Timestamp,
    pub(in crate::ingest) model: usize,
    pub(in crate::ingest) ratios: Option<usize>,
    pub(in crate::ingest) quota: i64,
    pub(in crate::ingest) counts: [u64; Counts::LEN],
    pub(in crate::ingest) requests: Option<u64>,
    /// Set only when the row's price is not the one its ratios imply.
    pub(in crate::ingest) price: Option<Option<Decimal>>,
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

impl<'a> IntoIterator for &'a Rows {
    type Item = GatewayRow;
    type IntoIter = RowIter<'a>;

    fn into_iter(self) -> RowIter<'a> {
        self.iter()
    }
}
