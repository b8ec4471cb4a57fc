//! What reading a file holds in memory. A WebAssembly memory never shrinks: every byte
//! the page's worker once took stays its own until the tab closes. So:
//! - the start of a file is held back while its shape (JSON or delimited) and then its
//!   header are decided; a first chunk that decides both at once must be read in place,
//!   not copied into each stage's start in turn (it was, twice: 16 MiB of the reader's
//!   memory for good when the worker read 8 MiB chunks, docs/benchmarks.md);
//! - told the file's size, the per-row lists are allocated once at about their final
//!   length, not doubled (each doubling holds the old list and the new one at once).
//!
//! Its own test binary: the counting allocator below sees this file's allocations only.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use spend_reconciler::ingest::{Hashing, Ingestor, Rules};

/// The system allocator, counting the bytes held now and the most held since a reset.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = NOW.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(held, Ordering::SeqCst);
        // SAFETY: the caller's layout, passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The counts are the whole process's: the tests here take turns.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The most bytes held above what was held before `work` ran.
fn peak_during(work: impl FnOnce()) -> usize {
    let before = NOW.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    work();
    PEAK.load(Ordering::SeqCst) - before
}

/// A gateway log of about `size` bytes: the header (CSV) and rows of the bench's shape.
fn log(size: usize, csv: bool) -> Vec<u8> {
    let mut out = String::new();
    if csv {
        out.push_str("id,created_at,type,model_name,quota,prompt_tokens,completion_tokens,other\n");
    }
    let mut id = 0u64;
    while out.len() < size {
        let at = 1_767_225_600 + id;
        if csv {
            out.push_str(&format!(
                "{id},{at},2,gpt-4o,{q},1200,300,\"{{\"\"model_ratio\"\":1.25,\"\"completion_ratio\"\":4,\"\"group_ratio\"\":1}}\"\n",
                q = 3375 + id % 7
            ));
        } else {
            out.push_str(&format!(
                "{{\"id\":{id},\"created_at\":{at},\"type\":2,\"model_name\":\"gpt-4o\",\"quota\":{q},\"prompt_tokens\":1200,\"completion_tokens\":300,\"other\":\"{{\\\"model_ratio\\\":1.25,\\\"completion_ratio\\\":4,\\\"group_ratio\\\":1}}\"}}\n",
                q = 3375 + id % 7
            ));
        }
        id += 1;
    }
    out.into_bytes()
}

#[test]
fn a_first_chunk_that_decides_at_once_is_read_in_place() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    const CHUNK: usize = 8 << 20;
    for csv in [true, false] {
        let bytes = log(CHUNK, csv);
        let mut ingestor = Ingestor::with_hashing("log", Rules::default(), Hashing::Elsewhere);
        let held = peak_during(|| ingestor.push(&bytes));
        // What the rows read so far take (a compact store, ~13 bytes a row), and no copy
        // of the chunk: a copy alone is CHUNK bytes.
        assert!(
            held < CHUNK / 2,
            "csv {csv}: the first chunk's reading held {held} bytes"
        );
        let report = ingestor.finish();
        assert_eq!(report.ledger.rejected, 0, "csv {csv}");
        assert!(
            report.ledger.accepted > 40_000,
            "csv {csv}: {:?}",
            report.ledger
        );
    }
}

/// What the reading of `bytes` in 2 MiB chunks (the page's) holds at its peak and at its
/// end, told the file's size up front or not.
fn read_held(bytes: &[u8], told: bool) -> (usize, usize) {
    let mut ingestor = Ingestor::with_hashing("log", Rules::default(), Hashing::Elsewhere);
    if told {
        ingestor.expect_total(bytes.len() as u64);
    }
    let before = NOW.load(Ordering::SeqCst);
    let peak = peak_during(|| bytes.chunks(2 << 20).for_each(|c| ingestor.push(c)));
    let end = NOW.load(Ordering::SeqCst) - before;
    assert!(ingestor.rows_stored() > 150_000);
    (peak, end)
}

#[test]
fn lists_told_the_file_size_are_allocated_once_not_doubled() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    for csv in [true, false] {
        let bytes = log(32 << 20, csv);
        let (told_peak, told_end) = read_held(&bytes, true);
        let (blind_peak, blind_end) = read_held(&bytes, false);
        // Doubling holds the old list and the new one at once, and leaves room unused
        // at the end; told, each list is sized once from the first chunk's rows (3% to
        // spare), so the peak is the end and what the first chunk's lists took.
        assert!(
            told_peak < told_end + told_end / 10,
            "csv {csv}: told the size, the reading peaked at {told_peak} bytes for {told_end} held"
        );
        assert!(
            told_peak + told_peak / 4 < blind_peak,
            "csv {csv}: told {told_peak} bytes at the peak, not told {blind_peak}"
        );
        assert!(told_end <= blind_end, "csv {csv}: {told_end} > {blind_end}");
    }
}
