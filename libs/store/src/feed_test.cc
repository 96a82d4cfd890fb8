// FeedServiceImpl + FeedConsumer over a real gRPC server on 127.0.0.1 and real RocksDB.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "feed_test_util.h"
#include "google/protobuf/wrappers.pb.h"
#include "gridwork/store/db.h"
#include "gridwork/store/feed_consumer.h"
#include "gridwork/store/feed_service.h"
#include "gridwork/store/key_codec.h"
#include "test_util.h"

namespace gridwork::store {
namespace {

using ::gridwork::common::v1::Feed;
using ::gridwork::common::v1::FeedInfo;
using ::gridwork::common::v1::GetFeedInfoRequest;
using ::gridwork::common::v1::WatchRequest;
using testing::CountingHandler;
using testing::FastOptions;
using testing::OpenDb;
using testing::PollUntil;
using testing::Publish;
using testing::TempDir;
using testing::TestServer;

std::vector<FeedEvent> WatchN(Feed::Stub& stub, WatchRequest req, size_t n, grpc::Status* status,
                              std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  auto reader = stub.Watch(&ctx, req);
  std::vector<FeedEvent> out;
  FeedEvent e;
  while (out.size() < n && reader->Read(&e)) out.push_back(e);
  if (out.size() == n) ctx.TryCancel();
  *status = reader->Finish();
  return out;
}

TEST_CASE("Watch: catch-up then live, filters, errors, prompt shutdown", "[feed]") {
  TempDir dir;
  auto db = OpenDb(dir.Sub("producer"), "producer");
  TestServer server(
      db.get(),
      [](grpc::ServerContext* ctx) {
        auto it = ctx->client_metadata().find("x-deny");
        return it == ctx->client_metadata().end()
                   ? grpc::Status::OK
                   : grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "denied");
      },
      [](grpc::ServerContext*, const FeedEvent& e) { return e.sequence() != 3; });
  auto stub = Feed::NewStub(server.Channel());

  {
    grpc::ClientContext ctx;
    FeedInfo info;
    REQUIRE(stub->GetFeedInfo(&ctx, GetFeedInfoRequest(), &info).ok());
    CHECK(info.first_sequence() == 0);
    CHECK(info.last_sequence() == 0);
  }
  Publish(*db, 5);
  WatchRequest req;
  req.set_from_sequence(2);
  grpc::Status st;
  // Sequence 3 is invisible to this caller (the visible hook): 2, 4, 5.
  auto got = WatchN(*stub, req, 3, &st);
  REQUIRE(got.size() == 3);
  CHECK(got[0].sequence() == 2);
  CHECK(got[1].sequence() == 4);
  CHECK(got[2].sequence() == 5);
  CHECK(got[0].source() == "producer");

  // Live: a Watch from 6 receives an event committed after it started.
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Publish(*db, 1, "live");
  });
  req.set_from_sequence(6);
  got = WatchN(*stub, req, 1, &st);
  later.join();
  REQUIRE(got.size() == 1);
  CHECK(got[0].sequence() == 6);

  // Type filter.
  req.set_from_sequence(1);
  req.add_types("google.protobuf.Int64Value");
  got = WatchN(*stub, req, 1, &st, std::chrono::milliseconds(300));
  CHECK(got.empty());
  CHECK(st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  req.clear_types();
  req.add_types("google.protobuf.StringValue");
  CHECK(WatchN(*stub, req, 2, &st).size() == 2);

  req.set_from_sequence(0);
  WatchN(*stub, req, 1, &st);
  CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);

  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-deny", "1");
    FeedInfo info;
    CHECK(stub->GetFeedInfo(&ctx, GetFeedInfoRequest(), &info).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  }

  FeedRetention keep3;
  keep3.max_events = 3;
  REQUIRE(*db->TrimFeed(keep3) == 4);
  req.set_from_sequence(2);
  WatchN(*stub, req, 1, &st);
  CHECK(st.error_code() == grpc::StatusCode::OUT_OF_RANGE);
  CHECK(absl::StrContains(st.error_message(), "first retained sequence is 4"));
  {
    grpc::ClientContext ctx;
    FeedInfo info;
    REQUIRE(stub->GetFeedInfo(&ctx, GetFeedInfoRequest(), &info).ok());
    CHECK(info.first_sequence() == 4);
    CHECK(info.last_sequence() == 6);
  }

  // An open, idle Watch ends promptly with UNAVAILABLE on Shutdown().
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  req.set_from_sequence(7);
  auto reader = stub->Watch(&ctx, req);
  REQUIRE(PollUntil([&] { return server.service().active_watches() == 1; }));
  absl::Time t0 = absl::Now();
  server.service().Shutdown();
  FeedEvent e;
  CHECK_FALSE(reader->Read(&e));
  st = reader->Finish();
  CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(absl::Now() - t0 < absl::Seconds(1));
}

