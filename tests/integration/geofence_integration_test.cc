// The real gridwork-geofence binary on 127.0.0.1:0 with a temporary RocksDB store, called
// over real gRPC: import, Locate, bindings, key points, fence evaluation across a restart,
// the feed, health, /metrics, and hostile input, each with the exact status code expected.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/small_tree.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
using common::v1::ROLE_ADMIN;
using common::v1::ROLE_GRID_LEADER;
using common::v1::ROLE_GRID_WORKER;
using common::v1::ROLE_SERVICE;




struct Geofence {
  TempDir dir;
  ServiceProcess process{"gridwork-geofence",
                         {"--data_dir=" + dir.path(), "--sync=false", "--exit_dwell=20s"},
                         {KeyEnv()}};
  std::unique_ptr<gv1::GeofenceService::Stub> stub;

  Geofence() { Connect(); }
  void Connect() {
    auto started = process.Start();
    INFO(started.message());
    REQUIRE(started.ok());
    stub = gv1::GeofenceService::NewStub(rpc::MakeChannel(process.grpc_target()));
  }
  grpc::Status Import(const std::string& geojson, const std::string& request_id,
                      gv1::ImportRegionsResponse* resp = nullptr,
                      common::v1::Role role = ROLE_ADMIN, const std::string& scope = "") {
    gv1::ImportRegionsRequest req;
    req.set_request_id(request_id);
    req.set_geojson(geojson);
    gv1::ImportRegionsResponse local;
    return stub->ImportRegions(As(MakePrincipal(role, scope)).get(), req,
                               resp ? resp : &local);
  }
  int RegionCount() {
    gv1::ListRegionsRequest req;
    req.set_recursive(true);
    req.set_page_size(1000);
    gv1::ListRegionsResponse resp;
    REQUIRE(stub->ListRegions(As(MakePrincipal(ROLE_ADMIN)).get(), req, &resp).ok());
    return resp.regions_size();
  }
};

gv1::LocateRequest LocateAt(double lat, double lng) {
  gv1::LocateRequest req;
  *req.mutable_position() = At(lat, lng);
  return req;
}

common::v1::Fix MakeFix(const std::string& worker, double lat, double lng, absl::Time t,
                        uint64_t seq) {
  common::v1::Fix f;
  f.set_worker_id(worker);
  f.set_device_id("dev-" + worker);
  f.set_sequence(seq);
  *f.mutable_device_time() = service::ToProto(t);
  f.mutable_position()->set_lat(lat);
  f.mutable_position()->set_lng(lng);
  f.set_accuracy_m(8);
  return f;
}

}  // namespace

