//! Warming the worker up before the first file: its WebAssembly starts in the browser's
//! baseline compiler, and a function is recompiled optimized only after it has run for a
//! while, and used at its next call. A loop that runs in one long call (a chunk of megabytes,
//! every row priced) therefore stays in the slow code for that whole call: on a 20 MB file
//! a third of the reading and the first figures ran ~5× slower than the rest, which is why
//! a 100k-row file took as long as a 1M-row one (docs/benchmarks.md). So the worker reads
//! a few thousand made-up rows in each format the logs come in, and prices them, as soon
//! as it starts; the user's file then finds the hot code optimized. Nothing of it is kept
//! or sent.
//!
//! The end of a large file runs once per file, each step in one call: the second
//! worker's rows joined to the reader's, the two parts' groups joined, the figures
//! priced from the groups. Unwarmed, the join of a 1M-row log's 500k tail rows ran
//! whole in the baseline code; so the made-up CSV is also read in two parts and its
//! figures computed as the page computes a large file's.
//!
//! The workers start when the user starts to give a file (a drag over the page, the
//! picker opened), so the warm-up mostly runs while they choose it. When a file comes
//! first (picked with no drag, a kept file restored), the warm-up stops at its next
//! step, one task away: the file waits for one step, not the whole warm-up (~0.3 s).
//! A warm-up that ran to its end sets `warmed` on the worker's global scope (the
//! browser tests and the page bench wait for it).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::ingest::{line_start, Hashing, Ingestor, Rules, SentTail};
use crate::pipeline;
use crate::price::groups::{FiledAsRead, Groups};
use crate::settings::{Settings, ValidSettings, WindowText};

const CSV: &str = include_str!("../../../tests/fixtures/cometapi-logs.csv");
const JSON_LINES: &str = include_str!("../../../tests/fixtures/cometapi-log-rows.jsonl");
const SETTINGS: &str = include_str!("../../../samples/sample-settings.json");

/// Rows of each format read: enough for the browser to optimize the per-row functions.
const ROWS: usize = 4_000;

/// `body` (lines after an optional header) repeated to about [`ROWS`] rows.
fn repeated(text: &str, header: bool) -> String {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let head = if header { lines.next() } else { None };
    let body: Vec<&str> = lines.collect();
    let times = ROWS / body.len().max(1);
    let mut out = String::with_capacity(text.len() * times);
    for line in head
        .into_iter()
        .chain((0..times).flat_map(|_| body.iter().copied()))
    {
        out.push_str(line);
        out.push('\n');
    }
    out
}

pub(super) async fn warm_up() {
    let Ok(mut settings) = Settings::from_json(SETTINGS) else {
        return;
    };
    // Every made-up row inside the window, so each is priced.
    settings.incident_window_utc = WindowText {
        start: String::new(),
        end: String::new(),
    };
    let rules = pipeline::ingest_rules(&settings).unwrap_or_default();
    let files = [
        ("warm.csv", repeated(CSV, true)),
        ("warm.jsonl", repeated(JSON_LINES, false)),
    ];
    let mut reports = Vec::new();
    for (name, text) in &files {
        if !next_step().await {
            return;
        }
        let mut ingestor = Ingestor::new(name, rules.clone());
        // In a few chunks, as a file arrives.
        for chunk in text.as_bytes().chunks(64 * 1024) {
            ingestor.push(chunk);
        }
        reports.push(ingestor.finish());
    }
    // Twice: the second pass runs the loops the first one got optimized.
    for _ in 0..2 {
        if !next_step().await {
            return;
        }
        let _ = pipeline::run_reports(reports.clone(), &settings);
    }
    if let Ok(valid) = settings.validate() {
        for _ in 0..2 {
            if !next_step().await {
                return;
            }
            if in_two(&files[0].1, &rules, &settings, &valid).is_some() {
                // For a browser test: the warm-up took the path a large file takes.
                super::counted::count("warmedInTwo");
            }
        }
    }
    super::counted::count("warmed");
}

/// Lets the worker's messages in (a task later), then says whether to go on warming up:
/// not once a file is being read or waits to be.
async fn next_step() -> bool {
    let later = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &JsValue::from("setTimeout"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(set_timeout) = set_timeout {
            let _ = set_timeout.call2(&global, &resolve, &JsValue::from(0));
        } else {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(later).await;
    !super::mailbox::busy()
}

/// `text` read as the page reads a large file: its rows after the middle by a second
/// reader, filed as read, sent as bytes and joined, then the figures from the groups.
/// None where it went another way (the parts not joined, the figures not from groups).
fn in_two(text: &str, rules: &Rules, settings: &Settings, valid: &ValidSettings) -> Option<()> {
    let bytes = text.as_bytes();
    let start = bytes.len() / 2 + line_start(&bytes[bytes.len() / 2..])?;
    let (mut head, mut tail) = (
        Ingestor::with_hashing("warm.csv", rules.clone(), Hashing::Elsewhere),
        Ingestor::with_hashing("warm.csv", rules.clone(), Hashing::Elsewhere),
    );
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        tail.push(line);
        if !tail.deciding() {
            break;
        }
    }
    tail.start_tail().then_some(())?;
    let (mut mine, mut theirs) = (
        FiledAsRead::new(valid.clone()),
        FiledAsRead::new(valid.clone()),
    );
    for chunk in bytes[..start].chunks(64 * 1024) {
        head.push(chunk);
        mine.file(|mark| head.rows_from(mark));
    }
    for chunk in bytes[start..].chunks(64 * 1024) {
        tail.push(chunk);
        theirs.file(|mark| tail.rows_from(mark));
    }
    let tail = tail.finish_tail()?;
    let theirs = (theirs.finish(|mark| tail.rows().iter_from(mark)).as_ref())
        .and_then(Groups::to_wire)
        .and_then(|wire| Groups::from_wire(&wire, valid));
    let mine = mine.finish(|mark| head.rows_from(mark));
    let sent = SentTail::read(Box::new(tail.to_bytes())).ok()?;
    head.join_tail(sent).then_some(())?;
    let mut files = vec![head.finish()];
    let _ = files[0].to_wire();
    pipeline::count_files(&mut files);
    let mut kept = pipeline::Kept::with_parts(vec![mine.zip(theirs).and_then(|(m, t)| m.then(t))]);
    let _ = pipeline::run_kept(files, settings, &mut kept).to_wire();
    kept.took_parts().then_some(())
}
