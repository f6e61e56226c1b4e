#!/usr/bin/env bash
# Trunk post_build step 1: loads the app's split functions on demand.
#
# The first load has a hard budget (150 KB gzip); bulk delete and the features after it do
# not fit in it. `#[wasm_split(..)]` (wasm_split_helpers, re-exported by Leptos as
# `leptos::wasm_split`; `fallible`, so a chunk that fails to load is an error the panel
# shows, not an abort) marks a function as a split point; wasm-split-cli (from
# crates.io: wasm_split_cli_support) cuts each one, with the code only it uses, into a wasm
# chunk that __wasm_split.js fetches the first time the function is called.
#
# Trunk cannot run a tool between cargo and wasm-bindgen, so this redoes its last steps on
# cargo's output: split, wasm-bindgen (with --keep-lld-exports: the chunks link to the main
# module's function table), wasm-opt, and a minified glue, written over Trunk's files under
# the same hashed names. Chunks and the loader get content-hashed names too, so a deployment
# caches them like the rest (deploy/nginx.conf).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-${TRUNK_STAGING_DIR:?no staging directory}}"
raw="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/mde-library-admin.wasm"
[ -f "$raw" ] || { echo "split-wasm: $raw is missing (trunk build --release)" >&2; exit 1; }
# Trunk's content hash is a u64 in hex without leading zeros: 1 to 16 digits.
js=$(cd "$dir" && ls | grep -E '^mde-library-admin-[0-9a-f]{1,16}\.js$')
wasm=$(cd "$dir" && ls | grep -E '^mde-library-admin-[0-9a-f]{1,16}_bg\.wasm$')
stem="${js%.js}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OPT=tools/node_modules/.bin/wasm-opt
# What rustc targets on wasm32 (Rust 1.95): wasm-opt reads it from the main module, but a
# chunk carries no feature section.
FEATURES=(--enable-mutable-globals --enable-nontrapping-float-to-int --enable-bulk-memory
  --enable-sign-ext --enable-reference-types --enable-multivalue)

wasm-split-cli --target web --out-name "$stem" "$raw" "$tmp/split" >/dev/null
wasm-bindgen --target web --no-typescript --keep-lld-exports \
  --out-dir "$tmp/bindgen" --out-name "$stem" "$tmp/split/$stem.wasm"
"$OPT" -Oz "$tmp/bindgen/${stem}_bg.wasm" -o "$dir/$wasm"
chunks=()
for chunk in "$tmp"/split/*.wasm; do
  name=$(basename "$chunk")
  [ "$name" = "$stem.wasm" ] && continue
  "$OPT" -Oz "${FEATURES[@]}" "$chunk" -o "$tmp/$name"
  chunks+=("$tmp/$name")
done
node scripts/split-names.mjs "$dir" "$stem" "$tmp/bindgen/$stem.js" "$tmp/split/__wasm_split.js" "${chunks[@]}"
