#!/usr/bin/env bash
# `make bench`: builds the Release tree (build-release/), runs every benchmark with --json,
# prints their figures and records the JSON of this run in docs/benchmarks.md (section
# "Latest run"). The method and the commented figures of each benchmark stay above it.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-2}"

tools/install-deps.sh --with-bench
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build-release -j"$JOBS" geofence_lookup_bench store_commit_bench workorder_transition_bench \
  analytics_bench

results=()
run() {  # name command...
  local name=$1; shift
  echo "== $name: $*"
  local out
  # A copy to stderr through the inherited descriptor: `tee /dev/stderr` would reopen a log
  # file that stderr is redirected to, truncating it (`make bench > log 2>&1`).
  out=$("$@" | tee >(cat >&2) | tail -1)
  results+=("| $name | \`$out\` |")
}

run geofence_lookup bench/run_geofence_bench.sh --bin build-release/bin/geofence_lookup_bench -- --json
run store_commit_8_threads build-release/bin/store_commit_bench --threads=8 --commits=400 --json
run workorder_transitions bench/run_workorder_bench.sh --bin build-release/bin/workorder_transition_bench -- --json
run analytics env ANALYTICS_BENCH=build-release/bin/analytics_bench bench/run_analytics_bench.sh --json
run location_ingest bash -c "ninja -C build-release -j$JOBS location_ingest_bench >/dev/null && bench/run_location_bench.sh --build build-release -- --json"
# Phones upload a batch about every 30 s (docs/location.md): 6 fixes per call at a fix per 5 s.
# docs/benchmarks.md also reports one fix per call, which measures per-call gRPC cost.
run stack_load bash -c "ninja -C build-release -j$JOBS stack_load_bench >/dev/null && bench/run_stack_bench.sh --build build-release -- --fixes_per_call=6 --json"

doc=docs/benchmarks.md
marker="<!-- latest-run: written by tools/bench.sh, do not edit below -->"
if grep -qF "$marker" "$doc"; then
  sed -i "/$(printf '%s' "$marker" | sed 's/[^^]/[&]/g; s/\^/\\^/g')/,\$d" "$doc"
fi
{
  echo "$marker"
  echo
  echo "## Latest run"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, \`make bench\`:"
  echo
  echo "| benchmark | figures (--json) |"
  echo "| --- | --- |"
  printf '%s\n' "${results[@]}"
} >> "$doc"
echo "== figures written to $doc"
