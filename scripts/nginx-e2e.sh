#!/usr/bin/env bash
# `make test`'s deployment step: the built panel deployed the way README "Deploying behind
# nginx" says (a copy of dist/, a config.json with apiBase /mde-proxy, the headers from
# scripts/security-headers.sh, deploy/nginx.conf) in front of its own simulator, which refuses
# CORS on the API as some tenants' API does; then end2end/tests/deploy.spec.ts through it.
# Needs dist/ (trunk build) and target/debug/mde-sim (cargo build -p mde-sim).
#
# Loopback ports (override with the variables): nginx serves the panel on NGINX_PORT, the
# portal page allowed to frame it on PORTAL_PORT and the same page at a foreign origin on
# FOREIGN_PORT; the simulator (API behind the proxy, sign-in, /_sim) listens on SIM_PORT.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

HOST=127.0.0.1
NGINX_PORT="${NGINX_PORT:-8832}"
PORTAL_PORT="${PORTAL_PORT:-8833}"
SIM_PORT="${SIM_PORT:-8834}"
FOREIGN_PORT="${FOREIGN_PORT:-8835}"
PANEL="http://$HOST:$NGINX_PORT"
SIM="http://$HOST:$SIM_PORT"
# The simulator's default tenant and client id.
AUTHORITY="$SIM/8b0f5e3c-2a41-4c6d-9e7f-1a2b3c4d5e6f/v2.0"
CLIENT_ID=3f9d2c1b-7a6e-4d5c-8b4a-0e1f2a3b4c5d

NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || { echo "nginx-e2e: nginx is not installed (scripts/install.sh installs it)" >&2; exit 1; }
[ -f dist/index.html ] || { echo "nginx-e2e: dist/ is not built (trunk build)" >&2; exit 1; }
[ -x target/debug/mde-sim ] || { echo "nginx-e2e: target/debug/mde-sim is not built" >&2; exit 1; }

PREFIX="$(mktemp -d /tmp/mde-nginx.XXXXXX)"
chmod 755 "$PREFIX" # nginx's workers run as another user when started as root
mkdir -p "$PREFIX"/{logs,temp,sites,site}
SIM_PID=""
NGINX_PID=""
stop() {
  # Only what this script started, by pid: nginx (QUIT: finish what it serves, then exit) and
  # the simulator (TERM: a background job of a script ignores INT and QUIT).
  if [ -n "$NGINX_PID" ]; then kill -QUIT "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  NGINX_PID=""
  SIM_PID=""
}
trap stop EXIT

# The deployment: this build, its config.json, its headers.
cp -R dist/. "$PREFIX/site/"
rm -f "$PREFIX/site/.trunk-lock"
sed -e "s|@AUTHORITY@|$AUTHORITY|" -e "s|@CLIENT_ID@|$CLIENT_ID|" deploy/config.example.json >"$PREFIX/site/config.json"
# The generator refuses what would let any site frame the panel, and sends HSTS for https.
for bad in "*" "'self' *" "https:" "'self' https://*.contoso.com"; do
  if MDE_FRAME_ANCESTORS="$bad" scripts/security-headers.sh "$PREFIX/site" >/dev/null 2>&1; then
    echo "nginx-e2e: security-headers.sh accepted frame-ancestors $bad" >&2
    exit 1
  fi
done
MDE_HTTPS=1 scripts/security-headers.sh "$PREFIX/site" >/dev/null
grep -qx 'add_header Strict-Transport-Security "max-age=31536000" always;' "$PREFIX/site/security-headers.conf" ||
  { echo "nginx-e2e: no HSTS with MDE_HTTPS=1" >&2; exit 1; }
MDE_FRAME_ANCESTORS="'self' http://$HOST:$PORTAL_PORT" MDE_CONFIG="$PREFIX/site/config.json" \
  scripts/security-headers.sh "$PREFIX/site"
# This deployment is plain http on loopback: no HSTS.
! grep -q Strict-Transport-Security "$PREFIX/site/security-headers.conf" ||
  { echo "nginx-e2e: HSTS on an http deployment" >&2; exit 1; }

resolver="$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null || true)"
case "$resolver" in
  "") resolver=127.0.0.1 ;;
  *:*) resolver="[$resolver]" ;; # IPv6
esac
sed -e "s|@LISTEN@|$HOST:$NGINX_PORT|g" -e "s|@SITE@|$PREFIX/site|g" \
  -e "s|@API_UPSTREAM@|$SIM|g" -e "s|@RESOLVER@|$resolver|g" deploy/nginx.conf >"$PREFIX/nginx.conf"
