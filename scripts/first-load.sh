#!/usr/bin/env bash
# The first load: every file of a release dist/ (all of which the page fetches before a
# file is dropped: the page, its loader, the app's JS and wasm, the CSS, and the warm
# workers' loader, which starts the same JS and wasm), raw and gzipped (`gzip -9n`).
# Fails when the gzipped total is above the budget, so the load cannot grow unnoticed.
#   scripts/first-load.sh [DIST] [BUDGET_BYTES]
set -euo pipefail
dist=${1:-dist}
# Measured 2026-12-06 (docs/benchmarks.md, "The answer painted first, the worker's answers
# without JSON"), plus ~2%.
budget=${2:-${FIRST_LOAD_BUDGET:-1295000}}
raw_total=0 gz_total=0
for file in "$dist"/*; do
  [ -f "$file" ] || continue
  raw=$(stat -c %s "$file")
  gz=$(gzip -9n -c <"$file" | wc -c)
  printf '%-48s %10d %10d\n' "$(basename "$file")" "$raw" "$gz"
  raw_total=$((raw_total + raw)) gz_total=$((gz_total + gz))
done
printf '%-48s %10d %10d  (raw, gzip -9 bytes)\n' "first load" "$raw_total" "$gz_total"
if [ "$gz_total" -gt "$budget" ]; then
  echo "first load: $gz_total bytes gzipped, above the budget of $budget (see docs/benchmarks.md)" >&2
  exit 1
fi
