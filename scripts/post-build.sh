#!/usr/bin/env bash
# Trunk's post_build hook, in order: short binding names (which rewrites index.html's
# integrity attributes), then embed.js (which reads them).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/minify-bindings.mjs "$@"
node scripts/embed-entry.mjs "$@"
