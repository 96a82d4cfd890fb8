#!/usr/bin/env bash
# Runs analytics_bench (feed events per CPU-second, cockpit snapshot latency at 100k workers,
# memory) with the same cockpit snapshot on a throwaway PostgreSQL 15 cluster as the baseline
# (bench/postgres_cluster.sh; stopped and deleted on exit).
#
#   bench/run_analytics_bench.sh [BENCH FLAGS...]      e.g. --json, --workers=100000
#
# The binary: $ANALYTICS_BENCH, else build-release/bin or build-bench/bin (a Release build).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${ANALYTICS_BENCH:-}"
[[ -n "$bin" ]] || bin="$(ls "$repo"/build-release/bin/analytics_bench "$repo"/build-bench/bin/analytics_bench 2>/dev/null | head -1 || true)"
[[ -x "$bin" ]] || { echo "analytics_bench not built (Release): set ANALYTICS_BENCH" >&2; exit 1; }
source "$repo/bench/postgres_cluster.sh"
start_postgres_cluster 55732 "-c shared_buffers=256MB"
"$bin" --postgres_url="$PG_URL" "$@"
