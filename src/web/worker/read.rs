//! Reading a File in the worker: in chunks (from a byte stream into two reused buffers,
//! or `Blob.slice` + `arrayBuffer()` where there is none: `source`; the next one
//! requested before this one is parsed), into [`Ingestor`], the same core the command
//! line runs; or, for the second worker, hashing it and reading its tail.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

use super::mailbox::{cancelled, other_than_hashing_waits, post, queue, Job, Task, REPORTS};
use super::message;
use super::source::Source;
use super::{counted, tails};
use crate::ingest::{line_start, FileHasher, Ingestor, Rules};
use crate::price::groups::{FiledAsRead, Groups};
use crate::settings::{Settings, ValidSettings};

/// Bytes read per step: large enough that the per-chunk overhead (a promise, a copy, a
/// progress message) is noise, small enough for progress and cancel to feel immediate.
/// Each worker holds its chunk in its WebAssembly memory and the stream's two buffers
/// besides: 8 MiB was no faster on the 1M-row CSV and took ~10 MB more of the tab
/// (docs/benchmarks.md).
const CHUNK: f64 = 2.0 * 1024.0 * 1024.0;
/// The hashing worker runs ahead of the reader; smaller slices leave less garbage
/// between its collections (measured: see docs/benchmarks.md).
const HASH_CHUNK: f64 = 1024.0 * 1024.0;
/// How often the fingerprint's progress is told, at most.
const PROGRESS_EVERY_MS: f64 = 150.0;

/// A whole file's bytes, for checking a record (`mailbox::verify`).
pub(super) async fn whole(file: &File) -> Result<crate::pipeline::InputFile, String> {
    let cannot = || format!("{}: cannot be read", file.name());
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| cannot())?;
    let buffer: ArrayBuffer = buffer.dyn_into().map_err(|_| cannot())?;
    Ok(crate::pipeline::InputFile {
        name: file.name(),
        bytes: Uint8Array::new(&buffer).to_vec(),
    })
}

pub(super) async fn read(job: Job) {
    let Job { id, file, task } = job;
    let (rules, hashing, split, settings) = match task {
        Task::Read {
            rules,
            hashing,
            split,
            settings,
        } => (rules, hashing, split, settings),
        Task::Assist {
            hash,
            split,
            settings,
        } => return assist(id, file, hash, split, settings).await,
        Task::Hash { hasher, from } => return hash(id, file, hasher, from).await,
    };
    let total = file.size();
    let started = js_sys::Date::now();
    let mut ingestor = Ingestor::with_hashing(&file.name(), rules, hashing);
    // The reader's lists hold the other worker's rows too once joined: room for them all.
    ingestor.expect_total(total as u64);
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
    // With settings, each chunk's rows are filed in groups as soon as they are stored:
    // the figures then price groups, not rows.
    let valid = settings.as_deref().and_then(valid_settings);
    let mut filed = valid.map(FiledAsRead::new);
    // Up to the cut (when the other worker reads the rest), else to the end.
    let mut cut = None;
    let read = chunks(id, &file, 0.0, CHUNK, &mut |chunk, at| {
        let head = match split {
            Some(split) if at + chunk.len() as f64 > split && ingestor.splittable() => {
                let from = (split - at).max(0.0) as usize;
                line_start(&chunk[from..]).map(|n| from + n)
            }
            _ => None,
        };
        let end = head.unwrap_or(chunk.len());
        ingestor.push(&chunk[..end]);
        if let Some(filed) = &mut filed {
            filed.file(|mark| ingestor.rows_from(mark));
        }
        progress(&ingestor, at + end as f64);
        cut = head.map(|n| at + n as f64);
        cut.is_none()
    })
    .await;
    let Some(whole) = read else { return };
    // The groups of the rows the head holds when the tail joins them.
    let mut head_groups = None;
    if let (false, Some(cut)) = (whole, cut) {
        let tail = tails::awaited(id).await;
        if cancelled(id) {
            return post(&message::cancelled(id));
        }
        let mine = filed
            .take()
            .and_then(|filed| filed.finish(|mark| ingestor.rows_from(mark)));
        if tail.is_some_and(|tail| ingestor.join_tail(tail)) {
            tails::count_joined();
            progress(&ingestor, total);
            head_groups = Some(mine);
        } else {
            let mut rest = |chunk: &[u8], at: f64| {
                ingestor.push(chunk);
                progress(&ingestor, at + chunk.len() as f64);
                true
            };
            if chunks(id, &file, cut, CHUNK, &mut rest).await.is_none() {
                return;
            }
        }
    }
    let report = ingestor.finish();
    // Before `done`: the page then asks for the figures, which find the rows filed.
    let filed = match (head_groups, settings) {
        (Some(Some(mine)), Some(settings)) => join_tail_groups(id, mine, &settings).await,
        // Read here alone: its last line's rows come with `finish`.
        (None, _) => filed.and_then(|filed| filed.finish(|mark| report.rows.iter_from(mark))),
        _ => None,
    };
    if cancelled(id) {
        return post(&message::cancelled(id));
    }
    tails::forget_upto(id);
    let (meta, _, _) = report.to_wire();
    post(&message::done(id, &meta, report.rows.models()));
    counted::forget();
    REPORTS.with(|r| r.borrow_mut().push((id, report)));
    counted::filed(id, filed);
}

