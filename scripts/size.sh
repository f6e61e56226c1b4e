#!/usr/bin/env bash
# The first-load weight of dist/ (html + js + wasm + css): gzip -9, the budgeted figure, and
# brotli 11, what a portal's CDN usually serves. Fails above the hard budget.
set -euo pipefail
scripts="$(cd "$(dirname "$0")" && pwd)"
# MDE_DIST: another build directory (a parallel build); dist/ by default.
cd "${MDE_DIST:-$scripts/../dist}"
BUDGET=$((150 * 1024))
total=0
# What the page loads: index.html, the files it names and the loader the glue imports, by the
# post-build steps' own rule (scripts/post-build/dist.mjs). embed.js and host-bridge.js are for
# portals (listed after the total), not part of the panel's first load.
loaded=$(node "$scripts/post-build/dist.mjs" --first-load .)
chunks=$(node "$scripts/post-build/dist.mjs" --chunks .)
for f in $loaded; do
  z=$(gzip -9c "$f" | wc -c)
  br=$(node -e 'const z=require("zlib");process.stdout.write(String(z.brotliCompressSync(require("fs").readFileSync(process.argv[1]),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length))' "$f")
  printf '  %-50s %8d B raw %7d B gzip %7d B brotli\n' "$f" "$(stat -c %s "$f")" "$z" "$br"
  total=$((total + z))
  total_br=$((${total_br:-0} + br))
done
awk -v t="$total" -v b="$total_br" 'BEGIN { printf "  first load: %d B gzip (%.1f KB), %d B brotli (%.1f KB); budget 150 KB gzip, aim 84 KB\n", t, t / 1024, b, b / 1024 }'
for f in embed.js host-bridge.js; do
  [ -f "$f" ] && printf '  %-50s %8d B raw %7d B gzip (for portals; not in the first load)\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
for f in $chunks; do
  printf '  %-50s %8d B raw %7d B gzip (loaded on demand; not in the first load)\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
if [ "$total" -gt "$BUDGET" ]; then
  awk -v t="$total" 'BEGIN { printf "  FAIL: the first load is %.1f KB gzip, over the 150 KB hard budget.\n", t / 1024 }' >&2
  exit 1
fi
