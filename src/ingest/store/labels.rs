//! What a budget review needs to know of each accepted row beyond what the compact rows
//! keep: the fields its spend is allocated by (token or API-key name, group, project,
//! environment, tenant, route, tags), its request id, its retry attempt, and what a
//! failure was when the record says more than its outcome.
//!
//! Only hashes of those values are kept, never the text: a token name or a tenant id
//! read from a file is hashed as the row is read ([`label_hash`]), so it cannot reach an
//! output. The budget review matches the reviewer's mapping table by hashing the values
//! they typed the same way. Rows repeat a handful of label sets, so each set is interned
//! once per file and a row costs a set index and its request id's hash (12 bytes).

use std::collections::HashMap;

use super::rows::{put_varint, ByteReader};
use crate::policy::Outcome;

/// The fields a row's spend is allocated by, in the order [`Labels::fields`] holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabelField {
    /// A token or API-key name (new-api `token_name`, LiteLLM's key alias).
    Key,
    /// A new-api group, or a group the client logs.
    Group,
    Project,
    Environment,
    Tenant,
    /// The route or endpoint the request went to.
    Route,
}

impl LabelField {
    pub const ALL: [LabelField; 6] = [
        LabelField::Key,
        LabelField::Group,
        LabelField::Project,
        LabelField::Environment,
        LabelField::Tenant,
        LabelField::Route,
    ];
}

/// How many tags of a row are kept (hashed); a row's further tags are not matched.
pub const TAGS: usize = 4;

/// What a failure was, where the record says more than its HTTP outcome does: a
/// request that never got an answer, or one refused before it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailureDetail {
    NetworkFailure,
    ValidationError,
}

/// One row's label set. Every text is a [`label_hash`]; 0 means the row has none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Labels {
    pub fields: [u64; LabelField::ALL.len()],
    /// Up to [`TAGS`] tags, sorted, 0 after the last.
    pub tags: [u64; TAGS],
    /// The retry attempt the record states (0: the first attempt); None when it does not.
    pub attempt: Option<u32>,
    pub failure: Option<FailureDetail>,
    /// What the record's HTTP status alone says happened: a retry attempt's outcome is
    /// `RetryAttempt`, and this keeps what that attempt itself met.
    pub status: Option<Outcome>,
}

impl Labels {
    pub fn field(&self, field: LabelField) -> u64 {
        self.fields[field as usize]
    }

    pub fn set(&mut self, field: LabelField, text: Option<&str>) {
        self.fields[field as usize] = text.map_or(0, label_hash);
    }

    /// Keeps the first [`TAGS`] distinct non-empty tags, hashed and sorted.
    pub fn set_tags<'a>(&mut self, tags: impl IntoIterator<Item = &'a str>) {
        let mut kept: Vec<u64> = tags
            .into_iter()
            .map(label_hash)
            .filter(|h| *h != 0)
            .collect();
        kept.dedup();
        kept.truncate(TAGS);
        kept.sort_unstable();
        kept.dedup();
        self.tags = [0; TAGS];
        self.tags[..kept.len()].copy_from_slice(&kept);
    }

    pub fn has_tag(&self, hash: u64) -> bool {
        hash != 0 && self.tags.contains(&hash)
    }
}

/// A label's text as a 64-bit FNV-1a hash, trimmed and with ASCII letters folded to
/// lower case (`Prod` and `prod` are one environment); 0 for empty text (and, as a
/// stand-in, for the one text whose hash is 0).
pub fn label_hash(text: &str) -> u64 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325, |h: u64, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    });
    hash.max(1)
}

/// The label sets of a file's rows, one per row in row order (see the module's comment).
#[derive(Clone, Default)]
pub struct RowLabels {
    sets: Vec<Labels>,
    index: HashMap<Labels, u32, crate::fast_hash::Fast>,
    /// Per row: the index of its set in `sets`.
    rows: Vec<u32>,
    /// Per row up to the last one that has a request id: that id as
    /// `evidence::id_hash`, 0 without one; the rows after it have none. Most exports
    /// carry no request ids, so this usually stays empty (8 bytes a row less to hold).
    requests: Vec<u64>,
}

