#!/usr/bin/env bash
# Prints the CSP 'sha256-…' source of each inline script in dist/index.html (Trunk's bootstrap).
set -euo pipefail
cd "$(dirname "$0")/../dist"
python3 - <<'PY'
import base64, hashlib, re
html = open("index.html", encoding="utf-8").read()
for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
    if " src=" not in attrs and body.strip():
        print("'sha256-%s'" % base64.b64encode(hashlib.sha256(body.encode()).digest()).decode())
PY
