//! Eight bytes at a time: the stop bytes of a text scanner found in a `u64` word with the
//! usual bit tricks, for the CSV line split and the JSON string scan, which both read a
//! gateway log's `other` (a stop every few bytes) and so stop too often for `memchr`.
//! Each mask is exact for the lowest byte it marks (a borrow may mark higher ones too),
//! and only that byte is read: `mask.trailing_zeros() / 8`, the word loaded
//! little-endian (its first byte lowest).

/// The bytes in a word.
pub const WORD: usize = 8;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` equal to `b`.
#[inline(always)]
pub fn equal(x: u64, b: u8) -> u64 {
    let y = x ^ (ONES * u64::from(b));
    y.wrapping_sub(ONES) & !y & HIGH
}

/// The high bit of each byte of `x` below `n` (`n` at most 0x80).
#[inline(always)]
pub fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The place of the first byte a mask marks.
    fn first(mask: u64) -> Option<usize> {
        (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize)
    }

    proptest! {
        /// The first byte each mask marks is the first byte the plain test finds.
        #[test]
        fn the_first_marked_byte_is_the_first_found(
            bytes in proptest::collection::vec(
                prop_oneof![any::<u8>(), Just(b'"'), Just(b','), Just(0u8), Just(0x1f), Just(0x80)],
                8,
            ),
            b in prop_oneof![any::<u8>(), Just(b'"'), Just(b',')],
            n in 0u8..=0x80,
        ) {
            let x = u64::from_le_bytes(bytes[..].try_into().unwrap());
            prop_assert_eq!(first(equal(x, b)), bytes.iter().position(|&c| c == b));
            prop_assert_eq!(first(below(x, n)), bytes.iter().position(|&c| c < n));
            prop_assert_eq!(
                first(equal(x, b) | below(x, n)),
                bytes.iter().position(|&c| c == b || c < n)
            );
        }
    }
}
