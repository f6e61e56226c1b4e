// Step 1, split: loads the app's split functions on demand.
//
// The first load has a hard budget (scripts/size.sh); bulk delete and the features after it
// do not fit in it. `#[wasm_split(..)]` (wasm_split_helpers, re-exported by Leptos as
// `leptos::wasm_split`; `fallible`, so a chunk that fails to load is an error the panel
// shows, not an abort) marks a function as a split point; wasm-split-cli (from crates.io:
// wasm_split_cli_support) cuts each one, with the code only it uses, into a wasm chunk that
// its loader fetches the first time the function is called.
//
// Trunk cannot run a tool between cargo and wasm-bindgen, so this redoes its last steps on
// cargo's output: split, wasm-bindgen (with --keep-lld-exports: the chunks link to the main
// module's function table) and wasm-opt, written over Trunk's files under the same hashed
// names. The glue is left as wasm-bindgen wrote it: the bindings step trims and minifies it.
// Chunks and the loader get content-hashed names too, so a deployment caches them like the
// rest (deploy/nginx.conf).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APP, chunkName, findBuild, loaderName, must, sri } from './dist.mjs';
import { LOW_MEMORY, minify, ROOT, run as tool } from './tools.mjs';

// What rustc targets on wasm32: wasm-opt reads it from the main module, but a chunk carries
// no feature section.
const FEATURES = ['--enable-mutable-globals', '--enable-nontrapping-float-to-int', '--enable-bulk-memory',
  '--enable-sign-ext', '--enable-reference-types', '--enable-multivalue'];
// wasm-split-cli's name for the loader. The glue imports it as `from "./__wasm_split.js"`;
// the same string is also the key of the wasm's import module in the imports object, which
// must stay.
const LOADER = '__wasm_split.js';
const LOADER_IMPORT = /from\s*"\.\/__wasm_split\.js"/g;

/**
 * The loader with every chunk (`{ file, data }`, as wasm-split-cli named it) under its
 * content-hashed name and fetched with its integrity: a chunk altered on the way fails to
 * load (the panel says so) instead of running. sha256, not Trunk's sha384: the digest is
 * part of the first load, and 20 fewer bytes of it do not compress.
 * Returns { loader, files: [{ name, data }] }.
 */
export function nameChunks(loader, chunks) {
  const files = [];
  for (const { file, data } of chunks) {
    const name = chunkName(data);
    const ref = `"./${file}"`;
    must(loader.includes(ref), `the loader does not name ${file}`);
    loader = loader.split(ref).join(`"./${name}"`);
    const fetchIt = `fetch(new URL("./${name}", import.meta.url))`;
    must(loader.includes(fetchIt), `the loader does not fetch ${name} as expected`);
    // `quiet`: a chunk whose shared chunk failed first is never awaited; its own fetch must
    // not then reject unhandled (a page error); whoever awaits it still sees the rejection.
    loader = loader.split(fetchIt).join(`quiet(fetch(new URL("./${name}", import.meta.url), { integrity: "${sri(data)}" }))`);
    files.push({ name, data });
  }
  if (chunks.length) loader = `const quiet = (p) => (p.catch(() => {}), p);\n${loader}`;
  return { loader, files };
}

/** Whether the glue imports wasm-split-cli's loader (it does when anything is split off). */
export const importsLoader = (glue) => new RegExp(LOADER_IMPORT.source).test(glue);

/** The glue with every import of the loader (one per split point) under the loader's `name`. */
export function pointGlueAtLoader(glue, name) {
  must(importsLoader(glue), `the glue does not import ${LOADER}`);
  return glue.replace(LOADER_IMPORT, `from "./${name}"`);
}

/** The split, bindgen and wasm-opt runs, in `tmp`; returns their outputs' paths. */
function cut(raw, stem, tmp) {
  tool('wasm-split-cli', ['--target', 'web', '--out-name', stem, raw, join(tmp, 'split')], { quiet: true });
  tool('wasm-bindgen', ['--target', 'web', '--no-typescript', '--keep-lld-exports',
    '--out-dir', join(tmp, 'bindgen'), '--out-name', stem, join(tmp, 'split', `${stem}.wasm`)]);
  tool('wasm-opt', ['-Oz', ...LOW_MEMORY, join(tmp, 'bindgen', `${stem}_bg.wasm`), '-o', join(tmp, 'main.wasm')]);
  const chunks = readdirSync(join(tmp, 'split')).sort()
    .filter((f) => f.endsWith('.wasm') && f !== `${stem}.wasm`)
    .map((file) => {
      tool('wasm-opt', ['-Oz', ...LOW_MEMORY, ...FEATURES, join(tmp, 'split', file), '-o', join(tmp, file)]);
      return { file, data: readFileSync(join(tmp, file)) };
    });
  return {
    wasm: join(tmp, 'main.wasm'),
    glue: join(tmp, 'bindgen', `${stem}.js`),
    loader: join(tmp, 'split', LOADER),
    chunks,
  };
}

export async function run(dir) {
  const build = findBuild(dir);
  const target = resolve(ROOT, process.env.CARGO_TARGET_DIR || 'target');
  const raw = join(target, 'wasm32-unknown-unknown/release', `${APP}.wasm`);
  must(existsSync(raw), `${raw} is missing (trunk build --release)`);
  const tmp = mkdtempSync(join(tmpdir(), 'post-build-split-'));
  try {
    const out = cut(raw, build.glue.replace(/\.js$/, ''), tmp);
    writeFileSync(join(dir, build.wasm), readFileSync(out.wasm));
    const { loader, files } = nameChunks(readFileSync(out.loader, 'utf8'), out.chunks);
    for (const { name, data } of files) writeFileSync(join(dir, name), data);
    let glue = readFileSync(out.glue, 'utf8');
    const written = files.map((f) => f.name);
    if (importsLoader(glue)) {
      const code = await minify(loader);
      const name = loaderName(code);
      writeFileSync(join(dir, name), code);
      glue = pointGlueAtLoader(glue, name);
      written.push(name);
    } else {
      must(!files.length, 'chunks were split off but the glue does not import their loader');
    }
    writeFileSync(join(dir, build.glue), glue);
    return `${files.length} chunk(s) loaded on demand${written.length ? ': ' + written.join(', ') : ''}`;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
