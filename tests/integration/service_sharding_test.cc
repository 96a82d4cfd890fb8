// Services following every shard of a differently keyed peer (docs/operations.md, "Shard"),
// over real processes: two gridwork-location shards (w0, w1) and two gridwork-geofence shards
// (d0 = district 410105, d1 = district 410122, side by side), all started with one routing
// file. Worker A (on w0, bound in d0) and worker B (on w1, bound in d1) each cross into the
// other district. Each fence event comes from the shard that owns its grid, exactly once;
// each location shard learns the current grid from both geofence shards, whatever the order
// of their events; geofence-d0, stopped while the workers cross and restarted, resumes both
// of its per-shard cursors without a duplicate event. analytics-d0 follows both location
// shards and counts only the worker bound in d0. The track source inspection uses with a
// routing file asks each worker's track of the worker's own location shard.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/clients/track_source.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/core/routing_config.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/wait_for.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace lv1 = location::v1;
using common::v1::ROLE_ADMIN;
using common::v1::ROLE_GRID_WORKER;
using common::v1::ROLE_SERVICE;

constexpr char kD0Grid1[] = "410105/s01/c01/g01";
constexpr char kD0Grid2[] = "410105/s01/c01/g02";
constexpr char kD1Grid1[] = "410122/s01/c01/g01";
constexpr char kD1Grid2[] = "410122/s01/c01/g02";

std::string Square(const std::string& id, const std::string& level, double lng0, double lng1) {
  constexpr double lat0 = 34.70, lat1 = 34.71;
  return absl::StrFormat(
      R"({"type":"Feature","properties":{"id":"%s","level":"%s"},"geometry":{"type":"Polygon",)"
      R"("coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}})",
      id, level, lng0, lat0, lng1, lat0, lng1, lat1, lng0, lat1, lng0, lat0);
}

// A district of two grids, each 0.01° wide, starting at lng0.
std::string District(const std::string& code, double lng0) {
  const double mid = lng0 + 0.01, end = lng0 + 0.02;
  return absl::StrCat(R"({"type":"FeatureCollection","features":[)",
                      Square(code, "district", lng0, end), ",",
                      Square(code + "/s01", "street", lng0, end), ",",
                      Square(code + "/s01/c01", "community", lng0, end), ",",
                      Square(code + "/s01/c01/g01", "grid", lng0, mid), ",",
                      Square(code + "/s01/c01/g02", "grid", mid, end), "]}");
}

// (worker, kind, grid) of every FenceEvent in a geofence shard's feed, counted.
using EventKey = std::tuple<std::string, std::string, std::string>;
std::map<EventKey, int> FenceEvents(const std::string& address) {
  auto feed = common::v1::Feed::NewStub(rpc::MakeChannel(address));
  common::v1::FeedInfo info;
  REQUIRE(feed->GetFeedInfo(As(MakePrincipal(ROLE_SERVICE)).get(), {}, &info).ok());
  std::map<EventKey, int> out;
  if (info.last_sequence() == 0) return out;
  common::v1::WatchRequest req;
  req.set_from_sequence(1);
  auto ctx = As(MakePrincipal(ROLE_SERVICE));
  auto stream = feed->Watch(ctx.get(), req);
  common::v1::FeedEvent e;
  while (stream->Read(&e)) {
    gv1::FenceEvent fe;
    if (e.payload().UnpackTo(&fe)) {
      ++out[{fe.worker_id(), gv1::FenceEventKind_Name(fe.kind()), fe.grid_id()}];
    }
    if (e.sequence() >= info.last_sequence()) break;
  }
  ctx->TryCancel();
  return out;
}

std::string Describe(const std::map<EventKey, int>& events) {
  std::vector<std::string> parts;
  for (const auto& [k, n] : events) {
    parts.push_back(
        absl::StrCat(std::get<0>(k), " ", std::get<1>(k), " ", std::get<2>(k), " x", n));
  }
  return absl::StrJoin(parts, "; ");
}

std::string GridOf(const std::string& location, const std::string& worker) {
  auto stub = lv1::LocationService::NewStub(rpc::MakeChannel(location));
  lv1::GetLastPositionsRequest req;
  req.add_worker_ids(worker);
  lv1::GetLastPositionsResponse resp;
  if (!stub->GetLastPositions(As(MakePrincipal(ROLE_SERVICE)).get(), req, &resp).ok() ||
      resp.positions_size() != 1) {
    return "(error)";
  }
  return resp.positions(0).grid_id();
}

