// Trunk post_build hook (after minify-bindings.mjs, before embed-entry.mjs): the page's
// inline start script and the integrity of the one module index.html does not name.
//
// - Trunk's start script also puts every wasm binding on `window.wasmBindings` and fires a
//   `TrunkApplicationStarted` event. Nothing here listens, and a global holding the app's
//   exports is a way into it for any other script in the page: both go, leaving
//   `import init from "…"; await init({ module_or_path: … })` (the CSP hash of the inline
//   script is computed from the built page: scripts/csp-hash.sh, the simulator).
// - The glue imports the on-demand chunk's loader (scripts/split-wasm.sh), which Trunk does
//   not know of, so nothing checked its integrity. A `modulepreload` with the integrity puts
//   the checked module in the module map the glue's import then uses (and fetches it
//   alongside the glue rather than after it). The loader in turn fetches the chunk with its
//   integrity (scripts/split-names.mjs).
//
// Fails the build when Trunk's output no longer has the expected shape.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('page-bootstrap: no directory (TRUNK_STAGING_DIR or argument)');
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');

const must = (re, what) => {
  if (!re.test(html)) throw new Error(`page-bootstrap: ${what} not found in index.html (Trunk's output changed?)`);
};
const Q = '[`\'"]';
const importRe = new RegExp(`import\\s*init\\s*,\\s*\\*\\s*as\\s+bindings\\s+from\\s*${Q}([^\`'"]+)${Q}\\s*;`);
const initRe = new RegExp(`const\\s+wasm\\s*=\\s*await\\s+init\\(\\s*\\{\\s*module_or_path\\s*:\\s*(${Q}[^\`'"]+${Q})\\s*\\}\\s*\\)\\s*;`);
const globalRe = new RegExp(`window\\.wasmBindings\\s*=\\s*bindings\\s*[,;]\\s*dispatchEvent\\(\\s*new\\s+CustomEvent\\(\\s*${Q}TrunkApplicationStarted${Q}\\s*,\\s*\\{\\s*detail\\s*:\\s*\\{\\s*wasm\\s*\\}\\s*\\}\\s*\\)\\s*\\)\\s*;?`);
must(importRe, 'the start script\'s import');
must(initRe, 'the start script\'s init call');
must(globalRe, 'window.wasmBindings and TrunkApplicationStarted');
const glueUrl = html.match(importRe)[1];
const wasmUrl = html.match(initRe)[1].slice(1, -1);
html = html.replace(importRe, '').replace(initRe, '').replace(globalRe, '');
const startRe = /<script type="?module"?>\s*<\/script>/;
must(startRe, 'the emptied start script');
html = html.replace(startRe, '');
if (/wasmBindings|TrunkApplicationStarted|\bbindings\b/.test(html)) {
  throw new Error('page-bootstrap: the start script still names the bindings');
}
// The wasm's digest, from Trunk's preload of it.
const wasmLink = html.match(new RegExp(`<link\\s[^>]*?href="?${wasmUrl.replace(/[.]/g, '\\.')}"?[^>]*>`));
const wasmSri = wasmLink && wasmLink[0].match(/integrity="?(sha(?:256|384|512)-[A-Za-z0-9+/=]+)/);
if (!wasmSri) throw new Error(`page-bootstrap: no preload with the integrity of ${wasmUrl} in index.html`);
const loader = readdirSync(dir).find((f) => /^mde-library-admin-loader-[0-9a-f]{16}\.js$/.test(f));
// Whatever the loader is called, the glue must not import a module this check did not find.
const glueFile = readdirSync(dir).find((f) => /^mde-library-admin-[0-9a-f]{1,16}\.js$/.test(f));
const imports = glueFile ? [...readFileSync(join(dir, glueFile), 'utf8').matchAll(/from\s*"\.\/([^"]+)"/g)].map((m) => m[1]) : [];
const unchecked = imports.filter((f) => f !== loader);
if (unchecked.length) throw new Error(`page-bootstrap: the glue imports ${unchecked.join(', ')}, which nothing preloads with its integrity`);
if (loader) {
  // Beside the glue's own modulepreload, with the same URL prefix and CORS mode.
  const glue = /<link\s[^>]*?href="?(\/?)mde-library-admin-[0-9a-f]{1,16}\.js"?[^>]*?rel="?modulepreload"?[^>]*>/;
  const m = html.match(glue);
  if (!m) throw new Error('page-bootstrap: no modulepreload of the glue in index.html');
  const sri = 'sha256-' + createHash('sha256').update(readFileSync(join(dir, loader))).digest('base64');
  html = html.replace(m[0], `${m[0]}<link crossorigin href="${m[1]}${loader}" integrity="${sri}" rel=modulepreload>`);
}
// Trunk passes its own `data-integrity` option through to the page; it means nothing there.
html = html.replace(/\s+data-integrity="?\w+"?/g, '');
// The start script, after every preload: the glue's import then finds the checked module in
// the module map (a module fetched first by the import would carry no integrity), and the
// wasm is fetched with its digest (Trunk's `init(url)` fetched it without one: an altered
// wasm that is still valid wasm ran). When either is refused, or the app fails to start,
// the page says so instead of staying blank.
const FAILED = 'The panel could not start: its files did not load, or did not match this build '
  + '(a deployment in progress, or altered on the way). Reload the page; if this stays, tell '
  + 'whoever deploys the panel.';
const start = `import(${JSON.stringify(glueUrl)}).then(m=>m.default({module_or_path:fetch(${JSON.stringify(wasmUrl)},{integrity:${JSON.stringify(wasmSri[1])}})})).catch(()=>{const p=document.createElement("p");p.setAttribute("role","alert");p.className="mde-library-admin start-failed";p.textContent=${JSON.stringify(FAILED)};document.body.append(p)})`;
if (!html.includes('</head>')) throw new Error('page-bootstrap: no </head> in index.html');
html = html.replace('</head>', `<script type=module>${start}</script></head>`);
writeFileSync(file, html);
console.log(`page-bootstrap: start script rewritten (after the preloads, wasm fetched with its integrity)${loader ? `; ${loader} preloaded with its integrity` : ''}`);
