// Part of scripts/split-wasm.sh: gives the wasm chunks and their loader content-hashed names,
// points the glue at them, minifies both scripts (Trunk minified the glue it wrote; this one
// replaces it) and writes them into the staging directory.
//
//   node scripts/split-names.mjs DIR STEM GLUE_JS LOADER_JS [CHUNK.wasm ...]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';

const [dir, stem, glueFile, loaderFile, ...chunks] = process.argv.slice(2);
if (!loaderFile) throw new Error('split-names: DIR STEM GLUE_JS LOADER_JS [CHUNK ...]');
const { minify } = createRequire(resolve('tools/package.json'))('terser');
const hash16 = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);
// `wasm` keeps its name: scripts/minify-bindings.mjs finds the exports as `wasm.<name>`.
const squeeze = async (code) =>
  (await minify(code, { module: true, compress: true, mangle: { reserved: ['wasm'] } })).code;

let glue = readFileSync(glueFile, 'utf8');
// wasm-streams' IntoUnderlying* classes: scripts/minify-bindings.mjs drops their wasm
// exports (nothing here turns a Rust stream into a ReadableStream); their JS goes too.
const streams = [
  /^export class IntoUnderlying\w+ \{[\s\S]*?^\}\n/gm,
  /^if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype.*\n/gm,
  /^const IntoUnderlying\w+Finalization = [\s\S]*?;\n/gm,
  /^const __wbindgen_enum_ReadableStreamType = .*\n/gm,
];
for (const re of streams) glue = glue.replace(re, '');
if (/IntoUnderlying|ReadableStreamType/.test(glue)) {
  throw new Error('split-names: wasm-streams glue left after removing it (wasm-bindgen output changed?)');
}
// wasm-bindgen's long warnings, shortened (the first load counts every byte): both
// deprecated-parameter branches never run here (index.html, embed.js and the chunk loader
// pass the object form), and the MIME fallback keeps working with a shorter word.
const warnings = [
  ["'using deprecated parameters for `initSync()`; pass a single object instead'", "'initSync(): pass { module }'"],
  ["'using deprecated parameters for the initialization function; pass a single object instead'", "'init(): pass { module_or_path }'"],
  ['"`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\\n"', '"wasm not served as application/wasm; loading it without streaming:"'],
];
for (const [long, short] of warnings) {
  if (glue.includes(long)) glue = glue.split(long).join(short);
  else console.log(`split-names: wasm-bindgen's warning ${long.slice(0, 40)}… not found (its glue changed); left as is`);
}
let loader = readFileSync(loaderFile, 'utf8');
// The glue's `import * as x from "./__wasm_split.js"`; the same string is also the key of the
// wasm's import module in the imports object, which must stay.
const LOADER_IMPORT = /from\s*"\.\/__wasm_split\.js"/;
const written = [];
for (const chunk of chunks) {
  const data = readFileSync(chunk);
  const name = `mde-library-admin-chunk-${hash16(data)}.wasm`;
  const ref = `"./${basename(chunk)}"`;
  if (!loader.includes(ref)) throw new Error(`split-names: the loader does not name ${basename(chunk)}`);
  loader = loader.split(ref).join(`"./${name}"`);
  // Fetched with its integrity, like the files index.html names: a chunk altered on the way
  // fails to load (the panel says so) instead of running. sha256, not Trunk's sha384: the
  // digest is part of the first load, and 20 fewer bytes of it do not compress.
  const fetchIt = `fetch(new URL("./${name}", import.meta.url))`;
  if (!loader.includes(fetchIt)) throw new Error(`split-names: the loader does not fetch ${name} as expected`);
  const sri = 'sha256-' + createHash('sha256').update(data).digest('base64');
  // `quiet`: a chunk whose shared chunk failed first is never awaited; its own fetch must
  // not then reject unhandled (a page error) — whoever awaits it still sees the rejection.
  loader = loader.split(fetchIt).join(`quiet(fetch(new URL("./${name}", import.meta.url), { integrity: "${sri}" }))`);
  writeFileSync(join(dir, name), data);
  written.push(name);
}
if (chunks.length) loader = `const quiet = (p) => (p.catch(() => {}), p);\n${loader}`;
if (LOADER_IMPORT.test(glue)) {
  loader = await squeeze(loader);
  const name = `mde-library-admin-loader-${hash16(loader)}.js`;
  writeFileSync(join(dir, name), loader);
  // Every import of it: one per split point's glue.
  glue = glue.replace(new RegExp(LOADER_IMPORT.source, 'g'), `from "./${name}"`);
  written.push(name);
} else if (chunks.length) {
  throw new Error('split-names: chunks were split off but the glue does not import their loader');
}
writeFileSync(join(dir, `${stem}.js`), await squeeze(glue));
console.log(`split-names: ${chunks.length} chunk(s) loaded on demand${written.length ? ': ' + written.join(', ') : ''}`);
