//! Adding the rows of a later part of the same file, read apart (`ingest::Tail`), to a
//! [`RowsBuilder`] as they arrived: a slice at a time from wherever they lie, so the
//! part's encoded rows are never held whole beside the builder's. In the page they stay
//! in the buffer the second worker handed over, outside the reader's WebAssembly memory,
//! which would otherwise grow by them for good.

use std::ops::Range;

use super::builder::RowsBuilder;
use jiff::Timestamp;

use super::layout::{count_bits, decimal, put_varint, ratio_key, unzigzag, zigzag, Reader};
use super::layout::{EXPLICIT_PRICE, HAS_RATIOS, MORE, REQUESTS, SUBSECOND};
use super::{RowMark, Tables};

/// Bytes that arrived from elsewhere, read a slice at a time.
pub trait WireBytes {
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `out` with the bytes from `at` on; the caller keeps within [`WireBytes::len`].
    fn copy_to(&self, at: usize, out: &mut [u8]);
}

impl WireBytes for Vec<u8> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn copy_to(&self, at: usize, out: &mut [u8]) {
        out.copy_from_slice(&self[at..at + out.len()]);
    }
}

/// Bytes copied from the wire at a time: small beside a part's rows, large beside a row.
pub const SLICE: usize = 64 << 10;

/// More unread bytes than any row takes (its longest: three header bytes, eleven
/// varints of at most ten bytes each, and a 17-byte price): a row that does not decode
/// from this many is damaged, not cut by the end of a slice.
const LONGEST_ROW: usize = 256;

/// The bytes of `range` in `bytes`, read into a small buffer a slice at a time.
pub struct Window<'a> {
    bytes: &'a dyn WireBytes,
    next: usize,
    end: usize,
    buffer: Vec<u8>,
    at: usize,
}

impl<'a> Window<'a> {
    pub fn new(bytes: &'a dyn WireBytes, range: Range<usize>) -> Window<'a> {
        let end = range.end.min(bytes.len());
        Window {
            bytes,
            next: range.start.min(end),
            end,
            buffer: Vec::with_capacity(SLICE + LONGEST_ROW),
            at: 0,
        }
    }

    /// The unread bytes copied so far.
    pub fn unread(&self) -> &[u8] {
        &self.buffer[self.at..]
    }

    pub fn consume(&mut self, n: usize) {
        self.at += n;
    }

    /// Copies the next slice in after what is unread; false when none is left.
    pub fn refill(&mut self) -> bool {
        if self.next == self.end {
            return false;
        }
        self.buffer.drain(..self.at);
        self.at = 0;
        let n = SLICE.min(self.end - self.next);
        let from = self.buffer.len();
        self.buffer.resize(from + n, 0);
        self.bytes.copy_to(self.next, &mut self.buffer[from..]);
        self.next += n;
        true
    }

    /// Every byte of the range read.
    pub fn done(&self) -> bool {
        self.next == self.end && self.at == self.buffer.len()
    }
}

/// Where a builder stood before rows were added, to go back to
/// ([`RowsBuilder::undo`]) when they, or what came with them, do not decode.
pub struct UndoPoint {
    mark: RowMark,
    models: usize,
    ratios: usize,
}

impl RowsBuilder {
    /// Adds the rows of a later part of the same file, read apart and sent as
    /// `Rows::to_bytes` (`tables`, then the encoded rows at `data` in `bytes`), as if
    /// that part had been read into this builder: its tables are interned here in their
    /// own order (the order a single pass meets them in, ratio sets of rows left out
    /// too), so the store is the one a single pass over the file builds, byte for byte.
    /// Each row's bytes are copied as they are but for its model and ratio-set places,
    /// and its time's step from the row before (only the first row's differs), and,
    /// with `check`, checked as `Rows::from_bytes` checks them, in the same pass (rows
    /// built by this process's own builder need not be). False, with nothing added, when
    /// a row does not decode or bytes are left over.
    pub fn append_sent(
        &mut self,
        tables: &Tables,
        bytes: &dyn WireBytes,
        data: Range<usize>,
        check: bool,
    ) -> bool {
        let before = self.undo_point();
        let added = self.copy_rows(tables, Window::new(bytes, data), check);
        if !added {
            self.undo(before);
        }
        added
    }

    pub fn undo_point(&self) -> UndoPoint {
        UndoPoint {
            mark: RowMark {
                row: self.store.len,
                at: self.store.data.len(),
                last_second: self.last_second,
            },
            models: self.store.models.len(),
            ratios: self.store.ratios.len(),
        }
    }

