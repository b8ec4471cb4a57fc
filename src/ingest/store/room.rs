//! Room made once for a file's per-row lists, from how many rows its first bytes held.
//!
//! A list that grows by doubling leaves each smaller copy behind as a hole; in the
//! page's WebAssembly memory, which never shrinks, those holes raise the worker's high
//! water for good (on the 1M-row CSV the per-row lists ended at ~30 MB and the memory at
//! ~65 MiB; docs/benchmarks.md). Reading the size of the whole file up front, each list
//! is allocated once at about its final length instead.

/// How far into a file the reading is: `read` of its `total` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    read: u64,
    total: u64,
}

/// Room to spare over the estimate, in percent: rows vary in length, and a list that
/// runs out of room at the end doubles after all.
const SPARE_PERCENT: u128 = 3;

impl Expected {
    /// None when nothing has been read yet, or nothing is left to read.
    pub fn new(read: u64, total: u64) -> Option<Expected> {
        (read > 0 && total > read).then_some(Expected { read, total })
    }

    /// How many more items a list that holds `len` now will hold by the end, the rest
    /// of the file being like what was read: `len × (total − read) / read`, plus spare.
    pub fn more(self, len: usize) -> usize {
        let rest = u128::from(self.total - self.read);
        let more = (len as u128)
            .checked_mul(rest * (100 + SPARE_PERCENT))
            .map_or(u128::MAX, |more| more / (100 * u128::from(self.read)));
        usize::try_from(more).unwrap_or(usize::MAX)
    }

    /// Makes that room in `list` where the memory has it; without it, the list grows
    /// as it would have (an estimate must not fail a read).
    pub fn reserve<T>(self, list: &mut Vec<T>) {
        let more = self.more(list.len());
        if more > list.capacity() - list.len() {
            let _ = list.try_reserve_exact(more);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_made_for_the_rest_of_the_file_like_its_start() {
        // (read, total, len now, more expected)
        let cases = [
            (100, 1_000, 10, 92), // 9 × 10 × 1.03 = 92.7
            (1_000, 1_000_000, 500, 514_485),
            (50, 100, 0, 0),                       // an empty list stays empty
            (1, u64::MAX, usize::MAX, usize::MAX), // too large: as large as can be asked
        ];
        for (read, total, len, more) in cases {
            let expected = Expected::new(read, total).unwrap();
            assert_eq!(expected.more(len), more, "{read} of {total}, {len} now");
        }
        assert_eq!(Expected::new(0, 100), None, "nothing read yet");
        assert_eq!(Expected::new(100, 100), None, "nothing left to read");
    }

    #[test]
    fn a_list_is_given_its_room_once_and_a_hopeless_ask_is_ignored() {
        let mut list: Vec<u32> = (0..10).collect();
        Expected::new(10, 100).unwrap().reserve(&mut list);
        let capacity = list.capacity();
        assert!(capacity >= 10 + 92, "room for 92 more, got {capacity}");
        list.extend(0..92);
        assert_eq!(
            list.capacity(),
            capacity,
            "the rows filled the room without growing it"
        );
        // More than any memory holds: the list stays as it was, and no panic.
        Expected::new(1, u64::MAX).unwrap().reserve(&mut list);
        assert_eq!(list.capacity(), capacity);
    }
}