TEST_CASE("FeedConsumer: catch-up, live, restart resumes from cursor, exactly once",
          "[feed][consumer]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  TestServer server(producer.get());
  CountingHandler handler(local.get());
  auto handle = [&](const FeedEvent& e, WriteRequest& r) { return handler(e, r); };

  Publish(*producer, 50);
  {
    FeedConsumer consumer(local.get(), server.Channel(), "c<-producer", handle, FastOptions());
    consumer.Start();
    REQUIRE(PollUntil([&] { return consumer.cursor() == 50; }));
    CHECK(consumer.events_applied() == 50);
    Publish(*producer, 10, "live");
    REQUIRE(PollUntil([&] { return consumer.cursor() == 60; }));
    CHECK(consumer.lag() == 0);
    CHECK(consumer.connected());
    consumer.Stop();
  }
  CHECK(*local->GetCursor("c<-producer") == 60);
  CHECK(handler.Count() == 60);

  Publish(*producer, 20, "while stopped");
  FeedConsumer again(local.get(), server.Channel(), "c<-producer", handle, FastOptions());
  again.Start();
  REQUIRE(PollUntil([&] { return again.cursor() == 80; }));
  CHECK(again.events_applied() == 20);  // resumed after its cursor, not from 1
  again.Stop();
  CHECK(handler.Count() == 80);
  CHECK(handler.DistinctSequences() == 80);
  CHECK(handler.calls == 80);
}

TEST_CASE("FeedConsumer: reconnects after a server restart and resumes", "[feed][consumer]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  TestServer server(producer.get());
  CountingHandler handler(local.get());
  FeedConsumer consumer(
      local.get(), server.Channel(), "c",
      [&](const FeedEvent& e, WriteRequest& r) { return handler(e, r); }, FastOptions());
  consumer.Start();
  Publish(*producer, 10);
  REQUIRE(PollUntil([&] { return consumer.cursor() == 10; }));

  server.Stop();
  REQUIRE(PollUntil([&] { return !consumer.connected(); }));
  Publish(*producer, 15, "during outage");
  server.Restart();
  REQUIRE(PollUntil([&] { return consumer.cursor() == 25; }));
  CHECK(consumer.reconnects() >= 1);
  Publish(*producer, 5, "after");
  REQUIRE(PollUntil([&] { return consumer.cursor() == 30; }));
  consumer.Stop();
  CHECK(handler.Count() == 30);
  CHECK(handler.DistinctSequences() == 30);
}

TEST_CASE("FeedConsumer: transient errors retry, poisoned events are dead-lettered",
          "[feed][consumer]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  TestServer server(producer.get());
  CountingHandler counting(local.get());
  std::atomic<int> transient_left{4};
  FeedConsumer consumer(
      local.get(), server.Channel(), "c",
      [&](const FeedEvent& e, WriteRequest& r) -> absl::Status {
        if (e.sequence() == 3) return absl::InvalidArgumentError("cannot apply event 3");
        if (e.sequence() == 5 && transient_left.fetch_sub(1) > 0) {
          return absl::UnavailableError("dependency down");
        }
        return counting(e, r);
      },
      FastOptions());
  consumer.Start();
  Publish(*producer, 6);
  REQUIRE(PollUntil([&] { return consumer.cursor() == 6; }));
  consumer.Stop();
  CHECK(consumer.events_dead_lettered() == 1);
  CHECK(consumer.events_applied() == 5);
  CHECK(counting.Count() == 5);  // event 5 applied after 4 transient failures (> max_attempts)
  auto dead = local->ListDeadLetters("c");
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].sequence == 3);
  CHECK((*dead)[0].event.sequence() == 3);
  CHECK(absl::StrContains((*dead)[0].error, "cannot apply event 3"));
}

TEST_CASE("FeedConsumer: Stop is prompt while the peer is unreachable", "[feed][consumer]") {
  TempDir dir;
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  FeedConsumer::Options options;  // default backoff up to 10 s
  FeedConsumer consumer(
      local.get(), grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()), "c",
      [](const FeedEvent&, WriteRequest&) { return absl::OkStatus(); }, options);
  consumer.Start();
  REQUIRE(PollUntil([&] { return consumer.reconnects() >= 2; }));
  absl::Time t0 = absl::Now();
  consumer.Stop();
  CHECK(absl::Now() - t0 < absl::Seconds(1));
  CHECK(consumer.cursor() == 0);
}

}  // namespace
}  // namespace gridwork::store