    fn copy_rows(&mut self, tables: &Tables, mut window: Window, check: bool) -> bool {
        let models: Vec<u32> = tables.models.iter().map(|m| self.model_id(m)).collect();
        let ratios: Vec<u32> = tables.ratios.iter().map(|r| self.ratio_id(r)).collect();
        self.store.data.reserve(window.end - window.next + 16);
        let mut second = 0i64;
        let mut left = tables.len;
        while left > 0 {
            let unread = window.unread();
            let mut r = Reader {
                bytes: unread,
                at: 0,
            };
            let mut stepped = second;
            let read = RowBytes::read(&mut r, &mut stepped, &models, &ratios, check);
            let Some(row) = read else {
                if unread.len() >= LONGEST_ROW || !window.refill() {
                    return false;
                }
                continue;
            };
            second = stepped;
            let out = &mut self.store.data;
            out.extend_from_slice(&unread[row.start..row.time]);
            put_varint(out, zigzag(row.second.wrapping_sub(self.last_second)));
            self.last_second = row.second;
            out.extend_from_slice(&unread[row.nanos.clone()]);
            put_varint(out, u64::from(row.model));
            if let Some(id) = row.ratios {
                put_varint(out, u64::from(id));
            }
            out.extend_from_slice(&unread[row.rest.clone()]);
            self.store.len += 1;
            window.consume(r.at);
            left -= 1;
        }
        window.done()
    }

    /// Back to where the builder stood at `before`: rows, tables and their lookups.
    pub fn undo(&mut self, before: UndoPoint) {
        let UndoPoint {
            mark,
            models,
            ratios,
        } = before;
        self.store.len = mark.row;
        self.store.data.truncate(mark.at);
        self.last_second = mark.last_second;
        for model in self.store.models.drain(models..) {
            self.model_ids.remove(&model);
        }
        for set in self.store.ratios.drain(ratios..) {
            self.ratio_ids.remove(&ratio_key(&set));
        }
    }
}

/// Where the parts of one encoded row lie (see `rows/mod.rs`), with its time and its
/// model and ratio-set places already translated to the builder's.
struct RowBytes {
    start: usize,
    /// Where the header and mask bytes end and the time's step begins.
    time: usize,
    second: i64,
    nanos: Range<usize>,
    model: u32,
    ratios: Option<u32>,
    /// The quota, the counts, the request count and the explicit price, to the row's end.
    rest: Range<usize>,
}

impl RowBytes {
    /// The row at `r`, its time `second` steps on from. With `check`, also what
    /// `RowIter::fields` refuses beyond its bytes' shape (a second mask byte that says
    /// nothing, a time out of range, a price that is not one; every outcome has a name),
    /// so a row read here with it is one `Rows::from_bytes` reads back: the join checks
    /// the rows in the pass that copies them (a second pass over them cost the page's
    /// reader ~25 ms of a 1M-row file's ~80 ms join, docs/benchmarks.md).
    fn read(
        r: &mut Reader,
        second: &mut i64,
        models: &[u32],
        ratios: &[u32],
        check: bool,
    ) -> Option<RowBytes> {
        let start = r.at;
        let header = r.byte()?;
        let first = r.byte()?;
        let mask = match first & MORE {
            0 => [first, 0],
            _ => [
                first,
                r.byte().filter(|b| !check || (*b != 0 && *b & MORE == 0))?,
            ],
        };
        let time = r.at;
        *second = second.wrapping_add(unzigzag(r.varint()?));
        let nanos = r.at;
        let mut subsecond = 0;
        if mask[1] & SUBSECOND != 0 {
            let n = unzigzag(r.varint()?);
            if check {
                subsecond = i32::try_from(n).ok()?;
            }
        }
        if check {
            Timestamp::new(*second, subsecond).ok()?;
        }
        let nanos = nanos..r.at;
        let model = *models.get(usize::try_from(r.varint()?).ok()?)?;
        let ratios = match header & HAS_RATIOS {
            0 => None,
            _ => Some(*ratios.get(usize::try_from(r.varint()?).ok()?)?),
        };
        let rest = r.at;
        for _ in 0..1 + count_bits(mask).count_ones() + u32::from(mask[1] & REQUESTS != 0) {
            r.varint()?;
        }
        if header & EXPLICIT_PRICE != 0 {
            match r.byte()? {
                0 => {}
                1 => {
                    let price = r.take(16)?;
                    if check {
                        decimal(price)?;
                    }
                }
                _ => return None,
            }
        }
        Some(RowBytes {
            start,
            time,
            second: *second,
            nanos,
            model,
            ratios,
            rest: rest..r.at,
        })
    }
}
