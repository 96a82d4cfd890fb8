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
  pgbin="${PGBIN:-/usr/lib/postgresql/15/bin}"
  tmp="$(mktemp -d /tmp/gridwork-pg.XXXXXX)"
  runas=()
  if [[ "$(id -u)" == 0 ]]; then
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    chown postgres "$tmp"
    runas=(runuser -u postgres --)
  fi
  cleanup() {
    "${runas[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
  }
  trap cleanup EXIT
  port=""
  for p in $(seq 55532 55632); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port="$p"; break; fi
  done
  [[ -n "$port" ]] || { echo "no free port in 55532-55632" >&2; exit 1; }
  "${runas[@]}" "$pgbin/initdb" -D "$tmp/data" -U gridwork --auth=trust -E UTF8 \
      --no-locale >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
  "${runas[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c max_wal_size=4GB -c max_connections=100" \
      start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  url="host=127.0.0.1 port=$port user=gridwork dbname=postgres"
  psql -X -q -d "$url" -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
fi

"$bin" --bin_dir="$build/bin" --postgres_url="$url" "${extra[@]}"
