// The build's files, found by one rule that every post-build step and scripts/size.sh share:
// their names. Trunk names the glue, the wasm and the stylesheet `<name>-<hash>`; the split
// step names the chunks and their loader the same way. Anything else in the directory
// (host-bridge.js, embed.js, integrity.json, the deployment's .conf files) is not the app.
//
//   node scripts/post-build/dist.mjs --first-load DIR   what the page loads, one file a line
//   node scripts/post-build/dist.mjs --chunks DIR       the chunks loaded on demand
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP = 'mde-library-admin';
// Trunk's content hash is a u64 in hex without leading zeros: 1 to 16 digits. Ours are 16.
const TRUNK_HASH = '[0-9a-f]{1,16}';
const OWN_HASH = '[0-9a-f]{16}';
const RULES = {
  glue: new RegExp(`^${APP}-${TRUNK_HASH}\\.js$`),
  wasm: new RegExp(`^${APP}-${TRUNK_HASH}_bg\\.wasm$`),
  loader: new RegExp(`^${APP}-loader-${OWN_HASH}\\.js$`),
  chunks: new RegExp(`^${APP}-chunk-${OWN_HASH}\\.wasm$`),
  css: new RegExp(`^main-${TRUNK_HASH}\\.css$`),
};

/** Throws `what` unless `cond`: every step fails the build loudly when its input changes shape. */
export function must(cond, what) {
  if (!cond) throw new Error(what);
  return cond;
}

const hash16 = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);
/** The content-hashed name of an on-demand chunk (a deployment caches it like Trunk's files). */
export const chunkName = (data) => `${APP}-chunk-${hash16(data)}.wasm`;
/** The content-hashed name of the chunks' loader. */
export const loaderName = (code) => `${APP}-loader-${hash16(code)}.js`;

/**
 * The build in `dir`: { dir, html, glue, wasm, css, loader, chunks } (file names; `loader` is
 * undefined and `chunks` empty before the split step, or when nothing is split off).
 */
export function findBuild(dir) {
  const files = readdirSync(dir).sort();
  const all = (role) => files.filter((f) => RULES[role].test(f));
  const one = (role, optional = false) => {
    const found = all(role);
    must(found.length <= 1, `${dir} holds more than one ${role}: ${found.join(', ')}`);
    must(optional || found.length === 1, `no ${role} in ${dir} (Trunk's output changed?)`);
    return found[0];
  };
  must(files.includes('index.html'), `no index.html in ${dir}`);
  return {
    dir,
    html: 'index.html',
    glue: one('glue'),
    wasm: one('wasm'),
    css: one('css'),
    loader: one('loader', true),
    chunks: all('chunks'),
  };
}

/**
 * What the page loads before the panel shows: index.html and the files it names, and the
 * loader the glue imports. Each must be named by index.html, so a file the page stops (or
 * starts) loading is not silently left out of the budget.
 */
export function firstLoad(build) {
  const html = readHtml(build.dir);
  const named = [build.css, build.glue, build.wasm, build.loader].filter(Boolean);
  for (const f of named) must(linkTag(html, f), `index.html does not load ${f}`);
  return [build.html, ...named.sort()];
}

/** Subresource integrity of a file (a path) or of bytes: `<alg>-<base64 digest>`. */
export function sri(fileOrData, alg = 'sha256') {
  const data = typeof fileOrData === 'string' ? readFileSync(fileOrData) : fileOrData;
  return `${alg}-${createHash(alg).update(data).digest('base64')}`;
}

export const readHtml = (dir) => readFileSync(join(dir, 'index.html'), 'utf8');
export const writeHtml = (dir, html) => writeFileSync(join(dir, 'index.html'), html);

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const INTEGRITY = /integrity="?((sha256|sha384|sha512)-[A-Za-z0-9+/=]+)"?/;
// Trunk writes `href=/file`, quoted or not, with its attributes in either order.
const linkRe = (file) => new RegExp(`<link\\s[^>]*?href="?/?${escapeRe(file)}(?=["\\s>])"?[^>]*>`);

/** The `<link>` tag of index.html that names `file`, or undefined. */
export function linkTag(html, file) {
  return html.match(linkRe(file))?.[0];
}

/** The integrity (`sha256-…`) of the `<link>` that names `file`; fails when there is none. */
export function integrityOf(html, file) {
  const tag = must(linkTag(html, file), `no link to ${file} in index.html`);
  return must(tag.match(INTEGRITY), `no integrity of ${file} in index.html`)[1];
}

/** index.html with the integrity of `file`'s `<link>` recomputed from `data`, in the same digest. */
export function setIntegrity(html, file, data) {
  const tag = must(linkTag(html, file), `no link to ${file} in index.html`);
  const alg = must(tag.match(INTEGRITY), `no integrity attribute for ${file} in index.html`)[2];
  return html.replace(tag, () => tag.replace(INTEGRITY, () => `integrity="${sri(data, alg)}"`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [option, dir] = process.argv.slice(2);
  const usage = 'usage: dist.mjs --first-load DIR | --chunks DIR';
  if (!dir || !['--first-load', '--chunks'].includes(option)) {
    console.error(usage);
    process.exit(2);
  }
  const build = findBuild(dir);
  const files = option === '--first-load' ? firstLoad(build) : build.chunks;
  if (files.length) console.log(files.join('\n'));
}
