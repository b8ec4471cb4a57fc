//! Reading one file in two parts at once: the head by one [`Ingestor`], the rest (the
//! tail) by another on a second thread or web worker, joined into the report a single
//! pass gives, row for row and byte for byte.
//!
//! Only JSON lines and delimited gateway logs are split, and only at a line start: a
//! JSON line never holds a line break, and a CSV record that does (a quoted cell) is
//! caught when the head reader arrives at the cut mid-record; the head reader then
//! reads the rest itself, as it does whenever the tail is anything but plain rows (an
//! invalid byte, a problem with the file). The tail reader reads the file's start first
//! to take the same decisions (encoding, layout, header), forgets it, and counts its
//! lines and rows from the cut; the join moves them down by what the head read. A line
//! holding an invalid byte is a row rejected in the tail as in one pass; the count of
//! such lines joins the head's, for the rule that may refuse the file whole (an invalid
//! byte in the tail's first lines, which may be the file's first, sends the tail back).

use serde::{Deserialize, Serialize};

use super::{Compression, Ingestor, Reader, Stage};
use crate::error::Error;
use crate::ingest::store::facts::{Facts, Request};
use crate::ingest::store::labels::RowLabels;
use crate::ingest::store::ledger::Ledger;
use crate::ingest::store::rows::{put_varint, Rows, RowsBuilder};
use crate::ingest::text::damage::DamagedLines;

/// Where a part read apart may start: just past the first line break of `from` (the
/// bytes from the intended cut on). None: no line starts there.
pub fn line_start(from: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', from).map(|at| at + 1)
}

/// Which reader read a tail; a tail only joins a head read the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Kind {
    JsonLines,
    Delimited,
}

/// The later part of a file, read apart ([`Ingestor::finish_tail`]); its positions count
/// from the cut until [`Ingestor::join_tail`] moves them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tail {
    pub(super) meta: Meta,
    pub(super) request_ids: Vec<u64>,
    pub(super) row_tags: Vec<u32>,
    /// The facts' requests (`Facts::requests`, kept off the JSON): as numbers.
    pub(super) requests: Vec<Request>,
    pub(super) labels: RowLabels,
    pub(super) rows: Rows,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Meta {
    pub(super) kind: Kind,
    pub(super) bytes: u64,
    pub(super) lines: u64,
    pub(super) rows: u64,
    /// A JSON line that was not an object, at its line in the tail.
    pub(super) problem: Option<Error>,
    pub(super) ledger: Ledger,
    /// The lines of the text, and those holding an invalid character.
    pub(super) text_lines: u64,
    pub(super) damaged: DamagedLines,
    /// The incident facts of the tail's rows, at their places in the tail.
    #[serde(default)]
    pub(super) facts: Facts,
    /// The facts' rows posted after the window's end (`Facts::posted_after`, kept off
    /// the report's JSON), as id hashes.
    #[serde(default)]
    pub(super) posted_after: Vec<u64>,
}

pub(super) const MAGIC: &[u8; 4] = b"SRT4";

impl Tail {
    /// The tail's accepted rows (the second worker files them in groups before the
    /// reader joins them).
    pub fn rows(&self) -> &Rows {
        &self.rows
    }

    /// For the trip between web workers ([`super::SentTail::read`]): the magic, the
    /// length of what tells the rows apart (the head), that head (the counts as JSON, the
    /// facts' requests, the rows' tables and labels), then the per-row lists the reader
    /// joins a slice at a time (row tags, request ids) and the rows as bytes
    /// ([`Rows::to_bytes`]'s data), in one buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (mut out, data) = self.to_wire();
        out.extend_from_slice(data);
        out
    }

    /// [`Tail::to_bytes`] in two pieces: everything up to the rows' data, and the data
    /// itself, borrowed. The worker copies both into the one buffer it sends, so the rows
    /// (most of the bytes) are never copied within its WebAssembly memory, which keeps
    /// whatever it once held.
    pub fn to_wire(&self) -> (Vec<u8>, &[u8]) {
        let meta = serde_json::to_vec(&self.meta).unwrap_or_default();
        let tables = self.rows.tables();
        let mut head =
            Vec::with_capacity(meta.len() + 32 * self.requests.len() + tables.len() + 64);
        put_varint(&mut head, meta.len() as u64);
        head.extend_from_slice(&meta);
        put_varint(&mut head, self.row_tags.len() as u64);
        put_varint(&mut head, self.request_ids.len() as u64);
        // The requests as four lists: ids, lines (0: none), rows, stored + 1 (0: none).
        type Field = fn(&Request) -> u64;
        let fields: [Field; 4] = [
            |r| r.id,
            |r| r.place.line.unwrap_or(0),
            |r| r.place.row,
            |r| r.stored.map_or(0, |s| s + 1),
        ];
        for field in fields {
            put_varint(&mut head, self.requests.len() as u64);
            for request in &self.requests {
                head.extend_from_slice(&field(request).to_le_bytes());
            }
        }
        head.extend_from_slice(&tables);
        self.labels.to_bytes(&mut head);
        let lists = 4 * self.row_tags.len() + 8 * self.request_ids.len();
        let mut out = Vec::with_capacity(MAGIC.len() + 8 + head.len() + lists);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(head.len() as u64).to_le_bytes());
        out.extend_from_slice(&head);
        for tag in &self.row_tags {
            out.extend_from_slice(&tag.to_le_bytes());
        }
        for id in &self.request_ids {
            out.extend_from_slice(&id.to_le_bytes());
        }
        (out, self.rows.data())
    }
}

