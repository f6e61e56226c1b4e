// The programs the steps run, found where scripts/install.sh puts them: wasm-split-cli and
// wasm-bindgen from cargo install (on PATH, scripts/env.sh), wasm-opt and terser from npm in
// tools/. Nothing here downloads a tool.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: the steps read its tools/, README.md and examples/. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// The same wasm-opt Trunk uses (Trunk.toml's `wasm_opt` version): Debian's is too old.
const WASM_OPT = process.env.WASM_OPT || join(ROOT, 'tools/node_modules/.bin/wasm-opt');

/** Runs a tool; its output goes to Trunk's log, and a failure fails the build. */
export function run(tool, args, { quiet = false } = {}) {
  const file = tool === 'wasm-opt' ? WASM_OPT : tool;
  execFileSync(file, args, { stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
}

/**
 * Minifies an ES module with terser. `wasm` keeps its name: the bindings step finds the
 * glue's uses of the wasm exports as `wasm.<name>`.
 */
export async function minify(code) {
  const { minify: terser } = createRequire(join(ROOT, 'tools/package.json'))('terser');
  return (await terser(code, { module: true, compress: true, mangle: { reserved: ['wasm'] } })).code;
}

// rustc's wasm32 layout puts the stack first, growing down from 1 MiB, with the data above
// it: nothing lives in the first 1 KiB (an access there would be a null-pointer bug), and
// telling binaryen so lets it fold more address arithmetic (size lead L64, −0.4 KB).
export const LOW_MEMORY = ['--low-memory-unused'];
