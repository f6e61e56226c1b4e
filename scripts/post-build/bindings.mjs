// Step 2, bindings: the fewest bytes between the wasm and its JS glue.
//
// - Short names. wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` and every
//   closure export `wasm_bindgen__convert__closures_____invoke__h<16 hex>`. Each name is
//   written twice, once in the wasm and once in the JS, and random hex does not compress.
//   Every import and export gets a short name in both files, and the build fails when a long
//   name is left in the JS.
// - No wasm-streams. Leptos always links server_fn's browser support, whose `IntoUnderlying*`
//   classes turn Rust streams into JS ReadableStreams; this app never does, but exports are
//   roots, so their code stayed in. Their exports are dropped (with a second wasm-opt pass to
//   remove what only they used) and so are their JS classes.
// - wasm-bindgen's long warnings, shortened, then the glue minified (Trunk minified the glue
//   it wrote; the split step replaced it with wasm-bindgen's fresh output).
//
// The rewritten files keep their names: they are content hashes of Trunk's output, and the
// rewrite is deterministic, so they still change whenever the content does. index.html's
// integrity attributes are recomputed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBuild, must, readHtml, setIntegrity, writeHtml } from './dist.mjs';
import { LOW_MEMORY, minify, run as tool } from './tools.mjs';

// ---- the glue's wasm-streams classes (on wasm-bindgen's unminified output) ----

const STREAM_GLUE = [
  /^export class IntoUnderlying\w+ \{[\s\S]*?^\}\n/gm,
  /^if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype.*\n/gm,
  /^const IntoUnderlying\w+Finalization = [\s\S]*?;\n/gm,
  /^const __wbindgen_enum_ReadableStreamType = .*\n/gm,
];
/** The glue without wasm-streams' classes, whose wasm exports `renameBindings` drops. */
export function dropStreamGlue(glue) {
  for (const re of STREAM_GLUE) glue = glue.replace(re, '');
  must(!/IntoUnderlying|ReadableStreamType/.test(glue), 'wasm-streams glue left after removing it (wasm-bindgen output changed?)');
  return glue;
}

// Both deprecated-parameter branches never run here (index.html, embed.js and the chunk
// loader pass the object form), and the MIME fallback keeps working with a shorter word.
const WARNINGS = [
  ["'using deprecated parameters for `initSync()`; pass a single object instead'", "'initSync(): pass { module }'"],
  ["'using deprecated parameters for the initialization function; pass a single object instead'", "'init(): pass { module_or_path }'"],
  ['"`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with '
    + '`application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. '
    + 'Original error:\\n"',
  '"wasm not served as application/wasm; loading it without streaming:"'],
];
/**
 * The glue with wasm-bindgen's warnings shortened; `missing` lists those not found. They are
 * patches of third-party text, so a miss is reported, not fatal: the glue still works.
 */
export function shortenWarnings(glue) {
  const missing = [];
  for (const [long, short] of WARNINGS) {
    if (glue.includes(long)) glue = glue.split(long).join(short);
    else missing.push(long);
  }
  return { glue, missing };
}

// ---- the wasm's import and export sections ----

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
const wasmName = (s) => Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);
// a, b, …, z, aa, ab, …
function shortNames() {
  let next = 0;
  return () => {
    let n = next++, s = '';
    do {
      s = String.fromCharCode(97 + (n % 26)) + s;
      n = Math.floor(n / 26) - 1;
    } while (n >= 0);
    return s;
  };
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
  throw new Error(`unknown import kind ${kind}`);
}
const readName = (body, p) => {
  const [len, start] = readLeb(body, p);
  return [body.subarray(start, start + len).toString(), start + len];
};

const UNUSED = /^(__wbg_)?intounderlying/;
// What the on-demand chunks link to, by these names (their loader asks for them).
const LINKED = /^(memory|__indirect_function_table|__wasm_split\w*|__data_end|__heap_base)$/;

/**
 * The wasm with short import and export names, and without wasm-streams' exports. Imports
 * from the glue (`./<stem>_bg.js`) move to module `w`; the loader's keep their module.
 * Returns { wasm, map: { module, imports, exports } (old name -> new), dropped }.
 */
