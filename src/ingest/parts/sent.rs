//! A tail as it arrives at the reader ([`Tail::to_bytes`]): what tells its rows apart is
//! read and checked at once; the rows, their tags and request ids stay where they lie
//! (in the page, the buffer the second worker handed over) until the join copies them
//! into the reader's lists a slice at a time. Held whole in the reader's WebAssembly
//! memory they would make it ~12 MB larger for good on a 1M-row file, for the moments
//! between their arrival and the join (docs/benchmarks.md).

use std::ops::Range;

use super::tail::{Meta, MAGIC};
use super::Tail;
use super::{Ingestor, Reader, Stage};
use crate::ingest::store::facts::{Place, Request};
use crate::ingest::store::rows::{ByteReader, Rows, Tables, Window, WireBytes};

/// A [`Tail`] as sent, ready to join ([`Ingestor::join_tail`]).
pub struct SentTail {
    meta: Meta,
    requests: Vec<Request>,
    tables: Tables,
    /// The rows' labels as sent (`RowLabels::to_bytes`): about a byte a row.
    labels: Vec<u8>,
    /// Where the row tags (4 bytes each), request ids (8) and rows lie in `bytes`.
    tags: Range<usize>,
    ids: Range<usize>,
    data: Range<usize>,
    bytes: Box<dyn WireBytes>,
    /// Whether the rows came from elsewhere, to be checked as they join.
    sent: bool,
}

impl SentTail {
    /// Reads the head of [`Tail::to_bytes`], refusing anything damaged or inconsistent;
    /// the rows are checked as they join.
    pub fn read(bytes: Box<dyn WireBytes>) -> Result<SentTail, String> {
        let bad = || "the part of the file read by the second reader is damaged".to_string();
        let mut prefix = [0; 12];
        if bytes.len() < prefix.len() {
            return Err(bad());
        }
        bytes.copy_to(0, &mut prefix);
        let (magic, head_len) = prefix.split_at(MAGIC.len());
        let head_len = u64::from_le_bytes(head_len.try_into().map_err(|_| bad())?);
        let head_len = usize::try_from(head_len)
            .ok()
            .filter(|len| magic == MAGIC && *len <= bytes.len() - prefix.len())
            .ok_or_else(bad)?;
        let mut head = vec![0; head_len];
        bytes.copy_to(prefix.len(), &mut head);
        let mut r = ByteReader {
            bytes: &head,
            at: 0,
        };
        let (meta, tags, ids, requests) = read_counts(&mut r).ok_or_else(bad)?;
        let mut rest = &head[r.at..];
        let tables = Tables::read(&mut rest).ok_or_else(bad)?;
        let labels_at = head.len() - rest.len();
        head.drain(..labels_at);
        let tags_at = prefix.len() + head_len;
        let ids_at = tags.checked_mul(4).and_then(|n| n.checked_add(tags_at));
        let data_at = ids_at
            .zip(ids.checked_mul(8))
            .and_then(|(at, n)| at.checked_add(n));
        let (ids_at, data_at) = ids_at.zip(data_at).ok_or_else(bad)?;
        let ledger = &meta.ledger;
        if !ledger.is_balanced()
            || data_at > bytes.len()
            || tables.len as u64 != ledger.accepted
            || tags != tables.len
            || ids as u64 > ledger.accepted
            || requests.len() as u64 > ledger.rows_read
        {
            return Err(bad());
        }
        Ok(SentTail {
            meta,
            requests,
            tables,
            labels: head,
            tags: tags_at..ids_at,
            ids: ids_at..data_at,
            data: data_at..bytes.len(),
            bytes,
            sent: true,
        })
    }

    /// The rows it holds.
    pub fn rows(&self) -> usize {
        self.tables.len
    }
}

/// A tail read in this process (the command line's second thread) joins as one sent
/// would, but nothing is encoded up front: its lists are read in place, as the bytes
/// they would have been sent as, and its rows, built here, are not checked again.
impl From<Tail> for SentTail {
    fn from(tail: Tail) -> SentTail {
        let mut labels = Vec::new();
        tail.labels.to_bytes(&mut labels);
        let rows = &tail.rows;
        let tables = Tables {
            models: rows.models().to_vec(),
            ratios: rows.ratio_sets().to_vec(),
            len: rows.len(),
        };
        let held = Held {
            row_tags: tail.row_tags,
            request_ids: tail.request_ids,
            rows: tail.rows,
        };
        let ids_at = 4 * held.row_tags.len();
        let data_at = ids_at + 8 * held.request_ids.len();
        SentTail {
            meta: tail.meta,
            requests: tail.requests,
            tables,
            labels,
            tags: 0..ids_at,
            ids: ids_at..data_at,
            data: data_at..held.len(),
            bytes: Box::new(held),
            sent: false,
        }
    }
}

/// A tail's row tags, request ids and rows, read as the bytes `Tail::to_wire` would send
/// after its head.
struct Held {
    row_tags: Vec<u32>,
    request_ids: Vec<u64>,
    rows: Rows,
}

impl WireBytes for Held {
    fn len(&self) -> usize {
        4 * self.row_tags.len() + 8 * self.request_ids.len() + self.rows.data().len()
    }

