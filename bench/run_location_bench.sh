#!/usr/bin/env bash
# Runs location_ingest_bench: gridwork-location + gridwork-geofence (started by the benchmark
# from the same build directory) and the same workload against PostgreSQL/PostGIS.
#
#   bench/run_location_bench.sh [--build DIR] [--postgres-url CONNINFO] [-- BENCH FLAGS...]
#
# --build: the Release build tree holding bin/location_ingest_bench, bin/gridwork-location and
# bin/gridwork-geofence (default: build-bench, then build-release, then build). Without
# --postgres-url it starts a throwaway PostgreSQL 15 cluster (initdb + pg_ctl) in a temporary
# directory, owned by an unprivileged user (the caller, or `postgres` when run as root),
# listening on 127.0.0.1 only, with fsync=on and synchronous_commit=on (acknowledged inserts
# are durable, as gridwork's acks are), creates the postgis extension, runs the benchmark and
# stops and deletes the cluster on exit, whatever happens. The benchmark removes its own
# service data directories. Everything after `--` goes to the benchmark (e.g. `-- --json`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=""
url=""
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --postgres-url) url="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

if [[ -z "$build" ]]; then
  for candidate in "$repo/build-bench" "$repo/build-release" "$repo/build"; do
    if [[ -x "$candidate/bin/location_ingest_bench" ]]; then build="$candidate"; break; fi
  done
fi
bin="$build/bin/location_ingest_bench"
for b in location_ingest_bench gridwork-location gridwork-geofence; do
  if [[ -z "$build" || ! -x "$build/bin/$b" ]]; then
    echo "$b not found; build it (Release) or pass --build DIR" >&2
    exit 1
  fi
done

if [[ -z "$url" ]]; then
  source "$repo/bench/postgres_cluster.sh"
  start_postgres_cluster 55532 "-c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c max_wal_size=4GB -c max_connections=100"
  url="$PG_URL"
fi

"$bin" --bin_dir="$build/bin" --postgres_url="$url" "${extra[@]}"
