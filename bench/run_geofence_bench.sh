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
  for p in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port="$p"; break; fi
  done
  [[ -n "$port" ]] || { echo "no free port in 55432-55532" >&2; exit 1; }
  "${runas[@]}" "$pgbin/initdb" -D "$tmp/data" -U gridwork --auth=trust -E UTF8 \
      --no-locale >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
  "${runas[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c shared_buffers=256MB" \
      start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  url="host=127.0.0.1 port=$port user=gridwork dbname=postgres"
  psql -X -q -d "$url" -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
fi

"$bin" --postgres_url="$url" "${extra[@]}"
