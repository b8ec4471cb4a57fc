//! The worker plumbing: the web worker that reads files and computes the figures (its
//! own WebAssembly module, `src/bin/reader.rs`, which the page fetches and starts in two
//! instances when the first file is given), and the page's loader that talks to both.
//!
//! The worker holds no logic of its own. Each File the page posts is read in chunks and
//! fed to [`crate::ingest::Ingestor`], the same core the command line runs (`read`).
//! Between chunks it posts progress and looks at its mailbox (`mailbox`), so a cancel
//! message stops the file at the next chunk. The finished report goes back as JSON (see
//! [`crate::ingest::FileReport::to_wire`]); its compact rows stay in the worker, and
//! whenever the page sends settings the worker computes the review the CLI would
//! ([`crate::pipeline::count_files`] once per set of files, kept in `counted`, then
//! [`crate::pipeline::run_kept`], the priced rows' groups kept with them) and sends back the figures and each file's ledger
//! as it counted them ([`crate::pipeline::Review::to_wire`]), so the page's thread never
//! prices or counts a row.
//!
//! SHA-256 is the largest single cost of reading (wasm has no SHA instructions), so the
//! page starts a second instance of the worker: it gets `hash` for the same File and
//! answers `hashed` (with `hashing` progress meanwhile); the first reads with hashing
//! off (`read` with `hash: false`) and gets the digest back as `fingerprint`. A large
//! file is also read in two parts (`ingest::Tail`, `tails`): `read` carries a `split`
//! byte, where the reader stops at the next line start and awaits the rows after it,
//! which the second worker reads first and sends as `tail` (by way of the page, the
//! buffer handed over, not copied). The page then lets the second worker go, unless it
//! has another file's work, and the file's hash waits until the reader has computed the
//! figures (the page sends it then, to the reader if the second worker went); a hash
//! gives way to any read queued behind it.

//! Messages (`message`; plain objects, `kind` says which):
//! - page → worker: `read {job, file, rules, hash, split}`,
//!   `hash {job, file, hash, split, rules}`, `tail {job, part}`, `fingerprint {job, sha256}`,
//!   `cancel {upto}` (every job ≤ upto), `compute {generation, settings, jobs}`,
//!   `keep {jobs, upto}`, `verify {id, record, files}` (a record checked against its files
//!   with [`crate::verify::verify`]).
//! - worker → page: `ready`, `progress {job, done, total, rows, ms}`,
//!   `done {job, report, models}`, `hashing {job, done, total}`, `hashed {job, sha256}`,
//!   `tail {job, part}`,
//!   `cancelled {job}`, `failed {job, message}`, `figures {generation, review | problem}`,
//!   `verified {id, answer | problem}`.
//!
//! On the page, `loader` keeps the File handles, sends the jobs, and turns the
//! answers into the reducer's actions.

mod counted;
mod loader;
mod mailbox;
mod message;
mod read;
mod source;
mod tails;
mod warm;

pub(super) use loader::Loader;
pub use mailbox::start;
