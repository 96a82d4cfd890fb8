// FeedConsumer in batch mode over a real gRPC server on 127.0.0.1 and real RocksDB: exactly
// once across restarts, batch sizes under load, poison bisection, prompt Stop. The [.bench]
// case (hidden by default) compares per-event and batch throughput.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "feed_test_util.h"
#include "google/protobuf/wrappers.pb.h"
#include "gridwork/store/db.h"
#include "gridwork/store/feed_consumer.h"
#include "gridwork/store/key_codec.h"
#include "test_util.h"

namespace gridwork::store {
namespace {

using testing::FastOptions;
using testing::OpenDb;
using testing::PollUntil;
using testing::TempDir;
using testing::TestServer;

// Publishes n events, `per_commit` to a commit (fast catch-up backlogs), each payload a
// StringValue of `payload_bytes` characters.
void PublishMany(Db& db, int n, int per_commit, size_t payload_bytes = 8) {
  google::protobuf::StringValue v;
  v.set_value(std::string(payload_bytes, 'x'));
  for (int done = 0; done < n;) {
    WriteRequest req;
    for (int i = 0; i < per_commit && done < n; ++i, ++done) req.AppendEvent(v, "410105/g07");
    REQUIRE(db.Commit(std::move(req)).ok());
  }
}

// Batch version of CountingHandler: "count" += batch size (read once per batch) and one key
// per sequence, all in the request that moves the cursor. Records each call's sequences.
class BatchCountingHandler {
 public:
  explicit BatchCountingHandler(Db* db) : db_(db), applied_(db->Family("applied").value()) {}

  absl::Status operator()(const std::vector<FeedEvent>& events, WriteRequest& req) {
    {
      absl::MutexLock l(&mu_);
      std::vector<uint64_t> seqs;
      for (const FeedEvent& e : events) seqs.push_back(e.sequence());
      calls_.push_back(std::move(seqs));
    }
    for (const FeedEvent& e : events) {
      absl::Status s = Check(e);
      if (!s.ok()) return s;
      req.Put(applied_, KeyBuilder().String("seq").Uint64(e.sequence()).Build(), e.source());
    }
    req.Put(applied_, "count", EncodeFixed64BE(Count() + events.size()));
    return absl::OkStatus();
  }
  // Fails selected events (poison / transient); OK by default.
  std::function<absl::Status(const FeedEvent&)> fail;

  uint64_t Count() const { return testing::AppliedCount(*db_, applied_); }
  uint64_t DistinctSequences() const { return testing::AppliedSequences(*db_, applied_); }
  bool Applied(uint64_t sequence) const {
    return db_->Get(applied_, KeyBuilder().String("seq").Uint64(sequence).Build()).ok();
  }
  std::vector<std::vector<uint64_t>> calls() {
    absl::MutexLock l(&mu_);
    return calls_;
  }

 private:
  absl::Status Check(const FeedEvent& e) { return fail ? fail(e) : absl::OkStatus(); }