    fn copy_to(&self, mut at: usize, mut out: &mut [u8]) {
        let (tags, ids) = (4 * self.row_tags.len(), 8 * self.request_ids.len());
        while !out.is_empty() {
            let n = if at < tags {
                copy_number(self.row_tags[at / 4].to_le_bytes(), at % 4, out)
            } else if at < tags + ids {
                let at = at - tags;
                copy_number(self.request_ids[at / 8].to_le_bytes(), at % 8, out)
            } else {
                let data = &self.rows.data()[at - tags - ids..];
                let n = out.len();
                out.copy_from_slice(&data[..n]);
                n
            };
            at += n;
            out = &mut out[n..];
        }
    }
}

/// Copies what `out` has room for of a number's bytes from `from`; how many.
fn copy_number<const N: usize>(bytes: [u8; N], from: usize, out: &mut [u8]) -> usize {
    let n = (N - from).min(out.len());
    out[..n].copy_from_slice(&bytes[from..from + n]);
    n
}

/// The counts as JSON, the row tags' and request ids' counts, and the facts' requests.
fn read_counts(r: &mut ByteReader) -> Option<(Meta, usize, usize, Vec<Request>)> {
    let meta_len = usize::try_from(r.varint()?).ok()?;
    let meta: Meta = serde_json::from_slice(r.take(meta_len)?).ok()?;
    let tags = usize::try_from(r.varint()?).ok()?;
    let ids = usize::try_from(r.varint()?).ok()?;
    // Four lists of little-endian numbers: ids, lines (0: none), rows, stored + 1.
    let mut list = || -> Option<&[u8]> {
        let len = usize::try_from(r.varint()?).ok()?;
        r.take(len.checked_mul(8)?)
    };
    let [ids_of, lines, rows, stored] = [(); 4].map(|_| list());
    let (ids_of, lines, rows, stored) = (ids_of?, lines?, rows?, stored?);
    if [lines.len(), rows.len(), stored.len()] != [ids_of.len(); 3] {
        return None;
    }
    let number = |list: &[u8], i: usize| {
        let at = 8 * i;
        u64::from_le_bytes(list[at..at + 8].try_into().unwrap_or_default())
    };
    let requests = (0..ids_of.len() / 8)
        .map(|i| Request {
            id: number(ids_of, i),
            place: Place {
                line: Some(number(lines, i)).filter(|line| *line > 0),
                row: number(rows, i),
            },
            stored: number(stored, i).checked_sub(1),
            // Only gateway logs are read in parts: their outcome is in the row.
            outcome: None,
        })
        .collect();
    Some((meta, tags, ids, requests))
}

/// Adds the fixed-width numbers at `range` of `bytes` to `list`, a slice at a time.
fn extend<T, const N: usize>(
    list: &mut Vec<T>,
    bytes: &dyn WireBytes,
    range: Range<usize>,
    number: fn([u8; N]) -> T,
) {
    let mut window = Window::new(bytes, range);
    while window.refill() {
        let unread = window.unread();
        let whole = unread.len() / N * N;
        let numbers = unread[..whole].chunks_exact(N);
        list.extend(numbers.map(|b| number(b.try_into().unwrap_or([0; N]))));
        window.consume(whole);
    }
}

impl Ingestor {
    /// Joins the tail read apart from the point this ingestor has read to (exactly the
    /// bytes before the tail's first). False, with nothing changed, when this reader is
    /// not at a line start of the same kind of reading, hashes here (the tail's bytes
    /// never pass through it), or the tail's rows do not decode: the caller then pushes
    /// the rest of the file itself.
    pub fn join_tail(&mut self, tail: SentTail) -> bool {
        if self.kind() != Some(tail.meta.kind) || !self.hasher.elsewhere() {
            return false;
        }
        let Stage::Text(decoder, reader) = &mut self.stage else {
            return false;
        };
        let (lines, rows) = match reader {
            Reader::Lines(l) if decoder.at_char_start() && l.at_line_start() => l.position(),
            Reader::Csv(csv) if decoder.at_char_start() && csv.at_record_start() => csv.position(),
            _ => return false,
        };
        let SentTail {
            mut meta,
            requests,
            tables,
            labels,
            tags,
            ids,
            data,
            bytes,
            sent,
        } = tail;
        let filing = &mut self.filing;
        let stored = filing.rows.len() as u64;
        let undo = filing.rows.undo_point();
        if !filing.rows.append_sent(&tables, &*bytes, data, sent) {
            return false;
        }
        if !filing.labels.append_bytes_exactly(&labels, tables.len) {
            filing.rows.undo(undo);
            return false;
        }
        // Nothing below can fail: the reader's place moves on past the tail.
        match reader {
            Reader::Lines(l) => l.join(meta.lines, meta.rows, meta.problem.take()),
            Reader::Csv(csv) => csv.join(meta.lines, meta.rows),
            _ => {}
        }
        self.damaged.join(meta.damaged, decoder.lines());
        self.joined_lines += meta.text_lines;
        filing.ledger.append_shifted(meta.ledger, lines, rows);
        extend(&mut filing.row_tags, &*bytes, tags, u32::from_le_bytes);
        extend(
            &mut filing.evidence.request_ids,
            &*bytes,
            ids,
            u64::from_le_bytes,
        );
        meta.facts.requests = requests;
        meta.facts.posted_after = meta.posted_after;
        filing
            .evidence
            .facts
            .append_shifted(meta.facts, lines, rows, stored);
        self.bytes += meta.bytes;
        true
    }
}
