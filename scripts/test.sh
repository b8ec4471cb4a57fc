#!/usr/bin/env bash
# Runs every test: lints, native unit and integration tests, browser unit tests in
# headless Chromium, the release build and its single-file offline copy, and the
# end-to-end test against them (also through nginx, as a shared instance serves it).
# Installs what it needs first (scripts/setup.sh), so it works on a fresh machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$repo_root"

step() { printf '\n== %s\n' "$*"; }

step "format and lints"
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --lib --bins --test browser -- -D warnings

step "native tests (cargo test)"
cargo test --locked

step "browser unit tests (wasm-bindgen-test in headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=60 \
  cargo test --locked --target wasm32-unknown-unknown --test browser

step "release build (trunk build --release) and the single-file offline copy"
trunk build --release
# The first load's bytes, raw and gzipped; fails above its budget (docs/benchmarks.md).
scripts/first-load.sh dist
node tools/single-file.mjs dist dist-offline/spend-reconciler.html
cargo build --locked --bin spend-reconciler

step "end-to-end (release build in headless Chromium, node --test)"
DIST_DIR="$repo_root/dist" CLI_BIN="$CARGO_TARGET_DIR/debug/spend-reconciler" \
  OFFLINE_FILE="$repo_root/dist-offline/spend-reconciler.html" NGINX_BIN=/usr/sbin/nginx \
  node --test tests/e2e/
