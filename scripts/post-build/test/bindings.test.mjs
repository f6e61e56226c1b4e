import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { dropStreamGlue, renameBindings, renameInGlue, shortenWarnings } from '../bindings.mjs';
import { minify } from '../tools.mjs';

// A tiny wasm module shaped like wasm-bindgen's output, built byte by byte: imports from the
// glue (`./app-1f_bg.js`) and from the chunks' loader, a memory the chunks link to, wasm-streams'
// export, a closure export and the module's own API.
const leb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const str = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id, items) => {
  const body = [...leb(items.length), ...items.flat()];
  return [id, ...leb(body.length), ...body];
};
const body = (code) => {
  const b = [0, ...code, 0x0b]; // no locals
  return [...leb(b.length), ...b];
};
const call = (f) => [0x10, f];

const GLUE = './app-1f_bg.js';
const LOG = '__wbg_log_0123456789abcdef';
const NOW = '__wbg_now_fedcba9876543210';
const INVOKE = 'wasm_bindgen__convert__closures_____invoke__h0123456789abcdef';

/**
 * `mount` calls the glue's `log` then `now`; the closure export calls the loader's
 * `__wasm_split_load_changes`. `extraImports` adds a memory and a global import from `env`
 * (the import kinds other than functions), which shift the function indices by none.
 */
function tinyModule({ extraImports = false } = {}) {
  const imports = [
    [...str(GLUE), ...str(LOG), 0, 0],
    [...str(GLUE), ...str(NOW), 0, 0],
    [...str('./__wasm_split.js'), ...str('__wasm_split_load_changes'), 0, 0],
  ];
  if (extraImports) {
    imports.push([...str('env'), ...str('heap'), 2, 1, 1, 2]); // memory, min 1 max 2
    imports.push([...str('env'), ...str('base'), 3, 0x7f, 0]); // immutable i32 global
  }
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [[0x60, 0, 0]]),
    ...section(2, imports),
    ...section(3, [[0], [0], [0]]),
    ...(extraImports ? [] : section(5, [[0, 1]])),
    ...section(7, [
      [...str('memory'), 2, 0],
      [...str('mount'), 0, 3],
      [...str(INVOKE), 0, 4],
      [...str('intounderlyingsource_free'), 0, 5],
    ]),
    ...section(10, [body([...call(0), ...call(1)]), body(call(2)), body([])]),
  ]);
}

const glueFixture = readFileSync(new URL('fixtures/glue.js.txt', import.meta.url), 'utf8');
const names = (wasm) => {
  const m = new WebAssembly.Module(wasm);
  return { imports: WebAssembly.Module.imports(m), exports: WebAssembly.Module.exports(m).map((e) => e.name) };
};

test('renameBindings gives the glue imports and the exports short names, and drops wasm-streams', () => {
  const { wasm, map, dropped } = renameBindings(tinyModule());
  assert.equal(map.module, GLUE);
  assert.deepEqual([...map.imports], [[LOG, 'a'], [NOW, 'b']]);
  assert.deepEqual([...map.exports], [['mount', 'c'], [INVOKE, 'd']]);
  assert.deepEqual(dropped, ['intounderlyingsource_free']);
  const after = names(wasm); // a valid module, or this throws
  assert.deepEqual(after.imports, [
    { module: 'w', name: 'a', kind: 'function' },
    { module: 'w', name: 'b', kind: 'function' },
    // The loader's imports and what the chunks link to keep their names.
    { module: './__wasm_split.js', name: '__wasm_split_load_changes', kind: 'function' },
  ]);
  assert.deepEqual(after.exports, ['memory', 'c', 'd']);
});

test('renameBindings steps over memory and global imports', () => {
  const { wasm, map } = renameBindings(tinyModule({ extraImports: true }));
  assert.deepEqual([...map.imports.values()], ['a', 'b']);
  assert.deepEqual(names(wasm).imports.slice(3), [
    { module: 'env', name: 'heap', kind: 'memory' },
    { module: 'env', name: 'base', kind: 'global' },
  ]);
});

test('renamed wasm and renamed glue still work together', async (t) => {
  const { wasm, map } = renameBindings(tinyModule());
  const { glue, missing } = shortenWarnings(dropStreamGlue(glueFixture));
  assert.equal(missing.length, 2, 'the fixture holds one of the three warnings');
  const js = renameInGlue(await minify(glue), map);
  for (const long of [LOG, NOW, INVOKE, GLUE, 'IntoUnderlying', 'wasm.mount']) assert.ok(!js.includes(long), `${long} left in ${js}`);
  const dir = mkdtempSync(join(tmpdir(), 'bindings-test-'));
  t.after(() => rmSync(dir, { recursive: true }));
  writeFileSync(join(dir, 'glue.mjs'), js);
  writeFileSync(join(dir, '__wasm_split.js'), 'export const loads = [];\nexport function __wasm_split_load_changes() { loads.push(1); }\n');
  const app = await import(pathToFileURL(join(dir, 'glue.mjs')));
  const loader = await import(pathToFileURL(join(dir, '__wasm_split.js')));
  app.initSync({ module: wasm });
  app.mount();
  assert.deepEqual(app.calls, ['log', 'now']);
  assert.equal(loader.loads.length, 1, 'the closure export reached the loader');
});

test('dropStreamGlue removes the IntoUnderlying classes and fails when any is left', () => {
  const glue = dropStreamGlue(glueFixture);
  assert.ok(!/IntoUnderlying|ReadableStreamType/.test(glue));
  assert.ok(glue.includes('export function mount()'));
  const changed = glueFixture.replace('export class IntoUnderlyingSource {', 'export class IntoUnderlyingSource extends Object {');
  assert.throws(() => dropStreamGlue(changed), /wasm-streams glue left/);
});

test('shortenWarnings replaces the warnings it knows and lists the others', () => {
  const { glue, missing } = shortenWarnings(glueFixture);
  assert.ok(glue.includes("console.warn('initSync(): pass { module }')"));
  assert.ok(!glue.includes('deprecated parameters'));
  assert.equal(missing.length, 2);
});

test('renameInGlue fails loudly when the glue is not shaped as expected', () => {
  const { map } = renameBindings(tinyModule());
  const ok = `const i={${LOG}:function(){},${NOW}:function(){}};x={"${GLUE}":i};wasm.mount();`;
  assert.equal(renameInGlue(ok, map), 'const i={a:function(){},b:function(){}};x={w:i};wasm.c();');
  assert.throws(() => renameInGlue(ok.replace(`"${GLUE}":`, '"./other_bg.js":'), map), /import module/);
  assert.throws(() => renameInGlue(ok.replace('x=', `y={${LOG}:1};x=`), map), /appears 2 times/);
  assert.throws(() => renameInGlue(`${ok}f(${NOW});`, map), /is still referenced/);
});