/// Equal when every row has the same labels and request id.
impl PartialEq for RowLabels {
    fn eq(&self, other: &RowLabels) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for RowLabels {}

/// Without the lookup index: it only mirrors `sets`, and its order changes from run to
/// run, so two equal reads would print differently.
impl std::fmt::Debug for RowLabels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowLabels")
            .field("sets", &self.sets)
            .field("rows", &self.rows)
            .field("requests", &self.requests)
            .finish()
    }
}

impl RowLabels {
    /// Room for the rest of the file's rows ([`super::room`]).
    pub fn reserve(&mut self, expected: super::room::Expected) {
        expected.reserve(&mut self.rows);
        expected.reserve(&mut self.requests);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn push(&mut self, labels: Labels, request: u64) {
        let id = self.intern(labels);
        self.rows.push(id);
        self.note_request(request);
    }

    /// The request id of the row just pushed; nothing to keep when it has none.
    fn note_request(&mut self, request: u64) {
        if request != 0 {
            self.requests.resize(self.rows.len() - 1, 0);
            self.requests.push(request);
        }
    }

    fn intern(&mut self, labels: Labels) -> u32 {
        let next = self.sets.len() as u32;
        let id = *self.index.entry(labels).or_insert(next);
        if id == next {
            self.sets.push(labels);
        }
        id
    }

    /// Each row's labels and request id hash, in row order.
    pub fn iter(&self) -> impl Iterator<Item = (&Labels, u64)> + '_ {
        let sets = &self.sets;
        let requests = self.requests.iter().copied().chain(std::iter::repeat(0));
        (self.rows.iter().zip(requests)).map(move |(id, request)| (&sets[*id as usize], request))
    }

    pub fn clear(&mut self) {
        *self = RowLabels::default();
    }

    /// Keeps the rows for which `keep(position)` is true.
    pub fn retain_rows(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let (mut kept, mut with_request) = (0, 0);
        for position in 0..self.rows.len() {
            if keep(position) {
                self.rows[kept] = self.rows[position];
                if let Some(&request) = self.requests.get(position) {
                    self.requests[kept] = request;
                    if request != 0 {
                        with_request = kept + 1;
                    }
                }
                kept += 1;
            }
        }
        self.rows.truncate(kept);
        self.requests.truncate(with_request);
    }

    /// For the trip between web workers: the sets, then each row's set, doubled and plus
    /// one when a request id follows (8 bytes): one or two bytes a row without one.
    pub fn to_bytes(&self, out: &mut Vec<u8>) {
        put_u64(out, self.sets.len() as u64);
        for set in &self.sets {
            for value in set.fields.iter().chain(&set.tags) {
                put_u64(out, *value);
            }
            put_u64(out, set.attempt.map_or(0, |a| u64::from(a) + 1));
            put_u64(out, set.failure.map_or(0, |f| f as u64 + 1));
            put_u64(out, set.status.map_or(0, |s| s as u64 + 1));
        }
        put_varint(out, self.rows.len() as u64);
        let requests = self.requests.iter().chain(std::iter::repeat(&0));
        for (id, &request) in self.rows.iter().zip(requests) {
            put_varint(out, u64::from(*id) << 1 | u64::from(request != 0));
            if request != 0 {
                put_u64(out, request);
            }
        }
    }

    /// Reads [`RowLabels::to_bytes`] from the front of `bytes` (the rest of `bytes` is
    /// what follows), refusing anything that does not decode. (A part joins through
    /// [`RowLabels::append_bytes_exactly`].)
    #[cfg(test)]
    pub fn from_bytes(bytes: &mut &[u8]) -> Option<RowLabels> {
        let mut labels = RowLabels::default();
        labels.append_bytes(bytes).then_some(labels)
    }

    /// Adds the rows of another file part, as [`RowLabels::to_bytes`] wrote them at the
    /// front of `bytes`, after these: its sets interned here the first time a row uses
    /// one, so they come in the order a single pass over both parts gives. False, with
    /// nothing changed, when the bytes do not decode.
    pub fn append_bytes(&mut self, bytes: &mut &[u8]) -> bool {
        self.append_if(bytes, None)
    }

