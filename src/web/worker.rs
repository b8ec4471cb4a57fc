//! The web worker that reads files (built as its own binary, `src/bin/worker.rs`).
//!
//! It holds no logic of its own: each File the page posts is read in chunks with
//! `Blob.slice` + `arrayBuffer()` and fed to [`Ingestor`], the same core the command line
//! runs. Between chunks it posts progress and looks at its mailbox, so a cancel message
//! stops the file at the next chunk. The finished report goes back as JSON plus the
//! compact rows as a transferred buffer (see [`FileReport::to_wire`]).
//!
//! Messages (plain objects; `kind` says which):
//! - page → worker: `read {job, file, rules}`, `cancel {upto}` (every job ≤ upto).
//! - worker → page: `ready`, `progress {job, done, total, rows, ms}`,
//!   `done {job, report, rows}`, `cancelled {job}`, `failed {job, message}`.

use std::cell::RefCell;
use std::collections::VecDeque;

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

use super::message::{self, Message};
use crate::ingest::{Ingestor, Rules};

/// Bytes read per step: large enough that the per-chunk overhead (a promise, a copy, a
/// progress message) is noise, small enough for progress and cancel to feel immediate.
const CHUNK: f64 = 8.0 * 1024.0 * 1024.0;

struct Job {
    id: u32,
    file: File,
    rules: Rules,
}

#[derive(Default)]
struct Mailbox {
    queue: VecDeque<Job>,
    cancelled_upto: Option<u32>,
    running: bool,
}

thread_local! {
    static MAILBOX: RefCell<Mailbox> = RefCell::default();
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

fn post(message: &JsValue, transfer: Option<&JsValue>) {
    let Some(scope) = scope() else { return };
    let _ = match transfer {
        Some(buffer) => scope.post_message_with_transfer(message, &js_sys::Array::of1(buffer)),
        None => scope.post_message(message),
    };
}

/// Installs the message handler and tells the page it can send files.
pub fn start() {
    let Some(scope) = scope() else { return };
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        match message::read(&event.data()) {
            Some(Message::Read { job, file, rules }) => {
                let rules = Rules::from_wire(&rules);
                match rules {
                    Ok(rules) => MAILBOX.with(|m| {
                        m.borrow_mut().queue.push_back(Job {
                            id: job,
                            file,
                            rules,
                        })
                    }),
                    Err(problem) => post(&message::failed(job, &problem), None),
                }
                let idle = MAILBOX.with(|m| !std::mem::replace(&mut m.borrow_mut().running, true));
                if idle {
                    wasm_bindgen_futures::spawn_local(run());
                }
            }
            Some(Message::Cancel { upto }) => MAILBOX.with(|m| {
                let mut m = m.borrow_mut();
                m.cancelled_upto = m.cancelled_upto.max(Some(upto));
                // Queued jobs go at once; the running one stops at its next chunk.
                while let Some(job) = m.queue.front() {
                    if job.id > upto {
                        break;
                    }
                    post(&message::cancelled(job.id), None);
                    m.queue.pop_front();
                }
            }),
            _ => {}
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; so does its handler.
    on_message.forget();
    post(&message::ready(), None);
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

fn slice(file: &File, start: f64) -> Option<JsFuture> {
    let end = (start + CHUNK).min(file.size());
    let blob = file.slice_with_f64_and_f64(start, end).ok()?;
    Some(JsFuture::from(blob.array_buffer()))
}

async fn read(job: Job) {
    let Job { id, file, rules } = job;
    let total = file.size();
    let started = js_sys::Date::now();
    let mut ingestor = Ingestor::new(&file.name(), rules);
    let mut chunk = Vec::new();
    let mut start = 0.0;
    // The next chunk is requested before this one is parsed, so reading overlaps parsing.
    let mut next = slice(&file, start);
    while start < total {
        if cancelled(id) {
            return post(&message::cancelled(id), None);
        }
        let buffer = match next.take() {
            Some(pending) => pending.await,
            None => Err(JsValue::NULL),
        };
        let Ok(buffer) = buffer.and_then(|b| b.dyn_into::<ArrayBuffer>()) else {
            let problem = format!("{} cannot be read (was it moved or changed?)", file.name());
            return post(&message::failed(id, &problem), None);
        };
        let bytes = Uint8Array::new(&buffer);
        start += f64::from(bytes.length());
        if start < total {
            next = slice(&file, start);
        }
        chunk.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut chunk);
        ingestor.push(&chunk);
        let elapsed = js_sys::Date::now() - started;
        post(
            &message::progress(id, start, total, ingestor.rows_read(), elapsed),
            None,
        );
        if bytes.length() == 0 {
            break;
        }
    }
    if cancelled(id) {
        return post(&message::cancelled(id), None);
    }
    let report = ingestor.finish();
    let (json, tables, data) = report.to_wire();
    // Straight into one JS buffer, transferred (not copied again) to the page.
    let rows = Uint8Array::new_with_length((tables.len() + data.len()) as u32);
    rows.subarray(0, tables.len() as u32).copy_from(&tables);
    rows.subarray(tables.len() as u32, rows.length())
        .copy_from(data);
    post(&message::done(id, &json, &rows), Some(&rows.buffer()));
}