// `n` fixes of `worker` at longitude `lng`, 10 s apart from `start`, through its own shard.
void Walk(const std::string& location, const std::string& worker, uint64_t batch_id, double lng,
          absl::Time start, int n) {
  auto stub = lv1::LocationService::NewStub(rpc::MakeChannel(location));
  lv1::FixBatch b;
  b.set_batch_id(batch_id);
  b.set_device_id("phone-" + worker);
  for (int i = 0; i < n; ++i) {
    lv1::DeviceFix* f = b.add_fixes();
    f->set_sequence(batch_id * 100 + i);
    *f->mutable_device_time() = service::ToProto(start + absl::Seconds(10 * i));
    f->mutable_position()->set_lat(34.705 + 1e-5 * i);
    f->mutable_position()->set_lng(lng);
    f->set_accuracy_m(5);
  }
  lv1::BatchAck ack;
  grpc::Status s =
      stub->IngestFixes(As(MakePrincipal(ROLE_GRID_WORKER, "", worker)).get(), b, &ack);
  INFO(worker << ": " << s.error_message() << " " << ack.error());
  REQUIRE(s.ok());
  REQUIRE(ack.rejections_size() == 0);
}

void Bind(const std::string& geofence, const std::string& worker, const std::string& grid) {
  auto stub = gv1::GeofenceService::NewStub(rpc::MakeChannel(geofence));
  gv1::BindWorkerRequest bind;
  bind.set_request_id("bind-" + worker);
  bind.set_worker_id(worker);
  bind.set_grid_id(grid);
  bind.set_role(gv1::BINDING_ROLE_WORKER);
  gv1::Binding binding;
  REQUIRE(stub->BindWorker(As(MakePrincipal(ROLE_ADMIN)).get(), bind, &binding).ok());
}

}  // namespace

