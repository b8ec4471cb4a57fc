//! Where a file is cut between the page's two workers.

/// Files from this size on are read by both workers at once (below it, the second
/// worker's start-up work costs about what it saves).
const SPLIT_FROM: f64 = 16.0 * 1024.0 * 1024.0;

/// Where a file read by both workers is cut: the second worker reads the rows after
/// the cut and only then hashes the file, so both halves are read at once.
const HEAD_SHARE: f64 = 0.5;

/// Files from this size on are cut a little earlier: the reader also joins the second
/// worker's rows and groups to its own (on 1M rows, 0.2 s sooner; docs/benchmarks.md).
const EARLIER_FROM: f64 = 64.0 * 1024.0 * 1024.0;
const EARLIER_HEAD_SHARE: f64 = 0.47;

/// Where the second worker's part of a file of `size` bytes starts (None: the reader
/// reads it all).
pub(super) fn cut(size: f64, two_workers: bool) -> Option<f64> {
    let share = if size >= EARLIER_FROM {
        EARLIER_HEAD_SHARE
    } else {
        HEAD_SHARE
    };
    (two_workers && size >= SPLIT_FROM).then(|| (size * share).floor())
}
