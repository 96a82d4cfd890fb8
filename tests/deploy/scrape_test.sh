#!/usr/bin/env bash
# A real Prometheus (Debian's) scrapes a locally started Gridwork stack and its HTTP API
# confirms every service's metrics arrived: up == 1 for SCRAPE_SECONDS of scrapes, a domain
# metric of each service, the feed consumers connected, the recording rules producing series
# and every rule of deploy/prometheus/rules loaded healthy. The services run from the build's
# bin directory on free loopback ports with temporary stores; gridctl drives a little traffic
# first (regions, a fix, a rejected fix, an order, a checklist) so that labelled families
# exist. At the end each service's /metrics page is saved to OUT (check_metric_names.mjs reads
# them). Usage: scrape_test.sh <repo root> <bin dir> <OUT dir>
set -euo pipefail
root="$1" bin="$2" out="$3"
SCRAPE_SECONDS="${SCRAPE_SECONDS:-30}"
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
t0=$(date +%s)
log() { echo "[$(( $(date +%s) - t0 ))s] $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

services=(geofence location workorder inspection)
for optional in analytics gateway; do
  if [[ -x "$bin/gridwork-$optional" ]]; then services+=("$optional"); fi
done
declare -A peers=(
  [location]="geofence" [geofence]="location" [workorder]="geofence"
  [inspection]="geofence location workorder"
  [analytics]="location geofence workorder inspection"
  [gateway]="location geofence workorder inspection analytics")
declare -A grpc metrics
for s in "${services[@]}"; do grpc[$s]=$(free_port); done

head -c 32 /dev/urandom | base64 > "$tmp/principal.key"
start() {  # service
  local s=$1 help flags=()
  help="$("$bin/gridwork-$s" --help 2>&1 || true)"
  flags=(--grpc_addr="127.0.0.1:${grpc[$s]}" --metrics_addr=127.0.0.1:0 --data_dir="$tmp/$s"
         --principal_key_file="$tmp/principal.key")
  for p in ${peers[$s]}; do
    # Only peers the binary knows (and that run here): a flag it lacks would stop it.
    if [[ -n "${grpc[$p]:-}" ]] && grep -q -- "--${p}_addr" <<<"$help"; then
      flags+=(--"${p}_addr=127.0.0.1:${grpc[$p]}")
    fi
  done
  if grep -q -- "--http_addr" <<<"$help"; then flags+=(--http_addr="127.0.0.1:$(free_port)"); fi
  "$bin/gridwork-$s" "${flags[@]}" 2>"$tmp/$s.log" &
  pids+=($!)
}
for s in "${services[@]}"; do start "$s"; done
for s in "${services[@]}"; do
  for _ in $(seq 1 200); do
    if grep -q "\"msg\":\"$s serving\"" "$tmp/$s.log"; then break; fi
    sleep 0.1
  done
  metrics[$s]=$(grep "\"msg\":\"$s serving\"" "$tmp/$s.log" | grep -o '"metrics_port":[0-9]*' | cut -d: -f2 || true)
  if [[ -z "${metrics[$s]}" ]]; then echo "FAIL: $s did not start:"; tail -5 "$tmp/$s.log"; exit 1; fi
done
log "started ${services[*]} (metrics ports: $(for s in "${services[@]}"; do printf '%s=%s ' "$s" "${metrics[$s]}"; done))"

# --- a little traffic, so that the labelled families (calls, fixes, fence events, orders) exist
G=("$bin/gridctl" --principal_key_file="$tmp/principal.key"
   --geofence_addr="127.0.0.1:${grpc[geofence]}" --location_addr="127.0.0.1:${grpc[location]}"
   --workorder_addr="127.0.0.1:${grpc[workorder]}" --inspection_addr="127.0.0.1:${grpc[inspection]}")
"$bin/gridwork-demo-geo" --districts=410105 --output="$tmp/regions.geojson" > "$tmp/traffic.log" 2>&1
"${G[@]}" import-regions "$tmp/regions.geojson" >> "$tmp/traffic.log" 2>&1
grid=$("${G[@]}" locate 34.7986 113.6601 2>>"$tmp/traffic.log" | grep -o '410105/[a-z0-9/-]*' | awk -F/ 'NF==4' | head -1)
[[ -n "$grid" ]] || { echo "FAIL: locate found no grid"; cat "$tmp/traffic.log"; exit 1; }
"${G[@]}" bind wang-wei "$grid" worker >> "$tmp/traffic.log" 2>&1
"${G[@]}" report wang-wei 34.7986 113.6601 8 >> "$tmp/traffic.log" 2>&1
"${G[@]}" report wang-wei 34.7987 113.6602 5000 >> "$tmp/traffic.log" 2>&1 || true  # rejected: LOW_ACCURACY
"${G[@]}" catalog-load "$root/services/workorder/data/default_catalog.json" >> "$tmp/traffic.log" 2>&1
order=$("${G[@]}" --as_subject=wang-wei --as_role=ROLE_GRID_WORKER \
  order-report env.garbage 34.7986 113.6601 "scrape test" 2>>"$tmp/traffic.log" | tee -a "$tmp/traffic.log" \
  | grep -m1 -o '"id": *"[^"]*"' | cut -d'"' -f4 || true)
if [[ -n "$order" ]]; then  # a committed transition and a refused one (verify before handling)
  "${G[@]}" order-act "$order" ACCEPT >> "$tmp/traffic.log" 2>&1 || true
  "${G[@]}" order-act "$order" VERIFY_SATISFIED >> "$tmp/traffic.log" 2>&1 || true
fi
"${G[@]}" inspection-load-catalog "$root/services/inspection/data/default_catalog.json" >> "$tmp/traffic.log" 2>&1
subject=$("${G[@]}" --as_role=ROLE_COMMUNITY_STATION subject-register RESTAURANT "test" 34.7990 113.6605 \
  2>>"$tmp/traffic.log" | tee -a "$tmp/traffic.log" | grep -m1 -o '"id": *"[^"]*"' | cut -d'"' -f4 || true)
if [[ -n "$subject" ]]; then
  "${G[@]}" --as_role=ROLE_COMMUNITY_STATION task-assign "$subject" fire.small-venue wang-wei >> "$tmp/traffic.log" 2>&1 || true
fi
log "traffic done (grid $grid, order ${order:-none}, subject ${subject:-none})"

# --- Prometheus: static targets labelled as in production, the real rule files
prom_port=$(free_port)
{
  echo "global: {scrape_interval: 2s, evaluation_interval: 2s}"
  echo "rule_files: ['$root/deploy/prometheus/rules/*.yml']"
  echo "scrape_configs:"
  echo "  - job_name: gridwork"
  echo "    static_configs:"
  for s in "${services[@]}"; do
    echo "      - {targets: ['127.0.0.1:${metrics[$s]}'], labels: {service: $s}}"
  done
} > "$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml" > /dev/null
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn 2>"$tmp/prometheus.log" &
pids+=($!)
api="http://127.0.0.1:$prom_port"
for _ in $(seq 1 100); do curl -sf "$api/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "$api/-/ready" >/dev/null || { echo "FAIL: prometheus not ready"; cat "$tmp/prometheus.log"; exit 1; }
log "prometheus ready on 127.0.0.1:$prom_port; scraping for ${SCRAPE_SECONDS}s"
scrape_start=$(date +%s)

query() {  # PromQL -> "service=value" lines (value of each series)
  curl -sf --get "$api/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d["data"]["result"]:
    print(r["metric"].get("service", r["metric"].get("__name__", "")) + "=" + r["value"][1])'
}
has() {  # PromQL service -> true if the query returns a series of that service with value > 0
  local result
  result="$(query "$1")" || return 1  # (no pipe into grep -q: with pipefail its early exit fails)
  grep -qE "^$2=([1-9]|0\.[0-9]*[1-9])" <<<"$result"
}
domain_metric() {  # the services with their own metrics: one of theirs; others: the store's
  case $1 in
    location) echo 'gridwork_location_fixes_total{result="accepted"}' ;;
    geofence) echo 'gridwork_geofence_fence_events_total' ;;
    workorder) echo 'gridwork_workorder_orders_created_total' ;;
    inspection) echo 'gridwork_inspection_tasks_created_total or gridwork_inspection_outbox_pending + 1' ;;
    *) echo "count by (service) ({__name__=~\"gridwork_$1_.+\"} or gridwork_store_write_stopped + 1)" ;;
  esac
}

