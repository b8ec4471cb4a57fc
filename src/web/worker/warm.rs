//! Warming the worker up before the first file: its WebAssembly starts in the browser's
//! baseline compiler, and a function is recompiled optimized only after it has run for a
//! while, and used at its next call. A loop that runs in one long call (a chunk of megabytes,
//! every row priced) therefore stays in the slow code for that whole call: on a 20 MB file
//! a third of the reading and the first figures ran ~5× slower than the rest, which is why
//! a 100k-row file took as long as a 1M-row one (docs/benchmarks.md). So the worker reads
//! a few thousand made-up rows in each format the logs come in, and prices them, as soon
//! as it starts; the user's file then finds the hot code optimized. Nothing of it is kept
//! or sent.

use crate::ingest::Ingestor;
use crate::pipeline;
use crate::settings::{Settings, WindowText};

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

pub(super) fn warm_up() {
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
    let reports = files.map(|(name, text)| {
        let mut ingestor = Ingestor::new(name, rules.clone());
        // In a few chunks, as a file arrives.
        for chunk in text.as_bytes().chunks(64 * 1024) {
            ingestor.push(chunk);
        }
        ingestor.finish()
    });
    // Twice: the second pass runs the loops the first one got optimized.
    for _ in 0..2 {
        let _ = pipeline::run_reports(reports.to_vec(), &settings);
    }
}
