//! ingest: bytes in, typed evidence out, every row accounted for.
//!
//! [`Ingestor`] reads a file as it arrives, chunk by chunk: it fingerprints the bytes,
//! sniffs the encoding and shape, reads the rows (JSON or delimited text), maps the known
//! columns, and files each row in the [`Ledger`]: accepted, excluded by a rule, or
//! rejected with its position and a message. It never panics on input, never stops at
//! the first bad row, and never holds the file: only the ledger, the accepted rows in
//! compact form ([`Rows`]) and the text of the row being read. [`ingest`] is the same on
//! bytes already in memory; for any chunking, both give the same [`FileReport`]. The
//! parsers take bytes and give rows: threads and files are the shells' (`native`, the
//! page's `web/worker`).
//!
//! Five wings, each using only the ones above it in this list (a test keeps it so):
//!
//! - `text`: the text readers: bytes to text (gzip, UTF-8 or UTF-16, what the bytes are:
//!   `shape`) and text to records (delimited text; JSON lines, documents, the one-pass
//!   object scanner). They know CSV and JSON, not any export.
//! - `formats`: what each export's records mean: [`Format`] and its [`Stream`], which
//!   export a file is (`recognize`), the typed row ([`GatewayRow`]), new-api's log rows
//!   (columns and UI labels, cells, the JSON row, the `other` field), client logs,
//!   provider reports and billing exports, field access, column mappings, times.
//! - `store`: the row store and the ledger: compact [`Rows`] and their builder, the
//!   [`Ledger`], the evidence sums, the [`FileReport`], rows several files hold ([`overlap`]).
//! - `filing`: a file's records filed under the reading [`Rules`]: gateway rows, the
//!   records of other exports, delimited text by its header, other exports' JSON.
//! - `parts`: a file read in parts: chunk by chunk ([`Ingestor`], the reader of each
//!   shape), a later part read apart and joined ([`Tail`]), the SHA-256 ([`Hashing`]).

mod filing;
mod formats;
mod parts;
mod store;
mod text;

pub use filing::{Currency, Rules, Side, UntimedRequests, Window, LARGEST_DOCUMENT};
pub use formats::mapping;
pub use formats::row::{Counts, GatewayRow, LoggedRatios, RowKind, TokenSemantic, UNTIMED};
pub use formats::times::{parse_time, parse_timestamp, CellFormat, DateOrder, StatedZone};
pub use formats::{Format, Stream};
pub use parts::{line_start, FileHasher, Hashing, Ingestor, SentTail, Tail};
pub use store::evidence::{id_hash, ChargeTotal, Evidence};
pub use store::facts::{Attempts, Facts, Listed, Place, Request, LISTED};
pub use store::labels::{label_hash, FailureDetail, LabelField, Labels, RowLabels};
pub use store::ledger::{ExclusionRule, Ledger, RejectionGroup, KEPT_REJECTIONS};
pub use store::overlap;
pub use store::report::{FileReport, Fingerprint};
pub use store::rows::WireBytes;
pub use store::rows::{RowIter, RowMark, Rows, RowsBuilder};

/// Reads one file and files every row in its ledger under `rules`.
pub fn ingest(name: &str, bytes: &[u8], rules: Rules) -> FileReport {
    let mut ingestor = Ingestor::new(name, rules);
    ingestor.push(bytes);
    ingestor.finish()
}

#[cfg(test)]
pub(crate) mod samples;