impl Ingestor {
    /// The file so far is being read as gateway rows, line by line (JSON lines, or
    /// delimited text under a gateway header), in UTF-8 and uncompressed: a later part
    /// that starts at a line start can be read apart.
    pub fn splittable(&self) -> bool {
        self.kind().is_some()
    }

    /// How the file reads is still open (its start is being looked at): until then a
    /// tail reader keeps reading the start.
    pub fn deciding(&self) -> bool {
        let compressed = matches!(self.compression, Compression::Gzip(_) | Compression::Broken);
        if compressed || self.filing.problem.is_some() {
            return false;
        }
        match &self.stage {
            Stage::Head(_) => true,
            Stage::Text(_, reader) => matches!(
                reader,
                Reader::Sniff(_)
                    | Reader::JsonHead(_)
                    | Reader::DocumentHead { .. }
                    | Reader::CsvHead(_)
            ),
            Stage::Unreadable => false,
        }
    }

    pub(super) fn kind(&self) -> Option<Kind> {
        if self.filing.problem.is_some() || !matches!(self.compression, Compression::Plain) {
            return None;
        }
        let Stage::Text(decoder, reader) = &self.stage else {
            return None;
        };
        if !decoder.is_utf8() {
            return None;
        }
        match reader {
            Reader::Lines(_) => Some(Kind::JsonLines),
            Reader::Csv(csv) if csv.reads_rows() => Some(Kind::Delimited),
            _ => None,
        }
    }

    /// Turns an ingestor that has read the file's start (enough for
    /// [`Ingestor::splittable`]) into the reader of a tail: what it read is forgotten and
    /// the bytes pushed next are the file from a line start on. False when the start
    /// does not allow it.
    pub fn start_tail(&mut self) -> bool {
        if !self.splittable() {
            return false;
        }
        let Stage::Text(decoder, reader) = &mut self.stage else {
            return false;
        };
        decoder.restart();
        match reader {
            Reader::Lines(lines) => lines.restart(),
            Reader::Csv(csv) => csv.restart(),
            _ => return false,
        }
        self.filing.ledger = Ledger::default();
        self.filing.rows = RowsBuilder::default();
        self.filing.evidence.request_ids.clear();
        self.filing.row_tags.clear();
        self.filing.evidence.facts = Facts::default();
        self.filing.labels.clear();
        self.damaged = DamagedLines::default();
        self.bytes = 0;
        true
    }

    /// The tail read since [`Ingestor::start_tail`]; None when it did not read as plain
    /// rows to its end (then the head reader reads it itself).
    pub fn finish_tail(mut self) -> Option<Tail> {
        self.kind()?;
        // A character cut at the end of the file is invalid, as in one pass.
        self.decode(None);
        let kind = self.kind()?;
        let Stage::Text(decoder, reader) = &mut self.stage else {
            return None;
        };
        let text_lines = decoder.lines();
        let filing = &mut self.filing;
        let (lines, rows, problem) = match reader {
            Reader::Lines(l) => l.finish_part(&mut |n, line, r| filing.json_row(n, line, r)),
            Reader::Csv(csv) => {
                let (lines, rows) = csv.finish_part(filing);
                (lines, rows, None)
            }
            _ => return None,
        };
        if filing.problem.is_some() {
            return None;
        }
        let mut filing = self.filing;
        let requests = std::mem::take(&mut filing.evidence.facts.requests);
        let posted_after = std::mem::take(&mut filing.evidence.facts.posted_after);
        Some(Tail {
            meta: Meta {
                kind,
                bytes: self.bytes,
                lines,
                rows,
                problem,
                ledger: filing.ledger,
                text_lines,
                damaged: self.damaged,
                facts: filing.evidence.facts,
                posted_after,
            },
            request_ids: filing.evidence.request_ids,
            row_tags: filing.row_tags,
            requests,
            labels: filing.labels,
            rows: filing.rows.finish(),
        })
    }
}
