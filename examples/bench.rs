//! Benchmark helper (figures, not a timed test): generates a deterministic CometAPI /
//! new-api usage log and measures the native streaming ingest on it.
//!
//! ```sh
//! cargo run --release --example bench -- generate --rows 1000000 --format jsonl --out log.jsonl
//! cargo run --release --example bench -- run --runs 3 log.jsonl
//! ```
//!
//! `generate` writes `jsonl`, `page` (one log-API JSON page) or `csv`; the same seed gives
//! the same bytes on every machine. `run` feeds the file to [`Ingestor`] in 8 MiB chunks
//! (as the web worker does), prints MB/s and rows/s per run (also on this thread's CPU
//! time, the steadier figure on a busy machine), the median, and the peak resident memory
//! (VmHWM) of this process; then, unless `--no-figures`, the time to compute the figures
//! (under `--settings FILE`, a settings document such as `scripts/bench-settings.json`,
//! else the defaults: no rate card, so nothing is priced).
//! The SHA-256 runs on a second thread, as the command line does; `--inline-hash` hashes
//! on the reading thread instead (the worker's way before it had a hashing worker), so
//! the CPU-time figure shows what the second thread takes off the reading thread.

use std::io::{BufWriter, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use spend_reconciler::ingest::{Ingestor, Rules};
use spend_reconciler::native::{ingest_in_two, ThreadedIngestor};
use spend_reconciler::pipeline;
use spend_reconciler::settings::Settings;

const CHUNK: usize = 8 << 20;

/// SplitMix64: a tiny, well-mixed deterministic generator (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (model, model_ratio, completion_ratio, cache_ratio, anthropic semantics, per-call price)
const MODELS: [(&str, &str, &str, &str, bool, &str); 8] = [
    ("gpt-4o", "1.25", "4", "0.5", false, ""),
    ("gpt-4o-mini", "0.075", "4", "0.5", false, ""),
    ("o3-mini", "0.55", "4", "0.5", false, ""),
    ("claude-sonnet-4-5-20250929", "1.5", "5", "0.1", true, ""),
    ("claude-3-5-haiku-20241022", "0.4", "5", "0.1", true, ""),
    ("gemini-2.5-pro", "0.625", "8", "0.25", false, ""),
    ("deepseek-chat", "0.135", "4", "0.1", false, ""),
    ("mj_imagine", "0", "1", "1", false, "0.1"),
];

struct Row {
    id: u64,
    created_at: u64,
    kind: u8,
    token: &'static str,
    model: &'static str,
    group: &'static str,
    quota: u64,
    prompt: u64,
    completion: u64,
    use_time: u64,
    stream: bool,
    other: String,
}

fn row(rng: &mut Rng, i: u64) -> Row {
    let (model, ratio, completion_ratio, cache_ratio, anthropic, price) =
        MODELS[rng.below(MODELS.len() as u64) as usize];
    let kind = match rng.below(1000) {
        0..=919 => 2,
        920..=969 => 5,
        970..=989 => 6,
        _ => 4,
    };
    let token = ["prod-bot", "claude-code", "batch-eval", "art"][rng.below(4) as usize];
    let group = if rng.below(5) == 0 { "vip" } else { "default" };
    let group_ratio = if group == "vip" { "0.8" } else { "1" };
    let mut r = Row {
        id: i % 1024,
        created_at: 1_767_225_600 + i * 2 + rng.below(2),
        kind,
        token,
        model,
        group,
        quota: 0,
        prompt: 0,
        completion: 0,
        use_time: rng.below(40),
        stream: rng.below(2) == 1,
        other: String::new(),
    };
    match kind {
        2 | 6 if !price.is_empty() => {
            r.quota = 50_000;
            r.other = format!(
                r#"{{"model_ratio":0,"group_ratio":{group_ratio},"model_price":{price},"frt":-1}}"#
            );
        }
        2 | 6 => {
            r.prompt = 200 + rng.below(30_000);
            r.completion = rng.below(4_000);
            let cache = if rng.below(3) == 0 {
                0
            } else {
                rng.below(r.prompt)
            };
            let semantic = if anthropic {
                r#","usage_semantic":"anthropic""#
            } else {
                ""
            };
            let reasoning = if model == "o3-mini" {
                format!(r#","reasoning_tokens":{}"#, rng.below(r.completion + 1))
            } else {
                String::new()
            };
            r.quota = (r.prompt + r.completion * 4) * 5 / 4;
            r.other = format!(
                r#"{{"model_ratio":{ratio},"completion_ratio":{completion_ratio},"cache_tokens":{cache},"cache_ratio":{cache_ratio},"group_ratio":{group_ratio},"model_price":-1{semantic}{reasoning},"frt":{}}}"#,
                rng.below(3000)
            );
        }
        5 => r.other = r#"{"status_code":429,"error_type":"rate_limit"}"#.to_string(),
        _ => r.quota = 5_000_000,
    }
    r
}

fn json_row(r: &Row) -> String {
    let other = serde_json::to_string(&r.other).expect("a string serializes");
    format!(
        r#"{{"id":{},"created_at":{},"type":{},"content":"","token_name":"{}","model_name":"{}","quota":{},"prompt_tokens":{},"completion_tokens":{},"use_time":{},"is_stream":{},"group":"{}","other":{other}}}"#,
        r.id,
        r.created_at,
        r.kind,
        r.token,
        r.model,
        r.quota,
        r.prompt,
        r.completion,
        r.use_time,
        r.stream,
        r.group
    )
}

fn csv_row(r: &Row) -> String {
    let other = if r.other.is_empty() {
        String::new()
    } else {
        format!("\"{}\"", r.other.replace('"', "\"\""))
    };
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{other}\n",
        r.id,
        r.created_at,
        r.kind,
        r.token,
        r.model,
        r.group,
        r.quota,
        r.prompt,
        r.completion,
        r.use_time,
        r.stream
    )
}

fn generate(rows: u64, format: &str, out: &str) -> Result<(), String> {
    let file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(0x5eed_2026);
    let io = |e: std::io::Error| format!("{out}: {e}");
    match format {
        "csv" => w
            .write_all(b"id,created_at,type,token_name,model_name,group,quota,prompt_tokens,completion_tokens,use_time,is_stream,other\n")
            .map_err(io)?,
        "page" => w
            .write_all(b"{\"success\":true,\"message\":\"\",\"data\":{\"items\":[\n")
            .map_err(io)?,
        "jsonl" => {}
        other => return Err(format!("expected --format jsonl, page or csv, but found {other}")),
    }
    for i in 0..rows {
        let r = row(&mut rng, i);
        let line = match format {
            "csv" => csv_row(&r),
            "page" if i + 1 < rows => format!("{},\n", json_row(&r)),
            _ => format!("{}\n", json_row(&r)),
        };
        w.write_all(line.as_bytes()).map_err(io)?;
    }
    if format == "page" {
        let tail = format!("],\"total\":{rows},\"page\":1,\"page_size\":{rows}}}}}\n");
        w.write_all(tail.as_bytes()).map_err(io)?;
    }
    w.flush().map_err(io)
}

/// Peak resident set size of this process, from /proc (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Nanoseconds this thread has spent on a CPU (Linux schedstat): on a machine shared
/// with other work, the figure that wall-clock time hides.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Seconds this thread has spent on a CPU since `start` (0 where schedstat is missing).
fn cpu_since(start: Option<u64>) -> f64 {
    match (start, thread_cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => 0.0,
    }
}

/// CPU seconds of every thread of this process so far (Linux; clock ticks of 10 ms).
fn process_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// How `run` reads the file.
#[derive(Clone, Copy)]
enum Mode {
    /// As the command line does: the tail on a second thread from the middle on, the
    /// SHA-256 on a third (`ingest_in_two`).
    InTwo,
    /// One reader pushing 8 MiB chunks, hashing on a second thread (the way before `InTwo`).
    OneReader,
    /// One reader pushing 8 MiB chunks, hashing inline.
    OneReaderInline,
}

/// Hands `file` to `push` in chunks of `chunk`'s size, as the web worker reads a file.
fn read_chunks(
    file: &mut std::fs::File,
    chunk: &mut [u8],
    mut push: impl FnMut(&[u8]),
) -> std::io::Result<()> {
    loop {
        let n = file.read(chunk)?;
        if n == 0 {
            return Ok(());
        }
        push(&chunk[..n]);
    }
}

fn run(
    path: &str,
    runs: usize,
    figures: Option<&Settings>,
    mode: Mode,
    edit: bool,
) -> Result<(), String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let size = file.metadata().map_err(|e| format!("{path}: {e}"))?.len();
    let mut results = Vec::new();
    let mut chunk = vec![0u8; CHUNK];
    for run in 1..=runs {
        use std::io::Seek;
        file.rewind().map_err(|e| format!("{path}: {e}"))?;
        let start = Instant::now();
        let cpu_start = thread_cpu_ns();
        let all_cpu_start = process_cpu_s();
        // As the command line does, the two parts' rows are filed on their threads too
        // when there are settings to file them under (the time below then includes it).
        let valid = figures.and_then(|s| s.validate().ok());
        let mut filed = None;
        let report = match mode {
            Mode::InTwo => {
                let (report, part) =
                    ingest_in_two(path, &file, Rules::default(), size / 2, valid.as_ref())
                        .map_err(|e| format!("{path}: {e}"))?;
                filed = part;
                report
            }
            Mode::OneReader => {
                let mut ingestor = ThreadedIngestor::new(path, Rules::default());
                read_chunks(&mut file, &mut chunk, |c| ingestor.push(c))
                    .map_err(|e| format!("{path}: {e}"))?;
                ingestor.finish()
            }
            Mode::OneReaderInline => {
                let mut ingestor = Ingestor::new(path, Rules::default());
                read_chunks(&mut file, &mut chunk, |c| ingestor.push(c))
                    .map_err(|e| format!("{path}: {e}"))?;
                ingestor.finish()
            }
        };
        let seconds = start.elapsed().as_secs_f64();
        let cpu = match (cpu_start, thread_cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => seconds,
        };
        if let (Some(a), Some(b)) = (all_cpu_start, process_cpu_s()) {
            println!("  CPU of all threads: {:.2} s", b - a);
        }
        let rows = report.ledger.rows_read;
        let mb_s = size as f64 / 1e6 / seconds;
        println!(
            "run {run}: {:.1} MB in {seconds:.3} s = {mb_s:.0} MB/s, {rows} rows = {:.0} rows/s \
             (on CPU {cpu:.3} s = {:.0} MB/s; \
             accepted {}, excluded {}, rejected {}, kept {} bytes of rows = {:.1} B/row)",
            size as f64 / 1e6,
            rows as f64 / seconds,
            size as f64 / 1e6 / cpu,
            report.ledger.accepted,
            report.ledger.excluded_total(),
            report.ledger.rejected,
            report.rows.encoded_len(),
            report.rows.encoded_len() as f64 / report.rows.len().max(1) as f64,
        );
        if let Some(problem) = &report.problem {
            println!("  problem: {problem}");
        }
        if let (true, Some(settings)) = (run == runs, figures) {
            if let Some(kib) = peak_rss_kib() {
                println!(
                    "  peak RSS after ingest (VmHWM): {:.1} MB",
                    kib as f64 / 1024.0
                );
            }
            // What the page does next with the report: the figures (price, reconcile,
            // classify) under the given settings, on the main thread.
            let (start, on_cpu) = (Instant::now(), thread_cpu_ns());
            let mut files = vec![report];
            pipeline::count_files(&mut files);
            let parts = filed.is_some();
            let mut kept = pipeline::Kept::with_parts(vec![filed.take()]);
            let review = pipeline::run_kept(files, settings, &mut kept);
            if parts {
                println!("  (the rows were filed in groups on the two reading threads)");
            }
            println!(
                "  figures from the kept rows (pipeline::count_files, run_kept): {:.3} s (on CPU {:.3} s){}",
                start.elapsed().as_secs_f64(),
                cpu_since(on_cpu),
                if review.figures.is_ok() {
                    ""
                } else {
                    " (no figures: settings)"
                }
            );
            // What the page's worker does on a rate edit: the same files, one price
            // changed (the first rate's input, +0.01), what the last run kept kept.
            let mut edited = settings.clone();
            if let Some(rate) = edited.rates.first_mut() {
                let input = rate
                    .input
                    .parse::<rust_decimal::Decimal>()
                    .unwrap_or_default();
                rate.input = (input + rust_decimal::Decimal::new(1, 2)).to_string();
            }
            if edit {
                let (start, on_cpu) = (Instant::now(), thread_cpu_ns());
                let again = pipeline::run_kept(review.files, &edited, &mut kept);
                println!(
                "  figures after one rate edit (pipeline::run_kept): {:.3} s (on CPU {:.3} s){}",
                start.elapsed().as_secs_f64(),
                cpu_since(on_cpu),
                if again.figures.is_ok() { "" } else { " (no figures)" }
            );
            }
        }
        results.push((mb_s, rows as f64 / seconds, size as f64 / 1e6 / cpu));
    }
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mb_s, rows_s, _) = results[results.len() / 2];
    results.sort_by(|a, b| a.2.total_cmp(&b.2));
    let cpu_mb_s = results[results.len() / 2].2;
    let best = results[results.len() - 1].2;
    println!(
        "median: {mb_s:.0} MB/s, {rows_s:.0} rows/s (on CPU time: {cpu_mb_s:.0} MB/s, best {best:.0})"
    );
    if let Some(kib) = peak_rss_kib() {
        println!(
            "peak RSS with the figures (VmHWM): {:.1} MB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let result = match args.first().map(String::as_str) {
        Some("generate") => {
            let rows = flag("--rows").map_or(Ok(1_000_000), |r| r.parse::<u64>());
            match (rows, flag("--out")) {
                (Ok(rows), Some(out)) => generate(
                    rows,
                    flag("--format").as_deref().unwrap_or("jsonl"),
                    &out,
                ),
                _ => Err("generate needs --out PATH (and --rows N, --format F)".into()),
            }
        }
        Some("run") => {
            let figures = !args.iter().any(|a| a == "--no-figures");
            // The settings the figures are computed under: a settings document (the
            // page's export, e.g. scripts/bench-settings.json), else the defaults.
            let settings = match flag("--settings") {
                Some(file) => std::fs::read_to_string(&file)
                    .map_err(|e| format!("{file}: {e}"))
                    .and_then(|text| Settings::from_json(&text).map_err(|e| format!("{file}: {e}"))),
                None => Ok(Settings::default()),
            };
            let settings = match settings {
                Ok(settings) => settings,
                Err(problem) => {
                    eprintln!("error: {problem}");
                    return ExitCode::from(2);
                }
            };
            let with = figures.then_some(&settings);
            let inline = args.iter().any(|a| a == "--inline-hash");
            let one = args.iter().any(|a| a == "--one-reader");
            let edit = !args.iter().any(|a| a == "--no-edit");
            let mode = match (inline, one) {
                (true, _) => Mode::OneReaderInline,
                (false, true) => Mode::OneReader,
                (false, false) => Mode::InTwo,
            };
            let switches = usize::from(!figures)
                + usize::from(!edit)
                + usize::from(inline)
                + usize::from(one)
                + 2 * usize::from(flag("--settings").is_some());
            match (args.last(), flag("--runs").map(|r| r.parse::<usize>())) {
                (Some(path), None) if args.len() == 2 + switches => run(path, 3, with, mode, edit),
                (Some(path), Some(Ok(runs))) if runs > 0 => run(path, runs, with, mode, edit),
                _ => Err(
                    "run needs a file (and --runs N, --no-figures, --no-edit, --one-reader, --inline-hash, --settings FILE)"
                        .into(),
                ),
            }
        }
        _ => Err("usage: bench generate --rows N --format jsonl|page|csv --out PATH | bench run [--runs N] [--no-figures] [--no-edit] [--one-reader] [--inline-hash] [--settings FILE] PATH".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
