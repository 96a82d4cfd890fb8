// The shard lookups services use with a routing file (the parser itself is tested with the
// gateway's router, services/gateway/shard_router_test.cc).
#include "gridwork/core/routing_config.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"

namespace gridwork {
namespace {

constexpr char kFile[] = R"(version: 1
worker_shards: [w0, w1, w2]
district_shards:
  d1: ["410122"]
  d0: ["410105"]
services:
  location:
    key: worker
    shards:
      w2: loc-2:1
      w0: loc-0:1
      w1: loc-1:1
  geofence:
    key: district
    shards:
      d0: fence-0:2
      d1: fence-1:2
)";

RoutingConfig Parsed() {
  absl::StatusOr<RoutingConfig> c = ParseRoutingConfig(kFile);
  INFO(c.status().message());
  REQUIRE(c.ok());
  return *c;
}

TEST_CASE("WorkerShardOf is worker_shards[fnv1a64(id) mod n]", "[routing]") {
  const RoutingConfig c = Parsed();
  for (const char* id : {"worker-1", "worker-2", "w-ß", "", "a-much-longer-worker-id-0042"}) {
    INFO(id);
    CHECK(WorkerShardOf(c, id) == c.worker_shards[Fnv1a64(id) % 3]);
  }
  // Fnv1a64("worker-1") = 0x24913ec59027ebed: 0 mod 3 (w0), odd (w1 of two shards).
  CHECK(WorkerShardOf(c, "worker-1") == "w0");
  RoutingConfig two = c;
  two.worker_shards = {"w0", "w1"};
  CHECK(WorkerShardOf(two, "worker-1") == "w1");
  CHECK(WorkerShardOf(two, "worker-2") == "w0");
}

TEST_CASE("ServiceShards lists a service's shards in key order", "[routing]") {
  const RoutingConfig c = Parsed();
  auto location = ServiceShards(c, "location");
  REQUIRE(location.ok());
  REQUIRE(location->size() == 3);
  CHECK((*location)[0] == std::make_pair(std::string("w0"), std::string("loc-0:1")));
  CHECK((*location)[2] == std::make_pair(std::string("w2"), std::string("loc-2:1")));
  // District shards in file order: d1 is listed first, so it is shard 0.
  auto geofence = ServiceShards(c, "geofence");
  REQUIRE(geofence.ok());
  CHECK((*geofence)[0].first == "d1");
  auto missing = ServiceShards(c, "analytics");
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(absl::StrContains(missing.status().message(), "geofence, location"));
}

TEST_CASE("ShardAddress names the shards it knows when asked for another", "[routing]") {
  const RoutingConfig c = Parsed();
  auto a = ShardAddress(c, "geofence", "d1");
  REQUIRE(a.ok());
  CHECK(*a == "fence-1:2");
  auto bad = ShardAddress(c, "geofence", "d7");
  CHECK(bad.status().code() == absl::StatusCode::kNotFound);
  CHECK(absl::StrContains(bad.status().message(), "d1, d0"));
  CHECK(ShardAddress(c, "workorder", "d0").status().code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gridwork