  Db* db_;
  FamilyHandle applied_;
  absl::Mutex mu_;
  std::vector<std::vector<uint64_t>> calls_ ABSL_GUARDED_BY(mu_);
};

FeedConsumer::BatchHandler Bind(BatchCountingHandler& h) {
  return [&h](const std::vector<FeedEvent>& events, WriteRequest& req) { return h(events, req); };
}

TEST_CASE("FeedConsumer batch: exactly once across consumer and server restarts",
          "[feed][consumer][batch]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  TestServer server(producer.get());
  BatchCountingHandler handler(local.get());

  PublishMany(*producer, 3000, 100);
  {
    FeedConsumer consumer(local.get(), server.Channel(), "c", Bind(handler), FastOptions());
    consumer.Start();
    REQUIRE(PollUntil([&] { return consumer.cursor() == 3000; }));
    CHECK(consumer.events_applied() == 3000);
    CHECK(consumer.batches_committed() < 100);  // a backlog goes in large batches
    PublishMany(*producer, 5, 1);               // live, a few at a time
    REQUIRE(PollUntil([&] { return consumer.cursor() == 3005; }));
    consumer.Stop();
  }
  CHECK(*local->GetCursor("c") == 3005);

  PublishMany(*producer, 500, 50);  // while stopped
  FeedConsumer again(local.get(), server.Channel(), "c", Bind(handler), FastOptions());
  again.Start();
  REQUIRE(PollUntil([&] { return again.cursor() == 3505; }));
  CHECK(again.events_applied() == 500);  // resumed after its cursor

  server.Stop();
  REQUIRE(PollUntil([&] { return !again.connected(); }));
  PublishMany(*producer, 700, 70);  // during the outage
  server.Restart();
  REQUIRE(PollUntil([&] { return again.cursor() == 4205; }));
  CHECK(again.reconnects() >= 1);
  again.Stop();

  CHECK(handler.Count() == 4205);
  CHECK(handler.DistinctSequences() == 4205);
  // No failures, so every event reached the handler exactly once, in order, in batches of at
  // most max_batch_events.
  uint64_t expect = 1;
  for (const std::vector<uint64_t>& call : handler.calls()) {
    REQUIRE(!call.empty());
    CHECK(call.size() <= FastOptions().max_batch_events);
    for (uint64_t s : call) CHECK(s == expect++);
  }
  CHECK(expect == 4206);
}

TEST_CASE("FeedConsumer batch: batches fill under live load", "[feed][consumer][batch]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  TestServer server(producer.get());
  BatchCountingHandler handler(local.get());
  FeedConsumer::Options options = FastOptions();
  options.max_batch_events = 500;
  FeedConsumer consumer(local.get(), server.Channel(), "c", Bind(handler), options);
  consumer.Start();
  REQUIRE(PollUntil([&] { return consumer.connected(); }));

  constexpr int kEvents = 20000;
  std::thread publisher([&] { PublishMany(*producer, kEvents, 20); });
  publisher.join();
  REQUIRE(PollUntil([&] { return consumer.cursor() == kEvents; }, std::chrono::seconds(60)));
  consumer.Stop();
  CHECK(consumer.events_applied() == kEvents);
  CHECK(handler.Count() == kEvents);
  // Published live in commits of 20; the consumer committed far fewer times than events.
  CHECK(consumer.batches_committed() * 20 < kEvents);
  size_t largest = 0;
  for (const auto& call : handler.calls()) largest = std::max(largest, call.size());
  CHECK(largest > 20);
  CHECK(largest <= 500);
}

TEST_CASE("FeedConsumer batch: poisoned events in a batch are bisected out and dead-lettered",
          "[feed][consumer][batch]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  TestServer server(producer.get());
  BatchCountingHandler handler(local.get());
  std::atomic<int> transient_left{2};
  handler.fail = [&](const FeedEvent& e) -> absl::Status {
    if (e.sequence() == 37 || e.sequence() == 50) {
      return absl::InvalidArgumentError("cannot apply event " + std::to_string(e.sequence()));
    }
    if (e.sequence() == 10 && transient_left.fetch_sub(1) > 0) {
      return absl::UnavailableError("dependency down");
    }
    return absl::OkStatus();
  };
  PublishMany(*producer, 64, 64);
  FeedConsumer::Options options = FastOptions();
  options.max_batch_events = 64;
  options.max_batch_delay = absl::Milliseconds(500);  // the whole backlog in one batch
  FeedConsumer consumer(local.get(), server.Channel(), "c", Bind(handler), options);
  consumer.Start();
  REQUIRE(PollUntil([&] { return consumer.cursor() == 64; }));
  consumer.Stop();

  CHECK(consumer.events_dead_lettered() == 2);
  CHECK(consumer.events_applied() == 62);
  CHECK(handler.Count() == 62);
  CHECK(handler.DistinctSequences() == 62);
  for (uint64_t s : {36, 38, 49, 51, 1, 64}) CHECK(handler.Applied(s));
  CHECK_FALSE(handler.Applied(37));
  CHECK_FALSE(handler.Applied(50));

  auto calls = handler.calls();
  REQUIRE(!calls.empty());
  CHECK(calls[0].size() == 64);  // the poison sat in the middle of a full batch
  // The first 2 calls failed transiently (event 10), then max_attempts (3) non-transient
  // failures of the whole batch before it was split.
  REQUIRE(calls.size() > 5);
  for (int i = 0; i < 5; ++i) CHECK(calls[i].size() == 64);
  CHECK(calls[5].size() == 32);
  // Bisection costs O(log n) calls, not one per event.
  CHECK(calls.size() < 40);

  auto dead = local->ListDeadLetters("c");
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 2);
  CHECK((*dead)[0].sequence == 37);
  CHECK((*dead)[1].sequence == 50);
  CHECK(absl::StrContains((*dead)[0].error, "cannot apply event 37"));
  CHECK((*dead)[1].event.sequence() == 50);
  CHECK(*local->GetCursor("c") == 64);
}

TEST_CASE("FeedConsumer batch: Stop is prompt on an idle stream and during a batch wait",
          "[feed][consumer][batch]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  TestServer server(producer.get());
  BatchCountingHandler handler(local.get());

  SECTION("idle stream") {
    FeedConsumer consumer(local.get(), server.Channel(), "c", Bind(handler), FastOptions());
    consumer.Start();
    PublishMany(*producer, 3, 1);
    REQUIRE(PollUntil([&] { return consumer.cursor() == 3; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // idle, blocked in Read
    REQUIRE(consumer.connected());
    absl::Time t0 = absl::Now();
    consumer.Stop();
    CHECK(absl::Now() - t0 < absl::Milliseconds(500));
    CHECK(handler.Count() == 3);
  }
  SECTION("waiting to fill a batch") {
    FeedConsumer::Options options = FastOptions();
    options.max_batch_delay = absl::Seconds(30);
    FeedConsumer consumer(local.get(), server.Channel(), "c", Bind(handler), options);
    consumer.Start();
    REQUIRE(PollUntil([&] { return consumer.connected(); }));
    PublishMany(*producer, 1, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // in the 30 s fill wait
    CHECK(consumer.cursor() == 0);
    absl::Time t0 = absl::Now();
    consumer.Stop();
    CHECK(absl::Now() - t0 < absl::Milliseconds(500));
    // The event taken before Stop is applied whole or not at all.
    CHECK(handler.Count() == consumer.cursor());
    CHECK(*local->GetCursor("c") == consumer.cursor());
  }
}

// Throughput of per-event vs batch mode catching up on a backlog of 100k events (~60-byte
// payloads, sync = true on both stores; per-event mode is timed over its first 10k events),
// next to the bare Watch stream. Run: store_test "[.bench]". Figures are in docs/store.md.
TEST_CASE("FeedConsumer batch: throughput vs per-event", "[.bench]") {
  constexpr int kEvents = 100000;
  constexpr int kPerEventEvents = 10000;
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  PublishMany(*producer, kEvents, 1000, 56);  // StringValue of 56 chars: 58-byte payload
  TestServer server(producer.get());
  auto report = [](const char* what, int events, absl::Time t0, uint64_t commits) {
    const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
    std::printf("%-10s %6d events in %6.2f s = %7.0f events/s, %llu commits\n", what, events,
                seconds, events / seconds, static_cast<unsigned long long>(commits));
  };

  {
    auto stub = ::gridwork::common::v1::Feed::NewStub(server.Channel());
    grpc::ClientContext ctx;
    ::gridwork::common::v1::WatchRequest req;
    req.set_from_sequence(1);
    const absl::Time t0 = absl::Now();
    auto reader = stub->Watch(&ctx, req);
    FeedEvent e;
    int n = 0;
    while (n < kEvents && reader->Read(&e)) ++n;
    report("stream", n, t0, 0);
    ctx.TryCancel();
    while (reader->Read(&e)) {
    }
    reader->Finish();
    CHECK(n == kEvents);
  }

  for (const bool batch : {true, false}) {
    const int events = batch ? kEvents : kPerEventEvents;
    auto local = OpenDb(dir.Sub(batch ? "batch" : "per_event"), "consumer");
    FamilyHandle applied = local->Family("applied").value();
    auto put = [&](const FeedEvent& e, WriteRequest& req) {
      req.Put(applied, KeyBuilder().String("seq").Uint64(e.sequence()).Build(),
              e.payload().value());
    };
    FeedConsumer::Options options;
    std::unique_ptr<FeedConsumer> consumer;
    if (batch) {
      consumer = std::make_unique<FeedConsumer>(
          local.get(), server.Channel(), "c",
          FeedConsumer::BatchHandler([&](const std::vector<FeedEvent>& events, WriteRequest& req) {
            for (const FeedEvent& e : events) put(e, req);
            return absl::OkStatus();
          }),
          options);
    } else {
      consumer = std::make_unique<FeedConsumer>(
          local.get(), server.Channel(), "c",
          FeedConsumer::Handler([&](const FeedEvent& e, WriteRequest& req) {
            put(e, req);
            return absl::OkStatus();
          }),
          options);
    }
    const absl::Time t0 = absl::Now();
    consumer->Start();
    REQUIRE(PollUntil([&] { return consumer->cursor() >= static_cast<uint64_t>(events); },
                      std::chrono::minutes(5)));
    report(batch ? "batch" : "per-event", events, t0, consumer->batches_committed());
    consumer->Stop();
    CHECK(consumer->events_applied() >= static_cast<uint64_t>(events));
  }
}

}  // namespace
}  // namespace gridwork::store
