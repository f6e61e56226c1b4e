import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chunkName, sri } from '../dist.mjs';
import { importsLoader, nameChunks, pointGlueAtLoader } from '../split.mjs';

// The loader as wasm-split-cli writes it: two split points that share one chunk.
const loaderFixture = readFileSync(new URL('fixtures/loader.js.txt', import.meta.url), 'utf8');
const chunks = ['chunk_3.wasm', 'split_changes.wasm', 'split_windows.wasm']
  .map((file) => ({ file, data: Buffer.from(`bytes of ${file}`) }));

test('nameChunks names each chunk by its content and fetches it with its integrity', () => {
  const { loader, files } = nameChunks(loaderFixture, chunks);
  assert.deepEqual(files.map((f) => f.name), chunks.map((c) => chunkName(c.data)));
  for (const { file, data } of chunks) {
    assert.ok(!loader.includes(file), `${file} is still named`);
    const fetched = `quiet(fetch(new URL("./${chunkName(data)}", import.meta.url), { integrity: "${sri(data)}" }))`;
    assert.equal(loader.split(fetched).length, 2, `one fetch of ${file}, with its integrity`);
  }
  assert.ok(!/[^(]fetch\(new URL/.test(loader.replace(/quiet\(fetch/g, '')), 'no fetch without integrity');
  assert.ok(loader.startsWith('const quiet = (p) => (p.catch(() => {}), p);\n'));
  // Still a module that parses.
  assert.doesNotThrow(() => new Function(loader.replace(/^import .*$/m, '').replace(/^export /gm, '').replace(/import\.meta\.url/g, '""')));
});

test('nameChunks fails when the loader does not name or fetch a chunk as expected', () => {
  assert.throws(() => nameChunks(loaderFixture, [...chunks, { file: 'split_upload.wasm', data: Buffer.from('') }]), /does not name split_upload\.wasm/);
  const changed = loaderFixture.replace('fetch(new URL("./chunk_3.wasm", import.meta.url))', 'fetch(new URL("./chunk_3.wasm", base))');
  assert.throws(() => nameChunks(changed, chunks), /does not fetch mde-library-admin-chunk-[0-9a-f]{16}\.wasm as expected/);
});

test('nameChunks leaves a loader with no chunks as it is', () => {
  assert.deepEqual(nameChunks(loaderFixture, []), { loader: loaderFixture, files: [] });
});

test('pointGlueAtLoader renames every import of the loader, not the import module key', () => {
  const glue = 'import * as import1 from "./__wasm_split.js"\nimport * as import2 from "./__wasm_split.js"\n'
    + 'const imports = { "./__wasm_split.js": import1, "./__wasm_split.js": import2 };\n';
  assert.ok(importsLoader(glue));
  assert.equal(pointGlueAtLoader(glue, 'mde-library-admin-loader-0123456789abcdef.js'),
    'import * as import1 from "./mde-library-admin-loader-0123456789abcdef.js"\nimport * as import2 from "./mde-library-admin-loader-0123456789abcdef.js"\n'
    + 'const imports = { "./__wasm_split.js": import1, "./__wasm_split.js": import2 };\n');
  assert.ok(!importsLoader('import { x } from "./other.js";'));
  assert.throws(() => pointGlueAtLoader('import { x } from "./other.js";', 'l.js'), /does not import __wasm_split\.js/);
});