    /// [`RowLabels::append_bytes`] of all of `bytes`, which must hold `rows` rows.
    pub fn append_bytes_exactly(&mut self, mut bytes: &[u8], rows: usize) -> bool {
        self.append_if(&mut bytes, Some(rows))
    }

    fn append_if(&mut self, bytes: &mut &[u8], exactly: Option<usize>) -> bool {
        let before = (self.sets.len(), self.rows.len(), self.requests.len());
        let mut read = *bytes;
        if self.read_rows(&mut read).is_some()
            && exactly.is_none_or(|rows| read.is_empty() && self.rows.len() - before.1 == rows)
        {
            *bytes = read;
            return true;
        }
        let (sets, rows, requests) = before;
        for set in self.sets.drain(sets..) {
            self.index.remove(&set);
        }
        self.rows.truncate(rows);
        self.requests.truncate(requests);
        false
    }

    fn read_rows(&mut self, bytes: &mut &[u8]) -> Option<()> {
        let count = usize::try_from(take_u64(bytes)?).ok()?;
        let mut sets = Vec::new();
        for _ in 0..count {
            let mut set = Labels::default();
            for value in set.fields.iter_mut().chain(set.tags.iter_mut()) {
                *value = take_u64(bytes)?;
            }
            set.attempt = match take_u64(bytes)? {
                0 => None,
                n => Some(u32::try_from(n - 1).ok()?),
            };
            set.failure = match take_u64(bytes)? {
                0 => None,
                1 => Some(FailureDetail::NetworkFailure),
                2 => Some(FailureDetail::ValidationError),
                _ => return None,
            };
            set.status = match take_u64(bytes)? {
                0 => None,
                n => Some(*Outcome::ALL.get(usize::try_from(n - 1).ok()?)?),
            };
            sets.push(set);
        }
        // Each set's index here, once a row has used it (one lookup per set, not per row).
        let mut here: Vec<Option<u32>> = vec![None; sets.len()];
        let rows = take_varint(bytes)?;
        for _ in 0..rows {
            let tagged = take_varint(bytes)?;
            let id = usize::try_from(tagged >> 1).ok()?;
            let set = *sets.get(id)?;
            let interned = match here[id] {
                Some(interned) => interned,
                None => *here[id].insert(self.intern(set)),
            };
            self.rows.push(interned);
            if tagged & 1 == 1 {
                // A row with a request id of 0 would be written without one.
                let request = take_u64(bytes).filter(|r| *r != 0)?;
                self.note_request(request);
            }
        }
        Some(())
    }
}

fn put_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn take_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut reader = ByteReader { bytes, at: 0 };
    let value = reader.varint()?;
    *bytes = &bytes[reader.at..];
    Some(value)
}

