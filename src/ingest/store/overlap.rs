//! Gateway log rows, and client requests with a request id, that more than one file of
//! their stream holds count once.
//!
//! The log API pages newest first, so rows that arrive while the pages are fetched push
//! older rows onto the next page: the same row is then on two pages. Exports of periods
//! that overlap repeat rows the same way. The row `id` cannot settle it alone (the log
//! API gives `id % 1024`), so a row's identity is everything we read from it: id, time,
//! type, model, quota, token counts and request id ([`row_tag`], `row_key`), as far as
//! every file of the log gives it: a fork's UI export without `id` and `other` is matched
//! with the log API's pages on the rest (then two identical requests in one second, one
//! on each side of where two files meet, are taken for one).
//!
//! Within one file identical rows are distinct requests and all count. Across files,
//! each file is taken as a complete copy of the rows it covers, so a row written `m`
//! times in one file and `u` times in another counts max(`m`, `u`) times (the files'
//! multiset union). Two distinct rows with the same identity in two files would be
//! counted once; with the row id in the identity that needs 1,024 rows apart in one
//! second with the same usage (or a 1-in-65,536 clash of their ids' hashes), and the
//! excluded rows are listed in the ledger.
//!
//! Client request logs repeat requests the same way when exports overlap. There a
//! request counts once only when it has a request id (with the same time, model and
//! usage): without one, two identical requests from two apps could not be told apart.
//! Requests without a row (usage not given, or excluded by the outcome policy) are
//! matched on their request id, time, model and outcome. A request counted once takes
//! back all it added to its file's counts ([`super::evidence::Evidence::take_back`]):
//! its outcome and attempt, its listing, its client-computed cost, its unknown usage.

use jiff::Timestamp;

use super::evidence::CountedRequest;
use super::ledger::ExclusionRule;
use super::report::FileReport;
use super::rows::RowsBuilder;
use crate::ingest::formats::row::{GatewayRow, Parts, RowKind};
use crate::ingest::formats::Stream;
use crate::policy::Outcome;

/// The part of a row's identity the compact rows do not keep: its id and its request id,
/// 16 bits of hash each (0: none), taken as each row is read (four bytes kept per row),
/// the rest only when files overlap. 16 bits are plenty: a tag only has to tell apart
/// rows alike in everything else (written in the same second with the same usage).
pub fn row_tag(parts: &Parts) -> u32 {
    half(parts.id) << 16 | half(parts.request_id)
}

fn half(text: Option<&str>) -> u32 {
    let Some(text) = text else {
        return 0;
    };
    let mut key = Key(0x243f_6a88_85a3_08d3);
    key.text(Some(text));
    ((key.0 >> 48) as u32).max(1)
}

/// What every file of a stream can say about a row, so rows are matched on that alone:
/// a fork's UI export has no `id` and no `other`, the log API's pages have both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shared {
    ids: bool,
    request_ids: bool,
    /// `other`: the ratios, cache, reasoning and tool-call counts, Anthropic semantics.
    other: bool,
}

impl Shared {
    const ALL: Shared = Shared {
        ids: true,
        request_ids: true,
        other: true,
    };

    fn of(file: &FileReport) -> Shared {
        if file.stream() != Stream::GatewayLog {
            return Shared::ALL;
        }
        let tags = &file.evidence.row_tags;
        Shared {
            ids: tags.iter().any(|t| t >> 16 != 0),
            request_ids: tags.iter().any(|t| t & 0xffff != 0),
            other: file.rows.iter().any(|r| {
                let c = r.counts();
                r.ratios.is_some() || c.as_array()[2..].iter().any(|n| *n != 0)
            }),
        }
    }

    fn and(self, other: Shared) -> Shared {
        Shared {
            ids: self.ids && other.ids,
            request_ids: self.request_ids && other.request_ids,
            other: self.other && other.other,
        }
    }
}

