#!/usr/bin/env bash
# The benchmark (`make bench`): native list work at 10,000 entries, then the built app and a
# plain-JavaScript baseline (bench/baseline/) side by side in Chromium; prints the summary
# table and rewrites BENCHMARKS.md. Figures only: nothing here fails on a time.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
mkdir -p target/bench
cargo run --release -q -p mde-library-admin --example bench | tee target/bench/native.txt
trunk build
cargo build -q -p mde-sim
# The paced bulk delete first (60 files at 20 per 10 s, its own simulator: the throughput
# figure, in target/bench/bulk.json); each Playwright run clears test-results/.
(cd end2end && npx playwright test --project=e2e tests/pacing.spec.ts)
(cd end2end && MDE_BENCH=1 npx playwright test --project=bench)
node scripts/bench-report.mjs end2end/test-results/bench.json target/bench/native.txt BENCHMARKS.md
