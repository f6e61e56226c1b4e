#!/usr/bin/env bash
# The first-load weight of dist/ (html + js + wasm + css): gzip -9, the budgeted figure, and
# brotli 11, what a portal's CDN usually serves. Fails above the hard budget.
set -euo pipefail
cd "$(dirname "$0")/../dist"
BUDGET_KB=150
node - "$BUDGET_KB" index.html *.js *.wasm *.css <<'JS'
const fs = require('fs');
const zlib = require('zlib');
const [budgetKb, ...files] = process.argv.slice(2);
let gz = 0, br = 0;
for (const f of files) {
  const raw = fs.readFileSync(f);
  const g = zlib.gzipSync(raw, { level: 9 }).length;
  const b = zlib.brotliCompressSync(raw, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  }).length;
  console.log(`  ${f.padEnd(50)} ${String(raw.length).padStart(8)} B raw ${String(g).padStart(7)} B gzip ${String(b).padStart(7)} B brotli`);
  gz += g;
  br += b;
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`  first load: ${gz} B gzip (${kb(gz)} KB), ${br} B brotli (${kb(br)} KB); budget ${budgetKb} KB gzip, aim 84 KB`);
if (gz > budgetKb * 1024) {
  console.error(`  FAIL: the first load is ${kb(gz)} KB gzip, over the ${budgetKb} KB hard budget.`);
  process.exit(1);
}
JS
