#!/usr/bin/env bash
# Benchmarks (figures, not tests): generates a deterministic 1M-row CometAPI log as JSON
# lines, one log-API JSON page and CSV, then measures
#   0. the first load: each file the page fetches before a file is given, and apart the
#      file reader it fetches with the first file, plain and gzipped
#      (scripts/first-load.sh);
#   1. the native streaming ingest (release build, `fast` profile, opt-level 3): MB/s
#      and rows/s, median of 3 runs, peak memory (/usr/bin/time -v, else VmHWM). As the
#      command line reads: JSON lines and CSV in two parts on two threads, SHA-256 on a
#      third (`ingest_in_two`); then with one reader (`--one-reader`, hash on a thread);
#      The figures are computed under the bench rate card (scripts/bench-settings.json);
#   2. the page in headless Chromium, the same card imported first: time from picking the
#      file to its ledger and figures on screen, by the page's clock the last byte read →
#      figures and one rate edit → new total,
#      MB/s, rows/s, the page's JS heap, the tab's peak resident memory and the CPU time
#      of each thread (median of 3), the file given once the reader is warm (a drag
#      begun over the drop zone first); then picked at once, the reader fetched and
#      started after the pick (`--cold`); then with one worker reading and hashing
#      (`--one-worker`), the way before the page had a second worker.
# Usage: scripts/bench.sh [ROWS]   (default 1000000; files go to $BENCH_DIR, default
# ~/.cache/spend-reconciler/bench, and are reused when already generated)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$repo_root"

rows=${1:-1000000}
dir=${BENCH_DIR:-$HOME/.cache/spend-reconciler/bench}
mkdir -p "$dir"

step() { printf '\n== %s\n' "$*"; }

step "machine"
lscpu | grep -E '^(Model name|CPU\(s\))' || true
grep MemTotal /proc/meminfo || true

step "build (cargo --profile fast, trunk --release)"
cargo build --locked --profile fast --example bench
trunk build --release
bench="$CARGO_TARGET_DIR/fast/examples/bench"

step "first load (plain and gzip -9 bytes; the budget is checked by scripts/test.sh)"
scripts/first-load.sh dist 999999999 999999999

step "generate $rows rows (deterministic)"
for format in jsonl page csv; do
  file="$dir/log-$rows.$format"
  [ -s "$file" ] || "$bench" generate --rows "$rows" --format "$format" --out "$file"
  ls -l "$file"
done

step "native ingest (median of 3; peak memory)"
for format in jsonl page csv; do
  file="$dir/log-$rows.$format"
  echo "-- $format"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$bench" run --runs 3 --settings scripts/bench-settings.json "$file" 2> "$dir/time.txt"
    grep -E 'Maximum resident set size' "$dir/time.txt"
  else
    "$bench" run --runs 3 --settings scripts/bench-settings.json "$file"
  fi
  # The same two parts with no groups filed as they are read: the reading alone, the
  # rate issue 17's "the native CLI stays at 400 MB/s or more" was first measured as.
  echo "-- $format, reading alone (two parts, no figures)"
  "$bench" run --runs 3 --no-figures "$file"
  echo "-- $format, one reader (hash on a second thread)"
  "$bench" run --runs 3 --no-figures --one-reader "$file"
done

step "page in headless Chromium (median of 3)"
for format in jsonl page csv; do
  echo "-- $format"
  DIST_DIR="$repo_root/dist" node scripts/bench-browser.mjs "$dir/log-$rows.$format" "$rows" 3
  echo "-- $format, picked at once: the reader fetched and started after the pick"
  DIST_DIR="$repo_root/dist" node scripts/bench-browser.mjs --cold "$dir/log-$rows.$format" "$rows" 3
  echo "-- $format, one worker reading and hashing"
  DIST_DIR="$repo_root/dist" node scripts/bench-browser.mjs --one-worker "$dir/log-$rows.$format" "$rows" 3
done
