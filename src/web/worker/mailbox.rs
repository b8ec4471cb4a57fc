//! The worker's side: its mailbox. Messages from the page queue jobs (read a file,
//! or assist the reader with the rows after its cut and the file's hash), cancel them, or ask for the figures,
//! which are computed at once from the reports kept here.

use std::cell::RefCell;
use std::collections::VecDeque;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

use super::message::{self, Message};
use super::{counted, read, tails};
use crate::budget;
use crate::ingest::{FileHasher, FileReport, Hashing, Rules};
use crate::pipeline::Review;
use crate::settings::Settings;

pub(super) struct Job {
    pub id: u32,
    pub file: File,
    pub task: Task,
}

pub(super) enum Task {
    /// Read the file into a report (hashing it too, or not when another worker does),
    /// up to the first line start at or after `split` when the other worker reads the rest.
    /// With `split`, the rows are filed under `settings` (JSON) once all are read.
    Read {
        rules: Rules,
        hashing: Hashing,
        split: Option<f64>,
        settings: Option<String>,
    },
    /// For the worker reading the file: the rows from the first line start at or after
    /// the split, then its SHA-256 (unless the page knows it) as a `Hash` task.
    Assist {
        hash: bool,
        split: Option<(f64, Rules)>,
        settings: Option<String>,
    },
    /// The SHA-256 of the file from byte `from` on, `hasher` holding the bytes before.
    /// It gives way to any other task queued behind it (the rows a reader waits for come
    /// before a fingerprint the figures do not need) and resumes after them.
    Hash { hasher: FileHasher, from: f64 },
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
    pub(super) static REPORTS: RefCell<Vec<(u32, FileReport)>> = RefCell::default();
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

pub(super) fn post(message: &JsValue) {
    if let Some(scope) = scope() {
        let _ = scope.post_message(message);
    }
}

/// Posts `message`, handing `buffer` (an ArrayBuffer in it) over instead of copying it.
pub(super) fn transfer(message: &JsValue, buffer: &JsValue) {
    match scope() {
        Some(scope) if buffer.is_instance_of::<js_sys::ArrayBuffer>() => {
            let _ = scope.post_message_with_transfer(message, &js_sys::Array::of1(buffer));
        }
        _ => post(message),
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
                settings,
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
                        settings,
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
                settings,
            }) => {
                // Rules that do not read are the reader's to report; here, no split.
                let split =
                    split.and_then(|(at, rules)| Some((at, Rules::from_wire(&rules).ok()?)));
                let task = Task::Assist {
                    hash,
                    split,
                    settings,
                };
                queue(job, file, task)
            }
            Some(Message::Tail { job, part }) => tails::arrived(job, &part),
            Some(Message::Filed { job, groups, under }) => tails::filed(job, groups, under),
            // No figure depends on a digest, so what was counted and kept stays.
            Some(Message::Fingerprint { job, sha256 }) => {
                REPORTS.with(|r| {
                    let mut reports = r.borrow_mut();
                    if let Some((_, report)) = reports.iter_mut().find(|(id, _)| *id == job) {
                        report.fingerprint.sha256 = sha256.clone();
                    }
                });
                counted::fingerprinted(job, &sha256);
            }
            // Synchronous: a read in progress waits for the figures at its next chunk. The page
            // sends one compute at a time, so no stale settings queue up here.
            Some(Message::Compute {
                generation,
                settings,
                jobs,
            }) => post(&compute(generation, &settings, &jobs)),
            Some(Message::Verify { id, record, files }) => {
                wasm_bindgen_futures::spawn_local(verify(id, record, files))
            }
            Some(Message::Keep { jobs, upto }) => REPORTS.with(|r| {
                counted::forget();
                counted::keep_filed(|job| job > upto || jobs.contains(&job));
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
    // After `ready` has gone; it gives way to the first file (see `warm`).
    wasm_bindgen_futures::spawn_local(super::warm::warm_up());
}

/// Whether a file is being read or waits to be: the warm-up stops for it.
pub(super) fn busy() -> bool {
    MAILBOX.with(|m| {
        let m = m.borrow();
        m.running || !m.queue.is_empty()
    })
}

/// Whether a task other than a fingerprint waits in the queue (a fingerprint gives way).
pub(super) fn other_than_hashing_waits() -> bool {
    MAILBOX.with(|m| {
        m.borrow()
            .queue
            .iter()
            .any(|job| !matches!(job.task, Task::Hash { .. }))
    })
}

pub(super) fn queue(id: u32, file: File, task: Task) {
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
            return message::figures(generation, Err(&problem), None);
        }
    };
    let Some(files) = counted::reports(jobs) else {
        let problem = "a file's rows are no longer held by the worker; load the file again";
        return message::figures(generation, Err(problem), None);
    };
    // Groups of the priced rows are kept with the files: a rate edit prices groups.
    let review: Review = counted::run(files, &settings);
    let budget = budget::wire(&review.files, &settings);
    message::figures(generation, Ok(&review.to_wire()), budget.as_deref())
}

/// A record checked against its files: read whole (a record and the files it was made
/// from, not a review in progress), then the core's check, the command line's too.
async fn verify(id: u32, record: File, files: Vec<File>) {
    let answer = async {
        let record = read::whole(&record).await?;
        let record = String::from_utf8(record.bytes).map_err(|_| {
            format!(
                "{}: expected UTF-8 text, but found other bytes",
                record.name
            )
        })?;
        let mut inputs = Vec::new();
        for file in &files {
            inputs.push(read::whole(file).await?);
        }
        let run = crate::verify::run_in_memory;
        let verification = crate::verify::verify(&record, &inputs, run)?;
        crate::wire::to_bytes(&verification).map_err(|e| e.to_string())
    };
    let answer = answer.await;
    post(&message::verified(
        id,
        answer.as_deref().map_err(String::as_str),
    ));
}

pub(super) fn cancelled(id: u32) -> bool {
    MAILBOX.with(|m| m.borrow().cancelled_upto.is_some_and(|upto| id <= upto))
}

async fn run() {
    while let Some(job) = MAILBOX.with(|m| m.borrow_mut().queue.pop_front()) {
        read::read(job).await;
    }
    MAILBOX.with(|m| m.borrow_mut().running = false);
}
