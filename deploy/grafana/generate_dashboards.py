#!/usr/bin/env python3
"""Writes deploy/grafana/dashboards/*.json: one dashboard per Gridwork service and a platform
overview, on the metric names the services export (tests/deploy checks every name in them).
The JSON files are committed; edit this script and re-run it rather than the JSON by hand:
    python3 deploy/grafana/generate_dashboards.py
"""
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards")
DS = {"type": "prometheus", "uid": "${datasource}"}
UNARY = 'method!~".*/(Watch|Stream)[A-Za-z]*"'
REJECTED = 'result="rejected"'


class Board:
    def __init__(self, uid, title, description, service=None):
        self.uid, self.title, self.description, self.service = uid, title, description, service
        self.panels, self.y, self.x, self.next_id = [], 0, 0, 1

    def row(self, title):
        if self.x:
            self.y += 8
            self.x = 0
        self.panels.append({"type": "row", "title": title, "id": self._id(), "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.y += 1

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def panel(self, title, targets, unit="short", kind="timeseries", width=8, description=""):
        if self.x + width > 24:
            self.y += 8
            self.x = 0
        p = {"type": kind, "title": title, "id": self._id(), "datasource": DS,
             "description": description,
             "gridPos": {"h": 8, "w": width, "x": self.x, "y": self.y},
             "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
             "options": {},
             "targets": [{"datasource": DS, "refId": chr(ord("A") + i), "expr": expr,
                          "legendFormat": legend} for i, (expr, legend) in enumerate(targets)]}
        if kind == "stat":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "background"}
        self.panels.append(p)
        self.x += width

    def json(self):
        templating = [{"name": "datasource", "type": "datasource", "query": "prometheus",
                       "label": "Prometheus", "current": {}, "hide": 0}]
        if self.service:
            templating.append({
                "name": "shard", "type": "query", "datasource": DS, "label": "shard",
                "query": {"query": f'label_values(up{{job="gridwork", service="{self.service}"}}, shard)',
                          "refId": "shard"},
                "definition": f'label_values(up{{job="gridwork", service="{self.service}"}}, shard)',
                "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2,
                "current": {"text": "All", "value": "$__all"}})
        return {"uid": self.uid, "title": self.title, "description": self.description,
                "tags": ["gridwork"], "timezone": "browser", "schemaVersion": 38, "version": 1,
                "editable": True, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
                "templating": {"list": templating}, "annotations": {"list": []},
                "links": [{"title": "Gridwork", "type": "dashboards", "tags": ["gridwork"],
                           "asDropdown": True}],
                "panels": self.panels}


def sel(service, extra=""):
    parts = [f'service="{service}"', 'shard=~"$shard"'] + ([extra] if extra else [])
    return "{" + ", ".join(parts) + "}"


def common(b, s, consumers):
    b.row("Service")
    b.panel("Up", [(f'up{{job="gridwork", service="{s}", shard=~"$shard"}}', "{{instance}}")],
            kind="stat", width=4, description="1 = Prometheus scrapes it.")
    b.panel("Calls/s by method", [(f'sum by (method) (rate(gridwork_rpc_requests_total{sel(s)}[5m]))',
                                   "{{method}}")], unit="reqps", width=10)
    b.panel("Calls/s by status code", [(f'sum by (code) (rate(gridwork_rpc_requests_total{sel(s)}[5m]))',
                                        "{{code}}")], unit="reqps", width=10)
    b.panel("Server-side error ratio (unary)",
            [(f'service:gridwork_rpc_errors:rate5m{{service="{s}"}} / service:gridwork_rpc_requests:rate5m{{service="{s}"}}',
              "errors / calls")], unit="percentunit",
            description="Alert GridworkHighErrorRatio at 5 % for 10 min.")
    b.panel("Latency p50 / p99 (unary)", [
        (f'histogram_quantile(0.5, sum by (le) (rate(gridwork_rpc_duration_seconds_bucket{sel(s, UNARY)}[5m])))', "p50"),
        (f'histogram_quantile(0.99, sum by (le) (rate(gridwork_rpc_duration_seconds_bucket{sel(s, UNARY)}[5m])))', "p99")],
        unit="s", description="Alert GridworkHighLatencyP99 above 500 ms for 10 min.")
    b.panel("p99 by method (unary)", [
        (f'histogram_quantile(0.99, sum by (method, le) (rate(gridwork_rpc_duration_seconds_bucket{sel(s, UNARY)}[5m])))',
         "{{method}}")], unit="s")
    b.row("Store (RocksDB)")
    b.panel("Store writable", [(f'gridwork_store_writable{sel(s)}', "{{shard}}")], width=6,
            description="0 = the store refuses writes: disk full, read-only, I/O error; the service is "
                        "NOT_SERVING (alert GridworkStoreNotWritable after 1 min).")
    b.panel("Writes stopped", [(f'gridwork_store_write_stopped{sel(s)}', "{{shard}}")], width=6,
            description="1 = RocksDB stops all writes (alert GridworkRocksDBWriteStall).")
    b.panel("Delayed write rate", [(f'gridwork_store_delayed_write_rate_bytes{sel(s)}', "{{shard}}")],
            unit="Bps", width=6,
            description="Non-zero = RocksDB throttles writes (alert GridworkRocksDBWriteSlowdown).")
    b.panel("Pending compaction", [(f'gridwork_store_pending_compaction_bytes{sel(s)}', "{{shard}}")],
            unit="bytes", width=6)
    b.panel("Write-ahead log", [(f'gridwork_store_wal_bytes{sel(s)}', "{{shard}}")],
            unit="bytes", width=6,
            description="Log a restart replays (4-10 ms per MB); the store keeps it under 1 GiB by "
                        "flushing rarely written families.")
    if consumers:
        b.row("Feeds consumed")
        b.panel("Consumer lag (events)", [(f'gridwork_feed_consumer_lag_events{sel(s)}', "{{consumer}} {{shard}}")],
                width=12, description="Events behind the peer's feed (alert GridworkFeedConsumerLag above 10,000).")
        b.panel("Consumer connected", [(f'gridwork_feed_consumer_connected{sel(s)}', "{{consumer}} {{shard}}")],
                width=12, description="1 = a Watch stream to the peer is open.")


def location():
    s = "location"
    b = Board("gridwork-location", "Gridwork / location", "Ingest of position fixes, tracks, online state.", s)
    b.row("Ingest")
    b.panel("Fixes/s by result", [(f'sum by (result) (rate(gridwork_location_fixes_total{sel(s)}[5m]))', "{{result}}")],
            unit="short")
    b.panel("Rejected fixes/s by reason",
            [(f'sum by (reason) (rate(gridwork_location_fixes_total{sel(s, REJECTED)}[5m]))', "{{reason}}")],
            description="Alert GridworkIngestRejectsSpiking above 20 % of received fixes.")
    b.panel("Reject ratio", [(f'sum(rate(gridwork_location_fixes_total{sel(s, REJECTED)}[5m])) / sum(rate(gridwork_location_fixes_total{sel(s)}[5m]))',
                              "rejected / received")], unit="percentunit")
    b.panel("Fixes per batch p50 / p99", [
        (f'histogram_quantile(0.5, sum by (le) (rate(gridwork_location_batch_fixes_bucket{sel(s)}[5m])))', "p50"),
        (f'histogram_quantile(0.99, sum by (le) (rate(gridwork_location_batch_fixes_bucket{sel(s)}[5m])))', "p99")])
    b.panel("Workers with a known position", [(f'sum(gridwork_location_workers_known{sel(s)})', "workers")])
    b.panel("Geofence events applied/s", [(f'sum by (kind) (rate(gridwork_location_geofence_events_total{sel(s)}[5m]))', "{{kind}}")])
    common(b, s, consumers=True)
    return b


def geofence():
    s = "geofence"
    b = Board("gridwork-geofence", "Gridwork / geofence", "Region tree, bindings, key points, fence evaluation.", s)
    b.row("Fences")
    b.panel("Fixes evaluated/s", [(f'sum(rate(gridwork_geofence_fixes_evaluated_total{sel(s)}[5m]))', "fixes/s")])
    b.panel("Fence events/s by kind", [(f'sum by (kind) (rate(gridwork_geofence_fence_events_total{sel(s)}[5m]))', "{{kind}}")])
    b.panel("Late fixes/s", [(f'sum(rate(gridwork_geofence_late_fixes_total{sel(s)}[5m]))', "late")],
            description="Fixes older than the worker's newest evaluated fix (offline backlogs).")
    b.panel("Locates/s by result", [(f'sum by (result) (rate(gridwork_geofence_locates_total{sel(s)}[5m]))', "{{result}}")])
    b.panel("Regions by level", [(f'sum by (level) (gridwork_geofence_regions{sel(s)})', "{{level}}")])
    b.panel("Key points", [(f'sum(gridwork_geofence_key_points{sel(s)})', "key points")])
    b.panel("Region imports by result", [(f'sum by (result) (increase(gridwork_geofence_imports_total{sel(s)}[1h]))', "{{result}}")])
    common(b, s, consumers=True)
    return b


def workorder():
    s = "workorder"
    b = Board("gridwork-workorder", "Gridwork / workorder", "The closed loop: report, dispatch, handle, verify, close.", s)
    b.row("Orders")
    b.panel("Orders created/h by source", [(f'sum by (source) (increase(gridwork_workorder_orders_created_total{sel(s)}[1h]))', "{{source}}")])
    b.panel("Auto-dispatched share", [(f'sum(rate(gridwork_workorder_auto_dispatched_total{sel(s)}[1h])) / sum(rate(gridwork_workorder_orders_created_total{sel(s)}[1h]))', "auto")],
            unit="percentunit")
    b.panel("Transitions/s by action", [(f'sum by (action) (rate(gridwork_workorder_transitions_total{sel(s)}[5m]))', "{{action}}")])
    b.panel("Transitions refused/s by reason", [(f'sum by (reason) (rate(gridwork_workorder_transitions_rejected_total{sel(s)}[5m]))', "{{reason}}")])
    b.panel("SLA alarms/h by kind", [(f'sum by (kind) (increase(gridwork_workorder_sla_alarms_total{sel(s)}[1h]))', "{{kind}}")],
            description="Alert GridworkOverdueOrdersRising when overdue alarms/h exceed 1.5x the hour before.")
    b.panel("Pending SLA timers", [(f'sum(gridwork_workorder_pending_sla_timers{sel(s)})', "timers")])
    b.panel("Photos stored", [(f'sum(rate(gridwork_workorder_photos_stored_total{sel(s)}[1h])) * 3600', "photos/h"),
                              (f'sum(rate(gridwork_workorder_photo_bytes_stored_total{sel(s)}[1h]))', "bytes/s")])
    common(b, s, consumers=False)
    return b


def inspection():
    s = "inspection"
    b = Board("gridwork-inspection", "Gridwork / inspection", "Checklists, subjects, tasks, results; failed items become work orders.", s)
    b.row("Inspections")
    b.panel("Results/h by presence", [(f'sum by (presence) (increase(gridwork_inspection_results_total{sel(s)}[1h]))', "{{presence}}")],
            description="Anything but VERIFIED is flagged for review.")
    b.panel("Problem items/h", [(f'sum(increase(gridwork_inspection_problems_total{sel(s)}[1h]))', "problems")])
    b.panel("Work orders of problems/h by result", [(f'sum by (result) (increase(gridwork_inspection_work_orders_total{sel(s)}[1h]))', "{{result}}")])
    b.panel("Tasks created/h by kind", [(f'sum by (kind) (increase(gridwork_inspection_tasks_created_total{sel(s)}[1h]))', "{{kind}}")])
    b.panel("Tasks missed/h", [(f'sum(increase(gridwork_inspection_tasks_missed_total{sel(s)}[1h]))', "missed")])
    b.panel("Outbox pending", [(f'sum(gridwork_inspection_outbox_pending{sel(s)})', "pending")],
            description="Work orders of problem items not yet created in workorder (retried every loop).")
    common(b, s, consumers=True)
    return b


def analytics():
    s = "analytics"
    b = Board("gridwork-analytics", "Gridwork / analytics", "Aggregates, coverage, assessment (feeds of all services).", s)
    b.row("Cockpit state")
    b.panel("Workers online / bound", [(f'sum(gridwork_analytics_workers_online{sel(s)})', "online"),
                                       (f'sum(gridwork_analytics_workers_bound{sel(s)})', "bound")])
    b.panel("Open / overdue work orders", [(f'sum(gridwork_analytics_orders_open{sel(s)})', "open"),
                                           (f'sum(gridwork_analytics_orders_overdue{sel(s)})', "overdue")])
    b.panel("Grids rasterised", [(f'sum(gridwork_analytics_grids{sel(s)})', "grids")])
    b.panel("Feed events applied/s", [(f'sum by (consumer) (rate(gridwork_analytics_events_applied{sel(s)}[5m]))', "{{consumer}}")],
            width=16)
    b.panel("Open cockpit streams", [(f'sum(gridwork_analytics_cockpit_streams{sel(s)})', "streams")])
    common(b, s, consumers=True)
    return b


def gateway():
    s = "gateway"
    b = Board("gridwork-gateway", "Gridwork / gateway", "Login, authorisation, the gRPC and HTTP fronts.", s)
    b.row("Front door")
    b.panel("Calls refused/s by reason", [(f'sum by (reason) (rate(gridwork_gateway_refused_total{sel(s)}[5m]))', "{{reason}}")],
            width=12, description="Calls the gateway refused before reaching a service (authentication, permission, rate limit).")
    b.panel("Calls/s by service called", [(f'sum by (method) (rate(gridwork_rpc_requests_total{sel(s)}[5m]))', "{{method}}")],
            unit="reqps", width=12)
    common(b, s, consumers=False)
    return b


def plain(s, title, description, consumers):
    b = Board(f"gridwork-{s}", f"Gridwork / {s}", description, s)
    common(b, s, consumers=consumers)
    return b


def overview():
    b = Board("gridwork-overview", "Gridwork / platform overview",
              "Every service at a glance: up, traffic, errors, latency, feeds, stores, the loop.")
    b.row("Health")
    b.panel("Services up", [('sum by (service) (up{job="gridwork"})', "{{service}}")], kind="stat", width=12)
    b.panel("Firing alerts", [('sum by (alertname) (ALERTS{alertstate="firing"})', "{{alertname}}")], kind="stat", width=12)
    b.panel("Calls/s by service (unary)", [("service:gridwork_rpc_requests:rate5m", "{{service}}")], unit="reqps")
    b.panel("Error ratio by service", [("service:gridwork_rpc_errors:rate5m / service:gridwork_rpc_requests:rate5m", "{{service}}")],
            unit="percentunit")
    b.panel("p99 latency by service", [("service:gridwork_rpc_duration_seconds:p99_5m", "{{service}}")], unit="s")
    b.row("Data flow")
    b.panel("Fixes accepted/s", [('sum(rate(gridwork_location_fixes_total{result="accepted"}[5m]))', "accepted"),
                                 ('sum(rate(gridwork_location_fixes_total{result="rejected"}[5m]))', "rejected")])
    b.panel("Feed consumer lag", [("max by (consumer) (gridwork_feed_consumer_lag_events)", "{{consumer}}")])
    b.panel("Stores not writable, writes stopped or delayed", [
        ("sum by (service) (gridwork_store_writable == bool 0)", "{{service}} not writable"),
        ("sum by (service) (gridwork_store_write_stopped)", "{{service}} stopped"),
        ("sum by (service) (gridwork_store_delayed_write_rate_bytes > bool 0)", "{{service}} delayed")])
    b.row("The closed loop")
    b.panel("Work orders created/h", [("sum by (source) (increase(gridwork_workorder_orders_created_total[1h]))", "{{source}}")])
    b.panel("Overdue alarms/h", [('sum(increase(gridwork_workorder_sla_alarms_total{kind="overdue"}[1h]))', "overdue")])
    b.panel("Inspection problems/h", [("sum(increase(gridwork_inspection_problems_total[1h]))", "problems")])
    return b


def main():
    os.makedirs(OUT, exist_ok=True)
    boards = [overview(), location(), geofence(), workorder(), inspection(),
              analytics(), gateway()]
    for b in boards:
        with open(os.path.join(OUT, b.uid.replace("gridwork-", "") + ".json"), "w") as f:
            json.dump(b.json(), f, indent=2, ensure_ascii=False)
            f.write("\n")
    print(f"wrote {len(boards)} dashboards to {OUT}")


if __name__ == "__main__":
    main()
