#!/usr/bin/env bash
# Every test level: native cargo tests, wasm-bindgen-test in headless Chromium, Playwright
# against the simulator, then through nginx as deployed (deploy/nginx.conf).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format and lints (Rust on both targets), the specs' types, the JavaScript"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p mde-library-admin --target wasm32-unknown-unknown --all-targets -- -D warnings
# The Trunk build's split points (`wasm_split`, fallible; feature `split`).
cargo clippy -p mde-library-admin --target wasm32-unknown-unknown --features split -- -D warnings
# Playwright only strips the specs' types; this checks them.
end2end/node_modules/.bin/tsc -p end2end
# The hand-written JavaScript: post-build scripts, host bridge, portal examples (biome.jsonc).
tools/node_modules/.bin/biome lint

step "1/4 cargo test (app logic, wire types, simulator conformance over loopback HTTP)"
cargo test --workspace
# The post-build steps' own unit tests (scripts/post-build/test/).
node --test scripts/post-build/test/

step "2/4 wasm-bindgen-test in headless Chromium"
cargo test -p mde-library-admin --target wasm32-unknown-unknown --test web

step "3/4 Playwright end-to-end against the simulator"
trunk build
scripts/security-headers.sh # dist/security-headers.conf: this build's CSP for nginx
cargo build -p mde-sim
scripts/size.sh
(cd end2end && npx playwright test)

step "4/4 Playwright through nginx: deploy/nginx.conf, the /mde-proxy path, headers, framing"
scripts/nginx-e2e.sh
