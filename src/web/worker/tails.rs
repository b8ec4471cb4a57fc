//! The two workers reading one large file at once (see `ingest::Tail`): the second
//! worker reads the rows after the cut, filing them in groups as it reads under the
//! settings the page sent (`price::groups::FiledAsRead`), and sends the rows, then the
//! groups; the reader stops at the cut and awaits each here, woken by its arrival (or
//! by a cancel), never by a timer.

use std::cell::{Cell, RefCell};

use js_sys::{ArrayBuffer, Function, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

use super::mailbox::{cancelled, post, transfer};
use super::message;
use super::read::chunks;
use crate::ingest::{line_start, Hashing, Ingestor, Rules, SentTail, Tail, WireBytes};
use crate::price::groups::{FiledAsRead, Groups};
use crate::settings::{Settings, ValidSettings};

/// Bytes of the file's start read at a time until it is clear how the file reads.
const START_STEP: f64 = 64.0 * 1024.0;

/// Slices of the second worker's tail (measured when it hashed in the same pass, which it
/// no longer does: docs/benchmarks.md). Measured on 1M rows of JSON lines
/// and the 1 GB log: 1 MiB slices cost the browser the most to hand over (4.7 s and
/// 11.8 s, peak 527 MB), 8 MiB ones leave the most garbage (11.0 s, peak 601 MB on 1 GB);
/// 4 MiB: 4.1–4.6 s and 10.4 s, peak 501 MB (docs/benchmarks.md).
const PASS_CHUNK: f64 = 4.0 * 1024.0 * 1024.0;

/// What the second worker sends for a job.
enum Arrival {
    /// The rows after the cut (None: it could not read them apart).
    Rows(Option<Box<SentTail>>),
    /// Those rows filed in groups (`Groups::to_wire`), and the settings text they were
    /// filed under (no groups: they could not be filed).
    Filed(Option<Vec<u8>>, String),
}

thread_local! {
    /// What arrived, by job, until the read of that job takes it.
    static TAILS: RefCell<Vec<(u32, Arrival)>> = RefCell::default();
    /// Jobs up to this one are over: a tail for them is not kept.
    static OVER_UPTO: Cell<u32> = const { Cell::new(0) };
    /// The read waiting for its tail, and the function that wakes it.
    static WAITING: RefCell<Option<(u32, Function)>> = RefCell::default();
}

/// Counts the files read in two parts in `joinedTails` on the worker's global scope:
/// nothing shows it on the page (the report is the same either way), but a test can
/// ask the worker whether the second worker's rows were used.
pub fn count_joined() {
    super::counted::count("joinedTails");
}

/// A `tail` message for `job` arrived (at the reader). Its rows stay in the buffer the
/// second worker handed over until they join (`SentTail`).
pub fn arrived(job: u32, part: &JsValue) {
    let tail = part
        .dyn_ref::<ArrayBuffer>()
        .and_then(|buffer| SentTail::read(Box::new(Handed(Uint8Array::new(buffer)))).ok());
    keep(job, Arrival::Rows(tail.map(Box::new)));
}

/// A buffer handed over by another worker, outside this one's WebAssembly memory.
struct Handed(Uint8Array);

impl WireBytes for Handed {
    fn len(&self) -> usize {
        self.0.length() as usize
    }

    fn copy_to(&self, at: usize, out: &mut [u8]) {
        let end = at + out.len();
        self.0.subarray(at as u32, end as u32).copy_to(out);
    }
}

/// A `filed` message for `job` arrived (at the reader).
pub fn filed(job: u32, groups: Option<Vec<u8>>, under: String) {
    keep(job, Arrival::Filed(groups, under));
}

fn keep(job: u32, arrival: Arrival) {
    if job <= OVER_UPTO.with(Cell::get) {
        return;
    }
    TAILS.with(|t| t.borrow_mut().push((job, arrival)));
    wake(|waiting| waiting == job);
}

/// Wakes the read waiting for its tail when `which` says so (its job was cancelled).
pub fn wake(which: impl Fn(u32) -> bool) {
    let waiting = WAITING.with(|w| w.borrow_mut().take_if(|(job, _)| which(*job)));
    if let Some((_, resolve)) = waiting {
        let _ = resolve.call0(&JsValue::NULL);
    }
}

/// Every job up to `job` is over (read, or cancelled): their tails, if they came and
/// were not used, go, and any that still come are dropped (jobs run in order).
pub fn forget_upto(job: u32) {
    OVER_UPTO.with(|o| o.set(o.get().max(job)));
    TAILS.with(|t| t.borrow_mut().retain(|(id, _)| *id > job));
}

/// The tail of `job` once it is here; None when it could not be read apart, or the job
/// was cancelled meanwhile. What earlier jobs left is dropped.
pub async fn awaited(job: u32) -> Option<SentTail> {
    match arrival(job, |a| matches!(a, Arrival::Rows(_))).await {
        Some(Arrival::Rows(tail)) => tail.map(|t| *t),
        _ => None,
    }
}

/// The tail of `job` filed in groups under `settings` (the text and the settings it
/// reads as), once here; None when they could not be filed, were filed under other
/// settings, or the job was cancelled meanwhile.
pub async fn awaited_groups(job: u32, settings: (&str, &ValidSettings)) -> Option<Groups> {
    match arrival(job, |a| matches!(a, Arrival::Filed(..))).await {
        Some(Arrival::Filed(Some(groups), under)) if under == settings.0 => {
            Groups::from_wire(&groups, settings.1)
        }
        _ => None,
    }
}

async fn arrival(job: u32, wanted: impl Fn(&Arrival) -> bool) -> Option<Arrival> {
    loop {
        let found = TAILS.with(|t| {
            let mut tails = t.borrow_mut();
            tails.retain(|(id, _)| *id >= job);
            let at = tails.iter().position(|(id, a)| *id == job && wanted(a))?;
            Some(tails.remove(at).1)
        });
        if found.is_some() {
            return found;
        }
        if cancelled(job) {
            return None;
        }
        let promise = Promise::new(&mut |resolve, _| {
            WAITING.with(|w| *w.borrow_mut() = Some((job, resolve)));
        });
        let _ = JsFuture::from(promise).await;
    }
}

/// At the second worker: the rows of `file` from the first line start at or after
/// `split`, sent to the page as a `tail` message (null when the file cannot be read
/// apart); then, with `settings` (JSON), those rows filed in groups under them as they
/// were read, as a `filed` message. False when the job was cancelled or the file could not be read
/// (the page has been told).
pub async fn read_and_send(
    job: u32,
    file: &File,
    split: f64,
    rules: Rules,
    settings: Option<String>,
) -> bool {
    // The rows are filed as they are read, under the settings the page sent.
    let valid = (settings.as_deref())
        .and_then(|under| Settings::from_json(under).ok())
        .and_then(|s| s.validate().ok());
    let read = read(job, file, split, rules, valid).await;
    let part = match &read {
        Ok((Some(tail), _)) => wire(tail).into(),
        _ => JsValue::NULL,
    };
    // Always answered, so the reader never waits for a tail that is not coming.
    // Handed over, not copied: the rows after a cut are tens of MB.
    transfer(&message::tail(job, &part), &part);
    if let (Some(under), Ok((Some(_), groups))) = (settings, &read) {
        let groups = groups.as_ref().and_then(Groups::to_wire);
        post(&message::filed(job, groups.as_deref(), &under));
    }
    read.is_ok()
}

/// The tail's bytes in a buffer to hand over: its two pieces copied straight in, so the
/// rows are not first copied within this worker's memory (`Tail::to_wire`).
fn wire(tail: &Tail) -> ArrayBuffer {
    let (head, data) = tail.to_wire();
    let buffer = Uint8Array::new_with_length((head.len() + data.len()) as u32);
    buffer.subarray(0, head.len() as u32).copy_from(&head);
    buffer
        .subarray(head.len() as u32, buffer.length())
        .copy_from(data);
    buffer.buffer()
}

/// The rows after the cut, and with `settings`, those rows filed in groups as read.
async fn read(
    job: u32,
    file: &File,
    split: f64,
    rules: Rules,
    settings: Option<ValidSettings>,
) -> Result<(Option<Tail>, Option<Groups>), ()> {
    let mut tail = Ingestor::with_hashing(&file.name(), rules, Hashing::Elsewhere);
    chunks(job, file, 0.0, START_STEP, &mut |piece, _| {
        tail.push(piece);
        tail.deciding()
    })
    .await
    .ok_or(())?;
    if !tail.start_tail() {
        return Ok((None, None));
    }
    tail.expect_total(tail.bytes_read() + (file.size() - split) as u64);
    let mut filed = settings.map(FiledAsRead::new);
    // Where the tail starts, once found: the first line start at or after `split`.
    let mut started = false;
    let begun = js_sys::Date::now();
    chunks(job, file, split, PASS_CHUNK, &mut |chunk, at| {
        if !started {
            let skip = (split - at).max(0.0) as usize;
            if let Some(n) = line_start(&chunk[skip..]) {
                started = true;
                tail.push(&chunk[skip + n..]);
            }
        } else {
            tail.push(chunk);
        }
        if started {
            if let Some(filed) = &mut filed {
                filed.file(|mark| tail.rows_from(mark));
            }
            // The page adds this to the reader's progress: bytes and rows of the tail.
            let ms = js_sys::Date::now() - begun;
            let (done, rows) = (tail.bytes_read() as f64, tail.rows_read());
            post(&message::progress(job, done, file.size(), rows, ms));
        }
        // A file with no line start after the split is done.
        started || at + (chunk.len() as f64) < file.size()
    })
    .await
    .ok_or(())?;
    // No line starts after the split, or it starts at the very end: nothing to join.
    if !started || tail.bytes_read() == 0 {
        return Ok((None, None));
    }
    let tail = tail.finish_tail();
    let rows = tail.as_ref().map(Tail::rows);
    let groups = (filed.zip(rows)).and_then(|(f, rows)| f.finish(|mark| rows.iter_from(mark)));
    Ok((tail, groups))
}
