#!/usr/bin/env bash
# Prints the CSP 'sha256-…' source of each inline script in dist/index.html (Trunk's bootstrap),
# as the simulator and scripts/security-headers.sh hash it (mde_wire::csp): `mde-sim csp-hash`,
# built first when target/debug/mde-sim is missing or older than its sources.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIM="$ROOT/target/debug/mde-sim"
if [ ! -x "$SIM" ] || [ -n "$(find "$ROOT"/{sim,wire}/{src,Cargo.toml} -newer "$SIM" -print -quit)" ]; then
  (source "$ROOT/scripts/env.sh" && cargo build -q -p mde-sim --manifest-path "$ROOT/Cargo.toml")
fi
exec "$SIM" csp-hash --dist "$ROOT/dist"
