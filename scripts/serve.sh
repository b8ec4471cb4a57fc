#!/usr/bin/env bash
# Builds the app and serves it on http://127.0.0.1:8080/ (installs what it needs first).
# Pass --release for the optimized build; any other trunk serve flag passes through.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$repo_root"
exec trunk serve --no-autoreload "$@"
