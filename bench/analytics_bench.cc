// analytics_bench: how fast analytics consumes feed events and answers the cockpit, in process
// (the Ingest handlers and a durable store, as the FeedConsumer drives them; no gRPC), and the
// same cockpit snapshot as SQL on PostgreSQL for comparison.
//
//   1. A district of --grids grids (~330 m x 320 m each, ~110 cells of 30 m) and --workers
//      workers bound to them (geofence events).
//   2. --fix_events AcceptedFixes events (one fix each, every worker walking inside its grid)
//      in batches of 2,000, each batch one fsync'ed commit: events/s (wall) and events per
//      CPU-second (user + system time of this process = "per core").
//   3. --orders work orders (REPORT + DISPATCH events): events per CPU-second.
//   4. The cockpit for the whole district and for one street, --snapshots times each:
//      p50 / max latency; resident memory (VmRSS).
//   5. With --postgres_url: a table of the same workers (grid path, last fix time) and open
//      orders, and the same snapshot (workers, online, open orders per street) as one SQL
//      query, timed the same way.
// With --json the last line is one JSON object: events_per_s_per_core, snapshot_ms_100k,
// rss_mib, and the rest.
#include <libpq-fe.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/common/v1/fix.pb.h"
#include "gridwork/core/ids.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/service/time_convert.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/analytics/analytics_store.h"
#include "services/analytics/ingest.h"
#include "services/analytics/live_state.h"
#include "services/analytics/queries.h"

ABSL_FLAG(int, workers, 100000, "Workers bound to grids.");
ABSL_FLAG(int, grids, 5000, "Grids in the district.");
ABSL_FLAG(int, fix_events, 200000, "AcceptedFixes events consumed (one fix each).");
ABSL_FLAG(int, orders, 20000, "Work orders reported and dispatched (2 events each).");
ABSL_FLAG(int, snapshots, 30, "Cockpit snapshots timed per scope.");
ABSL_FLAG(std::string, postgres_url, "", "libpq conninfo of the baseline (empty = skip it).");
ABSL_FLAG(bool, json, false, "Print one JSON object of the figures on the last line.");

namespace gridwork::analytics {
namespace {

namespace fs = std::filesystem;
namespace gf = ::gridwork::geofence::v1;
namespace wo = ::gridwork::workorder::v1;

constexpr double kLat0 = 34.70, kLng0 = 113.55, kDLat = 0.003, kDLng = 0.0035;

[[noreturn]] void Die(const std::string& why) {
  std::cerr << "analytics_bench: " << why << "\n";
  std::exit(1);
}

std::string GridId(int i) {
  return absl::StrFormat("410105/s%02d/c%02d/g%02d", i / 1000, (i / 50) % 20, i % 50);
}

class LatticeShapes : public clients::RegionShapes {
 public:
  explicit LatticeShapes(int grids) {
    for (int i = 0; i < grids; ++i) index_[GridId(i)] = i;
  }
  absl::StatusOr<clients::RegionShape> Shape(const std::string& id) override {
    auto it = index_.find(id);
    if (it == index_.end()) return absl::NotFoundError(id);
    const double lat = kLat0 + (it->second / 100) * kDLat, lng = kLng0 + (it->second % 100) * kDLng;
    geo::Polygon p;
    p.outer() = {geo::Point(lng, lat), geo::Point(lng, lat + kDLat),
                 geo::Point(lng + kDLng, lat + kDLat), geo::Point(lng + kDLng, lat),
                 geo::Point(lng, lat)};
    geo::bg::correct(p);
    clients::RegionShape s;
    s.area.push_back(p);
    s.version = 1;
    return s;
  }

 private:
  std::map<std::string, int> index_;
};

double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double RssMib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

struct Timing {
  double p50_ms = 0, max_ms = 0;
};

Timing Time(int n, const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const absl::Time t0 = absl::Now();
    fn();
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.back()};
}

struct Applier {
  AnalyticsStore* store;
  Ingest* ingest;
  uint64_t seq = 1;

