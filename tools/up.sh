#!/usr/bin/env bash
# The main job: builds everything, starts the services locally with their RocksDB stores
# under ./data/, loads the Zhengzhou demo and answers a sample query. Ctrl-C (or SIGTERM)
# stops the services gracefully.
#
# GRIDWORK_SHARDS=2 runs the prod topology of k8s/overlays/prod instead (docs/operations.md,
# "Shard"): two shards of every service (location w0/w1 by worker; the others d0/d1 by
# district) with one routing file, stores under ./data/sharded/, and the demo loaded through
# the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-2}"
SHARDS="${GRIDWORK_SHARDS:-1}"
if [[ "$SHARDS" != 1 && "$SHARDS" != 2 ]]; then
  echo "GRIDWORK_SHARDS is 1 (default) or 2 (the prod topology), not '$SHARDS'" >&2
  exit 2
fi
if [[ "$SHARDS" == 2 ]]; then
  DATA="${GRIDWORK_DATA:-$PWD/data/sharded}"
else
  DATA="${GRIDWORK_DATA:-$PWD/data}"
fi
# GRIDWORK_BUILD_DIR and GRIDWORK_BUILD_TARGETS (default: build/, everything) let a developer
# run the demo from another build tree, building only what it needs.
BUILD_DIR="${GRIDWORK_BUILD_DIR:-build}"
BIN="$PWD/$BUILD_DIR/bin"

tools/install-deps.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
# shellcheck disable=SC2086  # the targets are a word list
ninja -C "$BUILD_DIR" -j"$JOBS" ${GRIDWORK_BUILD_TARGETS:-}
# The web app the gateway serves (--web_root): npm ci when the lock changed, then Vite.
tests/web/build_web.sh "$PWD/web/dist"

mkdir -p "$DATA/logs"
# One HMAC key per installation, shared by the local services and gridctl.
KEY="$DATA/principal.key"
if [[ ! -s "$KEY" ]]; then
  head -c 32 /dev/urandom | base64 > "$KEY"
  chmod 600 "$KEY"
fi

REGIONS="$DATA/demo/zhengzhou-regions.geojson"
# The districts of each district shard, as in k8s/overlays/prod/namespaced/routing.yaml.
D0_DISTRICTS="410102,410103,410104,410105,410106,410108"
D1_DISTRICTS="410122,410181,410182,410183,410184,410185"
if [[ "$SHARDS" == 2 ]]; then
  # An import is atomic on one shard: one file per district shard.
  for shard in d0 d1; do
    districts="D${shard#d}_DISTRICTS"
    if [[ ! -s "$DATA/demo/regions-$shard.geojson" ]]; then
      echo "== generating the Zhengzhou demo geography of shard $shard"
      "$BIN/gridwork-demo-geo" --districts="${!districts}" \
        --output="$DATA/demo/regions-$shard.geojson" 2>/dev/null
    fi
  done
elif [[ ! -s "$REGIONS" ]]; then
  echo "== generating the Zhengzhou demo geography"
  "$BIN/gridwork-demo-geo" --output="$REGIONS"
fi

