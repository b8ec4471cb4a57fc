//! The web worker that reads files and computes the figures (built as its own binary,
//! `src/bin/worker.rs`).
//!
//! It holds no logic of its own. Each File the page posts is read in chunks with
//! `Blob.slice` + `arrayBuffer()` and fed to [`Ingestor`], the same core the command line
//! runs. Between chunks it posts progress and looks at its mailbox, so a cancel message
//! stops the file at the next chunk. The finished report goes back as JSON (see
//! [`FileReport::to_wire`]); its compact rows stay here, and whenever the page sends
//! settings the worker runs [`pipeline::run_reports`] on them (the same call the CLI ends
//! in) and sends back the figures ([`Review::to_wire`]), so the page's thread never
//! prices a row.
//!
//! SHA-256 is the largest single cost of reading (wasm has no SHA instructions), so the
//! page starts a second instance of this worker: it gets `hash` for the same File,
//! reads it once and answers `hashed`; this one reads with hashing off (`read` with
//! `hash: false`) and gets the digest back as `fingerprint`. A large file is also read
//! in two parts (`ingest::Tail`): `read` carries a `split` byte, where this worker stops
//! at the next line start and awaits the rows after it, which the second worker reads
//! in the same pass as its hash and sends as `tail` (by way of the page).
//!
//! Messages (plain objects; `kind` says which):
//! - page → worker: `read {job, file, rules, hash, split}`,
//!   `hash {job, file, hash, split, rules}`, `tail {job, part}`, `fingerprint {job, sha256}`,
//!   `cancel {upto}` (every job ≤ upto), `compute {generation, settings, jobs}`,
//!   `keep {jobs, upto}`.
//! - worker → page: `ready`, `progress {job, done, total, rows, ms}`,
//!   `done {job, report, models}`, `hashed {job, sha256}`, `tail {job, part}`,
//!   `cancelled {job}`, `failed {job, message}`, `figures {generation, review | problem}`.

use std::cell::RefCell;
use std::collections::VecDeque;

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

mod counted;
mod tails;

use super::message::{self, Message};
use crate::ingest::{line_start, FileHasher, FileReport, Hashing, Ingestor, Rules};
use crate::pipeline::{self, Review};
use crate::settings::Settings;

/// Bytes read per step: large enough that the per-chunk overhead (a promise, a copy, a
/// progress message) is noise, small enough for progress and cancel to feel immediate.
const CHUNK: f64 = 8.0 * 1024.0 * 1024.0;
/// The hashing worker runs ahead of the reader; smaller slices leave less garbage
/// between its collections (measured: see README, Benchmarks).
const HASH_CHUNK: f64 = 1024.0 * 1024.0;

struct Job {
    id: u32,
    file: File,
    task: Task,
}

enum Task {
    /// Read the file into a report (hashing it too, or not when another worker does),
    /// up to the first line start at or after `split` when the other worker reads the rest.
    Read {
        rules: Rules,
        hashing: Hashing,
        split: Option<f64>,
    },
    /// For the worker reading the file: its SHA-256 (unless the page knows it) and,
    /// first, the rows from the first line start at or after the split.
    Assist {
        hash: bool,
        split: Option<(f64, Rules)>,
    },
}

#[derive(Default)]
struct Mailbox {
    queue: VecDeque<Job>,
    cancelled_upto: Option<u32>,
    running: bool,
}

