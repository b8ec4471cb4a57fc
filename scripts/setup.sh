#!/usr/bin/env bash
# Installs everything the app and its tests need, idempotently: each step checks
# first and does nothing when the right version is already there.
# Sourced by serve.sh and test.sh; safe to run on its own.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
trunk_version=0.21.14

say() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Cargo.lock is the single source of the wasm-bindgen version; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$repo_root/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return; fi
  say "installing Debian's chromium and chromium-driver"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
}

# The hosting test starts nginx itself, on loopback, as a child process with its own
# paths; the system service is not needed (where apt starts it, stop it if unwanted).
ensure_nginx() {
  if [ -x /usr/sbin/nginx ]; then return; fi
  say "installing Debian's nginx (for the hosting test)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends nginx >/dev/null
}

ensure_cargo_tool() { # binary, expected version text, crate, version
  local bin=$1 expect=$2 crate=$3 version=$4
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -qF "$expect"; then return; fi
  say "installing $crate $version (a few minutes, once)"
  # Thin LTO off and many codegen units: the release profile of these tools is slow on 2 cores.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked "$crate" --version "$version"
}

ensure_node_tools() {
  # wasm-opt (npm binaryen), playwright-core and axe-core, pinned by tools/package-lock.json.
  local stamp="$repo_root/tools/node_modules/.installed-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$repo_root/tools/package-lock.json"; then return; fi
  say "installing node tools (binaryen, playwright-core, axe-core)"
  (cd "$repo_root/tools" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$repo_root/tools/package-lock.json" "$stamp"
}

export PATH="$HOME/.cargo/bin:$repo_root/tools/node_modules/.bin:$PATH"
# Builds live outside the checkout so a kept machine reuses them across fresh clones.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/spend-reconciler/target}"

ensure_wasm_target
ensure_chromium
ensure_nginx
ensure_cargo_tool trunk "trunk $trunk_version" trunk "$trunk_version"
wbg=$(wasm_bindgen_version)
ensure_cargo_tool wasm-bindgen "wasm-bindgen $wbg" wasm-bindgen-cli "$wbg"
ensure_node_tools
(cd "$repo_root" && cargo fetch --locked --quiet)
say "ready: trunk $trunk_version, wasm-bindgen $wbg, $(wasm-opt --version), $(chromium --version), $(/usr/sbin/nginx -v 2>&1)"
