import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkPins, embedValues, renderEmbed } from '../embed.mjs';

// index.html after the bootstrap step, and the template the step fills.
const html = readFileSync(new URL('fixtures/bootstrapped.html', import.meta.url), 'utf8');
const template = readFileSync(new URL('../../../embed/embed.template.js', import.meta.url), 'utf8');
const build = {
  glue: 'mde-library-admin-8b1b51f6663b510a.js',
  wasm: 'mde-library-admin-d87be99a586c8752_bg.wasm',
  css: 'main-222c4d74649393e7.css',
  loader: 'mde-library-admin-loader-36227a51f2a94ea7.js',
};
const embed = () => renderEmbed(template, embedValues(html, build));

test('embed.js checks the glue, the loader, the wasm and the stylesheet against index.html\'s digests', () => {
  const js = embed();
  assert.ok(js.includes('const JS = ["mde-library-admin-8b1b51f6663b510a.js","sha256-/a+LTXUCZxm6jkvFIVM8vjhO8cJQRhMcA6zMfx/XgzQ="];'));
  assert.ok(js.includes('const LOADER = ["mde-library-admin-loader-36227a51f2a94ea7.js","sha256-NiJ6UfKpTqdH1G8FV13bwuj/mb2bR08aWC3eqMocEe4="];'));
  assert.ok(js.includes('const WASM = ["mde-library-admin-d87be99a586c8752_bg.wasm","sha256-XneSbKYTvjtsEELkyjNweJfbN/WvC3BVas0jOF9alA8="];'));
  assert.ok(js.includes('const STYLE = "main-222c4d74649393e7.css";'));
  assert.ok(js.includes('style.integrity = "sha256-2PTf/rOS5Qu5wiVgKdJr4fLjf38TDapyVD3qzqGGIJc=";'));
  assert.ok(js.includes('Promise.all([preload(JS), preload(LOADER)])'));
  assert.ok(js.includes('fetch(new URL(WASM[0], base), { integrity: WASM[1] })'));
  assert.ok(!js.includes("'%"), 'every placeholder filled');
});

test('embed.js is a module that parses, with no globals', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'embed-test-'));
  t.after(() => rmSync(dir, { recursive: true }));
  writeFileSync(join(dir, 'embed.mjs'), embed());
  execFileSync(process.execPath, ['--check', join(dir, 'embed.mjs')]);
  assert.ok(!/window\.|globalThis/.test(embed()));
});

test('fails when index.html lacks a digest, or the template a placeholder', () => {
  assert.throws(() => embedValues(html.replace(/ integrity="[^"]*" rel=modulepreload/, ' rel=modulepreload'), build), /no integrity of mde-library-admin-loader/);
  assert.throws(() => embedValues(html, { ...build, loader: undefined }), /no chunk loader/);
  const values = embedValues(html, build);
  assert.throws(() => renderEmbed(template.replace("'%LOADER%'", '[]'), values), /does not name '%LOADER%' once/);
  assert.throws(() => renderEmbed(`${template}'%EXTRA%'`, values), /names '%EXTRA%', which the build does not fill/);
});

test('checkPins fails unless every file pins host-bridge.js\'s digest', () => {
  const digest = 'sha384-abc';
  assert.doesNotThrow(() => checkPins(digest, { 'README.md': `integrity="${digest}"`, 'iframe.js': `'${digest}'` }));
  assert.throws(() => checkPins(digest, { 'README.md': `integrity="${digest}"`, 'iframe.js': "'sha384-old'" }), /iframe\.js does not pin host-bridge\.js as sha384-abc/);
});
