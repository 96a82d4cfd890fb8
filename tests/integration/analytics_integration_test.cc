// gridwork-analytics against the real geofence, location and workorder services over gRPC:
//   - the live cockpit stream reflects a fix within a second, and orders, heatmap, coverage
//     and stats follow the feeds; scope is enforced over the wire;
//   - exactly once: while fixes and orders flow, analytics is SIGKILLed and restarted
//     repeatedly; at quiescence its aggregate digest equals that of a second analytics that
//     replayed the same feeds from scratch, and equals it again after a Rebuild.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "tests/integration/core_services.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/small_tree.h"

namespace gridwork::testing {
namespace {

namespace av1 = analytics::v1;
namespace gv1 = geofence::v1;
namespace lv1 = location::v1;
namespace wv1 = workorder::v1;
using common::v1::Principal;
using common::v1::Role;

std::string Why(const grpc::Status& s) {
  return absl::StrCat("status ", s.error_code(), ": ", s.error_message());
}

Principal Admin() { return MakePrincipal(common::v1::ROLE_ADMIN, "", "admin"); }
Principal Service() { return MakePrincipal(common::v1::ROLE_SERVICE, "", "gridsim"); }

struct Peers : CoreServices {
  int next_request = 0;
  std::atomic<uint64_t> next_fix{1};

