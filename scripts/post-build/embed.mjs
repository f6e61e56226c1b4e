// Step 4, embed: writes `embed.js`, the stable entry a portal imports to mount panels into its
// own page, and integrity.json, the digests a portal pins.
//
//   const { mount } = await import('https://panel.contoso.com/embed.js');
//   const panel = await mount(element, { apiBase, auth: { mode: 'host' }, getToken, onEvent });
//   panel.unmount();
//
// embed.js names this build's hashed JS, wasm and stylesheet, with their digests, so it is
// generated: from embed/embed.template.js, whose '%NAME%' strings are this build's values.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBuild, integrityOf, must, readHtml, sri } from './dist.mjs';
import { ROOT } from './tools.mjs';

const TEMPLATE = join(ROOT, 'embed/embed.template.js');
// Where the README's example and the example portal pin host-bridge.js.
const PINS = ['README.md', 'examples/portal/iframe.js'];

/** The values embed.js is generated with: files and their digests, from index.html's links. */
export function embedValues(html, build) {
  must(build.loader, 'no chunk loader in the build (the split step did not run?)');
  const pair = (file) => [file, integrityOf(html, file)];
  return {
    STYLE: build.css,
    STYLE_INTEGRITY: integrityOf(html, build.css),
    JS: pair(build.glue),
    LOADER: pair(build.loader),
    WASM: pair(build.wasm),
  };
}

/** The template with each '%NAME%' replaced by its value as JSON; each must appear once. */
export function renderEmbed(template, values) {
  let out = template;
  for (const [name, value] of Object.entries(values)) {
    const placeholder = `'%${name}%'`;
    must(out.split(placeholder).length === 2, `embed.template.js does not name ${placeholder} once`);
    out = out.replace(placeholder, () => JSON.stringify(value));
  }
  must(!/'%[A-Z_]+%'/.test(out), `embed.template.js names ${out.match(/'%[A-Z_]+%'/)?.[0]}, which the build does not fill`);
  return out;
}

/**
 * Fails unless each pinning file holds host-bridge.js's digest. host-bridge.js is the same
 * file build after build, so its digest is written in the README's example and in the
 * example portal; embed.js names this build's files, so its digest changes with every build
 * (integrity.json).
 */
export function checkPins(digest, files) {
  for (const [name, text] of Object.entries(files)) {
    must(text.includes(digest), `${name} does not pin host-bridge.js as ${digest} (it changed: update the digest there)`);
  }
}

export function run(dir) {
  const build = findBuild(dir);
  const values = embedValues(readHtml(dir), build);
  writeFileSync(join(dir, 'embed.js'), renderEmbed(readFileSync(TEMPLATE, 'utf8'), values));
  // The digests a portal pins when it loads the two entries from the panel's origin (README
  // "Integrity").
  const digests = { 'embed.js': sri(join(dir, 'embed.js'), 'sha384'), 'host-bridge.js': sri(join(dir, 'host-bridge.js'), 'sha384') };
  writeFileSync(join(dir, 'integrity.json'), `${JSON.stringify(digests, null, 2)}\n`);
  checkPins(digests['host-bridge.js'], Object.fromEntries(PINS.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')])));
  return `embed.js loads ${build.glue}, ${build.wasm} and ${build.css}; integrity.json written, host-bridge.js is ${digests['host-bridge.js']}`;
}
