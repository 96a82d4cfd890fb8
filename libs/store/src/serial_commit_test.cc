// SerialCommit: handlers of several consumers that read-modify-write one key lose no update,
// and a batch whose commit already happened is not applied twice.
#include "gridwork/store/serial_commit.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace gridwork::store {
namespace {

using testing::TempDir;

std::unique_ptr<Db> OpenDb(const std::string& path) {
  DbOptions options;
  options.path = path;
  options.service_name = "test";
  options.sync = false;
  auto db = Db::Open(options, {{"state", "counter -> decimal value"}});
  REQUIRE(db.ok());
  return std::move(*db);
}

// Adds the number of events to the counter "n" (read from the Db, written in the request).
FeedConsumer::BatchHandler CountEvents(Db* db) {
  return [db](const std::vector<FeedEvent>& events, WriteRequest& write) -> absl::Status {
    FamilyHandle state = *db->Family("state");
    auto stored = db->Get(state, "n");
    int64_t n = stored.ok() ? std::stoll(*stored) : 0;
    write.Put(state, "n", std::to_string(n + static_cast<int64_t>(events.size())));
    return absl::OkStatus();
  };
}

int64_t Counter(Db* db) {
  auto stored = db->Get(*db->Family("state"), "n");
  return stored.ok() ? std::stoll(*stored) : 0;
}

std::vector<FeedEvent> Events(uint64_t first, uint64_t count) {
  std::vector<FeedEvent> out(count);
  for (uint64_t i = 0; i < count; ++i) out[i].set_sequence(first + i);
  return out;
}

TEST_CASE("SerialCommit: two consumers adding to one key lose no update", "[serial_commit]") {
  TempDir dir;
  auto db = OpenDb(dir.Sub("db"));
  SerialCommit serial(db.get());
  int published = 0;  // after_commit runs under the SerialCommit's lock
  constexpr int kBatches = 200;
  std::atomic<int> failures{0};  // (Catch2 assertions are not thread-safe)
  std::vector<std::thread> threads;
  for (const char* name : {"c<-p/a", "c<-p/b"}) {
    auto handler = serial.Wrap(name, CountEvents(db.get()), [&] { ++published; });
    threads.emplace_back([handler, &failures] {
      for (int i = 0; i < kBatches; ++i) {
        WriteRequest ignored;
        if (!handler(Events(1 + 3 * i, 3), ignored).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(Counter(db.get()) == 2 * kBatches * 3);
  CHECK(published == 2 * kBatches);
  CHECK(*db->GetCursor("c<-p/a") == 3 * kBatches);
  CHECK(*db->GetCursor("c<-p/b") == 3 * kBatches);
}

TEST_CASE("SerialCommit: events at or below the stored cursor are not applied again",
          "[serial_commit]") {
  TempDir dir;
  auto db = OpenDb(dir.Sub("db"));
  SerialCommit serial(db.get());
  auto handler = serial.Wrap("c<-p", CountEvents(db.get()));
  WriteRequest ignored;
  REQUIRE(handler(Events(1, 4), ignored).ok());
  // The consumer did not see the result (its own commit failed) and retries the batch, or a
  // bisected half of it: nothing is counted twice.
  REQUIRE(handler(Events(1, 4), ignored).ok());
  REQUIRE(handler(Events(3, 2), ignored).ok());
  CHECK(Counter(db.get()) == 4);
  // A batch overlapping the cursor applies only its new events.
  REQUIRE(handler(Events(3, 4), ignored).ok());
  CHECK(Counter(db.get()) == 6);
  CHECK(*db->GetCursor("c<-p") == 6);
}

}  // namespace
}  // namespace gridwork::store
