//! Reading a file in parts: [`Ingestor`] reads it chunk by chunk as it arrives, for any
//! chunking the same [`FileReport`] as reading it whole, holding the ledger, the accepted
//! rows (compact) and the part of the text not yet parsed (at most one row, plus one
//! chunk), never the file; [`Tail`] is a later part read apart and joined; the SHA-256
//! is computed inline or elsewhere ([`Hashing`]).

mod hashing;
mod reader;
mod sent;
mod tail;

pub use hashing::{FileHasher, Hashing};
pub use sent::SentTail;
pub use tail::{line_start, Tail};

use std::sync::Arc;

use reader::{Held, Reader};

use crate::error::Error;
use crate::ingest::filing::{Filing, Rules};
use crate::ingest::store::evidence;
use crate::ingest::store::report::{FileReport, Fingerprint};
use crate::ingest::store::room::Expected;
use crate::ingest::store::rows::{RowIter, RowMark};
use crate::ingest::text::damage::DamagedLines;
use crate::ingest::text::decode::{Decoder, Piece};
use crate::ingest::text::gzip::{self, Gunzip};
use crate::ingest::text::shape;

pub struct Ingestor {
    filing: Filing,
    hasher: hashing::Hasher,
    bytes: u64,
    /// Every byte so far was ASCII whitespace, or every character after the byte-order
    /// mark (the file may yet turn out empty).
    blank: bool,
    blank_text: bool,
    /// The bytes were text in a known encoding, all of them (so far).
    decoded: bool,
    /// The lines holding an invalid character: too many refuse the file whole.
    damaged: DamagedLines,
    /// Lines of a later part read apart and joined (see [`Tail`]).
    joined_lines: u64,
    /// The bytes the file will have, until room is made for its rows.
    expected: Option<u64>,
    compression: Compression,
    stage: Stage,
}

/// Whether the bytes as given are the text or a gzip stream of it; decided on the first
/// two bytes, before anything reaches [`Stage`].
enum Compression {
    Undecided(Vec<u8>),
    Plain,
    Gzip(Box<Gunzip>),
    /// A damaged gzip stream: the problem is set; the rest is only fingerprinted.
    Broken,
}

enum Stage {
    /// The first bytes, until the encoding can be decided.
    Head(Vec<u8>),
    Text(Decoder, Reader),
    /// Not a file we read (its problem is set); the rest is only fingerprinted.
    Unreadable,
}

impl Ingestor {
    /// Hashes on the thread that pushes (see [`Ingestor::with_hashing`]).
    pub fn new(name: &str, rules: Rules) -> Ingestor {
        Ingestor::with_hashing(name, rules, Hashing::Inline)
    }

    pub fn with_hashing(name: &str, rules: Rules, hashing: Hashing) -> Ingestor {
        Ingestor {
            filing: Filing::new(name, rules),
            hasher: hashing::Hasher::new(hashing),
            bytes: 0,
            blank: true,
            blank_text: true,
            decoded: false,
            damaged: DamagedLines::default(),
            joined_lines: 0,
            expected: None,
            compression: Compression::Undecided(Vec::new()),
            stage: Stage::Head(Vec::new()),
        }
    }

    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    pub fn rows_read(&self) -> u64 {
        self.filing.ledger.rows_read
    }

    /// The rows accepted and stored so far.
    pub fn rows_stored(&self) -> usize {
        self.filing.rows.len()
    }

