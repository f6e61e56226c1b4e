#!/usr/bin/env bash
# Writes the response headers this build of the panel needs, as nginx `add_header` lines that
# deploy/nginx.conf includes: the Content-Security-Policy with the hash of this build's inline
# bootstrap script (as scripts/csp-hash.sh prints it), X-Content-Type-Options and Referrer-Policy.
# The policy is the one the simulator serves (mde_wire::csp); `mde-sim security-headers` writes it
# (sim/src/security_headers.rs), built first when target/debug/mde-sim is missing or older than
# its sources.
# Deliberately no Cross-Origin-Opener-Policy: the page is also the redirect URI where a sign-in
# popup comes back and hands its answer to the panel over a BroadcastChannel (Entra's pages
# send COOP, which already cuts the popup off from its opener); deploy/nginx.conf serves the
# page with Cache-Control: no-store.
# Run it after `trunk build` (scripts/test.sh and scripts/demo.sh do), and again with the
# deployment's settings when deploying:
#
#   scripts/security-headers.sh [SITE_DIR]     # default dist/; writes SITE_DIR/security-headers.conf
#
# SITE_DIR other than dist/ must hold a copy of this build (its index.html is compared).
# Settings, from the environment:
#   MDE_FRAME_ANCESTORS  who may frame the panel (CSP frame-ancestors); default 'self'.
#                        A portal: "'self' https://portal.contoso.com". Refused: `*`, a wildcard
#                        host and a bare scheme (`https:`), which let any site frame the panel
#                        (clickjacking of Delete) and ask a bridge-mode panel for nothing less.
#   MDE_HTTPS            1: the panel is served over https, so Strict-Transport-Security is sent
#                        (max-age one year; includeSubDomains is the site owner's decision).
#                        Default: 1 when MDE_CONFIG's auth.redirectUri is https, else 0.
#   MDE_UPLOADS          1: the proxy path passes POST with bodies up to 21 MB (the panel's 20 MB
#                        upload and its form), written to SITE_DIR/proxy-methods.conf; default 0:
#                        GET and DELETE only, 1 MB.
#   MDE_CONNECT_SRC      the whole connect-src list, verbatim. When unset: 'self', plus the
#                        origins of `auth.authority` and `apiBase` in MDE_CONFIG (the deployed
#                        config.json) if given, else of MDE_AUTHORITY (default
#                        https://login.microsoftonline.com) and MDE_API_BASE (default /mde-proxy,
#                        the same-origin proxy path of deploy/nginx.conf: nothing to add).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIM="$ROOT/target/debug/mde-sim"
if [ ! -x "$SIM" ] || [ -n "$(find "$ROOT"/{sim,wire}/{src,Cargo.toml} -newer "$SIM" -print -quit)" ]; then
  (source "$ROOT/scripts/env.sh" && cargo build -q -p mde-sim --manifest-path "$ROOT/Cargo.toml")
fi
exec "$SIM" security-headers --dist "$ROOT/dist" "$@"