TEST_CASE("services follow every shard of a differently keyed peer", "[integration]") {
  TempDir dir;
  const std::string w0_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string w1_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string d0_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string d1_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string analytics_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string routing_path = dir.path() + "/routing.yaml";
  {
    std::ofstream out(routing_path);
    out << "version: 1\nworker_shards: [w0, w1]\ndistrict_shards:\n  d0: [\"410105\"]\n"
        << "  d1: [\"410122\"]\nservices:\n"
        << "  location:\n    key: worker\n    shards:\n      w0: " << w0_addr
        << "\n      w1: " << w1_addr << "\n"
        << "  geofence:\n    key: district\n    shards:\n      d0: " << d0_addr
        << "\n      d1: " << d1_addr << "\n"
        << "  analytics:\n    key: district\n    shards:\n      d0: " << analytics_addr
        << "\n      d1: 127.0.0.1:1\n";
    // Not started here: analytics-d0's consumers of them retry in the background.
    for (const char* absent : {"workorder", "inspection"}) {
      out << "  " << absent << ":\n    key: district\n    shards:\n      d0: 127.0.0.1:1\n"
          << "      d1: 127.0.0.1:1\n";
    }
  }
  auto routing = LoadRoutingConfig(routing_path);
  REQUIRE(routing.ok());
  // A is on location shard w0 and bound in d0; B on w1 and bound in d1.
  const std::string a = "worker-2", b = "worker-1";
  REQUIRE(WorkerShardOf(*routing, a) == "w0");
  REQUIRE(WorkerShardOf(*routing, b) == "w1");

  auto location = [&](const std::string& shard, const std::string& addr) {
    return std::make_unique<ServiceProcess>(
        "gridwork-location",
        std::vector<std::string>{"--grpc_addr=" + addr, "--data_dir=" + dir.path() + "/" + shard,
                                 "--sync=false", "--routing_file=" + routing_path,
                                 "--shard=" + shard},
        std::vector<std::string>{KeyEnv()});
  };
  auto geofence = [&](const std::string& shard, const std::string& addr) {
    return std::make_unique<ServiceProcess>(
        "gridwork-geofence",
        std::vector<std::string>{"--grpc_addr=" + addr, "--data_dir=" + dir.path() + "/" + shard,
                                 "--sync=false", "--exit_dwell=5s",
                                 "--routing_file=" + routing_path, "--shard=" + shard},
        std::vector<std::string>{KeyEnv()});
  };
  auto w0 = location("w0", w0_addr);
  auto w1 = location("w1", w1_addr);
  auto d0 = geofence("d0", d0_addr);
  auto d1 = geofence("d1", d1_addr);
  ServiceProcess analytics(
      "gridwork-analytics",
      {"--grpc_addr=" + analytics_addr, "--data_dir=" + dir.path() + "/analytics-d0",
       "--sync=false", "--routing_file=" + routing_path, "--shard=d0"},
      {KeyEnv()});
  for (ServiceProcess* p : {w0.get(), w1.get(), d0.get(), d1.get(), &analytics}) {
    absl::Status s = p->Start();
    INFO(s.message());
    REQUIRE(s.ok());
  }

  // Each geofence shard holds its own district: d0 west of 113.62, d1 east of it.
  for (auto [addr, code, lng0] :
       {std::make_tuple(d0_addr, "410105", 113.60), std::make_tuple(d1_addr, "410122", 113.62)}) {
    auto stub = gv1::GeofenceService::NewStub(rpc::MakeChannel(addr));
    gv1::ImportRegionsRequest import;
    import.set_request_id("import");
    import.set_geojson(District(code, lng0));
    gv1::ImportRegionsResponse imported;
    REQUIRE(stub->ImportRegions(As(MakePrincipal(ROLE_ADMIN)).get(), import, &imported).ok());
  }
  Bind(d0_addr, a, kD0Grid1);
  Bind(d1_addr, b, kD1Grid1);

  // 1. Each in its own district: A in d0/g01 (own grid), B in d1/g02 (not its own).
  // Every fix (t0 .. t0 + 80 s) in the current hour, so that analytics counts a worker once
  // per hour; at most 80 s ahead of now, well within location's --future_skew of 2 min.
  const absl::Time now = absl::Now();
  const absl::Time hour = absl::FromUnixSeconds(absl::ToUnixSeconds(now) / 3600 * 3600);
  const absl::Time t0 = absl::FromUnixMillis(
      absl::ToUnixMillis(std::max(now - absl::Minutes(3), hour + absl::Seconds(1))));
  Walk(w0_addr, a, 1, 113.605, t0, 2);
  Walk(w1_addr, b, 1, 113.635, t0, 2);
  CHECK(WaitFor([&] { return GridOf(w0_addr, a) == kD0Grid1; }));
  CHECK(WaitFor([&] { return GridOf(w1_addr, b) == kD1Grid2; }));

  // 2. geofence-d0 stops; both cross the border. d1 alone sees A enter its grid: location w0
  //    learns it before d0's EXIT for the grid A left.
  REQUIRE(d0->Stop() == 0);
  Walk(w0_addr, a, 2, 113.625, t0 + absl::Minutes(1), 3);  // into d1/g01
  Walk(w1_addr, b, 2, 113.615, t0 + absl::Minutes(1), 3);  // into d0/g02
  CHECK(WaitFor([&] { return GridOf(w0_addr, a) == kD1Grid1; }));
  // B left d1/g02 for a grid d1 does not have: d1's EXIT clears it.
  CHECK(WaitFor([&] { return GridOf(w1_addr, b).empty(); }));

  // 3. geofence-d0 restarts and resumes both cursors: A's EXIT from d0 arrives after d1's
  //    ENTER and must not clear A's grid; B's ENTER of d0/g02 reaches location w1.
  d0 = geofence("d0", d0_addr);
  {
    absl::Status s = d0->Start();
    INFO(s.message());
    REQUIRE(s.ok());
  }
  CHECK(WaitFor([&] { return GridOf(w1_addr, b) == kD0Grid2; }));
  const std::map<EventKey, int> want_d0 = {
      {{a, "FENCE_EVENT_KIND_ENTER_GRID", kD0Grid1}, 1},
      {{a, "FENCE_EVENT_KIND_EXIT_GRID", kD0Grid1}, 1},
      {{a, "FENCE_EVENT_KIND_LEFT_OWN_GRID", kD0Grid1}, 1},
      {{b, "FENCE_EVENT_KIND_ENTER_GRID", kD0Grid2}, 1},
  };
  const std::map<EventKey, int> want_d1 = {
      {{a, "FENCE_EVENT_KIND_ENTER_GRID", kD1Grid1}, 1},
      {{b, "FENCE_EVENT_KIND_ENTER_GRID", kD1Grid2}, 1},
      {{b, "FENCE_EVENT_KIND_LEFT_OWN_GRID", kD1Grid1}, 1},
      {{b, "FENCE_EVENT_KIND_EXIT_GRID", kD1Grid2}, 1},
  };
  CHECK(WaitFor([&] { return FenceEvents(d0_addr) == want_d0; }));
  INFO("d0: " << Describe(FenceEvents(d0_addr)));
  INFO("d1: " << Describe(FenceEvents(d1_addr)));
  CHECK(FenceEvents(d0_addr) == want_d0);
  CHECK(FenceEvents(d1_addr) == want_d1);
  // Both location shards have consumed both geofence shards: A stays in d1/g01.
  // (No signal tells when w0 applied d0's EXIT for A; consumers apply within milliseconds.)
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(GridOf(w0_addr, a) == kD1Grid1);
  CHECK(GridOf(w1_addr, b) == kD0Grid2);

  // 4. Per-shard consumers with their own cursors, in both directions (their lag gauges).
  const std::string d0_metrics = HttpGet(d0->metrics_port(), "/metrics");
  CHECK(d0_metrics.find("consumer=\"geofence<-location/w0\"") != std::string::npos);
  CHECK(d0_metrics.find("consumer=\"geofence<-location/w1\"") != std::string::npos);
  const std::string w1_metrics = HttpGet(w1->metrics_port(), "/metrics");
  CHECK(w1_metrics.find("consumer=\"location<-geofence/d0\"") != std::string::npos);
  CHECK(w1_metrics.find("consumer=\"location<-geofence/d1\"") != std::string::npos);

  // 5. analytics-d0 applied both workers' fixes (two batches from each location shard) and
  //    counts only A, the worker bound in d0: B's fixes are another district's.
  auto stats = analytics::v1::AnalyticsService::NewStub(rpc::MakeChannel(analytics_addr));
  CHECK(WaitFor([&] {
    analytics::v1::RebuildStatus status;
    if (!stats->GetRebuildStatus(As(MakePrincipal(ROLE_ADMIN)).get(), {}, &status).ok()) {
      return false;
    }
    std::map<std::string, uint64_t> applied;
    for (const auto& c : status.consumers()) applied[c.consumer()] = c.events_applied();
    return applied["analytics<-location/w0"] >= 2 && applied["analytics<-location/w1"] >= 2;
  }));
  analytics::v1::Cockpit cockpit;
  REQUIRE(stats->GetCockpit(As(MakePrincipal(ROLE_ADMIN)).get(), {}, &cockpit).ok());
  int active = 0;
  for (int32_t n : cockpit.online_by_hour()) active += n;
  CHECK(active == 1);
  CHECK(cockpit.total().workers_online() == 1);

  // 6. inspection's track source: each worker's 5 fixes from the worker's own shard (asking
  //    location w0 alone, as before, finds nothing of B).
  static const rpc::PrincipalCodec codec(kTestKey);
  auto tracks =
      clients::NewShardedLocationTrackSource(*routing, &codec, "inspection", absl::Seconds(10));
  REQUIRE(tracks.ok());
  for (const std::string& worker : {a, b}) {
    auto track = (*tracks)->Track(worker, t0 - absl::Minutes(1), t0 + absl::Minutes(5));
    INFO(worker << ": " << track.status().message());
    REQUIRE(track.ok());
    CHECK(track->size() == 5);
  }
  auto w0_only = clients::NewLocationTrackSource(w0_addr, &codec, "inspection", absl::Seconds(10));
  auto b_on_w0 = w0_only->Track(b, t0 - absl::Minutes(1), t0 + absl::Minutes(5));
  REQUIRE(b_on_w0.ok());
  CHECK(b_on_w0->empty());

  // 7. Another restart replays nothing: the feeds stay exactly as they were.
  REQUIRE(d0->Stop() == 0);
  d0 = geofence("d0", d0_addr);
  REQUIRE(d0->Start().ok());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(FenceEvents(d0_addr) == want_d0);
  CHECK(FenceEvents(d1_addr) == want_d1);
}

}  // namespace gridwork::testing
