//! Where a file is cut between the page's two workers.

/// Files from this size on are read by both workers at once (below it, the second
/// worker's start-up work costs about what it saves).
const SPLIT_FROM: f64 = 16.0 * 1024.0 * 1024.0;

/// Where a file read by both workers is cut: the second worker reads the rows after
/// the cut and only then hashes the file, so both halves are read at once. Both file
/// their rows as they read them, the same work a byte: in the middle. (Cut at 0.47
/// while only the reader filed as it read, the reader of a 1M-row log then sat idle
/// ~0.1 s before the rows after the cut came; at 0.52 they came ~0.1 s before it had
/// read its part: its CPU sampled every 100 ms, docs/benchmarks.md.)
const HEAD_SHARE: f64 = 0.5;

/// Where the second worker's part of a file of `size` bytes starts (None: the reader
/// reads it all).
pub(super) fn cut(size: f64, two_workers: bool) -> Option<f64> {
    (two_workers && size >= SPLIT_FROM).then(|| (size * HEAD_SHARE).floor())
}
