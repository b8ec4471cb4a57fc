//! Gateway log rows that more than one file holds count once.
//!
//! The log API pages newest first, so rows that arrive while the pages are fetched push
//! older rows onto the next page: the same row is then on two pages. Exports of periods
//! that overlap repeat rows the same way. The row `id` cannot settle it alone (the log
//! API gives `id % 1024`), so a row's identity is everything we read from it: id, time,
//! type, model, quota, token counts and request id ([`row_tag`], `row_key`).
//!
//! Within one file identical rows are distinct requests and all count. Across files,
//! each file is taken as a complete copy of the rows it covers, so a row written `m`
//! times in a file and at most `u` times in any earlier one is new only `m - u` times
//! (the files' multiset union). Two distinct rows with the same identity in two files
//! would be counted once; with the row id in the identity that needs 1,024 rows apart in
//! one second with the same usage, and the excluded rows are listed in the ledger.

use super::ledger::ExclusionRule;
use super::newapi::{GatewayRow, Parts};
use super::{FileReport, RowsBuilder, Stream};

/// The part of a row's identity the compact rows do not keep, hashed: its id and request
/// id. Taken as each row is read (a few words of work, four bytes kept), the rest only
/// when files overlap. 32 bits are plenty: the tag only has to tell apart rows alike in
/// everything else (written in the same second with the same usage).
pub fn row_tag(parts: &Parts) -> u32 {
    let mut key = Key(0x243f_6a88_85a3_08d3);
    key.text(parts.id);
    key.text(parts.request_id);
    (key.0 >> 32) as u32
}

/// A row's identity as a 64-bit hash: its tag, time, type, model, quota and token
/// counts. Equal rows give equal keys in any file format (a log page's JSON and a CSV
/// export of the same rows agree).
fn row_key(tag: u32, row: &GatewayRow) -> u64 {
    let mut key = Key(u64::from(tag));
    key.word(row.at.as_second() as u64);
    key.word(u64::from(row.at.subsec_nanosecond() as u32));
    key.word(row.kind as u64 | (row.outcome as u64) << 8 | (row.semantic as u64) << 16);
    key.text(Some(&row.model));
    key.word(row.quota as u64);
    for count in row.counts().as_array() {
        key.word(count);
    }
    key.0
}

/// The keys of a gateway log file's accepted rows, in order.
fn keys(file: &FileReport) -> Vec<u64> {
    let tags = file.evidence.row_tags.iter().copied();
    // Every accepted gateway row has its tag; should one lack it, it still has a key.
    let tags = tags.chain(std::iter::repeat(0));
    file.rows
        .iter()
        .zip(tags)
        .map(|(row, tag)| row_key(tag, &row))
        .collect()
}

struct Key(u64);

impl Key {
    /// splitmix64's finalizer is a bijection, so each step keeps every bit of the state.
    fn word(&mut self, word: u64) {
        let mut z = self.0 ^ word;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }

    fn text(&mut self, text: Option<&str>) {
        let Some(text) = text else {
            return self.word(0);
        };
        self.word(1);
        for chunk in text.as_bytes().chunks(8) {
            let mut bytes = [0u8; 8];
            bytes[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(bytes));
        }
        self.word(text.len() as u64);
    }
}

/// For each file's row keys, in order, the positions of the rows earlier files already
/// hold (see the module's rule). Sorted and merged, never searched: a binary search per
/// row into millions of keys waits on memory at every step.
pub fn repeated(files: &[&[u64]]) -> Vec<Vec<usize>> {
    // Every key of the files so far, sorted, each as often as the most any file has it.
    let mut seen: Vec<u64> = Vec::new();
    let mut out = Vec::with_capacity(files.len());
    for (index, keys) in files.iter().enumerate() {
        let mut sorted: Vec<(u64, usize)> = keys.iter().copied().zip(0..).collect();
        sorted.sort_unstable();
        let mut positions = Vec::new();
        let (mut i, mut earlier) = (0, 0);
        while i < sorted.len() && earlier < seen.len() {
            let key = sorted[i].0;
            let run = sorted[i..].iter().take_while(|(k, _)| *k == key).count();
            while earlier < seen.len() && seen[earlier] < key {
                earlier += 1;
            }
            let held = seen[earlier..].iter().take_while(|k| **k == key).count();
            // The first rows of the run in file order (a run is sorted by position).
            positions.extend(sorted[i..i + run.min(held)].iter().map(|(_, p)| *p));
            i += run;
        }
        positions.sort_unstable();
        out.push(positions);
        if index + 1 < files.len() {
            let keys: Vec<u64> = sorted.into_iter().map(|(k, _)| k).collect();
            seen = union(&seen, &keys);
        }
    }
    out
}

