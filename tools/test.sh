#!/usr/bin/env bash
# The whole test suite: installs dependencies (Debian packages), builds the debug tree and
# runs every test (unit and integration) with CTest. This is what `make test` and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-2}"

tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
ninja -C build -j"$JOBS"
# Unit tests first (fast), then integration tests that start real service binaries.
ctest --test-dir build --output-on-failure -j"$JOBS" --timeout 300
