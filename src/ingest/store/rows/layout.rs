//! The bytes of the compact rows (described in `rows/mod.rs`): the store itself, the
//! header and mask bits, varints, the exact bytes of a ratio set, and a reader that
//! refuses what the builder could not have written.

use rust_decimal::Decimal;

use crate::ingest::formats::row::{Counts, LoggedRatios, RowKind};

#[derive(Default)]
pub struct Store {
    pub models: Vec<String>,
    pub ratios: Vec<LoggedRatios>,
    pub len: usize,
    pub data: Vec<u8>,
}

pub const RATIO_FIELDS: usize = 14;
pub const RATIO_KEY: usize = RATIO_FIELDS * 17;

/// The decimals of a ratio set as exact bytes (value and scale), for interning.
pub fn ratio_key(r: &LoggedRatios) -> [u8; RATIO_KEY] {
    let mut key = [0u8; RATIO_KEY];
    for (i, value) in ratio_fields(r).into_iter().enumerate() {
        if let Some(value) = value {
            key[i * 17] = 1;
            key[i * 17 + 1..i * 17 + 17].copy_from_slice(&value.serialize());
        }
    }
    key
}

pub fn ratio_fields(r: &LoggedRatios) -> [Option<Decimal>; RATIO_FIELDS] {
    [
        r.model_ratio,
        r.completion_ratio,
        r.cache_ratio,
        r.cache_creation_ratio,
        r.cache_creation_ratio_1h,
        r.group_ratio,
        r.model_price,
        Some(r.tool_surcharge_usd),
        r.audio_ratio,
        r.audio_completion_ratio,
        r.audio_input_price,
        r.factors,
        r.images,
        r.seconds,
    ]
}

pub fn ratios_from(fields: [Option<Decimal>; RATIO_FIELDS]) -> Option<LoggedRatios> {
    Some(LoggedRatios {
        model_ratio: fields[0],
        completion_ratio: fields[1],
        cache_ratio: fields[2],
        cache_creation_ratio: fields[3],
        cache_creation_ratio_1h: fields[4],
        group_ratio: fields[5],
        model_price: fields[6],
        tool_surcharge_usd: fields[7]?,
        audio_ratio: fields[8],
        audio_completion_ratio: fields[9],
        audio_input_price: fields[10],
        factors: fields[11],
        images: fields[12],
        seconds: fields[13],
    })
}

pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

pub fn unzigzag(value: u64) -> i64 {
    (value >> 1) as i64 ^ -((value & 1) as i64)
}

pub const KINDS: [RowKind; 4] = [
    RowKind::Consume,
    RowKind::Refund,
    RowKind::Error,
    RowKind::NotUsage,
];

// Header byte: kind (2 bits) | outcome (3) | additive semantics | has ratios | explicit price.
pub const ADDITIVE: u8 = 1 << 5;
pub const HAS_RATIOS: u8 = 1 << 6;
pub const EXPLICIT_PRICE: u8 = 1 << 7;
// First mask byte: one bit per non-zero count of the first seven, and whether a second
// mask byte follows.
pub const FIRST_COUNTS: usize = 7;
pub const MORE: u8 = 1 << 7;
// Second mask byte: whether the time has a sub-second part, one bit per non-zero count
// of the other five, and whether a request count other than 1 follows the counts (as a
// varint; 1, never written for a count, stands for unknown). Its top bit is never set.
pub const SUBSECOND: u8 = 1;
pub const REQUESTS: u8 = 1 << 6;

/// The mask bytes of a row: which counts are non-zero, and the rest of the second byte.
pub fn mask(counts: &[u64; Counts::LEN], subsecond: bool, requests: Option<u64>) -> [u8; 2] {
    let (mut first, mut second) = (0u8, 0u8);
    for (i, count) in counts.iter().enumerate() {
        if *count != 0 {
            match i.checked_sub(FIRST_COUNTS) {
                None => first |= 1 << i,
                Some(j) => second |= 2 << j,
            }
        }
    }
    if subsecond {
        second |= SUBSECOND;
    }
    if requests != Some(1) {
        second |= REQUESTS;
    }
    if second != 0 {
        first |= MORE;
    }
    [first, second]
}

/// Which of a row's counts it writes (bit i: count i), from its mask: the first seven
/// in the first byte, the rest in the second from its bit 1 (see [`mask`]).
pub fn count_bits(mask: [u8; 2]) -> u16 {
    let first = u16::from(mask[0]) & ((1 << FIRST_COUNTS) - 1);
    let rest = (u16::from(mask[1]) >> 1) & ((1 << (Counts::LEN - FIRST_COUNTS)) - 1);
    first | rest << FIRST_COUNTS
}

/// One optional decimal as 17 bytes: a presence byte, then `Decimal::serialize`.
pub fn decimal_field(bytes: &[u8]) -> Option<Option<Decimal>> {
    match bytes.split_first()? {
        (0, rest) if rest.iter().all(|b| *b == 0) => Some(None),
        (1, rest) => decimal(rest).map(Some),
        _ => None,
    }
}

/// `Decimal::deserialize` trusts its input; only accept what `serialize` could write.
pub fn decimal(bytes: &[u8]) -> Option<Decimal> {
    let raw: [u8; 16] = bytes.try_into().ok()?;
    let flags = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
    let scale = (flags >> 16) & 0xff;
    if flags & !0x80ff_0000 != 0 || scale > 28 {
        return None;
    }
    let value = Decimal::deserialize(raw);
    (value.serialize() == raw).then_some(value)
}

pub struct Reader<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

impl<'a> Reader<'a> {
    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    pub fn varint(&mut self) -> Option<u64> {
        // Most of a row's numbers fit one byte (flags, indexes, small counts).
        let first = self.byte()?;
        if first & 0x80 == 0 {
            return Some(u64::from(first));
        }
        let mut value = u64::from(first & 0x7f);
        let mut shift = 7;
        while shift < 64 {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
            shift += 7;
        }
        None
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether the row with `mask` writes count `i`, one count at a time: how the reader
    /// asked before `count_bits`.
    fn has_count(mask: [u8; 2], i: usize) -> bool {
        match i.checked_sub(FIRST_COUNTS) {
            None => mask[0] & (1 << i) != 0,
            Some(j) => mask[1] & (2 << j) != 0,
        }
    }

    /// The varint reader as it was before its one-byte shortcut.
    fn varint_by_loop(r: &mut Reader) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = r.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    #[test]
    fn count_bits_are_has_count() {
        for first in 0..=u8::MAX {
            for second in 0..=u8::MAX {
                let mask = [first, second];
                let bits = count_bits(mask);
                for i in 0..16 {
                    let want = i < Counts::LEN && has_count(mask, i);
                    assert_eq!(bits & 1 << i != 0, want, "{mask:?} {i}");
                }
            }
        }
    }

    proptest! {
        /// Every number reads back as written, and any bytes (damaged ones too) read as
        /// the loop read them, to the same place.
        #[test]
        fn varints_read_as_before(value in any::<u64>(), bytes in proptest::collection::vec(any::<u8>(), 0..12)) {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            prop_assert_eq!(Reader { bytes: &out, at: 0 }.varint(), Some(value));
            let (mut a, mut b) = (Reader { bytes: &bytes, at: 0 }, Reader { bytes: &bytes, at: 0 });
            prop_assert_eq!(a.varint(), varint_by_loop(&mut b));
            prop_assert_eq!(a.at, b.at);
        }
    }
}
