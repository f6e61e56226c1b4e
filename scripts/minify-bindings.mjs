// Trunk post_build hook: shortens the names that join the wasm to its JS glue.
//
// wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` and every closure export
// `wasm_bindgen__convert__closures_____invoke__h<16 hex>`. Each name is written twice, once
// in the wasm and once in the JS, and random hex does not compress: measured on this app,
// 5.6 KB of the gzip first load (2.3 KB JS + 3.3 KB wasm) was these names. This renames every
// import and export to a short name in both files, checks that no long name is left in the
// JS, and rewrites the integrity attributes Trunk put in index.html.
//
// It also drops the exports of wasm-streams' `IntoUnderlying*` classes. Leptos always links
// server_fn's browser support, which exports them for turning Rust streams into JS
// ReadableStreams; this app never does, but exports are roots, so their code stayed in.
// Dropped, and with a second `wasm-opt -Oz` pass to remove what only they used: −1.4 KB gzip.
// Their JS wrapper classes are removed from the glue by scripts/split-names.mjs.
//
// It runs on Trunk's staging directory (TRUNK_STAGING_DIR), or on a directory given as the
// first argument. File names are kept: they are content hashes of Trunk's output, and the
// rewrite is deterministic, so they still change whenever the content does.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('minify-bindings: no directory (TRUNK_STAGING_DIR or argument)');
const files = readdirSync(dir);
const wasmFile = files.find((f) => f.endsWith('_bg.wasm'));
const jsFile = wasmFile && files.find((f) => f.endsWith('.js') && f.startsWith(wasmFile.split('-').slice(0, -1).join('-') + '-'));
if (!wasmFile || !jsFile) throw new Error(`minify-bindings: no wasm + js pair in ${dir}`);

function readLeb(buf, pos) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}
function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}
const name = (s) => Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);
let next = 0;
function shortName() {
  let n = next++, s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}
// Skips one import description (func, table, memory, global, tag) and returns its end.
function skipImportDesc(body, pos) {
  const kind = body[pos++];
  const limits = (p) => {
    const flags = body[p++];
    [, p] = readLeb(body, p);
    if (flags & 1) [, p] = readLeb(body, p);
    return p;
  };
  if (kind === 0) return readLeb(body, pos)[1];
  if (kind === 1) return limits(pos + 1);
  if (kind === 2) return limits(pos);
  if (kind === 3) return pos + 2;
  if (kind === 4) return readLeb(body, pos + 1)[1];
  throw new Error(`minify-bindings: unknown import kind ${kind}`);
}

const wasm = readFileSync(join(dir, wasmFile));
const imports = new Map(); // old field name -> new
const exports = new Map();
const unused = /^(__wbg_)?intounderlying/;
const linked = /^(memory|__indirect_function_table|__wasm_split\w*|__data_end|__heap_base)$/;
const dropped = [];
let moduleName = null;
const sections = [wasm.subarray(0, 8)];
for (let pos = 8; pos < wasm.length;) {
  const id = wasm[pos];
  const [size, start] = readLeb(wasm, pos + 1);
  const body = wasm.subarray(start, start + size);
  const end = start + size;
  if (id !== 2 && id !== 7) {
    sections.push(wasm.subarray(pos, end));
    pos = end;
    continue;
  }
  let [count, p] = readLeb(body, 0);
  const parts = [];
  let kept = 0;
  for (let i = 0; i < count; i++) {
    if (id === 2) {
      let len;
      [len, p] = readLeb(body, p);
      const mod = body.subarray(p, p + len).toString();
      p += len;
      [len, p] = readLeb(body, p);
      const field = body.subarray(p, p + len).toString();
      p += len;
      const descEnd = skipImportDesc(body, p);
      if (/_bg\.js$/.test(mod)) {
        if (moduleName !== null && moduleName !== mod) throw new Error(`minify-bindings: second glue module ${mod}`);
        moduleName = mod;
        const short = shortName();
        imports.set(field, short);
        parts.push(name('w'), name(short), body.subarray(p, descEnd));
      } else {
        // The on-demand loader's functions (scripts/split-wasm.sh): named by their module.
        parts.push(name(mod), name(field), body.subarray(p, descEnd));
      }
      kept++;
      p = descEnd;
    } else {
      let len;
      [len, p] = readLeb(body, p);
      const field = body.subarray(p, p + len).toString();
      p += len;
      const descEnd = readLeb(body, p + 1)[1];
      if (unused.test(field)) {
        dropped.push(field);
      } else if (linked.test(field)) {
        // What the on-demand chunks link to, by these names (the loader asks for them).
        parts.push(name(field), body.subarray(p, descEnd));
        kept++;
      } else {
        const short = shortName();
        exports.set(field, short);
        parts.push(name(short), body.subarray(p, descEnd));
        kept++;
      }
      p = descEnd;
    }
  }
  const rewritten = Buffer.concat([leb(kept), ...parts]);
  sections.push(Buffer.from([id]), leb(rewritten.length), rewritten);
  pos = end;
}

