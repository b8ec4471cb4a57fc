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

use crate::ingest::{FileHasher, FileReport, Rules};
use crate::pipeline::{self, Given, InputFile, Review};
use crate::price::groups::Groups;
use crate::settings::{Settings, ValidSettings};

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

/// A file the command line reads: bytes already in memory (standard input), or a file
/// on disk, read where it lies.
pub enum Input {
    Bytes(InputFile),
    #[cfg(unix)]
    Disk {
        name: String,
        file: std::fs::File,
    },
}

impl Input {
    pub fn name(&self) -> &str {
        match self {
            Input::Bytes(file) => &file.name,
            #[cfg(unix)]
            Input::Disk { name, .. } => name,
        }
    }

    /// The report of reading it, with its rows' groups when filed on the way: from 1 MiB
    /// on, a file on disk is read in two parts straight from the disk
    /// ([`ingest_in_two`]), so it is never held whole (a 1M-row CSV log: the process
    /// peaks at ~64 MB, not ~240 MB with the file read into memory first).
    fn read(&self, rules: Rules, settings: Option<&ValidSettings>) -> std::io::Result<Read> {
        match self {
            Input::Bytes(file) => Ok(ingest_in_parts(&file.name, &file.bytes, rules, settings)),
            #[cfg(unix)]
            Input::Disk { name, file } if file.size() >= SPLIT_FROM => {
                ingest_in_two(name, file, rules, file.size() / 2, settings)
            }
            #[cfg(unix)]
            Input::Disk { name, file } => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut &*file, &mut bytes)?;
                Ok(ingest_in_parts(name, &bytes, rules, settings))
            }
        }
    }
}

type Read = (FileReport, Option<Groups>);

/// A file given to `verify`: its digest found as the file is read a piece at a time,
/// so a file on disk is not held whole for it either.
impl Given for Input {
    fn name(&self) -> &str {
        Input::name(self)
    }

    fn sha256(&self) -> Result<String, String> {
        match self {
            Input::Bytes(file) => file.sha256(),
            #[cfg(unix)]
            Input::Disk { name, file } => {
                let mut hasher = FileHasher::new();
                let read = file.read(0..file.size(), &mut |piece| {
                    hasher.push(piece);
                    true
                });
                read.map_err(|e| format!("{name}: cannot be read: {e}"))?;
                Ok(hasher.finish().sha256)
            }
        }
    }
}

/// [`run`] on the command line's inputs, each read as [`Input`] says; an input that
/// cannot be read to its end (a disk error, a file cut short while it is read) is an
/// error naming it.
pub fn run_inputs(inputs: &[&Input], settings: &Settings) -> Result<Review, String> {
    let rules = pipeline::ingest_rules(settings).unwrap_or_default();
    let valid = settings.validate().ok();
    let mut reports = Vec::with_capacity(inputs.len());
    let mut parts = Vec::with_capacity(inputs.len());
    for input in inputs {
        let (report, groups) = (input.read(rules.clone(), valid.as_ref()))
            .map_err(|e| format!("{}: cannot be read: {e}", input.name()))?;
        reports.push(report);
        parts.push(groups);
    }
    pipeline::count_files(&mut reports);
    Ok(pipeline::run_kept(
        reports,
        settings,
        &mut pipeline::Kept::with_parts(parts),
    ))
}

#[cfg(test)]
mod tests;
