#!/usr/bin/env bash
# Runs stack_load_bench: the whole stack (started by the benchmark from the same build
# directory) under gridsim load through the gateway, and the same core path on PostgreSQL/PostGIS.
#
#   bench/run_stack_bench.sh [--build DIR] [--postgres-url CONNINFO] [--no-postgres] [-- BENCH FLAGS...]
#
# --build: the build tree holding bin/stack_load_bench, the gridwork-* services, gridsim and
# gridwork-demo-geo (default: build-release, build-bench, then build; measure with Release).
# Without --postgres-url it starts a throwaway PostgreSQL 15 + PostGIS cluster
# (bench/postgres_cluster.sh, first port tried 45532, 127.0.0.1 only, fsync=on,
# synchronous_commit=on: an acknowledged fix is durable, as gridwork's acks are) and deletes it
# on exit. If PostGIS is not installed (or --no-postgres), the baseline is skipped and
# vs_postgis is 0. Everything after `--` goes to the benchmark (e.g. `-- --quick --json`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=""
url=""
postgres=1
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --postgres-url) url="$2"; shift 2 ;;
    --no-postgres) postgres=0; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

if [[ -z "$build" ]]; then
  for candidate in "$repo/build-release" "$repo/build-bench" "$repo/build"; do
    if [[ -x "$candidate/bin/stack_load_bench" ]]; then build="$candidate"; break; fi
  done
fi
for b in stack_load_bench gridwork-gateway gridwork-location gridwork-geofence gridwork-workorder \
    gridwork-inspection gridwork-analytics gridsim gridwork-demo-geo; do
  if [[ -z "$build" || ! -x "$build/bin/$b" ]]; then
    echo "$b not found; build it or pass --build DIR" >&2
    exit 1
  fi
done

pg_share="$(/usr/lib/postgresql/15/bin/pg_config --sharedir 2>/dev/null || echo /usr/share/postgresql/15)"
if [[ -z "$url" && "$postgres" == 1 ]]; then
  if [[ -x /usr/lib/postgresql/15/bin/initdb && -f "$pg_share/extension/postgis.control" ]]; then
    source "$repo/bench/postgres_cluster.sh"
    start_postgres_cluster 45532 "-c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c max_wal_size=4GB -c max_connections=100"
    url="$PG_URL"
  else
    echo "run_stack_bench: PostgreSQL 15 + PostGIS not installed; the baseline is skipped" >&2
  fi
fi

"$build/bin/stack_load_bench" --bin_dir="$build/bin" --postgres_url="$url" "${extra[@]}"