    /// The rows accepted so far after `mark` (a pass over them that stopped there), to
    /// be filed as they are read. The rows of the file's last line come with
    /// [`Ingestor::finish`]; a file found unreadable drops the rows it held.
    pub fn rows_from(&self, mark: RowMark) -> RowIter<'_> {
        self.filing.rows.iter_from(mark)
    }

    /// Says the file (or this part, counting the bytes pushed so far) will have `total`
    /// bytes: once a chunk has left rows, room is made for the rest of them in one go
    /// ([`Expected`]), so the per-row lists are allocated about once, not doubled.
    pub fn expect_total(&mut self, total: u64) {
        self.expected = Some(total);
    }

    /// After the first chunk that left rows: judged by those alone, once (each later
    /// call finding a list short of a new estimate would copy the list).
    fn make_room(&mut self) {
        let Some(total) = self.expected.filter(|_| !self.filing.rows.is_empty()) else {
            return;
        };
        self.expected = None;
        if let Some(expected) = Expected::new(self.bytes, total) {
            self.filing.rows.reserve(expected);
            self.filing.evidence.reserve(expected);
            expected.reserve(&mut self.filing.row_tags);
            self.filing.labels.reserve(expected);
        }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        self.hasher.push(chunk);
        self.bytes += chunk.len() as u64;
        self.blank = self.blank && chunk.iter().all(u8::is_ascii_whitespace);
        match &mut self.compression {
            Compression::Plain => self.feed(chunk),
            // A first chunk long enough to decide on is read in place: held back, it
            // would be a copy of the chunk (2 MiB in the page's worker, kept for good
            // by its WebAssembly memory; tests/memory.rs).
            Compression::Undecided(start) if start.is_empty() && chunk.len() >= 2 => {
                self.decide(chunk)
            }
            Compression::Undecided(start) => {
                start.extend_from_slice(chunk);
                if start.len() >= 2 {
                    let start = std::mem::take(start);
                    self.decide(&start);
                }
            }
            Compression::Gzip(_) => self.inflate(chunk),
            Compression::Broken => {}
        }
        if self.expected.is_some() {
            self.make_room();
        }
    }

    fn decide(&mut self, start: &[u8]) {
        if gzip::is_gzip(start) {
            self.compression = Compression::Gzip(Box::new(Gunzip::new()));
            self.inflate(start);
        } else {
            self.compression = Compression::Plain;
            self.feed(start);
        }
    }

    fn inflate(&mut self, chunk: &[u8]) {
        let Compression::Gzip(mut gunzip) =
            std::mem::replace(&mut self.compression, Compression::Broken)
        else {
            return;
        };
        match gunzip.push(chunk, &mut |text| self.feed(text)) {
            Ok(()) => self.compression = Compression::Gzip(gunzip),
            Err(problem) => self.unreadable(problem),
        }
    }

    /// The text bytes (decompressed when the file is gzip), in order.
    fn feed(&mut self, chunk: &[u8]) {
        match &mut self.stage {
            // As in `push`: a first chunk that holds the head is read in place.
            Stage::Head(head) if head.is_empty() && chunk.len() >= shape::HEAD => {
                self.start(chunk, false)
            }
            Stage::Head(head) => {
                head.extend_from_slice(chunk);
                if head.len() >= shape::HEAD {
                    let head = std::mem::take(head);
                    self.start(&head, false);
                }
            }
            Stage::Text(..) => self.decode(Some(chunk)),
            Stage::Unreadable => {}
        }
    }

    /// Decodes `chunk` (None: the end of the text) for the reader. An invalid character
    /// is the damage of the row holding it, unless it refuses the file ([`DamagedLines`]).
    fn decode(&mut self, chunk: Option<&[u8]>) {
        let Stage::Text(decoder, reader) = &mut self.stage else {
            return;
        };
        let (filing, blank, damaged) = (&mut self.filing, &mut self.blank_text, &mut self.damaged);
        let mut refused = None;
        let mut sink = |piece: Piece| match piece {
            _ if refused.is_some() => {}
            Piece::Text(text, at) => {
                *blank = *blank && text.bytes().all(|b| b.is_ascii_whitespace());
                reader.push(text, at, false, filing)
            }
            Piece::Damage(damage) => match damaged.note(&damage) {
                Ok(()) => reader.damaged(damage),
                Err(problem) => refused = Some(problem),
            },
        };
        match chunk {
            Some(chunk) => decoder.push(chunk, &mut sink),
            None => decoder.finish(&mut sink),
        }
        if let Some(problem) = refused {
            self.unreadable(problem);
        }
    }

    fn start(&mut self, head: &[u8], last: bool) {
        let cut = head.len().min(shape::HEAD);
        match shape::head(&head[..cut]) {
            Ok((encoding, bom)) => {
                self.decoded = true;
                let reader = Reader::Sniff(Held::default());
                self.stage = Stage::Text(Decoder::new(encoding), reader);
                self.decode(Some(&head[bom..]));
            }
            // An empty file cannot start like a PDF or hold a zero byte: no precedence issue.
            Err(problem) => self.unreadable(problem),
        }
        if last {
            self.end_text();
        }
    }

    /// Nothing read from a file that cannot be read counts: the sentence replaces it all.
    fn unreadable(&mut self, problem: Error) {
        self.decoded = false;
        self.filing.reset();
        self.filing.problem = Some(problem);
        self.stage = Stage::Unreadable;
    }

    fn end_text(&mut self) {
        self.decode(None);
        let Stage::Text(decoder, reader) = std::mem::replace(&mut self.stage, Stage::Unreadable)
        else {
            return;
        };
        reader.finish(&mut self.filing);
        let lines = decoder.lines() + self.joined_lines;
        if let Err(problem) = self.damaged.verdict(lines) {
            self.unreadable(problem);
        }
    }

    pub fn finish(mut self) -> FileReport {
        match std::mem::replace(&mut self.compression, Compression::Plain) {
            // Shorter than the gzip magic: plain bytes.
            Compression::Undecided(start) => self.feed(&start),
            Compression::Gzip(gunzip) => {
                if let Err(problem) = gunzip.finish(&mut |text| self.feed(text)) {
                    self.unreadable(problem);
                }
            }
            Compression::Plain | Compression::Broken => {}
        }
        match &mut self.stage {
            Stage::Head(head) => {
                let head = std::mem::take(head);
                self.start(&head, true);
            }
            _ => self.end_text(),
        }
        // Only whitespace (after a byte-order mark, if any): empty, not a file with no columns.
        if self.blank || self.blank_text && self.decoded {
            self.filing.reset();
            self.filing.problem = Some(shape::empty());
        }
        let sha256 = self.hasher.finish();
        let Filing {
            name,
            ledger,
            rows,
            format,
            problem,
            mut evidence,
            row_tags,
            labels,
            charges,
            ..
        } = self.filing;
        evidence.charges = evidence::finish_charges(charges);
        evidence.row_tags = Arc::new(row_tags);
        evidence.labels = Arc::new(labels);
        FileReport {
            name,
            fingerprint: Fingerprint {
                sha256,
                bytes: self.bytes,
            },
            format,
            problem,
            ledger,
            rows: rows.finish(),
            evidence,
        }
    }
}

#[cfg(test)]
mod tests;