sed -e "s|@PORTAL_LISTEN@|$HOST:$PORTAL_PORT|g" -e "s|@FOREIGN_LISTEN@|$HOST:$FOREIGN_PORT|g" \
  -e "s|@PANEL_URL@|$PANEL/|g" deploy/test-portals.conf >"$PREFIX/sites/test-portals.conf"
if grep -q '@[A-Z_]*@' "$PREFIX/nginx.conf" "$PREFIX/sites/test-portals.conf"; then
  echo "nginx-e2e: a placeholder was left unreplaced" >&2
  exit 1
fi

# nginx stays a child of this script (daemon off), which stops and reaps it. As root, its
# workers need a user with a group; Debian's default ("nobody") has no group of that name.
global="daemon off;"
if [ "$(id -u)" -eq 0 ]; then
  if id www-data >/dev/null 2>&1; then global+=" user www-data;"; else global+=" user nobody nogroup;"; fi
fi

# --no-cors: the API answers no preflight, so the panel can only reach it through the proxy.
target/debug/mde-sim --port "$SIM_PORT" --control --send-iss --no-cors \
  --redirect-uri "$PANEL/" --dist dist >"$PREFIX/logs/sim.log" 2>&1 &
SIM_PID=$!
"$NGINX" -t -q -p "$PREFIX/" -c "$PREFIX/nginx.conf" -g "$global"
"$NGINX" -p "$PREFIX/" -c "$PREFIX/nginx.conf" -g "$global" &
NGINX_PID=$!

for url in "$SIM/healthz" "$PANEL/" "http://$HOST:$PORTAL_PORT/"; do
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && break
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$PREFIX/logs/sim.log" >&2; exit 1; }
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$PREFIX/logs/error.log" >&2; exit 1; }
    sleep 0.1
  done
  curl -fsS -o /dev/null "$url" || { echo "nginx-e2e: $url does not answer" >&2; cat "$PREFIX/logs/error.log" >&2; exit 1; }
done
echo "  nginx $PANEL (panel), http://$HOST:$PORTAL_PORT (portal), http://$HOST:$FOREIGN_PORT (foreign); simulator $SIM; logs in $PREFIX/logs"

(cd end2end && MDE_DEPLOY_URL="$PANEL" MDE_DEPLOY_SIM="$SIM" MDE_DEPLOY_SITE="$PREFIX/site" \
  MDE_PORTAL_URL="http://$HOST:$PORTAL_PORT" MDE_FOREIGN_URL="http://$HOST:$FOREIGN_PORT" \
  npx playwright test -c playwright.deploy.config.ts "$@")

# The second pass: the deployer turns uploads on (POST, 21 MB bodies) and reloads nginx.
MDE_UPLOADS=1 MDE_FRAME_ANCESTORS="'self' http://$HOST:$PORTAL_PORT" MDE_CONFIG="$PREFIX/site/config.json" \
  scripts/security-headers.sh "$PREFIX/site"
"$NGINX" -t -q -p "$PREFIX/" -c "$PREFIX/nginx.conf" -g "$global"
kill -HUP "$NGINX_PID"
sleep 1
(cd end2end && MDE_DEPLOY_URL="$PANEL" MDE_DEPLOY_SIM="$SIM" MDE_DEPLOY_SITE="$PREFIX/site" MDE_DEPLOY_UPLOADS=1 \
  MDE_PORTAL_URL="http://$HOST:$PORTAL_PORT" MDE_FOREIGN_URL="http://$HOST:$FOREIGN_PORT" \
  npx playwright test -c playwright.deploy.config.ts --grep "uploads, when the deployer")

# The logs saw sign-ins, lists and deletes; they must hold no credential: no bearer token, no
# JWT, no authorization code.
stop
trap - EXIT
[ -s "$PREFIX/logs/access.log" ] || { echo "nginx-e2e: the access log is empty" >&2; exit 1; }
if grep -nE 'Bearer|eyJ|code=|[Aa]uthorization' "$PREFIX"/logs/{access,portal,error}.log; then
  echo "nginx-e2e: FAIL: a credential reached nginx's logs (lines above)" >&2
  exit 1
fi
echo "  nginx logs: $(wc -l <"$PREFIX/logs/access.log") requests, no credential"
rm -rf "$PREFIX"
