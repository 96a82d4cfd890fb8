// What a service does with --routing_file and --shard: its own shard checked, same-key peers
// from the file, one feed per shard of a differently keyed peer, and the unsharded cursor
// taken over by shard 0's consumer.
#include "gridwork/service/sharding.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "gridwork/core/ids.h"
#include "gridwork/store/write_request.h"

namespace gridwork::service {
namespace {

constexpr char kRouting[] = R"(version: 1
worker_shards: [w0, w1]
district_shards:
  d0: ["410105"]
  d1: ["410122"]
services:
  location:
    key: worker
    shards:
      w0: loc-0:50051
      w1: loc-1:50051
  geofence:
    key: district
    shards:
      d0: fence-0:50052
      d1: fence-1:50052
)";

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / NewId("sharding-test");
  std::string routing_file;
  std::unique_ptr<store::Db> db;

  Fixture() {
    std::filesystem::create_directories(dir);
    routing_file = (dir / "routing.yaml").string();
    std::ofstream(routing_file) << kRouting;
    store::DbOptions options;
    options.path = (dir / "db").string();
    options.service_name = "geofence";
    options.sync = false;
    db = std::move(*store::Db::Open(options, {}));
  }
  ~Fixture() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  void SetCursor(const std::string& name, uint64_t sequence) {
    store::WriteRequest write;
    write.SetCursor(name, sequence);
    REQUIRE(db->Commit(std::move(write)).ok());
  }
};

TEST_CASE("LoadShardRouting: none without a file, else this process's shard must be in it",
          "[sharding]") {
  Fixture f;
  auto none = LoadShardRouting("", "geofence", "");
  REQUIRE(none.ok());
  CHECK(*none == nullptr);
  auto ok = LoadShardRouting(f.routing_file, "geofence", "d1");
  REQUIRE(ok.ok());
  REQUIRE(*ok != nullptr);
  CHECK((*ok)->worker_shards.size() == 2);
  auto no_shard = LoadShardRouting(f.routing_file, "geofence", "");
  CHECK(no_shard.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(no_shard.status().message(), "--shard"));
  auto wrong_key = LoadShardRouting(f.routing_file, "geofence", "w0");
  CHECK(wrong_key.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(wrong_key.status().message(), "d0, d1"));
  // A service the file does not route cannot be a shard of it.
  CHECK(LoadShardRouting(f.routing_file, "workorder", "d0").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(LoadShardRouting((f.dir / "missing.yaml").string(), "geofence", "d0").status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("PeerAddress: the flag without a file, the same shard of the peer with one",
          "[sharding]") {
  Fixture f;
  CHECK(*PeerAddress(nullptr, "geofence", "", "flag:1") == "flag:1");
  auto routing = LoadShardRouting(f.routing_file, "geofence", "d1");
  REQUIRE(routing.ok());
  CHECK(*PeerAddress(routing->get(), "geofence", "d1", "flag:1") == "fence-1:50052");
  CHECK(PeerAddress(routing->get(), "workorder", "d1", "flag:1").status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("PrepareFeedSources: one per shard, and shard 0 takes over the unsharded cursor",
          "[sharding]") {
  Fixture f;
  // Without a file: the flag's one feed under the unsharded name (none if the flag is empty).
  auto plain = PrepareFeedSources(f.db.get(), nullptr, "location", "geofence<-location", "l:1");
  REQUIRE(plain.ok());
  REQUIRE(plain->size() == 1);
  CHECK((*plain)[0].consumer == "geofence<-location");
  CHECK((*plain)[0].address == "l:1");
  CHECK(PrepareFeedSources(f.db.get(), nullptr, "location", "geofence<-location", "")->empty());

  // The unsharded consumer had applied location-w0's feed up to 41.
  f.SetCursor("geofence<-location", 41);
  auto routing = LoadShardRouting(f.routing_file, "geofence", "d0");
  REQUIRE(routing.ok());
  auto sources =
      PrepareFeedSources(f.db.get(), routing->get(), "location", "geofence<-location", "l:1");
  REQUIRE(sources.ok());
  REQUIRE(sources->size() == 2);
  CHECK((*sources)[0].shard == "w0");
  CHECK((*sources)[0].address == "loc-0:50051");
  CHECK((*sources)[0].consumer == "geofence<-location/w0");
  CHECK((*sources)[1].consumer == "geofence<-location/w1");
  CHECK(*f.db->GetCursor("geofence<-location/w0") == 41);
  CHECK(*f.db->GetCursor("geofence<-location/w1") == 0);  // never consumed: from the start
  CHECK(*f.db->GetCursor("geofence<-location") == 41);    // left as it was

  // Once shard 0's consumer has its own cursor, the unsharded one no longer matters.
  f.SetCursor("geofence<-location/w0", 57);
  REQUIRE(
      PrepareFeedSources(f.db.get(), routing->get(), "location", "geofence<-location", "").ok());
  CHECK(*f.db->GetCursor("geofence<-location/w0") == 57);

  // A peer the file does not route is an error, not a silent "no feed".
  CHECK(PrepareFeedSources(f.db.get(), routing->get(), "analytics", "x<-analytics", "")
            .status()
            .code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gridwork::service
