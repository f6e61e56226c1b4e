#!/usr/bin/env bash
# Trunk's post_build hook, in order: the #[lazy] functions split off to load on demand
# (which rewrites Trunk's js and wasm), short binding names (which rewrites index.html's
# integrity attributes), then embed.js (which reads them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/split-wasm.sh "$@"
node scripts/minify-bindings.mjs "$@"
node scripts/embed-entry.mjs "$@"
