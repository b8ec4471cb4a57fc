//! Where a file is cut between the page's two workers, and whether they file its rows
//! as they read them.

/// Files from this size on are read by both workers at once (below it, the second
/// worker's start-up work costs about what it saves).
const SPLIT_FROM: f64 = 16.0 * 1024.0 * 1024.0;

/// Where a file read by both workers is cut: the second worker reads the rows after
/// the cut and only then hashes the file, so both halves are read at once.
const HEAD_SHARE: f64 = 0.5;

/// Files from this size on are also filed in groups by both workers as they are read
/// (each its part, the reader then joins them), and cut a little earlier, as the
/// reader also joins. Below it the figures came no sooner (100k–400k rows: within
/// the spread between runs, docs/benchmarks.md); on 1M rows, 0.2 s sooner.
const FILED_FROM: f64 = 64.0 * 1024.0 * 1024.0;
const FILED_HEAD_SHARE: f64 = 0.47;

/// Where the second worker's part of a file of `size` bytes starts (None: the reader
/// reads it all), and whether both file their rows as they read.
pub(super) fn cut(size: f64, two_workers: bool) -> (Option<f64>, bool) {
    let filed = size >= FILED_FROM;
    let share = if filed { FILED_HEAD_SHARE } else { HEAD_SHARE };
    let at = (two_workers && size >= SPLIT_FROM).then(|| (size * share).floor());
    (at, filed && at.is_some())
}