  Peers() {
    StartCore();
    gv1::ImportRegionsRequest import;
    import.set_request_id("import-tree");
    import.set_geojson(SmallTree());
    gv1::ImportRegionsResponse imported;
    grpc::Status s = geo->ImportRegions(As(Admin()).get(), import, &imported);
    INFO(Why(s));
    REQUIRE(s.ok());
    for (const auto& [worker, grid] : std::vector<std::pair<std::string, std::string>>{
             {"w1", kG01}, {"w2", kG01}, {"w3", kG02}, {"w4", kG02}}) {
      gv1::BindWorkerRequest bind;
      bind.set_request_id(absl::StrCat("bind-", worker));
      bind.set_worker_id(worker);
      bind.set_grid_id(grid);
      bind.set_role(gv1::BINDING_ROLE_WORKER);
      gv1::Binding out;
      s = geo->BindWorker(As(Admin()).get(), bind, &out);
      INFO(Why(s));
      REQUIRE(s.ok());
    }
    for (const auto& [id, parent] :
         std::vector<std::pair<std::string, std::string>>{{"env", ""}, {"env.garbage", "env"}}) {
      wv1::UpsertCategoryRequest req;
      req.set_request_id(absl::StrCat("category-", id));
      wv1::Category* c = req.mutable_category();
      c->set_id(id);
      c->set_parent_id(parent);
      c->set_name(id);
      c->set_default_department("urban");
      c->set_severity(wv1::SEVERITY_MEDIUM);
      *c->mutable_sla()->mutable_triage() = service::ToProto(absl::Hours(2));
      *c->mutable_sla()->mutable_accept() = service::ToProto(absl::Hours(4));
      *c->mutable_sla()->mutable_handle() = service::ToProto(absl::Hours(24));
      *c->mutable_sla()->mutable_review() = service::ToProto(absl::Hours(8));
      *c->mutable_sla()->mutable_verify() = service::ToProto(absl::Hours(48));
      wv1::Category out;
      s = wo->UpsertCategory(As(Admin()).get(), req, &out);
      INFO(Why(s));
      REQUIRE(s.ok());
    }
    wv1::UpsertDispatchRuleRequest rule;
    rule.set_request_id("rule-env");
    rule.mutable_rule()->set_id("r-env");
    rule.mutable_rule()->set_category_prefix("env");
    rule.mutable_rule()->set_department("urban");
    wv1::DispatchRule out;
    s = wo->UpsertDispatchRule(As(Admin()).get(), rule, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
  }

  // One fix of `worker` at (lat, lng), device time now. Returns the gRPC status.
  grpc::Status Fix(const std::string& worker, double lat, double lng) {
    lv1::FixBatch batch;
    batch.set_worker_id(worker);
    batch.set_device_id(worker + "-phone");
    lv1::DeviceFix* f = batch.add_fixes();
    f->set_sequence(next_fix++);
    *f->mutable_device_time() = service::ToProto(absl::Now());
    *f->mutable_position() = At(lat, lng);
    f->set_accuracy_m(8);
    lv1::BatchAck ack;
    return loc->IngestFixes(As(Service()).get(), batch, &ack);
  }

  grpc::Status Report(const std::string& reporter, double lat, double lng, std::string* id) {
    wv1::CreateOrderRequest req;
    req.set_request_id(absl::StrCat("report-", reporter, "-", next_request++));
    req.set_category_id("env.garbage");
    *req.mutable_position() = At(lat, lng);
    req.set_description("垃圾堆放");
    wv1::CreateOrderResponse resp;
    grpc::Status s = wo->CreateOrder(
        As(MakePrincipal(common::v1::ROLE_GRID_WORKER, kG01, reporter)).get(), req, &resp);
    if (s.ok() && id != nullptr) *id = resp.order().id();
    return s;
  }
};

std::unique_ptr<ServiceProcess> Analytics(const Peers& peers, const std::string& dir,
                                          const std::string& grpc_addr = "127.0.0.1:0") {
  return std::make_unique<ServiceProcess>(
      "gridwork-analytics",
      std::vector<std::string>{
          "--data_dir=" + dir, "--sync=true", "--grpc_addr=" + grpc_addr,
          "--location_addr=" + peers.location_addr, "--geofence_addr=" + peers.geofence_addr,
          "--workorder_addr=" + peers.workorder_addr, "--inspection_addr=", "--stream_deadline=5s"},
      std::vector<std::string>{KeyEnv()});
}

// Polls until `ok()` or `timeout`.
bool Eventually(const std::function<bool()>& ok, absl::Duration timeout = absl::Seconds(20)) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (ok()) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return ok();
}

av1::Cockpit GetCockpit(av1::AnalyticsService::Stub* a, const Principal& p,
                        const std::string& prefix = "") {
  av1::GetCockpitRequest req;
  req.set_region_prefix(prefix);
  av1::Cockpit c;
  grpc::Status s = a->GetCockpit(As(p).get(), req, &c);
  INFO(Why(s));
  REQUIRE(s.ok());
  return c;
}

// The digest once it has not changed for `quiet` (the consumers caught up and idle).
std::string QuiescentDigest(av1::AnalyticsService::Stub* a,
                            absl::Duration quiet = absl::Seconds(3)) {
  std::string last;
  absl::Time since = absl::Now();
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    av1::AggregateDigest d;
    grpc::Status s = a->GetAggregateDigest(As(Admin()).get(), {}, &d);
    if (s.ok()) {
      if (d.sha256_hex() != last) {
        last = d.sha256_hex();
        since = absl::Now();
      } else if (absl::Now() - since >= quiet) {
        return last;
      }
    }
    absl::SleepFor(absl::Milliseconds(250));
  }
  FAIL("analytics did not quiesce within 60 s");
  return last;
}

TEST_CASE("live cockpit, figures and scope over real gRPC", "[analytics][integration]") {
  Peers peers;
  TempDir dir;
  auto analytics = Analytics(peers, dir.path());
  auto started = analytics->Start();
  INFO(started.message());
  REQUIRE(started.ok());
  auto a = av1::AnalyticsService::NewStub(rpc::MakeChannel(analytics->grpc_target()));

  // The grids are rasterised and the bindings known before fixes flow.
  REQUIRE(Eventually([&] {
    av1::GetCoverageRequest req;
    av1::GetCoverageResponse resp;
    return a->GetCoverage(As(Admin()).get(), req, &resp).ok() && resp.grids_size() == 2 &&
           GetCockpit(a.get(), Admin()).total().workers_total() == 4;
  }));

  // Live stream: a fix shows up as an online worker within a second.
  grpc::ClientContext stream_ctx;
  static const rpc::PrincipalCodec codec(kTestKey);
  codec.Attach(Admin(), &stream_ctx);
  av1::StreamCockpitRequest sreq;
  auto reader = a->StreamCockpit(&stream_ctx, sreq);
  av1::Cockpit first;
  REQUIRE(reader->Read(&first));
  CHECK(first.total().workers_online() == 0);
  const absl::Time sent = absl::Now();
  REQUIRE(peers.Fix("w1", 34.72, 113.61).ok());
  av1::Cockpit update;
  absl::Duration latency = absl::InfiniteDuration();
  while (reader->Read(&update)) {
    if (update.total().workers_online() == 1) {
      latency = absl::Now() - sent;
      break;
    }
  }
  CHECK(update.total().workers_in_own_grid() == 1);
  CHECK(latency < absl::Seconds(1));
  WARN("fix -> cockpit stream: " << absl::FormatDuration(latency));
  stream_ctx.TryCancel();
  while (reader->Read(&update)) {
  }
  CHECK(reader->Finish().error_code() == grpc::StatusCode::CANCELLED);

  // An order: open in the cockpit, on the heatmap, in the stats with its department.
  std::string order_id;
  REQUIRE(peers.Report("w1", 34.73, 113.61, &order_id).ok());
  REQUIRE(Eventually([&] { return GetCockpit(a.get(), Admin()).total().orders_open() == 1; }));
  av1::Cockpit c = GetCockpit(a.get(), Admin());
  CHECK(c.total().orders_reported_today() == 1);
  CHECK(c.orders_by_state().at(wv1::STATE_DISPATCHED) == 1);
  av1::GetHeatmapRequest hreq;
  av1::GetHeatmapResponse heat;
  REQUIRE(a->GetHeatmap(As(Admin()).get(), hreq, &heat).ok());
  REQUIRE(heat.cells_size() == 1);
  CHECK(heat.cells(0).center().lat() == Approx(34.73).margin(0.0005));
  CHECK(heat.cells(0).by_category().at("env.garbage") == 1);
  av1::GetOrderStatsRequest oreq;
  av1::GetOrderStatsResponse stats;
  REQUIRE(a->GetOrderStats(As(Admin()).get(), oreq, &stats).ok());
  CHECK(stats.total().dispatched() == 1);
  // Reported before any department had it (row ""), dispatched to urban (row "urban").
  REQUIRE(stats.rows_size() == 2);
  CHECK(stats.rows(0).key() == "");
  CHECK(stats.rows(0).reported() == 1);
  CHECK(stats.rows(1).key() == "urban");
  CHECK(stats.rows(1).dispatched() == 1);

  // Scope over the wire: a grid worker may not read the cockpit; a leader of g02 may not ask
  // for g01; a principal of another district gets nothing of this one.
  av1::GetCockpitRequest g01;
  g01.set_region_prefix(kG01);
  av1::Cockpit denied;
  CHECK(
      a->GetCockpit(As(MakePrincipal(common::v1::ROLE_GRID_WORKER, kG01, "w1")).get(), g01, &denied)
          .error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(
      a->GetCockpit(As(MakePrincipal(common::v1::ROLE_GRID_LEADER, kG02, "l2")).get(), g01, &denied)
          .error_code() == grpc::StatusCode::PERMISSION_DENIED);
  av1::Cockpit other =
      GetCockpit(a.get(), MakePrincipal(common::v1::ROLE_DISTRICT_COMMAND, "410106", "cmd-410106"));
  CHECK(other.total().workers_total() == 0);
  CHECK(other.total().orders_open() == 0);
  // No principal at all.
  grpc::ClientContext anonymous;
  CHECK(a->GetCockpit(&anonymous, av1::GetCockpitRequest(), &denied).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);

  // CSV export streams a header and the rows.
  av1::QuerySeriesRequest q;
  q.set_metric(av1::METRIC_FIXES);
  q.set_granularity(av1::GRANULARITY_HOUR);
  *q.mutable_from() = service::ToProto(absl::Now() - absl::Hours(2));
  *q.mutable_to() = service::ToProto(absl::Now() + absl::Hours(1));
  auto csv_ctx = As(Admin());  // must outlive the stream
  auto csv_reader = a->ExportSeriesCsv(csv_ctx.get(), q);
  std::string csv;
  av1::CsvChunk chunk;
  while (csv_reader->Read(&chunk)) csv += chunk.data();
  REQUIRE(csv_reader->Finish().ok());
  CHECK(csv.rfind("metric,group,period_start,value\r\n", 0) == 0);
  CHECK(csv.find("METRIC_FIXES,,") != std::string::npos);

  CHECK(analytics->Stop() == 0);
}

TEST_CASE("exactly once across kill -9, equal to a clean replay and to a rebuild",
          "[analytics][integration][crash]") {
  Peers peers;
  TempDir dir;
  const std::string addr = absl::StrCat("127.0.0.1:", PickFreePort());
  auto analytics = Analytics(peers, dir.path(), addr);
  REQUIRE(analytics->Start().ok());

  // Writers: four workers walking (a fix each ~20 ms) and a report every ~150 ms.
  std::atomic<bool> stop{false};
  std::atomic<int> fixes{0}, reports{0};
  std::thread walker([&] {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> step(-0.0004, 0.0004);
    double lat[4] = {34.71, 34.72, 34.73, 34.74};
    double lng[4] = {113.605, 113.615, 113.63, 113.64};
    for (int i = 0; !stop; ++i) {
      const int w = i % 4;
      lat[w] = std::clamp(lat[w] + step(rng), 34.701, 34.749);
      lng[w] = std::clamp(lng[w] + step(rng), w < 2 ? 113.601 : 113.626, w < 2 ? 113.624 : 113.649);
      if (peers.Fix(absl::StrCat("w", w + 1), lat[w], lng[w]).ok()) ++fixes;
      if (i % 8 == 0 && peers.Report(absl::StrCat("w", w + 1), lat[w], lng[w], nullptr).ok()) {
        ++reports;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  });

  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pause_ms(300, 1500);
  for (int cycle = 0; cycle < 5; ++cycle) {
    absl::SleepFor(absl::Milliseconds(pause_ms(rng)));
    analytics->Kill();
    analytics = Analytics(peers, dir.path(), addr);
    auto started = analytics->Start();
    INFO(started.message());
    REQUIRE(started.ok());
  }
  absl::SleepFor(absl::Milliseconds(500));
  stop = true;
  walker.join();
  WARN("while killing analytics 5 times: " << fixes.load() << " fixes, " << reports.load()
                                           << " reports");
  REQUIRE(fixes > 50);
  REQUIRE(reports > 5);

  auto a = av1::AnalyticsService::NewStub(rpc::MakeChannel(analytics->grpc_target()));
  const std::string survived = QuiescentDigest(a.get());

  TempDir clean_dir;
  auto clean = Analytics(peers, clean_dir.path());
  REQUIRE(clean->Start().ok());
  auto b = av1::AnalyticsService::NewStub(rpc::MakeChannel(clean->grpc_target()));
  const std::string replayed = QuiescentDigest(b.get());
  CHECK(survived == replayed);

  // The figures themselves agree with what was sent.
  av1::QuerySeriesRequest q;
  q.set_metric(av1::METRIC_FIXES);
  *q.mutable_from() = service::ToProto(absl::Now() - absl::Hours(48));
  *q.mutable_to() = service::ToProto(absl::Now() + absl::Hours(1));
  av1::QuerySeriesResponse s;
  REQUIRE(a->QuerySeries(As(Admin()).get(), q, &s).ok());
  CHECK(s.series(0).total() == fixes.load());

  // Rebuild drops everything and replays: the same digest again.
  av1::RebuildRequest rebuild;
  rebuild.set_request_id("rebuild-1");
  av1::RebuildStatus status;
  grpc::Status rs = a->Rebuild(As(Admin()).get(), rebuild, &status);
  INFO(Why(rs) << "\n" << analytics->Log());
  REQUIRE(rs.ok());
  CHECK(status.rebuilds() == 1);
  CHECK(QuiescentDigest(a.get()) == replayed);
  // A retry of the same rebuild request does not start over.
  REQUIRE(a->Rebuild(As(Admin()).get(), rebuild, &status).ok());
  CHECK(status.rebuilds() == 1);
  CHECK(a->Rebuild(As(MakePrincipal(common::v1::ROLE_DISTRICT_COMMAND)).get(), rebuild, &status)
            .error_code() == grpc::StatusCode::PERMISSION_DENIED);

  CHECK(analytics->Stop() == 0);
  CHECK(clean->Stop() == 0);
}

}  // namespace
}  // namespace gridwork::testing
