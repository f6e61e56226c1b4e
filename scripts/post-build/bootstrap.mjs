// Step 3, bootstrap: the page's inline start script and the integrity of the one module
// index.html does not name.
//
// - Trunk's start script also puts every wasm binding on `window.wasmBindings` and fires a
//   `TrunkApplicationStarted` event. Nothing here listens, and a global holding the app's
//   exports is a way into it for any other script in the page: both go, leaving the import
//   and the init call (the CSP hash of the inline script is computed from the built page:
//   scripts/csp-hash.sh, the simulator).
// - The glue imports the on-demand chunks' loader (the split step), which Trunk does not know
//   of, so nothing checked its integrity. A `modulepreload` with the integrity puts the
//   checked module in the module map the glue's import then uses (and fetches it alongside
//   the glue rather than after it). The loader in turn fetches each chunk with its integrity.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, findBuild, integrityOf, must, readHtml, sri, writeHtml } from './dist.mjs';

// Trunk's start script, minified or not: `\s*` wherever its minifier may drop a space.
const Q = '[`\'"]';
const URL_IN_QUOTES = `${Q}([^\`'"]+)${Q}`;
const IMPORT = new RegExp(`import\\s*init\\s*,\\s*\\*\\s*as\\s+bindings\\s+from\\s*${URL_IN_QUOTES}\\s*;`);
const INIT = new RegExp(`const\\s+wasm\\s*=\\s*await\\s+init\\(\\s*\\{\\s*module_or_path\\s*:\\s*${URL_IN_QUOTES}\\s*\\}\\s*\\)\\s*;`);
const GLOBAL = new RegExp('window\\.wasmBindings\\s*=\\s*bindings\\s*[,;]\\s*'
  + `dispatchEvent\\(\\s*new\\s+CustomEvent\\(\\s*${Q}TrunkApplicationStarted${Q}\\s*,`
  + '\\s*\\{\\s*detail\\s*:\\s*\\{\\s*wasm\\s*\\}\\s*\\}\\s*\\)\\s*\\)\\s*;?');
const EMPTIED = /<script type="?module"?>\s*<\/script>/;
const shapeChanged = (what) => `${what} not found in index.html (Trunk's output changed?)`;

/**
 * index.html without Trunk's start script, and the glue and wasm URLs it named.
 * Returns { html, glueUrl, wasmUrl }.
 */
export function trimStartScript(html) {
  const glueUrl = must(html.match(IMPORT), shapeChanged('the start script\'s import'))[1];
  const wasmUrl = must(html.match(INIT), shapeChanged('the start script\'s init call'))[1];
  must(GLOBAL.test(html), shapeChanged('window.wasmBindings and TrunkApplicationStarted'));
  html = html.replace(IMPORT, '').replace(INIT, '').replace(GLOBAL, '');
  must(EMPTIED.test(html), shapeChanged('the emptied start script'));
  html = html.replace(EMPTIED, '');
  must(!/wasmBindings|TrunkApplicationStarted|\bbindings\b/.test(html), 'the start script still names the bindings');
  return { html, glueUrl, wasmUrl };
}

/** The modules the glue imports statically (`from "./x.js"`, `import "./x.js"`). */
export const glueImports = (glue) => [...glue.matchAll(/\b(?:from|import)\s*"\.\/([^"]+)"/g)].map((m) => m[1]);

const GLUE_PRELOAD = new RegExp(`<link\\s[^>]*?href="?(\\/?)${APP}-[0-9a-f]{1,16}\\.js"?[^>]*?rel="?modulepreload"?[^>]*>`);
/** index.html with the loader preloaded with its integrity, beside the glue's own preload. */
export function preloadLoader(html, loader, integrity) {
  // The same URL prefix and CORS mode as the glue's.
  const m = must(html.match(GLUE_PRELOAD), 'no modulepreload of the glue in index.html');
  return html.replace(m[0], () => `${m[0]}<link crossorigin href="${m[1]}${loader}" integrity="${integrity}" rel=modulepreload>`);
}

const FAILED = 'The panel could not start: its files did not load, or did not match this build '
  + '(a deployment in progress, or altered on the way). Reload the page; if this stays, tell '
  + 'whoever deploys the panel.';
/**
 * index.html with the start script at the end of <head>, after every preload: the glue's
 * import then finds the checked module in the module map (a module fetched first by the
 * import would carry no integrity), and the wasm is fetched with its digest (Trunk's
 * `init(url)` fetched it without one: an altered wasm that is still valid wasm ran). When
 * either is refused, or the app fails to start, the page says so instead of staying blank.
 */
export function addStartScript(html, glueUrl, wasmUrl, wasmIntegrity) {
  const json = JSON.stringify;
  const start = `import(${json(glueUrl)})`
    + `.then(m=>m.default({module_or_path:fetch(${json(wasmUrl)},{integrity:${json(wasmIntegrity)}})}))`
    + '.catch(()=>{const p=document.createElement("p");p.setAttribute("role","alert");'
    + `p.className="mde-library-admin start-failed";p.textContent=${json(FAILED)};document.body.append(p)})`;
  must(html.includes('</head>'), 'no </head> in index.html');
  return html.replace('</head>', () => `<script type=module>${start}</script></head>`);
}

/** The whole step on index.html, the glue's source and the loader's file name and bytes. */
export function bootstrap(html, { build, glue, loader }) {
  const trimmed = trimStartScript(html);
  const { glueUrl, wasmUrl } = trimmed;
  must(glueUrl.split('/').pop() === build.glue, `the start script imports ${glueUrl}, not the glue ${build.glue}`);
  must(wasmUrl.split('/').pop() === build.wasm, `the start script loads ${wasmUrl}, not the wasm ${build.wasm}`);
  // The wasm's digest, from Trunk's preload of it.
  const wasmIntegrity = integrityOf(trimmed.html, build.wasm);
  // Whatever the loader is called, the glue must not import a module this check did not find.
  const unchecked = glueImports(glue).filter((f) => f !== build.loader);
  must(!unchecked.length, `the glue imports ${unchecked.join(', ')}, which nothing preloads with its integrity`);
  html = build.loader ? preloadLoader(trimmed.html, build.loader, sri(loader)) : trimmed.html;
  // Trunk passes its own `data-integrity` option through to the page; it means nothing there.
  html = html.replace(/\s+data-integrity="?\w+"?/g, '');
  return addStartScript(html, glueUrl, wasmUrl, wasmIntegrity);
}

export function run(dir) {
  const build = findBuild(dir);
  const glue = readFileSync(join(dir, build.glue), 'utf8');
  const loader = build.loader && readFileSync(join(dir, build.loader));
  writeHtml(dir, bootstrap(readHtml(dir), { build, glue, loader }));
  return `start script after the preloads, wasm fetched with its integrity${build.loader ? `; ${build.loader} preloaded with its integrity` : ''}`;
}