TEST_CASE("import, locate, list and export over real gRPC", "[integration]") {
  Geofence g;
  gv1::ImportRegionsResponse imported;
  REQUIRE(g.Import(SmallTree(), "import-1", &imported).ok());
  REQUIRE(imported.created() == 5);

  gv1::LocateResponse loc;
  REQUIRE(g.stub->Locate(As(MakePrincipal(ROLE_GRID_WORKER)).get(), LocateAt(34.72, 113.61), &loc).ok());
  REQUIRE(loc.found());
  REQUIRE(loc.region().id() == "410105/s01/c01/g01");
  REQUIRE(loc.path_size() == 4);
  REQUIRE(loc.path(0).id() == "410105");
  REQUIRE(g.stub->Locate(As(MakePrincipal(ROLE_GRID_WORKER)).get(), LocateAt(34.72, 113.64), &loc).ok());
  REQUIRE(loc.region().id() == "410105/s01/c01/g02");
  REQUIRE(g.stub->Locate(As(MakePrincipal(ROLE_GRID_WORKER)).get(), LocateAt(30.0, 100.0), &loc).ok());
  REQUIRE_FALSE(loc.found());

  gv1::BatchLocateRequest batch;
  *batch.add_positions() = LocateAt(34.72, 113.61).position();
  *batch.add_positions() = LocateAt(34.72, 113.64).position();
  gv1::BatchLocateResponse batch_resp;
  REQUIRE(g.stub->BatchLocate(As(MakePrincipal(ROLE_SERVICE)).get(), batch, &batch_resp).ok());
  REQUIRE(batch_resp.results(1).region().id() == "410105/s01/c01/g02");

  // Pagination: 5 regions in pages of 2.
  gv1::ListRegionsRequest list;
  list.set_recursive(true);
  list.set_page_size(2);
  std::vector<std::string> ids;
  do {
    gv1::ListRegionsResponse page;
    REQUIRE(g.stub->ListRegions(As(MakePrincipal(ROLE_ADMIN)).get(), list, &page).ok());
    REQUIRE(page.regions_size() <= 2);
    for (const auto& r : page.regions()) {
      ids.push_back(r.id());
      REQUIRE(r.geometry().polygons_size() == 0);  // BASIC view in lists
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  REQUIRE(ids.size() == 5);
  // Export and re-import is a no-op replace with identical geometry.
  gv1::ExportRegionsResponse exported;
  REQUIRE(g.stub->ExportRegions(As(MakePrincipal(ROLE_ADMIN)).get(), {}, &exported).ok());
  REQUIRE(exported.region_count() == 5);
  gv1::ImportRegionsResponse again;
  REQUIRE(g.Import(exported.geojson(), "import-2", &again).ok());
  REQUIRE(again.replaced() == 5);
  REQUIRE(g.stub->Locate(As(MakePrincipal(ROLE_GRID_WORKER)).get(), LocateAt(34.72, 113.61), &loc).ok());
  REQUIRE(loc.region().id() == "410105/s01/c01/g01");
  REQUIRE(g.process.Stop() == 0);
}

TEST_CASE("bad input gets a precise status and changes nothing", "[integration]") {
  Geofence g;
  REQUIRE(g.Import(SmallTree(), "import-1").ok());
  auto worker = As(MakePrincipal(ROLE_GRID_WORKER));
  gv1::LocateResponse loc;

  SECTION("coordinates") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (auto req : {LocateAt(nan, 113.6), LocateAt(91, 113.6), LocateAt(34.7, -181), LocateAt(34.7, INFINITY)}) {
      auto s = g.stub->Locate(As(MakePrincipal(ROLE_GRID_WORKER)).get(), req, &loc);
      REQUIRE(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    }
    REQUIRE(g.stub->Locate(As(MakePrincipal(ROLE_GRID_WORKER)).get(), gv1::LocateRequest(), &loc)
                .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }

  SECTION("malformed and invalid polygons are rejected whole, naming the feature") {
    const std::string bowtie =
        R"({"type":"Feature","properties":{"id":"410105/s01/c01/g03","level":"grid"},)"
        R"("geometry":{"type":"Polygon","coordinates":[[[113.60,34.70],[113.61,34.71],)"
        R"([113.61,34.70],[113.60,34.71],[113.60,34.70]]]}})";
    const std::string good = SquareFeature("410105/s02", "street", 113.70, 34.70, 113.71, 34.71);
    gv1::ImportRegionsResponse resp;
    grpc::Status s = g.Import(Collection({good, bowtie}), "bad-1", &resp);
    REQUIRE(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    REQUIRE(s.error_message().find("410105/s01/c01/g03") != std::string::npos);
    INFO(s.error_message());
    REQUIRE(s.error_message().find("SELF_INTERSECTION") != std::string::npos);
    // The good street was outside its district too; neither was written.
    REQUIRE(s.error_message().find("NOT_INSIDE_PARENT") != std::string::npos);
    gv1::GetRegionRequest get;
    get.set_id("410105/s02");
    gv1::Region r;
    REQUIRE(g.stub->GetRegion(As(MakePrincipal(ROLE_ADMIN)).get(), get, &r).error_code() ==
            grpc::StatusCode::NOT_FOUND);

    REQUIRE(g.Import("{not json", "bad-2").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    REQUIRE(g.Import(R"({"type":"FeatureCollection","features":[]})", "bad-3").error_code() ==
            grpc::StatusCode::INVALID_ARGUMENT);
    REQUIRE(g.Import(Collection({SquareFeature("410105/s01/c01/g09", "grid", 113.61, 34.71,
                                               113.62, 34.72)}),
                     "bad-4")
                .error_code() == grpc::StatusCode::INVALID_ARGUMENT);  // overlaps g01
    REQUIRE(g.Import(Collection({SquareFeature("Bad Id", "grid", 1, 1, 2, 2)}), "bad-5")
                .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    REQUIRE(g.Import(Collection({SquareFeature("999999/s01", "street", 1, 1, 2, 2)}), "bad-6")
                .error_code() == grpc::StatusCode::INVALID_ARGUMENT);  // unknown parent
    REQUIRE(g.RegionCount() == 5);  // nothing of the rejected imports was written
  }

  SECTION("validate_only reports the issues and writes nothing") {
    gv1::ImportRegionsRequest req;
    req.set_validate_only(true);
    req.set_geojson(Collection(
        {SquareFeature("410105/s01/c01/g09", "grid", 113.61, 34.71, 113.62, 34.72)}));
    gv1::ImportRegionsResponse resp;
    REQUIRE(g.stub->ImportRegions(As(MakePrincipal(ROLE_ADMIN)).get(), req, &resp).ok());
    REQUIRE(resp.has_errors());
    REQUIRE(resp.issues(0).code() == "OVERLAPS_SIBLING");
    REQUIRE(resp.issues(0).area_m2() > 1e5);
  }

  SECTION("oversized messages are refused before the service sees them") {
    std::string huge(40 << 20, ' ');
    REQUIRE(g.Import(huge, "huge").error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  }

  SECTION("unknown ids") {
    gv1::GetRegionRequest get;
    get.set_id("410105/s09");
    gv1::Region r;
    REQUIRE(g.stub->GetRegion(As(MakePrincipal(ROLE_ADMIN)).get(), get, &r).error_code() ==
            grpc::StatusCode::NOT_FOUND);
    gv1::BindWorkerRequest bind;
    bind.set_request_id("b1");
    bind.set_worker_id("w1");
    bind.set_grid_id("410105/s01/c01/g99");
    bind.set_role(gv1::BINDING_ROLE_WORKER);
    gv1::Binding b;
    REQUIRE(g.stub->BindWorker(As(MakePrincipal(ROLE_ADMIN)).get(), bind, &b).error_code() ==
            grpc::StatusCode::NOT_FOUND);
    gv1::GetWorkerStateRequest ws;
    ws.set_worker_id("nobody");
    gv1::WorkerState state;
    REQUIRE(g.stub->GetWorkerState(As(MakePrincipal(ROLE_ADMIN)).get(), ws, &state)
                .error_code() == grpc::StatusCode::NOT_FOUND);
  }

  SECTION("authentication and authorisation") {
    gv1::ImportRegionsRequest req;
    req.set_geojson(SmallTree());
    req.set_request_id("x");
    gv1::ImportRegionsResponse resp;
    grpc::ClientContext anonymous;
    anonymous.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    REQUIRE(g.stub->ImportRegions(&anonymous, req, &resp).error_code() ==
            grpc::StatusCode::UNAUTHENTICATED);
    auto expired = MakePrincipal(ROLE_ADMIN, "", "tester", -absl::Minutes(1));
    REQUIRE(g.stub->ImportRegions(As(expired).get(), req, &resp).error_code() ==
            grpc::StatusCode::UNAUTHENTICATED);
    REQUIRE(g.stub->ImportRegions(As(MakePrincipal(ROLE_GRID_WORKER)).get(), req, &resp)
                .error_code() == grpc::StatusCode::PERMISSION_DENIED);

    // A grid leader of g01 cannot bind workers in g02 (another grid's data).
    gv1::BindWorkerRequest bind;
    bind.set_request_id("b2");
    bind.set_worker_id("w1");
    bind.set_grid_id("410105/s01/c01/g02");
    bind.set_role(gv1::BINDING_ROLE_WORKER);
    gv1::Binding b;
    REQUIRE(g.stub->BindWorker(As(MakePrincipal(ROLE_GRID_LEADER, "410105/s01/c01/g01")).get(),
                               bind, &b)
                .error_code() == grpc::StatusCode::PERMISSION_DENIED);
    gv1::GetRegionRequest get;
    get.set_id("410105/s01/c01/g02");
    gv1::Region r;
    REQUIRE(g.stub->GetRegion(As(MakePrincipal(ROLE_GRID_LEADER, "410105/s01/c01/g01")).get(),
                              get, &r)
                .error_code() == grpc::StatusCode::PERMISSION_DENIED);
  }

  SECTION("idempotency: retry replays, reuse with another payload is refused") {
    gv1::BindWorkerRequest bind;
    bind.set_request_id("bind-once");
    bind.set_worker_id("w1");
    bind.set_grid_id("410105/s01/c01/g01");
    bind.set_role(gv1::BINDING_ROLE_WORKER);
    gv1::Binding first, second;
    REQUIRE(g.stub->BindWorker(As(MakePrincipal(ROLE_ADMIN)).get(), bind, &first).ok());
    REQUIRE(g.stub->BindWorker(As(MakePrincipal(ROLE_ADMIN)).get(), bind, &second).ok());
    REQUIRE(first.bind_time().seconds() == second.bind_time().seconds());
    REQUIRE(first.bind_time().nanos() == second.bind_time().nanos());
    bind.set_role(gv1::BINDING_ROLE_LEADER);
    REQUIRE(g.stub->BindWorker(As(MakePrincipal(ROLE_ADMIN)).get(), bind, &second)
                .error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  }

  SECTION("stale key point versions are ABORTED") {
    gv1::PutKeyPointRequest put;
    put.set_request_id("kp-create");
    put.mutable_key_point()->set_name("网吧 (九小场所)");
    put.mutable_key_point()->set_kind(gv1::KEY_POINT_KIND_SMALL_VENUE);
    put.mutable_key_point()->mutable_position()->set_lat(34.72);
    put.mutable_key_point()->mutable_position()->set_lng(113.61);
    put.mutable_key_point()->set_radius_m(30);
    gv1::KeyPoint kp;
    REQUIRE(g.stub->PutKeyPoint(As(MakePrincipal(ROLE_ADMIN)).get(), put, &kp).ok());
    REQUIRE(kp.grid_id() == "410105/s01/c01/g01");
    REQUIRE(kp.version() == 1);
    gv1::PutKeyPointRequest update;
    update.set_request_id("kp-update-1");
    *update.mutable_key_point() = kp;
    update.mutable_key_point()->set_radius_m(40);
    gv1::KeyPoint updated;
    REQUIRE(g.stub->PutKeyPoint(As(MakePrincipal(ROLE_ADMIN)).get(), update, &updated).ok());
    REQUIRE(updated.version() == 2);
    update.set_request_id("kp-update-2");  // still carries version 1
    REQUIRE(g.stub->PutKeyPoint(As(MakePrincipal(ROLE_ADMIN)).get(), update, &updated)
                .error_code() == grpc::StatusCode::ABORTED);
    put.set_request_id("kp-bad-radius");
    put.mutable_key_point()->set_radius_m(5000);
    REQUIRE(g.stub->PutKeyPoint(As(MakePrincipal(ROLE_ADMIN)).get(), put, &kp).error_code() ==
            grpc::StatusCode::INVALID_ARGUMENT);
  }

  SECTION("fixes: invalid ones are named, and only services may submit") {
    gv1::EvaluateFixesRequest req;
    *req.add_fixes() = MakeFix("w1", 34.72, 113.61, absl::Now(), 1);
    *req.add_fixes() = MakeFix("w1", NAN, 113.61, absl::Now(), 2);
    gv1::EvaluateFixesResponse resp;
    grpc::Status s = g.stub->EvaluateFixes(As(MakePrincipal(ROLE_SERVICE)).get(), req, &resp);
    REQUIRE(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    REQUIRE(s.error_message().find("fixes[1]") != std::string::npos);
    req.mutable_fixes()->RemoveLast();
    REQUIRE(g.stub->EvaluateFixes(As(MakePrincipal(ROLE_GRID_WORKER)).get(), req, &resp)
                .error_code() == grpc::StatusCode::PERMISSION_DENIED);
    gv1::GetWorkerStateRequest ws;
    ws.set_worker_id("w1");
    gv1::WorkerState state;
    REQUIRE(g.stub->GetWorkerState(As(MakePrincipal(ROLE_ADMIN)).get(), ws, &state)
                .error_code() == grpc::StatusCode::NOT_FOUND);  // nothing was evaluated
  }
  REQUIRE(g.process.Stop() == 0);
}

TEST_CASE("fence state survives a restart: no repeated, no lost transitions", "[integration]") {
  Geofence g;
  REQUIRE(g.Import(SmallTree(), "import-1").ok());
  gv1::BindWorkerRequest bind;
  bind.set_request_id("bind-w7");
  bind.set_worker_id("w7");
  bind.set_grid_id("410105/s01/c01/g01");
  bind.set_role(gv1::BINDING_ROLE_WORKER);
  gv1::Binding b;
  REQUIRE(g.stub->BindWorker(As(MakePrincipal(ROLE_ADMIN)).get(), bind, &b).ok());

  const absl::Time t0 = absl::FromUnixSeconds(1763884800);
  auto evaluate = [&](std::vector<common::v1::Fix> fixes) {
    gv1::EvaluateFixesRequest req;
    for (auto& f : fixes) *req.add_fixes() = f;
    gv1::EvaluateFixesResponse resp;
    grpc::Status s = g.stub->EvaluateFixes(As(MakePrincipal(ROLE_SERVICE)).get(), req, &resp);
    INFO(s.error_message());
    REQUIRE(s.ok());
    return resp;
  };
  // In g01, then clearly into g02: candidate pending when the service stops.
  auto r1 = evaluate({MakeFix("w7", 34.72, 113.61, t0, 1),
                      MakeFix("w7", 34.72, 113.64, t0 + absl::Seconds(5), 2)});
  REQUIRE(r1.events_size() == 1);  // ENTER g01
  REQUIRE(g.process.Stop() == 0);

  g.Connect();  // same data dir
  gv1::GetWorkerStateRequest ws;
  ws.set_worker_id("w7");
  gv1::WorkerState state;
  REQUIRE(g.stub->GetWorkerState(As(MakePrincipal(ROLE_ADMIN)).get(), ws, &state).ok());
  REQUIRE(state.current_grid_id() == "410105/s01/c01/g01");
  REQUIRE(state.has_candidate());

  auto r2 = evaluate({MakeFix("w7", 34.72, 113.64, t0 + absl::Seconds(30), 3)});
  REQUIRE(r2.events_size() == 3);  // EXIT g01, ENTER g02, LEFT_OWN_GRID
  REQUIRE(r2.events(0).kind() == gv1::FENCE_EVENT_KIND_EXIT_GRID);
  REQUIRE(r2.events(2).kind() == gv1::FENCE_EVENT_KIND_LEFT_OWN_GRID);
  // The same fix again (at-least-once delivery) adds nothing.
  REQUIRE(evaluate({MakeFix("w7", 34.72, 113.64, t0 + absl::Seconds(30), 3)}).events_size() == 0);

  // Presence follows the worker.
  gv1::ListWorkersInRegionRequest in_g02;
  in_g02.set_region_id("410105/s01/c01/g02");
  gv1::ListWorkersInRegionResponse present;
  REQUIRE(g.stub->ListWorkersInRegion(As(MakePrincipal(ROLE_ADMIN)).get(), in_g02, &present).ok());
  REQUIRE(present.workers_size() == 1);
  REQUIRE(present.workers(0).worker_id() == "w7");

  // The feed holds every change once, in commit order: the region and binding changes,
  // then the four fence events.
  auto feed = common::v1::Feed::NewStub(rpc::MakeChannel(g.process.grpc_target()));
  common::v1::WatchRequest watch;
  watch.set_from_sequence(1);
  watch.add_types("gridwork.geofence.v1.FenceEvent");
  auto ctx = As(MakePrincipal(ROLE_SERVICE));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  auto reader = feed->Watch(ctx.get(), watch);
  std::vector<gv1::FenceEventKind> kinds;
  common::v1::FeedEvent ev;
  uint64_t last_seq = 0;
  while (kinds.size() < 4 && reader->Read(&ev)) {
    REQUIRE(ev.sequence() > last_seq);
    last_seq = ev.sequence();
    gv1::FenceEvent fe;
    REQUIRE(ev.payload().UnpackTo(&fe));
    kinds.push_back(fe.kind());
  }
  ctx->TryCancel();
  REQUIRE(kinds == std::vector<gv1::FenceEventKind>{
                       gv1::FENCE_EVENT_KIND_ENTER_GRID, gv1::FENCE_EVENT_KIND_EXIT_GRID,
                       gv1::FENCE_EVENT_KIND_ENTER_GRID, gv1::FENCE_EVENT_KIND_LEFT_OWN_GRID});
  REQUIRE(g.process.Stop() == 0);
}

TEST_CASE("health, metrics and graceful shutdown", "[integration]") {
  Geofence g;
  auto health = grpc::health::v1::Health::NewStub(rpc::MakeChannel(g.process.grpc_target()));
  grpc::health::v1::HealthCheckResponse h;
  auto hctx = rpc::NewCallContext(absl::Seconds(5));
  REQUIRE(health->Check(hctx.get(), {}, &h).ok());
  REQUIRE(h.status() == grpc::health::v1::HealthCheckResponse::SERVING);

  REQUIRE(g.Import(SmallTree(), "import-1").ok());
  gv1::LocateResponse loc;
  REQUIRE(g.stub->Locate(As(MakePrincipal(ROLE_GRID_WORKER)).get(), LocateAt(34.72, 113.61), &loc).ok());
  REQUIRE(g.stub->Locate(As(MakePrincipal(ROLE_GRID_WORKER)).get(), LocateAt(95, 113.61), &loc)
              .error_code() == grpc::StatusCode::INVALID_ARGUMENT);

  std::string metrics = HttpGet(g.process.metrics_port(), "/metrics");
  REQUIRE(metrics.find(R"(gridwork_rpc_requests_total{code="OK",method="/gridwork.geofence.v1.GeofenceService/Locate"} 1)") != std::string::npos);
  REQUIRE(metrics.find(R"(gridwork_rpc_requests_total{code="INVALID_ARGUMENT",method="/gridwork.geofence.v1.GeofenceService/Locate"} 1)") != std::string::npos);
  REQUIRE(metrics.find("gridwork_rpc_duration_seconds_bucket") != std::string::npos);
  REQUIRE(metrics.find(R"(gridwork_geofence_regions{level="grid"} 2)") != std::string::npos);
  REQUIRE(metrics.find(R"(gridwork_geofence_locates_total{result="found"} 1)") != std::string::npos);

  // Structured logs: every line is a JSON object naming the service.
  std::string log = g.process.Log();
  REQUIRE(log.find(R"("service":"geofence","msg":"geofence serving")") != std::string::npos);

  // SIGTERM drains and exits 0, and the log says so.
  REQUIRE(g.process.Stop() == 0);
  REQUIRE(g.process.Log().find("geofence stopped") != std::string::npos);
}

TEST_CASE("--help lists the common flags with their defaults", "[integration]") {
  std::string out_path = TempDir().path() + "-help.txt";
  std::string cmd = BinDir() + "/gridwork-geofence --help > " + out_path + " 2>&1";
  std::system(cmd.c_str());
  std::ifstream in(out_path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string help = ss.str();
  for (const char* flag : {"--grpc_addr", "--metrics_addr", "--data_dir", "--principal_key_file",
                           "--exit_dwell"}) {
    INFO(flag);
    REQUIRE(help.find(flag) != std::string::npos);
  }
  REQUIRE(help.find("default: \"127.0.0.1:50052\"") != std::string::npos);
  std::remove(out_path.c_str());
}

}  // namespace gridwork::testing