/// A row's identity as a 64-bit hash: its tag, time, type, model, quota and token
/// counts, as far as `shared` says every file gives them. Equal rows give equal keys in
/// any file format (a log page's JSON and a CSV export of the same rows agree).
fn row_key(tag: u32, row: &GatewayRow, shared: Shared) -> u64 {
    let tag = match (shared.ids, shared.request_ids) {
        (true, true) => tag,
        (true, false) => tag & 0xffff_0000,
        (false, true) => tag & 0xffff,
        (false, false) => 0,
    };
    let mut key = Key(u64::from(tag));
    key.word(row.at.as_second() as u64);
    key.word(u64::from(row.at.subsec_nanosecond() as u32));
    let semantic = if shared.other { row.semantic as u64 } else { 0 };
    key.word(row.kind as u64 | (row.outcome as u64) << 8 | semantic << 16);
    key.text(Some(&row.model));
    key.word(row.quota as u64);
    let counts = row.counts().as_array();
    // Prompt and completion are columns of their own; the rest come from `other`.
    let read = if shared.other {
        &counts[..]
    } else {
        &counts[..2]
    };
    for count in read {
        key.word(*count);
    }
    key.0
}

/// The keys of a file's accepted rows, in order: every gateway log row; a client request
/// only with its request id.
fn keys(file: &FileReport, shared: Shared) -> Vec<Option<u64>> {
    let tags = file.evidence.row_tags.iter().copied();
    // Every accepted row has its tag; should one lack it, it is not matched.
    let tags = tags.map(Some).chain(std::iter::repeat(None));
    let gateway = file.stream() == Stream::GatewayLog;
    let rows = file.rows.iter().zip(tags).map(|(row, tag)| match tag {
        Some(NO_REQUEST_ID) if !gateway => None,
        Some(tag) => Some(row_key(tag, &row, shared)),
        None => None,
    });
    // After the rows: the requests without one, at positions past the last row.
    let rowless = file.evidence.counted.iter().filter(|r| r.stored.is_none());
    rows.chain(rowless.map(|r| Some(r.key))).collect()
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

/// A client request's tag ([`row_tag`] for its request id); 0 for a request without one,
/// which is never matched.
pub fn request_tag(request_id: Option<&str>) -> u32 {
    let Some(id) = request_id.map(str::trim).filter(|id| !id.is_empty()) else {
        return NO_REQUEST_ID;
    };
    let mut key = Key(0x1319_8a2e_0370_7344);
    key.text(Some(id));
    ((key.0 >> 32) as u32).max(1)
}

const NO_REQUEST_ID: u32 = 0;

/// The key of a client request whose usage the log does not give: its tag, time, model
/// and outcome; None without a request id.
pub fn unknown_key(tag: u32, at: Timestamp, model: &str, outcome: Outcome) -> Option<u64> {
    if tag == NO_REQUEST_ID {
        return None;
    }
    let mut key = Key(u64::from(tag));
    key.word(at.as_second() as u64);
    key.word(u64::from(at.subsec_nanosecond() as u32));
    key.word(outcome as u64 | 1 << 32);
    key.text(Some(model));
    Some(key.0)
}

/// For each file's row keys, in order (None: a row never matched), the positions of the
/// rows earlier files already hold (see the module's rule). Sorted and merged, never
/// searched: a binary search per row into millions of keys waits on memory at every step.
pub fn repeated(files: &[&[Option<u64>]]) -> Vec<Vec<usize>> {
    // Every key of the files so far, sorted, each as often as the most any file has it.
    let mut seen: Vec<u64> = Vec::new();
    let mut out = Vec::with_capacity(files.len());
    for (index, keys) in files.iter().enumerate() {
        let mut sorted: Vec<(u64, usize)> = keys
            .iter()
            .zip(0..)
            .filter_map(|(key, position)| Some(((*key)?, position)))
            .collect();
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

/// Excludes, under [`ExclusionRule::RepeatedRow`], the gateway log rows and client
/// requests another file of their stream already holds (the one that says more about
/// them, else the one loaded first, keeps them); returns how many each file lost.
pub fn count_rows_once(files: &mut [FileReport]) -> Vec<u64> {
    let mut counts = vec![0; files.len()];
    for stream in [Stream::GatewayLog, Stream::ClientRequests] {
        let members: Vec<usize> = (0..files.len())
            .filter(|i| files[*i].stream() == stream)
            .collect();
        if members.len() < 2 {
            continue;
        }
        let each: Vec<Shared> = members.iter().map(|i| Shared::of(&files[*i])).collect();
        // A file with no row to match (all outside the window, an empty page) does not
        // narrow what the others are matched on.
        let shared = (members.iter().zip(&each))
            .filter(|(i, _)| !files[**i].rows.is_empty())
            .fold(Shared::ALL, |all, (_, s)| all.and(*s));
        // A file that says more keeps the rows it shares (a page with `other` over a UI
        // export without it); among equals, the one loaded first.
        let mut members: Vec<(usize, Shared)> = members.into_iter().zip(each).collect();
        members.sort_by_key(|(_, s)| std::cmp::Reverse((s.other, s.ids, s.request_ids)));
        let members: Vec<usize> = members.into_iter().map(|(i, _)| i).collect();
        let keys: Vec<Vec<Option<u64>>> =
            members.iter().map(|i| keys(&files[*i], shared)).collect();
        let keys: Vec<&[Option<u64>]> = keys.iter().map(Vec::as_slice).collect();
        for (file, positions) in members.into_iter().zip(repeated(&keys)) {
            if !positions.is_empty() {
                counts[file] = positions.len() as u64;
                files[file].exclude_rows(&positions);
            }
        }
    }
    counts
}

/// Files of one stream in the order of their periods (the earliest request first), as
/// the readers of requests take them: of two exports that overlap, whichever was loaded
/// first keeps what they share, and an id's requests still come in the order sent.
pub fn in_period_order<'a>(files: impl Iterator<Item = &'a FileReport>) -> Vec<&'a FileReport> {
    let mut files: Vec<&FileReport> = files.collect();
    files.sort_by_key(|f| f.evidence.facts.first_at);
    files
}

impl FileReport {
    /// Moves the accepted rows at `positions` (sorted; past the last row: requests
    /// without one, see `keys`) under [`ExclusionRule::RepeatedRow`], and takes back
    /// what each added to the file's counts. A request the outcome policy excluded stays
    /// under its rule, its counts taken back all the same.
    fn exclude_rows(&mut self, positions: &[usize]) {
        let rows = self.rows.len();
        let (positions, rowless) = positions.split_at(positions.partition_point(|p| *p < rows));
        let dropped = self.drop_counted(positions, rowless);
        let evidence = &mut self.evidence;
        let mut unstored = Vec::new();
        let mut accepted_rowless = 0;
        for request in &dropped {
            evidence.take_back(request);
            if request.stored.is_none() {
                unstored.push(request.place);
                accepted_rowless += u64::from(request.usage_unknown.is_some());
            }
        }
        unstored.sort_unstable();
        let mut drop = positions.iter().peekable();
        let mut kept = RowsBuilder::default();
        for (position, row) in self.rows.iter().enumerate() {
            if drop.next_if_eq(&&position).is_none() {
                kept.push(&row);
            } else if self.stream() == Stream::GatewayLog && row.kind != RowKind::Refund {
                // A client request's attempt is in its `CountedRequest`.
                self.evidence.facts.attempts.forget(row.outcome);
            }
        }
        self.rows = kept.finish();
        let mut drop = positions.iter().peekable();
        let mut position = 0;
        std::sync::Arc::make_mut(&mut self.evidence.row_tags).retain(|_| {
            let keep = drop.next_if_eq(&&position).is_none();
            position += 1;
            keep
        });
        self.evidence.facts.drop_stored(positions, &unstored);
        let mut drop = positions.iter().peekable();
        std::sync::Arc::make_mut(&mut self.evidence.labels)
            .retain_rows(|position| drop.next_if_eq(&&position).is_none());
        let excluded = positions.len() as u64 + accepted_rowless;
        self.ledger
            .exclude_accepted(ExclusionRule::RepeatedRow, excluded);
    }

    /// Removes the counted requests of the rows at `positions` and of the requests
    /// without a row at `rowless` (past the last row, in order), returns them, and moves
    /// the later ones' rows down to the rows kept.
    fn drop_counted(&mut self, positions: &[usize], rowless: &[usize]) -> Vec<CountedRequest> {
        let rows = self.rows.len();
        let mut rowless = rowless.iter().map(|p| p - rows).peekable();
        let (mut next_rowless, mut dropped) = (0, Vec::new());
        let counted = std::mem::take(&mut self.evidence.counted);
        for mut request in counted {
            let drop = match request.stored {
                Some(stored) => {
                    let stored = stored as usize;
                    let before = positions.partition_point(|p| *p < stored);
                    request.stored = Some((stored - before) as u64);
                    positions.get(before) == Some(&stored)
                }
                None => {
                    next_rowless += 1;
                    rowless.next_if_eq(&(next_rowless - 1)).is_some()
                }
            };
            match drop {
                true => dropped.push(request),
                false => self.evidence.counted.push(request),
            }
        }
        dropped
    }
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
            let keys: Vec<Vec<Option<u64>>> = files
                .iter()
                .map(|f| f.iter().map(|k| Some(*k)).collect())
                .collect();
            let keys: Vec<&[Option<u64>]> = keys.iter().map(Vec::as_slice).collect();
            let want: Vec<Vec<usize>> = want.iter().map(|p| p.to_vec()).collect();
            assert_eq!(repeated(&keys), want, "{files:?}");
        }
        // A row without a key is never matched, and takes no place among the keys.
        assert_eq!(
            repeated(&[&[Some(1), None], &[None, Some(1), None]]),
            [vec![], vec![1]]
        );
    }

    #[test]
    fn union_keeps_each_key_as_often_as_the_list_with_most() {
        assert_eq!(union(&[1, 1, 3], &[1, 2, 3, 3]), [1, 1, 2, 3, 3]);
        assert_eq!(union(&[], &[4]), [4]);
    }

    /// A report's copy shares its per-row lists (the worker keeps one report and counts
    /// copies of it); a copy whose rows another file holds too gets its own, and the
    /// report it came from keeps every row.
    #[test]
    fn copies_share_their_row_lists_until_rows_are_counted_once() {
        let line = |at: u32| {
            format!(
                r#"{{"created_at":{at},"type":2,"model_name":"m","quota":5,"prompt_tokens":1,"completion_tokens":1}}"#
            )
        };
        let text = |ats: &[u32]| ats.iter().map(|at| line(*at) + "\n").collect::<String>();
        let rules = crate::ingest::Rules::default();
        let first = crate::ingest::ingest(
            "a.jsonl",
            text(&[1_767_225_600, 1_767_225_601]).as_bytes(),
            rules.clone(),
        );
        let second = crate::ingest::ingest(
            "b.jsonl",
            text(&[1_767_225_601, 1_767_225_602]).as_bytes(),
            rules,
        );
        let mut files = vec![first.clone(), second.clone()];
        let shared = |a: &FileReport, b: &FileReport| {
            std::sync::Arc::ptr_eq(&a.evidence.labels, &b.evidence.labels)
                && std::sync::Arc::ptr_eq(&a.evidence.row_tags, &b.evidence.row_tags)
        };
        assert!(shared(&files[0], &first) && shared(&files[1], &second));
        assert_eq!(count_rows_once(&mut files), [0, 1]);
        assert!(shared(&files[0], &first), "the first file keeps its rows");
        assert!(!shared(&files[1], &second), "the second's copy lost a row");
        assert_eq!(
            (
                files[1].evidence.labels.len(),
                files[1].evidence.row_tags.len()
            ),
            (1, 1)
        );
        assert_eq!(
            (second.evidence.labels.len(), second.evidence.row_tags.len()),
            (2, 2)
        );
    }
}
