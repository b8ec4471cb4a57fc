//! closure: the incident review carried from the figures to closure, as seed 002 asks
//! for it: the review frame (roles, the finance time zone, the forecast, the window
//! buffer), ...
//!
//! Pure and cheap: it reads the [`Figures`] (the row-level facts the files gave are in
//! them) and the review the reviewer typed (`figures.settings.review`), never a row. The
//! page computes it on its own thread as the reviewer types, without asking the worker
//! to price anything again; the record carries it as `incident_review`.

use serde::Serialize;

use crate::crosscheck::IncidentFacts;
use crate::figures::Figures;
use crate::ingest::Stream;

mod checklist;
mod contract;
#[rustfmt::skip]
mod items;
mod frame;
mod packet;
mod register;
mod remedies;
mod statement;
mod ticks;

pub use checklist::{checklist, Item, List};
pub use contract::{contract, ContractRow};
pub use frame::{buffer_words, zoned, Buffer, BufferStream, ForecastOut, Frame, ZonedWindow};
pub use packet::{packet, Amount, Packet, Reference, Usage, WindowUtc};
pub use register::{register, Assumption};
pub use statement::{
    agreement, cause_name, causes, criteria, statement, statement_sha256, window_words, Agreement,
    Criterion, Statement,
};
pub use ticks::Tick;

/// The review, from figures to closure (the record's `incident_review`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Closure {
    #[serde(flatten)]
    pub frame: Frame,
    /// The row-level facts the checklist answers from: counts and sanitized references.
    pub evidence: IncidentFacts,
    pub checklist: Vec<Item>,
    /// Seed 002's contract details, observed values filled from the evidence.
    pub contract: Vec<ContractRow>,
    /// The assumption register (seed 001), flagged as of the record's generation time.
    pub assumption_register: Vec<Assumption>,
    /// Seed 002's five closure criteria, and whether all hold.
    pub closure_criteria: Vec<Criterion>,
    pub may_close: bool,
    /// The final statement in the seed's form; None until the variance is computed.
    pub final_statement: Option<Statement>,
    pub finance_agreement: Option<Agreement>,
}

/// Computes the review from the figures and the review typed in their settings;
/// `today` (the record's generation time) flags review dates already past.
pub fn close(figures: &Figures, today: Option<jiff::Timestamp>) -> Closure {
    let criteria = criteria(figures);
    Closure {
        frame: frame::frame(figures),
        evidence: figures.incident.clone(),
        checklist: checklist(figures),
        contract: contract(figures),
        assumption_register: register(figures, today),
        may_close: criteria.iter().all(|c| c.met),
        closure_criteria: criteria,
        final_statement: statement(figures),
        finance_agreement: agreement(figures),
    }
}

/// A stream as a sentence names it.
pub(crate) fn stream_name(stream: Stream) -> &'static str {
    stream.describe()
}

/// "1 row", "12 rows".
pub(crate) fn rows(n: u64) -> String {
    count(n, "row")
}

pub(crate) fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests;