fn valid_settings(json: &str) -> Option<ValidSettings> {
    Settings::from_json(json).ok()?.validate().ok()
}

/// The groups of a file read in two parts: `mine`, the head's (filed as it was read),
/// followed by the second worker's of the tail, filed under the same `settings` (JSON).
/// None when the tail's could not be filed or the two do not join (the figures then
/// file every row).
async fn join_tail_groups(id: u32, mine: Groups, settings: &str) -> Option<Groups> {
    let valid = valid_settings(settings)?;
    let tail = tails::awaited_groups(id, (settings, &valid)).await?;
    mine.then(tail)
}

/// The second worker's part: the rows after the split when there is one (the reader
/// meanwhile reads up to it), then the SHA-256, queued behind any other file's rows.
/// The figures never wait for the hash: only the record does (the page says how far
/// it is), so the two cores first share the reading.
async fn assist(
    id: u32,
    file: File,
    hash: bool,
    split: Option<(f64, Rules)>,
    settings: Option<String>,
) {
    if let Some((at, rules)) = split {
        if !tails::read_and_send(id, &file, at, rules, settings).await {
            return;
        }
    }
    if hash {
        let hasher = FileHasher::new();
        queue(id, file, Task::Hash { hasher, from: 0.0 });
    }
}

/// Hashes `file` from `from` on, unless another task is queued: it then waits at the
/// end of the queue, where it resumes from the next byte.
async fn hash(id: u32, file: File, mut hasher: FileHasher, from: f64) {
    if from == 0.0 {
        held_back().await;
    }
    let total = file.size();
    let mut next = from;
    let mut said = 0.0;
    let read = chunks(id, &file, from, HASH_CHUNK, &mut |chunk, at| {
        hasher.push(chunk);
        next = at + chunk.len() as f64;
        // A few times a second: each message re-renders the page.
        let now = js_sys::Date::now();
        if now - said >= PROGRESS_EVERY_MS {
            said = now;
            post(&message::hashing(id, next, total));
        }
        !other_than_hashing_waits()
    })
    .await;
    match read {
        Some(true) => post(&message::hashed(id, &hasher.finish().sha256)),
        Some(false) => queue(id, file, Task::Hash { hasher, from: next }),
        None => {}
    }
}

/// A test's hold on the hashing: a promise in `hashGate` on the worker's global scope
/// is awaited before a hash starts, so a browser test can see the figures and the
/// record waiting for a digest without racing the hash (nothing on the page sets it).
async fn held_back() {
    let gate = js_sys::Reflect::get(&js_sys::global(), &JsValue::from("hashGate"));
    if let Ok(gate) = gate.and_then(|g| g.dyn_into::<js_sys::Promise>()) {
        let _ = JsFuture::from(gate).await;
    }
}

/// Gives the file's bytes from `start` to `take` in order, each chunk with the offset
/// it starts at, while `take` answers true. Some(true): read to the end; Some(false):
/// `take` stopped; None: the job was cancelled or the file could not be read (the page
/// has been told).
pub(super) async fn chunks(
    id: u32,
    file: &File,
    start: f64,
    size: f64,
    // One copy of this loop for every caller (a generic one cost ~1 KB of wasm each).
    take: &mut dyn FnMut(&[u8], f64) -> bool,
) -> Option<bool> {
    let total = file.size();
    let mut chunk = Vec::new();
    let mut start = start;
    let mut source = Source::open(file, start, size);
    // The next chunk is requested before this one is parsed, so reading overlaps parsing.
    let mut next = Some(source.request(start));
    while start < total {
        if cancelled(id) {
            source.stop();
            post(&message::cancelled(id));
            return None;
        }
        let read = match next.take() {
            Some(pending) => pending.await,
            None => Err(JsValue::NULL),
        };
        let Ok((buffer, length)) = read else {
            source.stop();
            let problem = format!("{} cannot be read (was it moved or changed?)", file.name());
            post(&message::failed(id, &problem));
            return None;
        };
        let at = start;
        start += f64::from(length);
        if start < total && length > 0 {
            next = Some(source.request(start));
        }
        chunk.resize(length as usize, 0);
        Uint8Array::new_with_byte_offset_and_length(&buffer, 0, length).copy_to(&mut chunk);
        source.give_back(buffer);
        if !take(&chunk, at) {
            source.stop();
            return Some(false);
        }
        if length == 0 {
            break;
        }
    }
    if cancelled(id) {
        post(&message::cancelled(id));
        return None;
    }
    Some(true)
}