let js = readFileSync(join(dir, jsFile), 'utf8');
const quotedModule = JSON.stringify(moduleName);
if (!js.includes(quotedModule + ':')) throw new Error(`minify-bindings: import module ${quotedModule} not found in ${jsFile}`);
js = js.replace(quotedModule + ':', 'w:');
const escape = (s) => s.replace(/[$]/g, '\\$');
for (const [old, short] of imports) {
  // An import is a key of the imports object: `name:function(...)`, once.
  const re = new RegExp(`(?<![\\w$])${escape(old)}:`, 'g');
  const hits = js.match(re)?.length ?? 0;
  if (hits !== 1) throw new Error(`minify-bindings: import ${old} appears ${hits} times in ${jsFile}`);
  js = js.replace(re, `${short}:`);
}
for (const [old, short] of exports) {
  js = js.replace(new RegExp(`\\bwasm\\.${escape(old)}(?![\\w$])`, 'g'), `wasm.${short}`);
  // The glue also wraps closure-invoking exports in a JS function of the same name; `$`
  // keeps the short name clear of the minifier's one- and two-letter locals. Other wrappers
  // (`mount`, ...) are the module's public API and keep their names.
  const local = new RegExp(`(?<![\\w$.])${escape(old)}(?![\\w$])`, 'g');
  if (old.startsWith('wasm_bindgen__') && local.test(js)) {
    if (js.includes(`$${short}`)) throw new Error(`minify-bindings: $${short} is already used in ${jsFile}`);
    js = js.replace(local, `$${short}`);
  }
}
for (const old of [...imports.keys(), ...[...exports.keys()].filter((e) => e.startsWith('wasm_bindgen__'))]) {
  if (old.length > 2 && new RegExp(`(?<![\\w$])${escape(old)}(?![\\w$])`).test(js)) {
    throw new Error(`minify-bindings: ${old} is still referenced in ${jsFile}`);
  }
}
for (const old of exports.keys()) {
  if (new RegExp(`\\bwasm\\.${escape(old)}(?![\\w$])`).test(js)) {
    throw new Error(`minify-bindings: wasm.${old} is still referenced in ${jsFile}`);
  }
}
writeFileSync(join(dir, wasmFile), Buffer.concat(sections));
if (dropped.length) {
  // The same wasm-opt Trunk uses (scripts/install.sh puts it there); features are read from
  // the module.
  const wasmOpt = process.env.WASM_OPT || join(process.cwd(), 'tools/node_modules/.bin/wasm-opt');
  execFileSync(wasmOpt, ['-Oz', join(dir, wasmFile), '-o', join(dir, wasmFile)], { stdio: 'inherit' });
}
writeFileSync(join(dir, jsFile), js);

// Subresource integrity of the two rewritten files, in the digest index.html asks for
// (`data-integrity`: SHA-256 here).
const sri = (f, alg) => `"${alg}-` + createHash(alg).update(readFileSync(join(dir, f))).digest('base64') + '"';
let html = readFileSync(join(dir, 'index.html'), 'utf8');
for (const f of [wasmFile, jsFile]) {
  const re = new RegExp(`(href="?/?${f.replace(/[.]/g, '\\.')}"?[^>]*?integrity=)"?(sha256|sha384|sha512)-[A-Za-z0-9+/=]+"?`);
  const alt = new RegExp(`(integrity=)"?(sha256|sha384|sha512)-[A-Za-z0-9+/=]+"?([^>]*?href="?/?${f.replace(/[.]/g, '\\.')})`);
  let m;
  if ((m = html.match(re))) html = html.replace(re, `$1${sri(f, m[2])}`);
  else if ((m = html.match(alt))) html = html.replace(alt, `$1${sri(f, m[2])}$3`);
  else throw new Error(`minify-bindings: no integrity attribute for ${f} in index.html`);
}
writeFileSync(join(dir, 'index.html'), html);
console.log(`minify-bindings: ${imports.size} imports and ${exports.size} exports renamed, ${dropped.length} unused exports dropped, in ${wasmFile} and ${jsFile}`);
