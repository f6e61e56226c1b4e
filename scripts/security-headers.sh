#!/usr/bin/env bash
# Writes the response headers this build of the panel needs, as nginx `add_header` lines that
# deploy/nginx.conf includes: the Content-Security-Policy with the hash of this build's inline
# bootstrap script (scripts/csp-hash.sh), X-Content-Type-Options and Referrer-Policy.
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
SITE="${1:-$ROOT/dist}"
[ -f "$ROOT/dist/index.html" ] || { echo "security-headers: dist/index.html is missing; run trunk build" >&2; exit 1; }
if ! cmp -s "$ROOT/dist/index.html" "$SITE/index.html"; then
  echo "security-headers: $SITE/index.html is not this build's dist/index.html" >&2
  exit 1
fi
HASHES="$("$ROOT/scripts/csp-hash.sh" | tr '\n' ' ')"
HASHES="$HASHES" OUT="$SITE/security-headers.conf" METHODS_OUT="$SITE/proxy-methods.conf" python3 - <<'PY'
import json, os, re, sys
from urllib.parse import urlsplit

def fail(msg):
    sys.exit("security-headers: " + msg)

def origin(url):
    """The origin of an absolute http(s) URL; None for a path such as /mde-proxy."""
    u = urlsplit(url)
    if not u.scheme:
        return None
    if u.scheme not in ("http", "https") or not u.hostname:
        fail(f"not an http(s) URL: {url!r}")
    return f"{u.scheme}://{u.netloc.rsplit('@', 1)[-1]}"

# Only what a CSP source list can hold: nothing nginx would read as a variable ($), end of a
# string or directive (" ; {), or a line break.
SOURCES = re.compile(r"^[A-Za-z0-9' *:/._\-\[\]]+$")

def source_list(name, value):
    value = " ".join(value.split())
    if not value or not SOURCES.match(value):
        fail(f"{name} must be CSP sources separated by spaces, got {value!r}")
    return value

hashes = os.environ["HASHES"].split()
if not hashes:
    fail("no inline bootstrap script found in dist/index.html")
frame = source_list("MDE_FRAME_ANCESTORS", os.environ.get("MDE_FRAME_ANCESTORS", "'self'"))
for src in frame.split():
    if "*" in src or re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:", src):
        fail(f"MDE_FRAME_ANCESTORS must name the portals that may frame the panel; {src!r} lets pages nobody named frame it")
cfg = json.load(open(os.environ["MDE_CONFIG"], encoding="utf-8")) if os.environ.get("MDE_CONFIG") else {}
redirect = (cfg.get("auth") or {}).get("redirectUri") or ""
https = os.environ.get("MDE_HTTPS", "1" if redirect.startswith("https://") else "0")
if https not in ("0", "1"):
    fail(f"MDE_HTTPS must be 0 or 1, got {https!r}")
uploads = os.environ.get("MDE_UPLOADS", "0")
if uploads not in ("0", "1"):
    fail(f"MDE_UPLOADS must be 0 or 1, got {uploads!r}")
if os.environ.get("MDE_CONNECT_SRC"):
    connect = source_list("MDE_CONNECT_SRC", os.environ["MDE_CONNECT_SRC"])
else:
    if os.environ.get("MDE_CONFIG"):
        urls = [cfg.get("auth", {}).get("authority") or "", cfg.get("apiBase") or ""]
    else:
        urls = [os.environ.get("MDE_AUTHORITY", "https://login.microsoftonline.com"),
                os.environ.get("MDE_API_BASE", "/mde-proxy")]
    sources = ["'self'"]
    for o in filter(None, (origin(u) for u in urls if u)):
        if o not in sources:
            sources.append(o)
    connect = source_list("connect-src", " ".join(sources))

csp = ("default-src 'none'; "
       f"script-src 'self' 'wasm-unsafe-eval' {' '.join(hashes)}; "
       "style-src 'self'; img-src 'self' data:; "
       f"connect-src {connect}; "
       "base-uri 'none'; form-action 'none'; "
       f"frame-ancestors {frame}")
headers = [
    ("Content-Security-Policy", csp),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]
if https == "1":
    headers.append(("Strict-Transport-Security", "max-age=31536000"))
with open(os.environ["OUT"], "w", encoding="utf-8") as f:
    f.write("# Written by scripts/security-headers.sh for this build; included by deploy/nginx.conf.\n")
    f.write("# `always`: error answers carry them too. No Cross-Origin-Opener-Policy: the page is the\n")
    f.write("# sign-in popup's redirect URI, which hands its answer back over a BroadcastChannel.\n")
    for name, value in headers:
        f.write(f'add_header {name} "{value}" always;\n')
methods, body = ("GET DELETE POST", "21m") if uploads == "1" else ("GET DELETE", "1m")
with open(os.environ["METHODS_OUT"], "w", encoding="utf-8") as f:
    f.write("# Written by scripts/security-headers.sh (MDE_UPLOADS); included by deploy/nginx.conf's proxy path.\n")
    f.write(f"limit_except {methods} {{\n    deny all;\n}}\nclient_max_body_size {body};\n")
print(f"  {os.environ['OUT']}: frame-ancestors {frame}; connect-src {connect}; proxy: {methods}, {body}")
PY