export function renameBindings(wasm) {
  const short = shortNames();
  const imports = new Map();
  const exports = new Map();
  const dropped = [];
  let module = null;
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
    for (let i = 0; i < count; i++) {
      if (id === 2) {
        let mod, field;
        [mod, p] = readName(body, p);
        [field, p] = readName(body, p);
        const descEnd = skipImportDesc(body, p);
        if (/_bg\.js$/.test(mod)) {
          must(module === null || module === mod, `second glue module ${mod}`);
          module = mod;
          const name = short();
          imports.set(field, name);
          parts.push(wasmName('w'), wasmName(name), body.subarray(p, descEnd));
        } else {
          parts.push(wasmName(mod), wasmName(field), body.subarray(p, descEnd));
        }
        p = descEnd;
      } else {
        let field;
        [field, p] = readName(body, p);
        const descEnd = readLeb(body, p + 1)[1];
        if (UNUSED.test(field)) {
          dropped.push(field);
        } else if (LINKED.test(field)) {
          parts.push(wasmName(field), body.subarray(p, descEnd));
        } else {
          const name = short();
          exports.set(field, name);
          parts.push(wasmName(name), body.subarray(p, descEnd));
        }
        p = descEnd;
      }
    }
    const kept = id === 2 ? count : count - dropped.length;
    const rewritten = Buffer.concat([leb(kept), ...parts]);
    sections.push(Buffer.from([id]), leb(rewritten.length), rewritten);
    pos = end;
  }
  return { wasm: Buffer.concat(sections), map: { module, imports, exports }, dropped };
}

// ---- the same names in the (minified) glue ----

const escapeRe = (s) => s.replace(/[$]/g, '\\$');
/** The glue calling the wasm by the names `renameBindings` gave it. */
export function renameInGlue(js, { module, imports, exports }) {
  const quotedModule = JSON.stringify(module);
  must(js.includes(quotedModule + ':'), `import module ${quotedModule} not found in the glue`);
  js = js.replace(quotedModule + ':', 'w:');
  for (const [old, name] of imports) {
    // An import is a key of the imports object: `name:function(...)`, once.
    const re = new RegExp(`(?<![\\w$])${escapeRe(old)}:`, 'g');
    const hits = js.match(re)?.length ?? 0;
    must(hits === 1, `import ${old} appears ${hits} times in the glue`);
    js = js.replace(re, `${name}:`);
  }
  for (const [old, name] of exports) {
    js = js.replace(new RegExp(`\\bwasm\\.${escapeRe(old)}(?![\\w$])`, 'g'), `wasm.${name}`);
    // The glue also wraps closure-invoking exports in a JS function of the same name; `$`
    // keeps the short name clear of the minifier's one- and two-letter locals. Other wrappers
    // (`mount`, ...) are the module's public API and keep their names.
    const local = new RegExp(`(?<![\\w$.])${escapeRe(old)}(?![\\w$])`, 'g');
    if (old.startsWith('wasm_bindgen__') && local.test(js)) {
      must(!js.includes(`$${name}`), `$${name} is already used in the glue`);
      js = js.replace(local, `$${name}`);
    }
  }
  const wrapped = [...exports.keys()].filter((e) => e.startsWith('wasm_bindgen__'));
  for (const old of [...imports.keys(), ...wrapped]) {
    must(old.length <= 2 || !new RegExp(`(?<![\\w$])${escapeRe(old)}(?![\\w$])`).test(js), `${old} is still referenced in the glue`);
  }
  for (const old of exports.keys()) {
    must(!new RegExp(`\\bwasm\\.${escapeRe(old)}(?![\\w$])`).test(js), `wasm.${old} is still referenced in the glue`);
  }
  return js;
}

export async function run(dir, { note = console.log } = {}) {
  const build = findBuild(dir);
  const wasmFile = join(dir, build.wasm);
  const jsFile = join(dir, build.glue);
  const { glue, missing } = shortenWarnings(dropStreamGlue(readFileSync(jsFile, 'utf8')));
  for (const long of missing) note(`wasm-bindgen's warning ${long.slice(0, 40)}… not found (its glue changed); left as is`);
  const { wasm, map, dropped } = renameBindings(readFileSync(wasmFile));
  const js = renameInGlue(await minify(glue), map);
  writeFileSync(wasmFile, wasm);
  // Features are read from the module.
  if (dropped.length) tool('wasm-opt', ['-Oz', ...LOW_MEMORY, wasmFile, '-o', wasmFile]);
  writeFileSync(jsFile, js);
  let html = readHtml(dir);
  for (const f of [build.wasm, build.glue]) html = setIntegrity(html, f, readFileSync(join(dir, f)));
  writeHtml(dir, html);
  return `${map.imports.size} imports and ${map.exports.size} exports renamed, ${dropped.length} unused exports dropped, in ${build.wasm} and ${build.glue}`;
}