pids=()
sim_pid=""
stop_all() {
  trap - EXIT INT TERM
  # The simulator first, so that it does not count the services' shutdown as errors.
  if [[ -n "$sim_pid" ]]; then
    echo "== stopping gridsim"
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  echo "== stopping services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT INT TERM

start() {  # name grpc_port metrics_port [extra flags...]; name is <service>[-<shard>]
  local name=$1 grpc=$2 metrics=$3; shift 3
  local service=${name%%-*}
  local log="$DATA/logs/$name.log" seen=0
  # Only this run's "serving" line counts: the log keeps earlier runs' lines.
  [[ -f "$log" ]] && seen=$(wc -l < "$log")
  "$BIN/gridwork-$service" --grpc_addr="127.0.0.1:$grpc" --metrics_addr="127.0.0.1:$metrics" \
    --data_dir="$DATA/$name" --principal_key_file="$KEY" "$@" \
    2>>"$DATA/logs/$name.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    if tail -n +"$((seen + 1))" "$log" 2>/dev/null | grep -q "\"msg\":\"$service serving\""; then return 0; fi
    sleep 0.1
  done
  echo "$name did not start; see $DATA/logs/$name.log" >&2
  tail -5 "$DATA/logs/$name.log" >&2
  exit 1
}

GATEWAY_ROUTING=()
if [[ "$SHARDS" == 2 ]]; then
  # Shard 0 of each service keeps the single-shard ports (5005x, metrics 915x); shard 1 is
  # 10 above (5006x, 916x).
  ROUTING="$DATA/routing.yaml"
  {
    echo "# GRIDWORK_SHARDS=2 tools/up.sh: k8s/overlays/prod/namespaced/routing.yaml on loopback."
    echo "version: 1"
    echo "worker_shards: [w0, w1]"
    echo "district_shards:"
    echo "  d0: [\"${D0_DISTRICTS//,/\", \"}\"]"
    echo "  d1: [\"${D1_DISTRICTS//,/\", \"}\"]"
    echo "services:"
    for entry in location:1:worker:w geofence:2:district:d workorder:3:district:d \
      inspection:4:district:d analytics:5:district:d; do
      IFS=: read -r service port key prefix <<< "$entry"
      printf '  %s:\n    key: %s\n    shards:\n' "$service" "$key"
      printf '      %s0: 127.0.0.1:5005%s\n      %s1: 127.0.0.1:5006%s\n' \
        "$prefix" "$port" "$prefix" "$port"
    done
  } > "$ROUTING"
  echo "== starting two shards of every service (routing file $ROUTING)"
  # Each shard finds its peers in the routing file and follows every shard of a differently
  # keyed peer (the --<peer>_addr flags are not read).
  for entry in geofence:2:d location:1:w workorder:3:d inspection:4:d analytics:5:d; do
    IFS=: read -r service port prefix <<< "$entry"
    for shard in 0 1; do
      start "$service-$prefix$shard" "$((50050 + 10 * shard + port))" \
        "$((9150 + 10 * shard + port))" --routing_file="$ROUTING" --shard="$prefix$shard"
    done
  done
  GATEWAY_ROUTING=(--routing_file="$ROUTING")
else
  echo "== starting services"
  # Each consumes the other's feed: fixes -> geofence, fence events -> location.
  start geofence 50052 9152 --location_addr=127.0.0.1:50051
  start location 50051 9151 --geofence_addr=127.0.0.1:50052
  start workorder 50053 9153 --geofence_addr=127.0.0.1:50052
  start inspection 50054 9154 --geofence_addr=127.0.0.1:50052 --location_addr=127.0.0.1:50051 \
    --workorder_addr=127.0.0.1:50053
  # Analytics follows the feeds of all four; the gateway fronts every service.
  start analytics 50055 9155 --geofence_addr=127.0.0.1:50052 --location_addr=127.0.0.1:50051 \
    --workorder_addr=127.0.0.1:50053 --inspection_addr=127.0.0.1:50054
fi
TOKEN_KEY="$DATA/token.key"
if [[ ! -s "$TOKEN_KEY" ]]; then
  head -c 32 /dev/urandom | base64 > "$TOKEN_KEY"
  chmod 600 "$TOKEN_KEY"
fi
ADMIN_PASSWORD_FILE="$DATA/admin.password"
if [[ ! -s "$ADMIN_PASSWORD_FILE" ]]; then
  head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$ADMIN_PASSWORD_FILE"
  chmod 600 "$ADMIN_PASSWORD_FILE"
fi
# The demo is one operator loading a whole district and one simulator playing ~1,500 people
# from one address: the gateway's per-caller rate limits are scaled up for it (docs/gridsim.md).
GRIDWORK_ADMIN_PASSWORD="$(cat "$ADMIN_PASSWORD_FILE")" \
  start gateway 50050 9150 --http_addr=127.0.0.1:8080 --token_key_file="$TOKEN_KEY" \
  --rate_limit_scale="${GRIDWORK_RATE_LIMIT_SCALE:-50}" \
  --geofence_addr=127.0.0.1:50052 --location_addr=127.0.0.1:50051 \
  --workorder_addr=127.0.0.1:50053 --inspection_addr=127.0.0.1:50054 \
  --analytics_addr=127.0.0.1:50055 --web_root="$PWD/web/dist" "${GATEWAY_ROUTING[@]}"

if [[ "$SHARDS" == 2 ]]; then
  # Operator mode would reach shard 0 only: gridctl goes through the gateway as the admin,
  # which routes every call to its shard (catalogue writes to every shard).
  export GRIDWORK_CONFIG="$DATA/gridctl"
  GRIDWORK_PRINCIPAL_KEY="" GRIDWORK_PASSWORD="$(cat "$ADMIN_PASSWORD_FILE")" \
    "$BIN/gridctl" --gateway=127.0.0.1:50050 login admin >/dev/null
  GRIDCTL=(env GRIDWORK_PRINCIPAL_KEY= "$BIN/gridctl")
  echo "== importing the demo regions, each district shard's file through the gateway"
  for shard in d0 d1; do
    "${GRIDCTL[@]}" import-regions "$DATA/demo/regions-$shard.geojson" | head -3
  done
else
  GRIDCTL=("$BIN/gridctl" --principal_key_file="$KEY" --geofence_addr=127.0.0.1:50052 \
    --location_addr=127.0.0.1:50051 --workorder_addr=127.0.0.1:50053 \
    --inspection_addr=127.0.0.1:50054 --analytics_addr=127.0.0.1:50055)
  echo "== importing the demo regions (idempotent: a re-run replays the first answer)"
  "${GRIDCTL[@]}" import-regions "$REGIONS" | head -3
fi

echo "== sample query: which grid contains 郑州市金水区 (34.7986 N, 113.6601 E)?"
"${GRIDCTL[@]}" locate 34.7986 113.6601

# (An admin may not upload a worker's fixes through the gateway: not with GRIDWORK_SHARDS=2,
# where gridsim's day below does it as its service account.)
if [[ "$SHARDS" == 1 ]]; then
  echo "== a grid worker reports a position: geofence places them, location learns the grid back"
  "${GRIDCTL[@]}" bind wang-wei 410105/s06/c06/g01 worker >/dev/null
  "${GRIDCTL[@]}" report wang-wei 34.7986 113.6601 8 >/dev/null
  sleep 1
  "${GRIDCTL[@]}" last wang-wei
fi

# The simulated day runs SIM_SPEED times faster than real time; the demo's SLAs shrink by the
# same factor so that departments meet or miss deadlines on the simulation's clock (a 4-hour
# accept deadline becomes 4 minutes). Another speed on a later run updates the categories.
SIM_SPEED="${GRIDWORK_SIM_SPEED:-60}"
echo "== loading the work-order catalogue (categories, dispatch rules, SLAs divided by $SIM_SPEED" \
  "for the ${SIM_SPEED}x simulated day; idempotent)"
"${GRIDCTL[@]}" --sla_compression="$SIM_SPEED" catalog-load services/workorder/data/default_catalog.json

# (--as_subject and --as_role are operator mode's: not with GRIDWORK_SHARDS=2.)
if [[ "$SHARDS" == 1 && "$("${GRIDCTL[@]}" order-counts | awk '$1 == "total" {print $2}')" == 0 ]]; then
  echo "== wang-wei reports rubbish piled up at the roadside (auto-dispatched by rule)"
  "${GRIDCTL[@]}" --as_subject=wang-wei --as_role=ROLE_GRID_WORKER \
    order-report env.garbage 34.7986 113.6601 "路边堆放建筑垃圾约2立方米" \
    | grep -E '"(id|state|department|regionPath)"' | head -4
fi
"${GRIDCTL[@]}" order-counts

echo "== loading the inspection catalogue (departments, checklists; idempotent)"
"${GRIDCTL[@]}" inspection-load-catalog services/inspection/data/default_catalog.json
if [[ "$SHARDS" == 1 ]]; then
  "${GRIDCTL[@]}" --as_role=ROLE_COMMUNITY_STATION \
    subject-register RESTAURANT "老王烩面馆" 34.7990 113.6605 | grep -E '"(id|regionPath|status)"'
fi

echo "== loading the demo people and places of 金水区 through the gateway (idempotent; the first"
echo "   run hashes ~1,500 passwords and takes a minute or two)"
GRIDSIM=("$BIN/gridsim" --gateway=127.0.0.1:50050 --districts="${GRIDWORK_DEMO_DISTRICTS:-410105}")
"${GRIDSIM[@]}" --admin_password_file="$ADMIN_PASSWORD_FILE" \
  --credentials_file="$DATA/demo-users.txt" load-demo > "$DATA/logs/load-demo.log" 2>&1 || {
  echo "loading the demo people failed; see $DATA/logs/load-demo.log" >&2
  tail -5 "$DATA/logs/load-demo.log" >&2
  exit 1
}
sed -n '2,6p' "$DATA/logs/load-demo.log"

echo "== starting the simulated working day (gridsim day --speed=$SIM_SPEED; log: $DATA/logs/gridsim.log)"
"${GRIDSIM[@]}" --speed="$SIM_SPEED" --linger day >> "$DATA/logs/gridsim.log" 2>&1 &
sim_pid=$!

echo "== the cockpit figures of 金水区 (analytics follows the feeds)"
sleep 1
"${GRIDCTL[@]}" cockpit 410105 | head -8

cat <<MSG

Gridwork is running (data in $DATA, logs in $DATA/logs):
  location  gRPC 127.0.0.1:50051   metrics http://127.0.0.1:9151/metrics
  geofence  gRPC 127.0.0.1:50052   metrics http://127.0.0.1:9152/metrics
  workorder gRPC 127.0.0.1:50053   metrics http://127.0.0.1:9153/metrics
  inspection gRPC 127.0.0.1:50054  metrics http://127.0.0.1:9154/metrics
  analytics gRPC 127.0.0.1:50055   metrics http://127.0.0.1:9155/metrics
  gateway   gRPC 127.0.0.1:50050   HTTP http://127.0.0.1:8080   metrics http://127.0.0.1:9150/metrics

Cockpit: http://127.0.0.1:8080/   (login: admin / $(cat "$ADMIN_PASSWORD_FILE"))

Demo users, one per role (username / password; all $(grep -vc '^#' "$DATA/demo-users.txt") in $DATA/demo-users.txt, mode 0600):
$(sed -n '/^  ROLE_/p' "$DATA/logs/load-demo.log")
The simulator plays a working day at ${SIM_SPEED}x: tail -f $DATA/logs/gridsim.log
Phones cannot report from the future, so a first day starts 9 simulated hours in the past and
catches up with real time after about $((540 / (SIM_SPEED > 1 ? SIM_SPEED - 1 : 1))) minutes. Orders, inspections and tracks
fill from the start; the live figures (online, in own grid) fill once it has caught up.
MSG
if [[ "$SHARDS" == 2 ]]; then
  cat <<MSG
Sharded (GRIDWORK_SHARDS=2): the ports above are shard 0 of each service (location-w0,
geofence-d0, ...); shard 1 listens 10 above (gRPC 5006x, metrics 916x). Routing file:
$ROUTING. The gateway routes by it; gridctl goes through the gateway:
Try:  GRIDWORK_CONFIG=$DATA/gridctl build/bin/gridctl regions list 410122   # on shard d1
      GRIDWORK_CONFIG=$DATA/gridctl build/bin/gridctl orders list
      GRIDWORK_CONFIG=$DATA/gridctl build/bin/gridctl cockpit
Press Ctrl-C to stop.
MSG
else
  cat <<MSG
Try:  build/bin/gridctl --principal_key_file=$KEY list-regions 410105
      build/bin/gridctl --principal_key_file=$KEY orders
      build/bin/gridctl --principal_key_file=$KEY checklists fire
      build/bin/gridctl --principal_key_file=$KEY cockpit 410105
Press Ctrl-C to stop.
MSG
fi
wait