/// The multiset union of two sorted lists: each key as often as the list that has it most.
fn union(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(*x);
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                out.push(*x);
                i += 1;
            }
            (Some(x), None) => {
                out.push(*x);
                i += 1;
            }
            (_, Some(y)) => {
                out.push(*y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// Excludes, under [`ExclusionRule::RepeatedRow`], the gateway log rows an earlier file
/// already holds; returns how many each file lost.
pub fn count_rows_once(files: &mut [FileReport]) -> Vec<u64> {
    let gateway: Vec<usize> = (0..files.len())
        .filter(|i| files[*i].stream() == Stream::GatewayLog)
        .collect();
    let mut counts = vec![0; files.len()];
    if gateway.len() < 2 {
        return counts;
    }
    let keys: Vec<Vec<u64>> = gateway.iter().map(|i| keys(&files[*i])).collect();
    let keys: Vec<&[u64]> = keys.iter().map(Vec::as_slice).collect();
    for (file, positions) in gateway.into_iter().zip(repeated(&keys)) {
        if !positions.is_empty() {
            counts[file] = positions.len() as u64;
            files[file].exclude_rows(&positions);
        }
    }
    counts
}

impl FileReport {
    /// Moves the accepted rows at `positions` (sorted) under [`ExclusionRule::RepeatedRow`].
    fn exclude_rows(&mut self, positions: &[usize]) {
        let mut drop = positions.iter().peekable();
        let mut kept = RowsBuilder::default();
        for (position, row) in self.rows.iter().enumerate() {
            if drop.next_if_eq(&&position).is_none() {
                kept.push(&row);
            }
        }
        self.rows = kept.finish();
        let mut drop = positions.iter().peekable();
        let mut position = 0;
        self.evidence.row_tags.retain(|_| {
            let keep = drop.next_if_eq(&&position).is_none();
            position += 1;
            keep
        });
        self.ledger
            .exclude_accepted(ExclusionRule::RepeatedRow, positions.len() as u64);
    }
}

/// Rows a review counted once, per file (the page applies them to its copies).
pub fn repeated_counts(files: &[FileReport]) -> Vec<u64> {
    files
        .iter()
        .map(|f| {
            let rule = ExclusionRule::RepeatedRow;
            f.ledger.excluded.get(&rule).copied().unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each file's keys, then the positions counted already.
    type Case = (&'static [&'static [u64]], &'static [&'static [usize]]);

    #[test]
    fn each_file_adds_only_what_no_earlier_file_has() {
        let cases: [Case; 7] = [
            (&[&[1, 2, 3], &[3, 4]], &[&[], &[0]]),
            (&[&[5, 5]], &[&[]]),
            (&[&[5, 5], &[5]], &[&[], &[0]]),
            (&[&[5], &[5, 5]], &[&[], &[0]]),
            (&[&[5, 5], &[9, 5, 5, 5]], &[&[], &[1, 2]]),
            (&[&[1, 2], &[3], &[2, 1]], &[&[], &[], &[0, 1]]),
            (&[&[7], &[7], &[7, 7]], &[&[], &[0], &[0]]),
        ];
        for (files, want) in cases {
            let want: Vec<Vec<usize>> = want.iter().map(|p| p.to_vec()).collect();
            assert_eq!(repeated(files), want, "{files:?}");
        }
    }

    #[test]
    fn union_keeps_each_key_as_often_as_the_list_with_most() {
        assert_eq!(union(&[1, 1, 3], &[1, 2, 3, 3]), [1, 1, 2, 3, 3]);
        assert_eq!(union(&[], &[4]), [4]);
    }
}
