//! Spend Reconciler: reconciles AI-API spend offline, in exact decimal.
//!
//! The pipeline, one module per stage, all pure (no browser, no clock, no I/O):
//!
//! 1. [`ingest`]: bytes in, typed gateway rows out; every row accepted, excluded by a
//!    rule, or rejected with file, line, row and column ([`ingest::Ledger`]).
//! 2. [`settings`]: the review settings document (window, verified rates with provenance,
//!    tolerance), kept as typed text and validated into exact values.
//! 3. [`price`]: usage × verified rates → expected charge per model and dimension.
//! 4. [`reconcile`]: expected versus provider-recorded (Σ quota ÷ quota per USD), variance
//!    and tolerance, per model and in total.
//! 5. [`classify`]: the variance bridge, one step per explained cause, plus the residual;
//!    [`crosscheck`]: the evidence streams (gateway log, client requests, provider usage,
//!    billing, account totals) each summed on its own and compared pairwise;
//!    [`confidence`]: seed 002's usage labels per stream and dimension, the expected
//!    amount split into verified and estimated, tolerance judged on the verified part;
//!    [`authority`]: which stream stands as the provider-side figure (the reviewer's
//!    choice, or the default rule) and the comparison against it; [`dual_ledger`]: seed
//!    001's estimated and reconciled cost per model and day, side by side.
//! 6. [`closure`]: the incident review from the figures to closure (the review frame,
//!    checklist, closure criteria, final statement and support packet), computed from
//!    the figures and the review typed, never from rows.
//! 7. [`record`]: the sanitized reconciliation record (JSON) built from an allow-list;
//!    [`charts`]: the figures drawn as inline SVG, each with its table.
//! 8. [`budget`]: a budget review of the same evidence and rate card (allocation to
//!    owners by the reviewer's mapping table), written as its own sanitized document.
//!
//! 9. [`verify`]: a record checked against its files, run again from the settings it
//!    carries: identical, or the first fields and the files that differ.
//!
//! [`pipeline::run`] chains them for bytes in memory; the command line runs them in the
//! native shell (`native::run`: a large file read in two parts on threads, the SHA-256
//! on a third); the page's web worker streams each file through [`ingest::Ingestor`] and,
//! for each new generation of the settings, computes the review with the functions both
//! `run`s end in ([`pipeline::count_files`], [`pipeline::run_kept`]); the page shows
//! what it sent back ([`pipeline::Review::from_wire`], in the compact form of [`wire`]).

pub mod authority;
pub mod budget;
pub mod charts;
pub mod classify;
pub mod closure;
pub mod confidence;
pub mod crosscheck;
pub mod decimal;
pub mod dual_ledger;
pub mod error;
pub mod fast_hash;
pub mod figures;
pub mod ingest;
pub mod money;
pub mod outputs;
pub mod pipeline;
pub mod policy;
pub mod price;
pub mod ratecard;
pub mod reconcile;
pub mod record;
pub mod sanitize;
pub mod settings;
pub mod verify;
pub mod wire;

// Threads and files for the command line and the benchmark: natively only.
#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, ErrorKind, Position};
