#!/usr/bin/env bash
# The first load: what the page fetches before a file is given (the page, its loader,
# the app's JS and wasm, the CSS), raw and gzipped (`gzip -9n`); and, apart, the file
# reader the page fetches when the first file is given (its JS, its wasm and the
# workers' loader: reader-*, worker_loader-*). Fails when either gzipped total is above
# its budget, so neither can grow unnoticed.
#   scripts/first-load.sh [DIST] [FIRST_LOAD_BUDGET_BYTES] [READER_BUDGET_BYTES]
set -euo pipefail
dist=${1:-dist}
# Measured 2026-12-07 (docs/benchmarks.md, "The page without its reader"), plus ~2%.
budget=${2:-${FIRST_LOAD_BUDGET:-862000}}
reader_budget=${3:-${READER_BUDGET:-1100000}}
first_raw=0 first_gz=0 reader_raw=0 reader_gz=0
for file in "$dist"/*; do
  [ -f "$file" ] || continue
  name=$(basename "$file")
  raw=$(stat -c %s "$file")
  gz=$(gzip -9n -c <"$file" | wc -c)
  case "$name" in
    reader-* | worker_loader-*)
      when="with the first file"
      reader_raw=$((reader_raw + raw)) reader_gz=$((reader_gz + gz))
      ;;
    *)
      when="first load"
      first_raw=$((first_raw + raw)) first_gz=$((first_gz + gz))
      ;;
  esac
  printf '%-48s %10d %10d  %s\n' "$name" "$raw" "$gz" "$when"
done
printf '%-48s %10d %10d  (raw, gzip -9 bytes)\n' "first load" "$first_raw" "$first_gz"
printf '%-48s %10d %10d  (fetched when the first file is given)\n' "the file reader" "$reader_raw" "$reader_gz"
status=0
if [ "$first_gz" -gt "$budget" ]; then
  echo "first load: $first_gz bytes gzipped, above the budget of $budget (see docs/benchmarks.md)" >&2
  status=1
fi
if [ "$reader_gz" -gt "$reader_budget" ]; then
  echo "the file reader: $reader_gz bytes gzipped, above its budget of $reader_budget (see docs/benchmarks.md)" >&2
  status=1
fi
exit $status
