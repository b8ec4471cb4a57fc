//! [`FileReport`]: everything learned from one file (its fingerprint, format, problem,
//! ledger, accepted rows and the evidence of other streams), and its trip from the web
//! worker to the page.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::evidence::Evidence;
use super::ledger::{ExclusionRule, Ledger};
use super::rows::Rows;
use crate::error::Error;
use crate::ingest::formats::{Format, Stream};

/// Identifies the exact bytes a review used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub sha256: String,
    pub bytes: u64,
}

impl Fingerprint {
    pub fn of(bytes: &[u8]) -> Self {
        let digest = Sha256::digest(bytes);
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
        Fingerprint {
            sha256,
            bytes: bytes.len() as u64,
        }
    }
}

/// Everything learned from one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub fingerprint: Fingerprint,
    pub format: Option<Format>,
    /// A problem with the file as a whole: unreadable, or broken part-way.
    pub problem: Option<Error>,
    pub ledger: Ledger,
    /// Accepted usage rows: gateway consume and refund rows, client requests whose usage
    /// is known, provider usage buckets.
    pub rows: Rows,
    /// What a file of another stream adds (charges, requests of unknown usage).
    pub evidence: Evidence,
}

impl FileReport {
    /// Files the rows of a file whose bytes an earlier file already holds under
    /// [`ExclusionRule::DuplicateFile`]: every row still accounted for, none counted twice.
    pub fn exclude_as_duplicate(&mut self) {
        self.ledger
            .exclude_accepted(ExclusionRule::DuplicateFile, self.ledger.accepted);
        self.rows = Rows::default();
        self.evidence.row_tags = Default::default();
        self.evidence.labels = Default::default();
        self.evidence.counted.clear();
        self.evidence.usage_unknown.clear();
        self.evidence.charges.clear();
        self.evidence.reported_cost = None;
        self.evidence.straddling_buckets = 0;
        self.evidence.outcomes.clear();
        self.evidence.facts = Default::default();
    }

    /// The evidence stream the file belongs to (a gateway log until shown otherwise).
    pub fn stream(&self) -> Stream {
        self.format.map_or(Stream::GatewayLog, Format::stream)
    }

    /// Whether the file says anything about its stream: it was read, and unless it holds
    /// no rows at all (an empty page is evidence of nothing in it), at least one of its
    /// rows could be read. A file whose every row was rejected gives no figure, and nor
    /// does one refused before its first row (a page with no list of rows): its stream's
    /// figures are then absent, not zero.
    pub fn gives_evidence(&self) -> bool {
        let l = &self.ledger;
        let empty_and_whole = l.rows_read == 0 && self.problem.is_none();
        self.format.is_some() && (empty_and_whole || l.rejected < l.rows_read)
    }
}

/// The report without its rows, in the wire form (the rows travel as bytes beside it).
#[derive(Deserialize)]
struct Meta {
    name: String,
    fingerprint: Fingerprint,
    format: Option<Format>,
    problem: Option<Error>,
    ledger: Ledger,
    #[serde(default)]
    evidence: Evidence,
}

/// [`Meta`] as it is written: borrowed from the report, the same fields in the same
/// order (a reference is written as what it refers to). A copy of the evidence would
/// copy its per-row lists too (the rows' tags and labels: ~8 MB on 1M rows), which are
/// not written.
#[derive(Serialize)]
struct MetaOf<'a> {
    name: &'a str,
    fingerprint: &'a Fingerprint,
    format: Option<Format>,
    problem: &'a Option<Error>,
    ledger: &'a Ledger,
    evidence: &'a Evidence,
}

impl FileReport {
    /// For the trip from the web worker to the page: the report in the wire form
    /// ([`crate::wire`]), and the rows as bytes, in two parts to be sent as one
    /// (`Rows::tables` then `Rows::data`).
    pub fn to_wire(&self) -> (Vec<u8>, Vec<u8>, &[u8]) {
        let meta = MetaOf {
            name: &self.name,
            fingerprint: &self.fingerprint,
            format: self.format,
            problem: &self.problem,
            ledger: &self.ledger,
            evidence: &self.evidence,
        };
        let meta = crate::wire::to_bytes(&meta).unwrap_or_default();
        (meta, self.rows.tables(), self.rows.data())
    }

    /// `rows` is the tables and data of [`FileReport::to_wire`], one after the other.
    pub fn from_wire(meta: &[u8], rows: Vec<u8>) -> Result<FileReport, String> {
        let mut report = FileReport::from_wire_without_rows(meta)?;
        let rows = Rows::from_bytes(rows)?;
        let unknown = report.evidence.unknown_total();
        let charged = matches!(report.stream(), Stream::Billing | Stream::AccountTotals);
        if !charged && rows.len() as u64 + unknown != report.ledger.accepted {
            return Err("the rows sent by the reader do not match its ledger".into());
        }
        report.rows = rows;
        Ok(report)
    }

    /// The report of [`FileReport::to_wire`] alone, for a page whose worker keeps the
    /// rows (and computes the figures from them): the report's `rows` are empty.
    pub fn from_wire_without_rows(meta: &[u8]) -> Result<FileReport, String> {
        let meta: Meta = crate::wire::from_bytes(meta)
            .map_err(|e| format!("the report sent by the reader is damaged: {e}"))?;
        Ok(FileReport {
            name: meta.name,
            fingerprint: meta.fingerprint,
            format: meta.format,
            problem: meta.problem,
            ledger: meta.ledger,
            rows: Rows::default(),
            evidence: meta.evidence,
        })
    }
}