  template <typename Msg>
  store::FeedEvent Event(const Msg& m, const std::string& region) {
    store::FeedEvent e;
    e.set_sequence(seq++);
    e.set_region_path(region);
    e.mutable_payload()->PackFrom(m);
    return e;
  }
  void Apply(Source source, const std::vector<store::FeedEvent>& events) {
    store::WriteRequest w;
    absl::Status s = source == Source::kGeofence   ? ingest->ApplyGeofence(events, w)
                     : source == Source::kLocation ? ingest->ApplyLocation(events, w)
                                                   : ingest->ApplyWorkOrder(events, w);
    if (!s.ok()) Die(s.ToString());
    if (!store->db()->Commit(std::move(w)).ok()) Die("commit failed");
    ingest->Committed(source);
  }
};

void PgExec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Die(absl::StrCat("postgres: ", PQerrorMessage(c), " in: ", sql.substr(0, 200)));
  }
  PQclear(r);
}

int Run() {
  const int workers = absl::GetFlag(FLAGS_workers), grids = absl::GetFlag(FLAGS_grids);
  const int fix_events = absl::GetFlag(FLAGS_fix_events), orders = absl::GetFlag(FLAGS_orders);
  const fs::path dir = fs::temp_directory_path() / NewId("analytics-bench");
  auto store = AnalyticsStore::Open(dir.string(), Clock::Real(), /*sync=*/true);
  if (!store.ok()) Die(store.status().ToString());
  LiveState live(Clock::Real(), 48);
  LatticeShapes shapes(grids);
  Ingest ingest(store->get(), &live, &shapes, IngestOptions());
  Queries queries(store->get(), &live, &ingest.raster(), Clock::Real(), QueryOptions());
  Applier a{store->get(), &ingest};

  // 1. Grids and bindings.
  const absl::Time setup0 = absl::Now();
  std::vector<store::FeedEvent> batch;
  auto flush = [&](Source s) {
    if (!batch.empty()) a.Apply(s, batch);
    batch.clear();
  };
  for (int i = 0; i < grids; ++i) {
    gf::RegionChanged rc;
    rc.set_region_id(GridId(i));
    rc.set_kind(gf::CHANGE_KIND_CREATED);
    rc.set_level(common::v1::REGION_LEVEL_GRID);
    batch.push_back(a.Event(rc, GridId(i)));
    if (batch.size() == 100) flush(Source::kGeofence);
  }
  for (int j = 0; j < workers; ++j) {
    gf::BindingChanged bc;
    bc.mutable_binding()->set_worker_id(absl::StrCat("w", j));
    bc.mutable_binding()->set_grid_id(GridId(j % grids));
    bc.set_kind(gf::CHANGE_KIND_CREATED);
    batch.push_back(a.Event(bc, GridId(j % grids)));
    if (batch.size() == 2000) flush(Source::kGeofence);
  }
  flush(Source::kGeofence);
  const double setup_s = absl::ToDoubleSeconds(absl::Now() - setup0);

  // 2. Fixes: every worker walks inside its grid, one fix every 5 s of device time.
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(0.05, 0.95);
  const absl::Time start = absl::Now() - absl::Minutes(4);
  double cpu0 = CpuSeconds();
  absl::Time t0 = absl::Now();
  for (int k = 0; k < fix_events; ++k) {
    const int j = k % workers, g = j % grids;
    common::v1::AcceptedFixes af;
    af.set_worker_id(absl::StrCat("w", j));
    common::v1::Fix* f = af.add_fixes();
    f->set_worker_id(af.worker_id());
    f->set_sequence(k);
    *f->mutable_device_time() =
        service::ToProto(start + absl::Seconds(5.0 * k / std::max(1, workers)));
    f->mutable_position()->set_lat(kLat0 + (g / 100 + u(rng)) * kDLat);
    f->mutable_position()->set_lng(kLng0 + (g % 100 + u(rng)) * kDLng);
    batch.push_back(a.Event(af, ""));
    if (batch.size() == 2000) flush(Source::kLocation);
  }
  flush(Source::kLocation);
  const double fix_cpu = CpuSeconds() - cpu0;
  const double fix_wall = absl::ToDoubleSeconds(absl::Now() - t0);

  // 3. Orders: REPORT + DISPATCH.
  cpu0 = CpuSeconds();
  t0 = absl::Now();
  for (int k = 0; k < orders; ++k) {
    const int g = k % grids;
    wo::OrderEvent e;
    e.set_order_id(absl::StrCat("o", k));
    e.set_action(wo::ACTION_REPORT);
    e.set_to_state(wo::STATE_REPORTED);
    *e.mutable_at() = service::ToProto(absl::Now());
    e.set_region_path(GridId(g));
    e.set_category_id(k % 3 ? "env.garbage" : "traffic.parking");
    e.set_stage(wo::STAGE_TRIAGE);
    e.set_actor(absl::StrCat("w", k % workers));
    e.set_actor_role(common::v1::ROLE_GRID_WORKER);
    e.mutable_position()->set_lat(kLat0 + (g / 100 + 0.5) * kDLat);
    e.mutable_position()->set_lng(kLng0 + (g % 100 + 0.5) * kDLng);
    batch.push_back(a.Event(e, GridId(g)));
    e.set_action(wo::ACTION_DISPATCH);
    e.set_from_state(wo::STATE_REPORTED);
    e.set_to_state(wo::STATE_DISPATCHED);
    e.set_department("urban");
    e.set_stage(wo::STAGE_ACCEPT);
    batch.push_back(a.Event(e, GridId(g)));
    if (batch.size() >= 2000) flush(Source::kWorkOrder);
  }
  flush(Source::kWorkOrder);
  const double order_cpu = CpuSeconds() - cpu0;
  const double order_wall = absl::ToDoubleSeconds(absl::Now() - t0);

  // 4. Snapshots.
  v1::Cockpit check = queries.Cockpit("410105");
  if (check.total().workers_total() != workers) {
    Die(absl::StrCat("cockpit counts ", check.total().workers_total(), " workers, not ", workers));
  }
  const int n = absl::GetFlag(FLAGS_snapshots);
  const Timing district = Time(n, [&] { queries.Cockpit("410105"); });
  const Timing street = Time(n, [&] { queries.Cockpit("410105/s01"); });
  const double rss = RssMib();

  // 5. Baseline.
  Timing pg{-1, -1};
  const std::string url = absl::GetFlag(FLAGS_postgres_url);
  if (!url.empty()) {
    PGconn* c = PQconnectdb(url.c_str());
    if (PQstatus(c) != CONNECTION_OK) Die(absl::StrCat("connect: ", PQerrorMessage(c)));
    PgExec(c, "DROP TABLE IF EXISTS bench_workers, bench_orders");
    PgExec(c,
           "CREATE TABLE bench_workers (worker_id text PRIMARY KEY, grid text NOT NULL, "
           "last_fix timestamptz, lat double precision, lng double precision)");
    PgExec(c,
           "CREATE TABLE bench_orders (order_id text PRIMARY KEY, grid text NOT NULL, "
           "state int NOT NULL, overdue bool NOT NULL DEFAULT false)");
    PgExec(c, absl::StrFormat(
                  "INSERT INTO bench_workers SELECT 'w' || j, "
                  "format('410105/s%%s/c%%s/g%%s', lpad(((j %% %d) / 1000)::text, 2, '0'), "
                  "lpad((((j %% %d) / 50) %% 20)::text, 2, '0'), lpad(((j %% %d) %% 50)::text, 2, "
                  "'0')), now() - (random() * interval '4 min'), 34.7, 113.6 "
                  "FROM generate_series(0, %d) j",
                  grids, grids, grids, workers - 1));
    PgExec(c, absl::StrFormat(
                  "INSERT INTO bench_orders SELECT 'o' || k, "
                  "format('410105/s%%s/c%%s/g%%s', lpad(((k %% %d) / 1000)::text, 2, '0'), "
                  "lpad((((k %% %d) / 50) %% 20)::text, 2, '0'), lpad(((k %% %d) %% 50)::text, 2, "
                  "'0')), 2 FROM generate_series(0, %d) k",
                  grids, grids, grids, orders - 1));
    PgExec(c, "CREATE INDEX ON bench_workers (grid text_pattern_ops)");
    PgExec(c, "CREATE INDEX ON bench_orders (grid text_pattern_ops)");
    PgExec(c, "ANALYZE bench_workers");
    PgExec(c, "ANALYZE bench_orders");
    const std::string sql =
        "WITH w AS (SELECT split_part(grid, '/', 1) || '/' || split_part(grid, '/', 2) AS child, "
        "count(*) AS total, count(*) FILTER (WHERE last_fix > now() - interval '5 min') AS online "
        "FROM bench_workers WHERE grid LIKE '410105/%' GROUP BY 1), "
        "o AS (SELECT split_part(grid, '/', 1) || '/' || split_part(grid, '/', 2) AS child, "
        "count(*) AS open, count(*) FILTER (WHERE overdue) AS overdue FROM bench_orders "
        "WHERE grid LIKE '410105/%' AND state NOT IN (7, 11) GROUP BY 1) "
        "SELECT * FROM w FULL JOIN o USING (child) ORDER BY child";
    pg = Time(n, [&] { PgExec(c, sql); });
    PgExec(c, "DROP TABLE bench_workers, bench_orders");
    PQfinish(c);
  }
  fs::remove_all(dir);

  const double events_per_core = fix_events / fix_cpu;
  const double order_events_per_core = 2.0 * orders / order_cpu;
  std::cout << absl::StrFormat(
      "setup: %d grids rasterised, %d workers bound in %.1f s\n"
      "fixes:  %d events in %.2f s wall = %.0f events/s, %.0f events per CPU-second\n"
      "orders: %d events in %.2f s wall = %.0f events/s, %.0f events per CPU-second\n"
      "cockpit %d workers, district: p50 %.2f ms, max %.2f ms; street: p50 %.2f ms, max %.2f ms\n",
      grids, workers, setup_s, fix_events, fix_wall, fix_events / fix_wall, events_per_core,
      2 * orders, order_wall, 2 * orders / order_wall, order_events_per_core, workers,
      district.p50_ms, district.max_ms, street.p50_ms, street.max_ms);
  if (pg.p50_ms >= 0) {
    std::cout << absl::StrFormat(
        "baseline PostgreSQL, same snapshot as SQL: p50 %.2f ms, max %.2f ms (%.1fx Gridwork's "
        "p50)\n",
        pg.p50_ms, pg.max_ms, pg.p50_ms / district.p50_ms);
  }
  std::cout << absl::StrFormat("rss: %.0f MiB\n", rss);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << absl::StrFormat(
        "{\"events_per_s_per_core\": %.0f, \"order_events_per_s_per_core\": %.0f, "
        "\"fix_events_per_s_wall\": %.0f, \"snapshot_ms_100k\": %.3f, \"snapshot_max_ms\": %.3f, "
        "\"street_snapshot_ms\": %.3f, \"postgres_snapshot_ms\": %.3f, \"rss_mib\": %.0f, "
        "\"workers\": %d, \"units\": {\"events_per_s_per_core\": \"events/CPU-s\", "
        "\"snapshot_ms_100k\": \"ms (p50)\", \"rss_mib\": \"MiB\"}}\n",
        events_per_core, order_events_per_core, fix_events / fix_wall, district.p50_ms,
        district.max_ms, street.p50_ms, pg.p50_ms, rss, workers);
  }
  return 0;
}

}  // namespace
}  // namespace gridwork::analytics

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return gridwork::analytics::Run();
}
