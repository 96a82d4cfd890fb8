#include "gridwork/service/store_admin.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "gridwork/common/v1/feed.pb.h"
#include "gridwork/core/ids.h"

namespace gridwork::service {
namespace {
namespace fs = std::filesystem;

struct TempStore {
  fs::path dir = fs::temp_directory_path() / NewId("store-admin-test");
  std::unique_ptr<store::Db> db;
  store::FamilyHandle state;
  TempStore() {
    fs::create_directories(dir);
    store::DbOptions o;
    o.path = (dir / "store").string();
    o.service_name = "test";
    db = std::move(store::Db::Open(o, {{"state", "test state"}})).value();
    state = db->Family("state").value();
  }
  ~TempStore() {
    db.reset();
    fs::remove_all(dir);
  }
  void Write(const std::string& key) {
    store::WriteRequest w;
    w.Put(state, key, "v-" + key);
    common::v1::WatchRequest event;
    event.add_types(key);
    w.AppendEvent(event, "");
    REQUIRE(db->Commit(std::move(w)).ok());
  }
};

TEST_CASE("checkpoint names are plain directory names") {
  for (const char* ok : {"a", "2026-11-23T1900", "nightly_01.full", "Z9"}) {
    INFO(ok);
    CHECK(ValidateCheckpointName(ok).ok());
  }
  for (const char* bad :
       {"", ".", "..", "../x", "a/b", "/abs", ".hidden", "-x", "a b", "x\n", "a\\b", "é"}) {
    INFO(bad);
    CHECK(ValidateCheckpointName(bad).code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(ValidateCheckpointName(std::string(64, 'a')).ok());
  CHECK(ValidateCheckpointName(std::string(65, 'a')).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("the checkpoint root is beside the store directory") {
  CHECK(CheckpointRoot("/var/lib/gridwork/store", "workorder") ==
        "/var/lib/gridwork/checkpoints/workorder");
  CHECK(CheckpointRoot("/var/lib/gridwork/store/", "workorder") ==
        "/var/lib/gridwork/checkpoints/workorder");
  CHECK(CheckpointRoot("data/location", "location") ==
        (fs::current_path() / "data/checkpoints/location").string());
}

TEST_CASE("a checkpoint holds every write before it and opens as a store") {
  TempStore t;
  for (int i = 0; i < 20; ++i) t.Write("k" + std::to_string(i));
  StoreCheckpointer cp(t.db.get(), CheckpointRoot((t.dir / "store").string(), "test"));
  absl::StatusOr<admin::v1::Checkpoint> c = cp.Create("first");
  REQUIRE(c.ok());
  CHECK(c->path() == (t.dir / "checkpoints/test/first").string());
  CHECK(c->feed_sequence() == 20);
  CHECK(c->file_count() > 0);
  CHECK(c->size_bytes() > 0);
  t.Write("after");

  SECTION("the same name again is refused, the first checkpoint untouched") {
    CHECK(cp.Create("first").status().code() == absl::StatusCode::kAlreadyExists);
  }
  SECTION("bad names are refused before anything is written") {
    CHECK(cp.Create("../escape").status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(!fs::exists(t.dir / "checkpoints/escape"));
  }

  store::DbOptions o;
  o.path = c->path();
  o.service_name = "test";
  o.create_if_missing = false;
  auto copy = store::Db::Open(o, {{"state", "test state"}});
  REQUIRE(copy.ok());
  auto family = (*copy)->Family("state");
  REQUIRE(family.ok());
  for (int i = 0; i < 20; ++i) {
    auto v = (*copy)->Get(*family, "k" + std::to_string(i));
    REQUIRE(v.ok());
    CHECK(*v == "v-k" + std::to_string(i));
  }
  CHECK((*copy)->Get(*family, "after").status().code() == absl::StatusCode::kNotFound);
  CHECK((*copy)->LastSequence() == 20);
}

}  // namespace
}  // namespace gridwork::service
