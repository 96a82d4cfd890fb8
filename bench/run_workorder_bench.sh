#!/usr/bin/env bash
# Runs workorder_transition_bench: durable work-order transitions/s of WorkOrderCore (in
# process, no gRPC) against the same transitions on PostgreSQL.
#
#   bench/run_workorder_bench.sh [--bin PATH] [--postgres-url CONNINFO] [-- BENCH FLAGS...]
#
# --bin: the Release binary (default: the first of build-release, build-bench, build-wobench,
# build that has it). Without --postgres-url it starts a throwaway PostgreSQL 15 cluster
# (bench/postgres_cluster.sh: initdb + pg_ctl in a temporary directory, owned by an
# unprivileged user, 127.0.0.1 only) with default durability — fsync=on and
# synchronous_commit=on, so an acknowledged transition is fsync'ed as Gridwork's is — runs the
# benchmark and stops and deletes the cluster on exit, whatever happens. The benchmark removes
# its own store directories. Everything after `--` goes to the benchmark (e.g. `-- --json`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin=""
url=""
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --postgres-url) url="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

if [[ -z "$bin" ]]; then
  for candidate in build-release build-bench build-wobench build; do
    if [[ -x "$repo/$candidate/bin/workorder_transition_bench" ]]; then
      bin="$repo/$candidate/bin/workorder_transition_bench"
      break
    fi
  done
fi
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "workorder_transition_bench not found; build it (Release) or pass --bin PATH" >&2
  exit 1
fi

if [[ -z "$url" ]]; then
  source "$repo/bench/postgres_cluster.sh"
  # 64 client connections + the setup connection fit in the default max_connections (100).
  start_postgres_cluster 55632 "-c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c max_wal_size=4GB"
  url="$PG_URL"
fi

"$bin" --postgres_url="$url" "${extra[@]}"
