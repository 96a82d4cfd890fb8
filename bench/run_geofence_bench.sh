#!/usr/bin/env bash
# Runs geofence_lookup_bench against PostGIS.
#
#   bench/run_geofence_bench.sh [--bin PATH] [--postgres-url CONNINFO] [-- BENCH FLAGS...]
#
# Without --postgres-url it starts a throwaway PostgreSQL 15 cluster (initdb + pg_ctl) in a
# temporary directory, owned by an unprivileged user (the caller, or `postgres` when run as
# root), listening on 127.0.0.1 only, creates the postgis extension, runs the benchmark and
# stops and deletes the cluster on exit, whatever happens. Everything after `--` goes to the
# benchmark binary (e.g. `-- --json`).
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
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

if [[ -z "$bin" ]]; then
  for candidate in "$repo/build-rel/bin" "$repo/build/bin" "$repo/build-geo-rel/bin"; do
    if [[ -x "$candidate/geofence_lookup_bench" ]]; then bin="$candidate/geofence_lookup_bench"; break; fi
  done
fi
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "geofence_lookup_bench not found; build it (Release) or pass --bin PATH" >&2
  exit 1
fi

if [[ -z "$url" ]]; then
  source "$repo/bench/postgres_cluster.sh"
  start_postgres_cluster 55432 "-c fsync=off -c shared_buffers=256MB"
  url="$PG_URL"
fi

"$bin" --postgres_url="$url" "${extra[@]}"
