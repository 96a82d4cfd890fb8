#!/usr/bin/env bash
# Installs the npm packages of the deploy checks (tests/deploy/node/package.json, exact
# versions from its package-lock.json) into DEST (default: .cache/deploy-node, gitignored).
# Idempotent and offline after the first run: npm runs only when the lock file changed.
# Usage: tests/deploy/install_node_deps.sh [DEST]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/../../.cache/deploy-node}"
if ! command -v npm >/dev/null 2>&1; then
  echo "install_node_deps: npm not found (tools/install-deps.sh installs nodejs and npm)" >&2
  exit 1
fi
mkdir -p "$dest"
if [[ -d "$dest/node_modules/kubernetes-models" ]] && cmp -s "$here/node/package-lock.json" "$dest/package-lock.json"; then
  exit 0
fi
cp "$here/node/package.json" "$here/node/package-lock.json" "$dest/"
# A lock file here keeps concurrent test runs from installing at the same time.
exec 9>"$dest/.install.lock"
flock 9
cd "$dest"
npm ci --no-audit --no-fund --loglevel=error
echo "install_node_deps: installed into $dest"
