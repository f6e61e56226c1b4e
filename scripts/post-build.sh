#!/usr/bin/env bash
# Trunk's post_build hook, in order: the split functions cut off to load on demand
# (which rewrites Trunk's js and wasm), short binding names (which rewrites index.html's
# integrity attributes), the page's start script and the loader's integrity, then embed.js
# (which reads index.html).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/split-wasm.sh "$@"
node scripts/minify-bindings.mjs "$@"
node scripts/page-bootstrap.mjs "$@"
node scripts/embed-entry.mjs "$@"
