#!/usr/bin/env bash
# Builds the web app (web/) with Vite into OUT_DIR (default web/dist). Installs the npm
# packages first with `npm ci` from web/package-lock.json, only when the lock file changed
# since the last install (so a warm run costs only the Vite build, ~30 s on 2 cores).
# Usage: tests/web/build_web.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
web="$here/../../web"
out="${1:-$web/dist}"
if ! command -v npm >/dev/null 2>&1; then
  echo "build_web: npm not found (tools/install-deps.sh installs nodejs and npm)" >&2
  exit 1
fi
cd "$web"
# One install at a time: concurrent test runs in other build trees share web/node_modules.
exec 9<"$here/build_web.sh"
flock 9
if ! cmp -s package-lock.json node_modules/.gridwork-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.gridwork-lock
  echo "build_web: npm packages installed"
fi
GRIDWORK_WEB_OUT="$out" ./node_modules/.bin/vite build --logLevel warn
test -s "$out/index.html"
echo "build_web: built $out"
