import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chunkName, findBuild, firstLoad, integrityOf, loaderName, setIntegrity, sri } from '../dist.mjs';

const bootstrapped = readFileSync(new URL('fixtures/bootstrapped.html', import.meta.url), 'utf8');
const GLUE = 'mde-library-admin-8b1b51f6663b510a.js';
const WASM = 'mde-library-admin-d87be99a586c8752_bg.wasm';
const CSS = 'main-222c4d74649393e7.css';
const LOADER = 'mde-library-admin-loader-36227a51f2a94ea7.js';
const CHUNKS = ['mde-library-admin-chunk-224d9a1d338f952a.wasm', 'mde-library-admin-chunk-f09349cdf8c78e46.wasm'];

// A built directory: the app's files plus the portal entries and the deployment's files.
function dist(t, files) {
  const dir = mkdtempSync(join(tmpdir(), 'dist-test-'));
  t.after(() => rmSync(dir, { recursive: true }));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}
const built = {
  'index.html': bootstrapped, [GLUE]: '', [WASM]: '', [CSS]: '', [LOADER]: '', [CHUNKS[1]]: '', [CHUNKS[0]]: '',
  'embed.js': '', 'host-bridge.js': '', 'integrity.json': '', 'security-headers.conf': '',
};

test('findBuild names each of the build\'s files by its role', (t) => {
  const dir = dist(t, built);
  assert.deepEqual(findBuild(dir), { dir, html: 'index.html', glue: GLUE, wasm: WASM, css: CSS, loader: LOADER, chunks: CHUNKS });
});

test('findBuild before the split step: no loader, no chunks', (t) => {
  const dir = dist(t, { 'index.html': '', [GLUE]: '', [WASM]: '', [CSS]: '', 'host-bridge.js': '' });
  const build = findBuild(dir);
  assert.equal(build.loader, undefined);
  assert.deepEqual(build.chunks, []);
});

test('findBuild fails on a missing or a second file of one role', (t) => {
  const { [CSS]: _, ...noCss } = built;
  assert.throws(() => findBuild(dist(t, noCss)), /no css in/);
  assert.throws(() => findBuild(dist(t, { ...built, 'mde-library-admin-1f.js': '' })), /more than one glue/);
  const { 'index.html': __, ...noHtml } = built;
  assert.throws(() => findBuild(dist(t, noHtml)), /no index\.html/);
});

test('firstLoad is index.html and the files it names, and fails when it does not name one', (t) => {
  assert.deepEqual(firstLoad(findBuild(dist(t, built))), ['index.html', CSS, GLUE, WASM, LOADER]);
  const noLoader = bootstrapped.replace(/<link crossorigin href="\/mde-library-admin-loader[^>]*>/, '');
  assert.throws(() => firstLoad(findBuild(dist(t, { ...built, 'index.html': noLoader }))), /does not load mde-library-admin-loader/);
});

test('dist.mjs --first-load and --chunks print one file a line (scripts/size.sh reads them)', (t) => {
  const dir = dist(t, built);
  const cli = fileURLToPath(new URL('../dist.mjs', import.meta.url));
  assert.equal(execFileSync(process.execPath, [cli, '--first-load', dir], { encoding: 'utf8' }), `index.html\n${CSS}\n${GLUE}\n${WASM}\n${LOADER}\n`);
  assert.equal(execFileSync(process.execPath, [cli, '--chunks', dir], { encoding: 'utf8' }), `${CHUNKS.join('\n')}\n`);
});

test('sri is the base64 digest after the algorithm, of bytes or of a file', (t) => {
  // The digests of "abc" (FIPS 180-2 test vectors).
  assert.equal(sri(Buffer.from('abc')), 'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  assert.equal(sri(Buffer.from('abc'), 'sha384'), 'sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn');
  const dir = dist(t, { 'a.txt': 'abc' });
  assert.equal(sri(join(dir, 'a.txt')), sri(Buffer.from('abc')));
});

test('integrityOf and setIntegrity find the link of a file, with its attributes in either order', () => {
  assert.equal(integrityOf(bootstrapped, WASM), 'sha256-XneSbKYTvjtsEELkyjNweJfbN/WvC3BVas0jOF9alA8=');
  assert.equal(integrityOf(bootstrapped, LOADER), 'sha256-NiJ6UfKpTqdH1G8FV13bwuj/mb2bR08aWC3eqMocEe4=');
  const html = setIntegrity(bootstrapped, GLUE, Buffer.from('abc'));
  assert.equal(integrityOf(html, GLUE), sri(Buffer.from('abc')));
  // Nothing else changed.
  assert.equal(html.replace(sri(Buffer.from('abc')), 'X'), bootstrapped.replace('sha256-/a+LTXUCZxm6jkvFIVM8vjhO8cJQRhMcA6zMfx/XgzQ=', 'X'));
  // In the digest the page asks for.
  const sha384 = bootstrapped.replace('"sha256-/a+LTXUCZxm6jkvFIVM8vjhO8cJQRhMcA6zMfx/XgzQ="', 'sha384-old');
  assert.match(integrityOf(setIntegrity(sha384, GLUE, Buffer.from('abc')), GLUE), /^sha384-ywB1P0/);
  assert.throws(() => integrityOf(bootstrapped, 'mde-library-admin-8b1b51f6663b510.js'), /no link to/);
  assert.throws(() => setIntegrity(bootstrapped.replace(/integrity="[^"]*" as=fetch/, 'as=fetch'), WASM, Buffer.from('')), /no integrity attribute/);
});

test('chunkName and loaderName are content hashes the findBuild rule recognises', (t) => {
  const chunk = chunkName(Buffer.from('chunk'));
  const loader = loaderName('loader');
  assert.match(chunk, /^mde-library-admin-chunk-[0-9a-f]{16}\.wasm$/);
  assert.notEqual(chunk, chunkName(Buffer.from('other')));
  const build = findBuild(dist(t, { 'index.html': '', [GLUE]: '', [WASM]: '', [CSS]: '', [chunk]: '', [loader]: '' }));
  assert.deepEqual([build.loader, build.chunks], [loader, [chunk]]);
});
