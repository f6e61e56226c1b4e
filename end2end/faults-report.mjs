#!/usr/bin/env node
// Reads the fault matrix cells written by tests/faults.spec.ts (test-results/faults/) and
// prints the matrix; when every cell ran, also writes test-results/faults/matrix.json and
// docs/faults.md. Run by the spec's last test, or by hand after a partial run:
//   node end2end/faults-report.mjs [--doc]   (--doc writes docs/faults.md even if cells are missing)
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, 'test-results', 'faults');
const docPath = path.join(here, '..', 'docs', 'faults.md');

if (!existsSync(path.join(dir, 'meta.json'))) {
  console.log('No fault matrix results: run `npx playwright test tests/faults.spec.ts` in end2end/ first.');
  process.exit(0);
}
const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'));
const cells = new Map();
const cellDir = path.join(dir, 'cells');
for (const f of existsSync(cellDir) ? readdirSync(cellDir) : []) {
  const c = JSON.parse(readFileSync(path.join(cellDir, f), 'utf8'));
  cells.set(`${c.op}__${c.fault}`, c);
}
const total = meta.ops.length * meta.faults.length;
const complete = cells.size === total;

const failing = (c) => Object.entries(c.checks ?? {}).filter(([, k]) => !k.ok);
const mark = (c) => {
  if (!c) return '';
  if (c.result === 'covered') return 'covered';
  if (c.result === 'pass') return 'pass';
  return `FAIL ${failing(c).map(([n]) => n).join(',')}`;
};

// Plain text for the terminal: faults down, operations across.
const head = ['fault \\ operation', ...meta.ops.map((o) => o.id)];
const rows = meta.faults.map((f) => [f.id, ...meta.ops.map((o) => mark(cells.get(`${o.id}__${f.id}`)))]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((v, i) => v.padEnd(widths[i])).join(' | ');
const all = [...cells.values()];
const count = (r) => all.filter((c) => c.result === r).length;
const summary = `${cells.size} of ${total} cells: ${count('pass')} pass, ${count('fail')} fail, ${count('covered')} covered by another cell`;
const out = [
  '', 'Fault matrix (checks: a = words, b = nothing lost, c = no repeated or dropped work, d = works afterwards)', '',
  line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line), '', summary, '',
];
const failures = all.filter((c) => c.result === 'fail');
for (const c of failures) {
  out.push(`${c.op} × ${c.fault}:`);
  for (const [n, k] of failing(c)) out.push(`  (${n}) ${k.why}`);
  if (c.shown?.length) out.push(`  shown: ${c.shown.map((t) => JSON.stringify(t.slice(0, 160))).join(' | ')}`);
}
console.log(out.join('\n'));

if (!complete && !process.argv.includes('--doc')) {
  if (cells.size < total) console.log(`\n(${total - cells.size} cells did not run: docs/faults.md not written)`);
  process.exit(0);
}
writeFileSync(path.join(dir, 'matrix.json'), JSON.stringify({ meta, cells: all }, null, 1));

// Markdown for docs/faults.md.
const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const md = [];
md.push('# Fault matrix');
md.push('');
md.push('Written by `end2end/faults-report.mjs` from the last full run of `end2end/tests/faults.spec.ts`');
md.push('(`cd end2end && npx playwright test tests/faults.spec.ts`); do not edit by hand.');
if (meta.commit) md.push(`Last full run: ${meta.ranAt}, app and simulator at ${meta.commit}.`);
md.push('');
md.push('Every operation of the panel meets every fault the simulator can inject (`POST /_sim/faults`).');
md.push('The page is opened at `localhost` and talks to the API and the sign-in authority at `127.0.0.1`,');
md.push('so every call is cross-origin as in production. Each cell checks:');
md.push('');
md.push('- **a**: the page says what happened in words: a non-empty `role=alert`/`role=status` text without');
md.push('  raw `JsValue`, `undefined`, `[object` or markup, at most 600 characters; it recovers where the');
md.push('  policy says it should; and a delete whose fate is unknown (no status, or a 2xx, arrived) does not');
md.push('  claim "Nothing was removed".');
md.push('- **b**: nothing already shown is lost: the table keeps its rows (20 files, or 19 after a delete');
md.push('  that succeeded); after a sign-in step, the address bar is clean and the page offers to sign in.');
md.push('- **c**: no work is repeated or silently dropped: the requests the fault aims at, counted as the');
md.push('  browser sent them and as the simulator logged them, are within what the retry policy allows');
md.push('  (1; 2 for the API\'s 401 (refresh, retry) and for a delete after a short 429; 1 or 2 for other');
md.push('  429s). A connection reset is injected twice because Chromium resends once, by itself, a request');
md.push('  whose reused connection closed unanswered; the simulator then logs two for one fetch.');
md.push('- **d**: the page still works: no uncaught error; faults cleared, the next action succeeds (delete');
md.push('  another file, Refresh the list, or sign in again).');
md.push('');
md.push('## Operations');
md.push('');
for (const o of meta.ops) md.push(`- \`${o.id}\`: ${o.label}`);
md.push('');
md.push('## Faults');
md.push('');
for (const f of meta.faults) md.push(`- \`${f.id}\`: ${f.label}`);
md.push('');
md.push('## Results');
md.push('');
md.push(summary + '.');
md.push('');
md.push(`| fault | ${meta.ops.map((o) => `\`${o.id}\``).join(' | ')} |`);
md.push(`|---|${meta.ops.map(() => '---').join('|')}|`);
for (const f of meta.faults) {
  md.push(`| \`${f.id}\` | ${meta.ops.map((o) => {
    const c = cells.get(`${o.id}__${f.id}`);
    if (!c) return 'not run';
    if (c.result === 'covered') return `covered by \`${c.coveredBy}\``;
    return c.result === 'pass' ? 'pass' : `**FAIL** ${failing(c).map(([n]) => n).join(', ')}`;
  }).join(' | ')} |`);
}
md.push('');
if (failures.length) {
  // One row per operation, check and reason; the page's own words once, as an example.
  const groups = new Map();
  for (const c of failures) {
    for (const [n, k] of failing(c)) {
      const m = /^(.*?); the page says: "(.*)"$/s.exec(k.why);
      const reason = m ? m[1] : k.why;
      const key = `${c.op}|${n}|${reason}`;
      if (!groups.has(key)) {
        groups.set(key, { op: c.op, check: n, reason, faults: [], said: m ? m[2] : (c.shown ?? [])[0] ?? '' });
      }
      groups.get(key).faults.push(c.fault);
    }
  }
  md.push('## Failing cells, by reason');
  md.push('');
  md.push('| operation | check | why | faults | what the page says (one example) |');
  md.push('|---|---|---|---|---|');
  for (const g of groups.values()) {
    md.push(`| \`${g.op}\` | ${g.check} | ${esc(g.reason)} | ${g.faults.map((f) => `\`${f}\``).join(', ')} | ${esc(g.said.slice(0, 220))} |`);
  }
  md.push('');
  md.push('## What the page said in every failing cell');
  md.push('');
  md.push('| cell | the page showed |');
  md.push('|---|---|');
  for (const c of failures) {
    md.push(`| \`${c.op}\` × \`${c.fault}\` | ${esc((c.shown ?? []).map((t) => t.slice(0, 200)).join(' / ') || '(nothing)')} |`);
  }
  md.push('');
}
writeFileSync(docPath, md.join('\n'));
console.log(`\nwrote ${path.relative(process.cwd(), docPath)}`);