thread_local! {
    static MAILBOX: RefCell<Mailbox> = RefCell::default();
    /// The reports of finished reads, rows included, by job, until the page lets them go.
    static REPORTS: RefCell<Vec<(u32, FileReport)>> = RefCell::default();
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

fn post(message: &JsValue) {
    if let Some(scope) = scope() {
        let _ = scope.post_message(message);
    }
}

/// Installs the message handler and tells the page it can send files.
pub fn start() {
    let Some(scope) = scope() else { return };
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        match message::read(&event.data()) {
            Some(Message::Read {
                job,
                file,
                rules,
                hash,
                split,
            }) => match Rules::from_wire(&rules) {
                Ok(rules) => {
                    let hashing = if hash {
                        Hashing::Inline
                    } else {
                        Hashing::Elsewhere
                    };
                    let task = Task::Read {
                        rules,
                        hashing,
                        split,
                    };
                    queue(job, file, task)
                }
                Err(problem) => post(&message::failed(job, &problem)),
            },
            Some(Message::Hash {
                job,
                file,
                hash,
                split,
            }) => {
                // Rules that do not read are the reader's to report; here, no split.
                let split =
                    split.and_then(|(at, rules)| Some((at, Rules::from_wire(&rules).ok()?)));
                queue(job, file, Task::Assist { hash, split })
            }
            Some(Message::Tail { job, part }) => tails::arrived(job, &part),
            Some(Message::Fingerprint { job, sha256 }) => REPORTS.with(|r| {
                counted::forget();
                let mut reports = r.borrow_mut();
                if let Some((_, report)) = reports.iter_mut().find(|(id, _)| *id == job) {
                    report.fingerprint.sha256 = sha256;
                }
            }),
            // Synchronous: a read in progress waits for the figures at its next chunk. The page
            // sends one compute at a time, so no stale settings queue up here.
            Some(Message::Compute {
                generation,
                settings,
                jobs,
            }) => post(&compute(generation, &settings, &jobs)),
            Some(Message::Keep { jobs, upto }) => REPORTS.with(|r| {
                counted::forget();
                r.borrow_mut()
                    .retain(|(job, _)| *job > upto || jobs.contains(job))
            }),
            Some(Message::Cancel { upto }) => MAILBOX.with(|m| {
                let mut m = m.borrow_mut();
                m.cancelled_upto = m.cancelled_upto.max(Some(upto));
                // Queued jobs go at once; the running one stops at its next chunk, or
                // now if it waits for its tail.
                tails::wake(|job| job <= upto);
                tails::forget_upto(upto);
                while let Some(job) = m.queue.front() {
                    if job.id > upto {
                        break;
                    }
                    post(&message::cancelled(job.id));
                    m.queue.pop_front();
                }
            }),
            _ => {}
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; so does its handler.
    on_message.forget();
    post(&message::ready());
}

fn queue(id: u32, file: File, task: Task) {
    MAILBOX.with(|m| m.borrow_mut().queue.push_back(Job { id, file, task }));
    let idle = MAILBOX.with(|m| !std::mem::replace(&mut m.borrow_mut().running, true));
    if idle {
        wasm_bindgen_futures::spawn_local(run());
    }
}

/// The figures of the kept reports of `jobs` under `settings`, as the `figures` answer.
fn compute(generation: u32, settings: &str, jobs: &[u32]) -> JsValue {
    let settings = match Settings::from_json(settings) {
        Ok(settings) => settings,
        Err(problem) => {
            let problem = format!("the settings sent to the worker are damaged: {problem}");
            return message::figures(generation, Err(&problem));
        }
    };
    let Some(files) = counted::reports(jobs) else {
        let problem = "a file's rows are no longer held by the worker; load the file again";
        return message::figures(generation, Err(problem));
    };
    let review: Review = pipeline::run_counted(files, &settings);
    message::figures(generation, Ok(&review.to_wire()))
}

fn cancelled(id: u32) -> bool {
    MAILBOX.with(|m| m.borrow().cancelled_upto.is_some_and(|upto| id <= upto))
}

async fn run() {
    while let Some(job) = MAILBOX.with(|m| m.borrow_mut().queue.pop_front()) {
        read(job).await;
    }
    MAILBOX.with(|m| m.borrow_mut().running = false);
}

fn slice(file: &File, start: f64, size: f64) -> Option<JsFuture> {
    let end = (start + size).min(file.size());
    let blob = file.slice_with_f64_and_f64(start, end).ok()?;
    Some(JsFuture::from(blob.array_buffer()))
}

async fn read(job: Job) {
    let Job { id, file, task } = job;
    let (rules, hashing, split) = match task {
        Task::Read {
            rules,
            hashing,
            split,
        } => (rules, hashing, split),
        Task::Assist { hash, split } => return assist(id, &file, hash, split).await,
    };
    let total = file.size();
    let started = js_sys::Date::now();
    let mut ingestor = Ingestor::with_hashing(&file.name(), rules, hashing);
    let progress = |ingestor: &Ingestor, done: f64| {
        let elapsed = js_sys::Date::now() - started;
        post(&message::progress(
            id,
            done,
            total,
            ingestor.rows_read(),
            elapsed,
        ));
    };
    // Up to the cut (when the other worker reads the rest), else to the end.
    let mut cut = None;
    let read = chunks(id, &file, 0.0, CHUNK, |chunk, at| {
        let head = match split {
            Some(split) if at + chunk.len() as f64 > split && ingestor.splittable() => {
                let from = (split - at).max(0.0) as usize;
                line_start(&chunk[from..]).map(|n| from + n)
            }
            _ => None,
        };
        let end = head.unwrap_or(chunk.len());
        ingestor.push(&chunk[..end]);
        progress(&ingestor, at + end as f64);
        cut = head.map(|n| at + n as f64);
        cut.is_none()
    })
    .await;
    let Some(whole) = read else { return };
    if let (false, Some(cut)) = (whole, cut) {
        let tail = tails::awaited(id).await;
        if cancelled(id) {
            return post(&message::cancelled(id));
        }
        if tail.is_some_and(|tail| ingestor.join_tail(tail)) {
            tails::count_joined();
            progress(&ingestor, total);
        } else {
            let rest = chunks(id, &file, cut, CHUNK, |chunk, at| {
                ingestor.push(chunk);
                progress(&ingestor, at + chunk.len() as f64);
                true
            });
            if rest.await.is_none() {
                return;
            }
        }
    }
    tails::forget_upto(id);
    let report = ingestor.finish();
    let (json, _, _) = report.to_wire();
    post(&message::done(id, &json, report.rows.models()));
    counted::forget();
    REPORTS.with(|r| r.borrow_mut().push((id, report)));
}

/// The second worker's part: the SHA-256, and the rows after the split when there is
/// one (read in the same pass: the reader meanwhile reads up to the split).
async fn assist(id: u32, file: &File, hash: bool, split: Option<(f64, Rules)>) {
    let mut hasher = FileHasher::new();
    let hashed = match split {
        Some((at, rules)) => {
            let hashing = hash.then_some(&mut hasher);
            tails::read_and_send(id, file, at, rules, hashing).await
        }
        None if hash => {
            let read = chunks(id, file, 0.0, HASH_CHUNK, |chunk, _| {
                hasher.push(chunk);
                true
            });
            read.await.is_some()
        }
        None => false,
    };
    if hash && hashed {
        post(&message::hashed(id, &hasher.finish().sha256));
    }
}

/// Gives the file's bytes from `start` to `take` in order, each chunk with the offset
/// it starts at, while `take` answers true. Some(true): read to the end; Some(false):
/// `take` stopped; None: the job was cancelled or the file could not be read (the page
/// has been told).
async fn chunks(
    id: u32,
    file: &File,
    start: f64,
    size: f64,
    mut take: impl FnMut(&[u8], f64) -> bool,
) -> Option<bool> {
    let total = file.size();
    let mut chunk = Vec::new();
    let mut start = start;
    // The next chunk is requested before this one is parsed, so reading overlaps parsing.
    let mut next = slice(file, start, size);
    while start < total {
        if cancelled(id) {
            post(&message::cancelled(id));
            return None;
        }
        let buffer = match next.take() {
            Some(pending) => pending.await,
            None => Err(JsValue::NULL),
        };
        let Ok(buffer) = buffer.and_then(|b| b.dyn_into::<ArrayBuffer>()) else {
            let problem = format!("{} cannot be read (was it moved or changed?)", file.name());
            post(&message::failed(id, &problem));
            return None;
        };
        let bytes = Uint8Array::new(&buffer);
        let at = start;
        start += f64::from(bytes.length());
        if start < total {
            next = slice(file, start, size);
        }
        chunk.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut chunk);
        if !take(&chunk, at) {
            return Some(false);
        }
        if bytes.length() == 0 {
            break;
        }
    }
    if cancelled(id) {
        post(&message::cancelled(id));
        return None;
    }
    Some(true)
}