fn take_u64(bytes: &mut &[u8]) -> Option<u64> {
    let (head, rest) = bytes.split_at_checked(8)?;
    *bytes = rest;
    Some(u64::from_le_bytes(head.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(key: &str, attempt: Option<u32>) -> Labels {
        let mut l = Labels::default();
        l.set(LabelField::Key, Some(key));
        l.set_tags(["b", "a", "a", ""]);
        l.attempt = attempt;
        l.failure = Some(FailureDetail::ValidationError);
        l.status = Some(Outcome::ServerError5xx);
        l
    }

    #[test]
    fn hashes_fold_case_and_trim_and_say_nothing_for_empty_text() {
        let cases = [
            ("prod", " Prod ", true),
            ("prod", "staging", false),
            ("租户-1", "租户-1", true),
        ];
        for (a, b, same) in cases {
            assert_eq!(label_hash(a) == label_hash(b), same, "{a} {b}");
        }
        assert_eq!(label_hash("  "), 0);
        assert_ne!(label_hash("x"), 0);
    }

    #[test]
    fn tags_are_kept_sorted_distinct_and_at_most_four() {
        let mut l = Labels::default();
        l.set_tags(["e", "d", "c", "b", "a"]);
        assert_eq!(l.tags.iter().filter(|t| **t != 0).count(), TAGS);
        assert!(l.has_tag(label_hash("E")) && !l.has_tag(label_hash("a")));
        assert!(!l.has_tag(0));
    }

    #[test]
    fn sets_are_interned_rows_kept_in_order_and_bytes_round_trip() {
        let mut rows = RowLabels::default();
        let (a, b) = (labels("k1", Some(0)), labels("k2", None));
        for (set, request) in [(a, 7), (b, 0), (a, 9), (b, 1)] {
            rows.push(set, request);
        }
        assert_eq!(rows.sets.len(), 2);
        let mut bytes = Vec::new();
        rows.to_bytes(&mut bytes);
        bytes.extend_from_slice(b"rest");
        let mut rest = bytes.as_slice();
        let back = RowLabels::from_bytes(&mut rest).unwrap();
        assert_eq!(back, rows);
        assert_eq!(rest, b"rest");
        for cut in 0..bytes.len() - 4 {
            let mut short = &bytes[..cut];
            assert!(RowLabels::from_bytes(&mut short).is_none(), "{cut}");
            // Cut short, nothing of it is added: not a set, not a row, not a request.
            let mut held = RowLabels::default();
            held.push(labels("k0", None), 0);
            assert!(!held.append_bytes(&mut &bytes[..cut]), "{cut}");
            assert_eq!((held.sets.len(), held.index.len()), (1, 1), "{cut}");
            assert_eq!((held.rows.len(), held.requests.len()), (1, 0), "{cut}");
        }
        let mut kept = rows.clone();
        kept.retain_rows(|p| p % 2 == 1);
        let requests: Vec<u64> = kept.iter().map(|(_, r)| r).collect();
        assert_eq!(requests, [0, 1]);
        let mut joined = kept.clone();
        assert!(joined.append_bytes(&mut bytes.as_slice()));
        assert_eq!(joined.len(), 6);
        assert_eq!(
            joined.sets.len(),
            2,
            "the other part's sets are interned here"
        );
    }

    #[test]
    fn request_ids_are_held_only_up_to_the_last_row_that_has_one() {
        let set = labels("k", None);
        let of = |requests: &[u64]| {
            let mut rows = RowLabels::default();
            for &request in requests {
                rows.push(set, request);
            }
            rows
        };
        // (rows' request ids, what is held)
        let cases: [(&[u64], &[u64]); 4] = [
            (&[0, 0, 0], &[]),
            (&[0, 5, 0], &[0, 5]),
            (&[3, 0, 0, 4], &[3, 0, 0, 4]),
            (&[], &[]),
        ];
        for (requests, held) in cases {
            let rows = of(requests);
            assert_eq!(rows.requests, held, "{requests:?}");
            let read: Vec<u64> = rows.iter().map(|(_, r)| r).collect();
            assert_eq!(read, requests, "every row reads its own, 0 for none");
            let mut bytes = Vec::new();
            rows.to_bytes(&mut bytes);
            let back = RowLabels::from_bytes(&mut bytes.as_slice()).unwrap();
            assert_eq!(back.requests, held, "{requests:?} on the wire");
        }
        // Without request ids a row is one byte on the wire, not sixteen.
        let mut bytes = Vec::new();
        of(&[0; 100]).to_bytes(&mut bytes);
        let mut one = Vec::new();
        of(&[0]).to_bytes(&mut one);
        assert_eq!(bytes.len() - one.len(), 99);
        // Kept and joined, the held list still ends at the last row with an id.
        let mut kept = of(&[1, 0, 2, 0]);
        kept.retain_rows(|p| p != 2);
        assert_eq!(kept.requests, [1]);
        let mut joined = of(&[0, 0]);
        let wire = |rows: RowLabels| {
            let mut bytes = Vec::new();
            rows.to_bytes(&mut bytes);
            bytes
        };
        assert!(joined.append_bytes(&mut wire(of(&[0, 7, 0])).as_slice()));
        assert_eq!(joined.requests, [0, 0, 0, 7]);
        assert!(joined.append_bytes(&mut wire(of(&[0])).as_slice()));
        assert_eq!(joined.requests, [0, 0, 0, 7]);
        // A request id of 0 said to follow is damage: it would have been left out.
        let mut damaged = Vec::new();
        of(&[9]).to_bytes(&mut damaged);
        let at = damaged.len() - 8;
        damaged[at..].fill(0);
        assert!(RowLabels::from_bytes(&mut damaged.as_slice()).is_none());
    }
}
