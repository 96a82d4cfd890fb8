#include "services/gateway/shard_router.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/location/v1/location.pb.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "gridwork/core/routing_config.h"

namespace gridwork::gateway {
namespace {

namespace gv1 = geofence::v1;
namespace lv1 = location::v1;

std::string ProdRoutingFile() {
  std::ifstream in(std::string(GRIDWORK_SOURCE_DIR) + "/k8s/overlays/prod/namespaced/routing.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

rpc::Principal Caller(common::v1::Role role, std::string subject = "", std::string scope = "") {
  rpc::Principal p;
  p.set_role(role);
  p.set_subject(std::move(subject));
  p.set_region_scope(std::move(scope));
  return p;
}

const rpc::Principal kAdmin = Caller(common::v1::ROLE_ADMIN, "admin");

// The shard id the router picks, or the status code's name if it refuses.
std::string Pick(const ShardRouter& r, Upstream u, const google::protobuf::Message& req,
                 const rpc::Principal& caller = kAdmin) {
  absl::StatusOr<ShardRouter::Target> t = r.RouteRequest(u, req, caller);
  if (!t.ok()) return absl::StatusCodeToString(t.status().code());
  REQUIRE(t->stub != nullptr);
  return t->shard;
}

TEST_CASE("FNV-1a 64 matches the reference vectors", "[routing]") {
  CHECK(Fnv1a64("") == 0xcbf29ce484222325ull);
  CHECK(Fnv1a64("a") == 0xaf63dc4c8601ec8cull);
  CHECK(Fnv1a64("foobar") == 0x85944171f73967e8ull);
  CHECK(Fnv1a64("worker-1") == 0x24913ec59027ebedull);
}

TEST_CASE("the prod routing file parses into the documented contract", "[routing]") {
  absl::StatusOr<RoutingConfig> c = ParseRoutingConfig(ProdRoutingFile());
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->version == 1);
  CHECK(c->worker_shards == std::vector<std::string>{"w0", "w1"});
  CHECK(c->district_shards == std::vector<std::string>{"d0", "d1"});
  CHECK(c->district_shard.at("410105") == "d0");
  CHECK(c->district_shard.at("410181") == "d1");
  CHECK(c->district_shard.size() == 12);
  REQUIRE(c->services.size() == 5);
  CHECK(c->services.at("location").key == ShardKey::kWorker);
  CHECK(c->services.at("location").shards[1] ==
        std::pair<std::string, std::string>{"w1", "location-w1:50051"});
  CHECK(c->services.at("workorder").key == ShardKey::kDistrict);
  CHECK(c->services.at("workorder").shards[0].second == "workorder-d0:50053");
}

TEST_CASE("routing files outside the contract are refused with the line", "[routing]") {
  const std::string ok = R"(version: 1
worker_shards: [w0, w1]
district_shards:
  d0: ["410105"]
  d1: ['410181', 410182]   # quotes optional
services:
  location:
    key: worker
    shards:
      w0: a:1
      w1: b:2
)";
  REQUIRE(ParseRoutingConfig(ok).ok());
  CHECK(ParseRoutingConfig(ok)->district_shard.at("410182") == "d1");
  struct Bad {
    std::string text;
    std::string message;
  };
  const Bad bad[] = {
      {"", "empty"},
      {"version: 2\n", "version 1"},
      {"version: 1\nworker_shards:\n  - w0\n", "line 3: block sequences"},
      {"version: 1\n\tworker_shards: [w0]\n", "tabs"},
      {"version: 1\nversion: 1\n", "line 2: duplicate key"},
      {"version: 1\nworker_shards: [w0\n", "must end with ']'"},
      {"version: 1\nworker_shards: [w0, w0]\n", "unique"},
      {"version: 1\nworker_shards: [w0]\ndistrict_shards:\n  d0: [\"1\"]\n  d1: [\"1\"]\n",
       "district 1 is in shards d0 and d1"},
      {"version: 1\nworker_shards: [w0]\ndistrict_shards:\n  d0: [\"1\"]\nservices:\n  "
       "search:\n    key: worker\n",
       "unknown service 'search'"},
      {"version: 1\nworker_shards: [w0, w1]\ndistrict_shards:\n  d0: [\"1\"]\nservices:\n  "
       "location:\n    key: worker\n    shards:\n      w0: a:1\n",
       "no address for shard w1"},
      {"version: 1\nworker_shards: [w0]\ndistrict_shards:\n  d0: [\"1\"]\nservices:\n  "
       "location:\n    key: worker\n    shards:\n      w0: a:1\n      d0: b:1\n",
       "shard d0 is not one of worker shards"},
      {"version: 1\nworker_shards: [w0]\ndistrict_shards:\n  d0: [\"1\"]\nservices:\n  "
       "geofence:\n    key: region\n",
       "key must be worker or district"},
      {"version: 1\n  worker_shards: [w0]\n", "indentation"},
      {"version: 1\nfoo: bar\n", "unknown key 'foo'"},
  };
  for (const Bad& b : bad) {
    INFO(b.text);
    absl::StatusOr<RoutingConfig> c = ParseRoutingConfig(b.text);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(c.status().message()), Catch::Contains(b.message));
  }
  CHECK(LoadRoutingConfig("/nonexistent/routing.yaml").status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("keys are taken from the request fields of each method", "[routing]") {
  lv1::GetTrackRequest track;
  track.set_worker_id("worker-1");
  CHECK(WorkerKeys(track) == std::vector<std::string>{"worker-1"});
  lv1::GetLastPositionsRequest last;
  last.add_worker_ids("a");
  last.add_worker_ids("");
  last.add_worker_ids("b");
  CHECK(WorkerKeys(last) == std::vector<std::string>{"a", "b"});
  CHECK(WorkerKeys(lv1::CountOnlineRequest()).empty());

  gv1::GetRegionRequest get;
  get.set_id("410105/s01/c01");
  CHECK(DistrictKey(get) == "410105/s01/c01");
  gv1::ListRegionsRequest list;
  list.set_parent_id("410181/x");
  CHECK(DistrictKey(list) == "410181/x");
  gv1::BindWorkerRequest bind;
  bind.set_worker_id("worker-1");
  bind.set_grid_id("410102/s/c/g");
  CHECK(DistrictKey(bind) == "410102/s/c/g");
  gv1::ExportRegionsRequest exp;
  exp.set_root_id("410183");
  CHECK(DistrictKey(exp) == "410183");
  workorder::v1::ListOrdersRequest orders;
  orders.mutable_filter()->set_region_prefix("410122/a");
  CHECK(DistrictKey(orders) == "410122/a");
  analytics::v1::GetCockpitRequest cockpit;
  cockpit.set_region_prefix("410105");
  CHECK(DistrictKey(cockpit) == "410105");
  CHECK(DistrictKey(workorder::v1::CreateOrderRequest()).empty());
  CHECK(DistrictKey(gv1::LocateRequest()).empty());
  CHECK(DistrictOf("410105/s01/c02") == "410105");
  CHECK(DistrictOf("410105") == "410105");
}

TEST_CASE("the router picks the shard that owns the key", "[routing]") {
  absl::StatusOr<RoutingConfig> c = ParseRoutingConfig(ProdRoutingFile());
  REQUIRE(c.ok());
  ShardRouter r(*std::move(c));
  CHECK(r.Routes(Upstream::kLocation));
  CHECK(r.Routes(Upstream::kWorkorder));
  CHECK_FALSE(r.Routes(Upstream::kSelf));

  SECTION("location by fnv1a64(worker_id) mod 2") {
    lv1::GetTrackRequest track;
    track.set_worker_id("worker-1");  // ...ebed: odd
    CHECK(Pick(r, Upstream::kLocation, track) == "w1");
    track.set_worker_id("worker-2");  // ...e6d4: even
    CHECK(Pick(r, Upstream::kLocation, track) == "w0");
    lv1::FixBatch batch;
    batch.set_worker_id("w-alice");
    CHECK(Pick(r, Upstream::kLocation, batch) == "w1");
    // A worker's own upload without worker_id goes to the worker's shard.
    batch.clear_worker_id();
    CHECK(Pick(r, Upstream::kLocation, batch, Caller(common::v1::ROLE_GRID_WORKER, "w-bob")) ==
          "w0");
    CHECK(Pick(r, Upstream::kLocation, batch, Caller(common::v1::ROLE_GRID_WORKER, "w-alice")) ==
          "w1");
    // No key, not a worker: shard 0.
    CHECK(Pick(r, Upstream::kLocation, lv1::CountOnlineRequest()) == "w0");
  }
  SECTION("a batch of workers on one shard is routed, across shards refused") {
    lv1::GetLastPositionsRequest same;
    same.add_worker_ids("worker-1");
    same.add_worker_ids("worker-3");
    CHECK(Pick(r, Upstream::kLocation, same) == "w1");
    lv1::GetLastPositionsRequest mixed = same;
    mixed.add_worker_ids("worker-2");
    absl::StatusOr<ShardRouter::Target> t = r.RouteRequest(Upstream::kLocation, mixed, kAdmin);
    REQUIRE(t.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(t.status().message()),
               Catch::Contains("w0: worker-2") && Catch::Contains("w1: worker-1, worker-3"));
  }
  SECTION("district-keyed services by the district of the request's region") {
    gv1::ListRegionsRequest list;
    list.set_parent_id("410105/s01");
    CHECK(Pick(r, Upstream::kGeofence, list) == "d0");
    list.set_parent_id("410185/s01");
    CHECK(Pick(r, Upstream::kGeofence, list) == "d1");
    workorder::v1::ListOrdersRequest orders;
    orders.mutable_filter()->set_region_prefix("410181");
    CHECK(Pick(r, Upstream::kWorkorder, orders) == "d1");
    list.set_parent_id("999999/s01");
    absl::StatusOr<ShardRouter::Target> t = r.RouteRequest(Upstream::kGeofence, list, kAdmin);
    REQUIRE(t.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(t.status().message()), Catch::Contains("999999"));
  }
  SECTION("no key: the caller's scope district, else shard 0") {
    workorder::v1::CreateOrderRequest create;
    CHECK(Pick(r, Upstream::kWorkorder, create,
               Caller(common::v1::ROLE_GRID_WORKER, "w", "410182/s/c/g")) == "d1");
    CHECK(Pick(r, Upstream::kWorkorder, create,
               Caller(common::v1::ROLE_STREET_MANAGER, "m", "410103/s")) == "d0");
    CHECK(Pick(r, Upstream::kWorkorder, create) == "d0");
    CHECK(Pick(r, Upstream::kWorkorder, create,
               Caller(common::v1::ROLE_GRID_WORKER, "w", "888888/s")) == "FAILED_PRECONDITION");
    CHECK(r.RouteDefault(Upstream::kInspection, Caller(common::v1::ROLE_VIEWER, "v", "410184"))
              ->shard == "d1");
  }
  SECTION("an explicit shard") {
    CHECK(r.Shard(Upstream::kLocation, "w1")->shard == "w1");
    CHECK(r.Shard(Upstream::kLocation, "w9").status().code() == absl::StatusCode::kNotFound);
    CHECK(r.Shard(Upstream::kSelf, "w0").status().code() == absl::StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace gridwork::gateway
