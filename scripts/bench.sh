#!/usr/bin/env bash
# Prints performance figures (no pass/fail on time): native list work at 10,000 entries,
# then the built app in Chromium with a 10,000-entry library (load, filter, sort, scroll).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
cargo run --release -q -p mde-library-admin --example bench
trunk build
cargo build -q -p mde-sim
scripts/size.sh
(cd end2end && npx playwright test scale 2>&1 | grep -E '\[bench\]|passed|failed')
