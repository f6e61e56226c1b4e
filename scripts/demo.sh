#!/usr/bin/env bash
# Builds the app (release, offline Trunk) and serves it with the simulator on 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
PORT="${PORT:-8787}"
EXAMPLES_PORT=$((PORT + 1))
trunk build
scripts/security-headers.sh # dist/security-headers.conf, for serving dist/ with deploy/nginx.conf
cargo build --release -p mde-sim
echo
echo "  Open http://127.0.0.1:$PORT/ and sign in as Ada Admin (may manage the library)"
echo "  or Riley Reader (view-only role: deletes get 403)."
echo "  Proxy mode (no token in the browser): http://127.0.0.1:$PORT/portal/sign-in?account=admin"
echo "  Embedded in a portal (second origin, same site): http://127.0.0.1:$EXAMPLES_PORT/"
echo "    framed, tokens from the portal:   http://127.0.0.1:$EXAMPLES_PORT/iframe.html"
echo "    framed, the panel signs in:       http://127.0.0.1:$EXAMPLES_PORT/iframe-signin.html"
echo "    two panels mounted in the page:   http://127.0.0.1:$EXAMPLES_PORT/mount.html"
echo "    proxy mode, from the portal:      http://127.0.0.1:$PORT/portal/sign-in?account=admin"
echo "  The same portal on another site (localhost is not 127.0.0.1; ports do not count):"
echo "    http://localhost:$EXAMPLES_PORT/  (framed sign-in says what works there; the bridge works)"
echo "  Ctrl-C stops."
echo
exec target/release/mde-sim --port "$PORT" --portal --dist dist \
  --examples-port "$EXAMPLES_PORT" --examples-dir examples/portal "$@"