deadline=$(( scrape_start + SCRAPE_SECONDS + 60 ))
min_scrapes=$(( SCRAPE_SECONDS / 2 ))
while :; do
  missing=()
  for s in "${services[@]}"; do
    has "up{service=\"$s\"}" "$s" || missing+=("$s:up")
    has "count_over_time(up{service=\"$s\"}[5m]) >= $min_scrapes" "$s" || missing+=("$s:${min_scrapes}_scrapes")
    has "$(domain_metric "$s")" "$s" || missing+=("$s:domain_metric")
    has "gridwork_store_write_stopped{service=\"$s\"} + 1" "$s" || missing+=("$s:store_metrics")
    has "gridwork_store_wal_bytes{service=\"$s\"} + 1" "$s" || missing+=("$s:store_wal_bytes")
  done
  for s in location geofence inspection; do
    has "min by (service) (gridwork_feed_consumer_connected{service=\"$s\"})" "$s" || missing+=("$s:feed_connected")
  done
  for s in location geofence workorder; do
    has "service:gridwork_rpc_requests:rate5m{service=\"$s\"}" "$s" || missing+=("$s:recorded_rpc_rate")
  done
  has 'gridwork_location_fixes_total{result="rejected"}' location || missing+=("location:rejected_fix")
  [[ ${#missing[@]} -eq 0 ]] && break
  if (( $(date +%s) > deadline )); then
    echo "FAIL: after $(( $(date +%s) - scrape_start ))s still missing: ${missing[*]}"
    for s in "${services[@]}"; do echo "--- $s log"; tail -3 "$tmp/$s.log"; done
    echo "--- traffic"; tail -5 "$tmp/traffic.log"; echo "--- prometheus"; tail -5 "$tmp/prometheus.log"
    exit 1
  fi
  sleep 2
done
log "all metrics arrived after $(( $(date +%s) - scrape_start ))s of scraping"

rules=$(curl -sf "$api/api/v1/rules" | python3 -c '
import json, sys
rules = [r for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]
bad = [r["name"] for r in rules if r.get("health") != "ok"]
print(len(rules), " ".join(bad))')
read -r nrules bad <<<"$rules"
want=$(grep -cE '^\s+- (alert|record):' "$root"/deploy/prometheus/rules/*.yml | awk -F: '{n += $NF} END {print n}')
[[ "$nrules" == "$want" && -z "${bad:-}" ]] || { echo "FAIL: rules loaded $nrules/$want, unhealthy: ${bad:-none}"; exit 1; }
firing=$(query 'ALERTS{alertstate="firing", alertname="GridworkServiceDown"}' | wc -l)
[[ "$firing" == 0 ]] || { echo "FAIL: GridworkServiceDown fires on a healthy stack"; exit 1; }

mkdir -p "$out"
rm -f "$out"/*.metrics
for s in "${services[@]}"; do curl -sf "http://127.0.0.1:${metrics[$s]}/metrics" > "$out/$s.metrics"; done
log "PASS: ${#services[@]} services scraped by Prometheus (${services[*]}), $nrules rules healthy; /metrics saved to $out"
