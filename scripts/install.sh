#!/usr/bin/env bash
# Installs everything the demo and the tests need, skipping what is already right.
# Only package registries are reachable: nothing here lets a tool download its own binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[install]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

TRUNK_VERSION=0.22.1
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
WSPLIT_VERSION=0.2.3

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "Debian chromium + chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# nginx for the deployment test (scripts/nginx-e2e.sh runs its own instance on loopback ports;
# on a machine that starts services, Debian's package also starts the system nginx on port 80).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  say "Debian nginx"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi

# The two cargo installs are the slow part of a fresh machine; they run side by side.
pids=()
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "trunk $TRUNK_VERSION (cargo install, ~15 min on 2 cores)"
  # trunk declares a newer rust-version than it needs; it builds and works on 1.95.
  cargo install --locked trunk --version "$TRUNK_VERSION" --ignore-rust-version &
  pids+=($!)
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WBG_VERSION" ]; then
  say "wasm-bindgen-cli $WBG_VERSION (cargo install, ~6 min)"
  # Not --locked: its lock file names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force &
  pids+=($!)
fi
if ! wasm-split-cli --help >/dev/null 2>&1 || ! cargo install --list | grep -q "^wasm_split_cli_support v$WSPLIT_VERSION:"; then
  say "wasm-split-cli $WSPLIT_VERSION (cargo install; splits the on-demand wasm chunks, scripts/post-build/split.mjs)"
  cargo install --locked wasm_split_cli_support --version "$WSPLIT_VERSION" --features build-binary &
  pids+=($!)
fi
for pid in "${pids[@]}"; do
  wait "$pid"
done

# Whether $1/node_modules holds every package $1/package.json pins, at that exact version: a
# check that reads a few files, where npm ci would reinstall everything.
npm_current() {
  node -e '
    const dir = process.argv[1];
    const pkg = require(`${dir}/package.json`);
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      let installed;
      try { installed = require(`${dir}/node_modules/${name}/package.json`).version; } catch { process.exit(1); }
      if (installed !== version) process.exit(1);
    }' "$PWD/$1"
}

# wasm-opt from npm's binaryen: Debian's is too old and corrupts wasm-bindgen's output. terser
# minifies the glue the post-build step rewrites. Biome is the JS lint of scripts/test.sh (its
# binary is an npm package too, @biomejs/cli-<platform>).
if [ "$(tools/node_modules/.bin/wasm-opt --version 2>/dev/null || true)" != "wasm-opt version 132 (version_132)" ] \
  || ! npm_current tools; then
  say "binaryen (wasm-opt), terser and Biome from npm"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! npm_current end2end; then
  say "Playwright and TypeScript (npm ci; the browser is Debian's chromium, never a download)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

# Trunk runs cargo offline; fetch crates first.
cargo fetch --quiet
say "ready"
