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
# The library as code (issue 17: hashing 500 files / 200 MB, a plan applied at the pace of the
# limit), from the bench project's run above: its section (target/bench/sync.md) goes in before
# "How each figure is taken", in place of the one a previous run put there.
node - BENCHMARKS.md target/bench/sync.md <<'EOF'
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const [md, part] = process.argv.slice(2);
if (!existsSync(part)) { console.error(`${part}: not written; BENCHMARKS.md has no hashing and apply section`); process.exit(0); }
const section = readFileSync(part, 'utf8').trimEnd() + '\n\n';
let text = readFileSync(md, 'utf8').replace(/## Library as code: hashing and apply\n[\s\S]*?(?=^## )/m, '');
const at = text.indexOf('## How each figure is taken');
text = at < 0 ? `${text.trimEnd()}\n\n${section}` : text.slice(0, at) + section + text.slice(at);
writeFileSync(md, text);
console.log(`(${part} put into ${md})`);
EOF
