# Sourced by the bench scripts: starts a throwaway PostgreSQL 15 + PostGIS cluster.
#
#   source "$repo/bench/postgres_cluster.sh"
#   start_postgres_cluster 55432 "-c fsync=off"     # first port to try, extra server options
#   "$bin" --postgres_url="$PG_URL"
#
# The cluster lives in a temporary directory owned by an unprivileged user (the caller, or
# `postgres` when run as root: PostgreSQL refuses to run as root), listens on 127.0.0.1 only,
# has the postgis extension, and is stopped and deleted on exit (an EXIT trap). Sets PG_URL.

start_postgres_cluster() {
  local first_port=$1 extra_options=$2
  PG_BIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
  PG_TMP="$(mktemp -d /tmp/gridwork-pg.XXXXXX)"
  PG_RUNAS=()
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres "$PG_TMP"
    PG_RUNAS=(runuser -u postgres --)
  fi
  trap stop_postgres_cluster EXIT
  local port="" p
  for p in $(seq "$first_port" $((first_port + 100))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port="$p"; break; fi
  done
  [[ -n "$port" ]] || { echo "no free port in $first_port-$((first_port + 100))" >&2; exit 1; }
  "${PG_RUNAS[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U gridwork --auth=trust -E UTF8 \
      --no-locale >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; exit 1; }
  "${PG_RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP $extra_options" \
      start >/dev/null || { cat "$PG_TMP/server.log" >&2; exit 1; }
  PG_URL="host=127.0.0.1 port=$port user=gridwork dbname=postgres"
  psql -X -q -d "$PG_URL" -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
}

stop_postgres_cluster() {
  "${PG_RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_TMP"
}
