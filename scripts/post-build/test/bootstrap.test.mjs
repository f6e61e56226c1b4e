import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bootstrap, trimStartScript } from '../bootstrap.mjs';
import { integrityOf, sri } from '../dist.mjs';

// index.html as Trunk writes it (minified), with its start script first.
const trunk = readFileSync(new URL('fixtures/trunk.html', import.meta.url), 'utf8');
const build = {
  glue: 'mde-library-admin-8b1b51f6663b510a.js',
  wasm: 'mde-library-admin-d87be99a586c8752_bg.wasm',
  css: 'main-222c4d74649393e7.css',
  loader: 'mde-library-admin-loader-0123456789abcdef.js',
};
const loader = Buffer.from('export const loader = 1;');
const glue = `import*as n from"./${build.loader}";export function mount(){}`;
const page = () => bootstrap(trunk, { build, glue, loader });

test('trimStartScript removes Trunk\'s start script and returns the URLs it named', () => {
  const { html, glueUrl, wasmUrl } = trimStartScript(trunk);
  assert.equal(glueUrl, `/${build.glue}`);
  assert.equal(wasmUrl, `/${build.wasm}`);
  assert.ok(!html.includes('<script'));
  assert.equal(html, trunk.replace(/<script type=module>.*?<\/script>/, ''));
});

test('no window.wasmBindings and no TrunkApplicationStarted', () => {
  assert.ok(!/wasmBindings|TrunkApplicationStarted|bindings/.test(page()));
});

test('the start script comes after every preload, and is the only script', () => {
  const html = page();
  assert.equal(html.match(/<script/g).length, 1);
  assert.ok(html.indexOf('<script') > html.lastIndexOf('<link'));
  assert.ok(html.endsWith('</script></head><body></body></html>'));
});

test('the wasm is fetched with the integrity of Trunk\'s preload of it', () => {
  const wasmSri = integrityOf(trunk, build.wasm);
  assert.ok(page().includes(`module_or_path:fetch("/${build.wasm}",{integrity:"${wasmSri}"})`));
  assert.ok(page().includes(`import("/${build.glue}")`));
});

test('the loader is preloaded with its integrity, beside the glue', () => {
  const html = page();
  const tag = `<link crossorigin href="/${build.loader}" integrity="${sri(loader)}" rel=modulepreload>`;
  assert.ok(html.includes(`rel=modulepreload>${tag}`), html);
  assert.equal(integrityOf(html, build.loader), sri(loader));
});

test('Trunk\'s data-integrity option does not reach the page', () => {
  assert.ok(trunk.includes('data-integrity'));
  assert.ok(!page().includes('data-integrity'));
});

test('the page says so when the panel cannot start', () => {
  assert.match(page(), /\.catch\(\(\)=>\{const p=document\.createElement\("p"\);p\.setAttribute\("role","alert"\)/);
});

test('fails loudly when Trunk\'s start script changes shape', () => {
  const shaped = (from, to) => () => bootstrap(trunk.replace(from, to), { build, glue, loader });
  assert.throws(shaped('window.wasmBindings=bindings,', 'window.bindings=bindings,'), /window\.wasmBindings and TrunkApplicationStarted not found/);
  assert.throws(shaped('import init,*as bindings', 'import start,*as bindings'), /the start script's import not found/);
  assert.throws(shaped('const wasm=await init(', 'const wasm=await start('), /init call not found/);
  assert.throws(shaped('}}));</script>', '}}));start();</script>'), /the emptied start script not found/);
  assert.throws(shaped(`"/${build.glue}"`, '"/other.js"'), /imports \/other\.js, not the glue/);
  assert.throws(shaped(/integrity="[^"]*" as=fetch/, 'as=fetch'), /no integrity of mde-library-admin-d87be99a586c8752_bg\.wasm/);
});

test('fails when the glue imports a module nothing preloads with its integrity', () => {
  const other = `${glue}import"./elsewhere.js";`;
  assert.throws(() => bootstrap(trunk, { build, glue: `import"./x.js";${other}`, loader }), /imports x\.js, elsewhere\.js, which nothing preloads/);
  assert.throws(() => bootstrap(trunk, { build: { ...build, loader: undefined }, glue, loader: undefined }), /imports mde-library-admin-loader/);
  // With nothing split off, no loader and no preload of one.
  const plain = bootstrap(trunk, { build: { ...build, loader: undefined }, glue: 'export function mount(){}', loader: undefined });
  assert.ok(!plain.includes('loader'));
});
