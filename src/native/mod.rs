//! native: the shell the command line and the benchmark run the pure core in. Threads
//! and files live here, never in the core: a large file is read in two parts at once
//! ([`ingest_in_two`]), the SHA-256 is computed on a thread of its own
//! ([`ThreadedIngestor`], [`ingest_hashing_apart`]), and [`run`] is
//! [`pipeline::run`] with each file read that way. The page does
//! the same with web workers (`web/worker`); every way gives the report one pass gives.

mod hash_thread;
mod in_two;

pub use hash_thread::{ingest_hashing_apart, HashThread, ThreadedIngestor};
pub use in_two::{ingest_in_parts, ingest_in_two, Source, PIECE, SPLIT_FROM};

use crate::pipeline::{self, InputFile, Review};
use crate::settings::Settings;

/// [`pipeline::run`], with each file read in parts on threads ([`ingest_in_parts`]),
/// their rows filed in groups there: the same review, sooner on a machine with cores
/// to spare.
pub fn run(files: &[InputFile], settings: &Settings) -> Review {
    let rules = pipeline::ingest_rules(settings).unwrap_or_default();
    let valid = settings.validate().ok();
    let (mut reports, parts): (Vec<_>, Vec<_>) = files
        .iter()
        .map(|f| ingest_in_parts(&f.name, &f.bytes, rules.clone(), valid.as_ref()))
        .unzip();
    pipeline::count_files(&mut reports);
    pipeline::run_kept(reports, settings, &mut pipeline::Kept::with_parts(parts))
}

#[cfg(test)]
mod tests;
