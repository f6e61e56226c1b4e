// Trunk's post_build hook: rewrites Trunk's staging directory (TRUNK_STAGING_DIR), or the
// directory given as the argument, in named steps, each printing one line. The order matters:
// each step reads what the ones before it wrote.
//
//   split      the split functions cut off into chunks loaded on demand (rewrites the js and wasm)
//   bindings   short names between the wasm and the glue (and index.html's integrity for both)
//   bootstrap  the page's start script, and the loader's integrity (reads index.html)
//   embed      embed.js and integrity.json for portals (reads index.html)
//
// Every step fails the build when Trunk's or a tool's output no longer has the shape it
// expects, rather than writing a page that half works.
import * as bindings from './bindings.mjs';
import * as bootstrap from './bootstrap.mjs';
import * as embed from './embed.mjs';
import * as split from './split.mjs';

const STEPS = { split, bindings, bootstrap, embed };

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('post-build: no directory (TRUNK_STAGING_DIR or argument)');
  process.exit(1);
}
for (const [name, step] of Object.entries(STEPS)) {
  const started = performance.now();
  try {
    const summary = await step.run(dir, { note: (line) => console.log(`post-build ${name}: ${line}`) });
    console.log(`post-build ${name}: ${summary} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.error(`post-build ${name}: ${e.message}`);
    process.exit(1);
  }
}
