// Feed.WatchBatches over real gRPC and RocksDB: the same events as Watch, many per message,
// bounded by max_batch_events and bytes; and a FeedConsumer that meets an older peer
// without WatchBatches falls back to Watch and still applies every event exactly once.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "feed_test_util.h"
#include "google/protobuf/wrappers.pb.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "test_util.h"

namespace gridwork::store {
namespace {

using common::v1::FeedEventBatch;
using common::v1::FeedInfo;
using common::v1::GetFeedInfoRequest;
using common::v1::WatchRequest;
using testing::FastOptions;
using testing::OpenDb;
using testing::PollUntil;
using testing::TempDir;
using testing::TestServer;

// `n` events in commits of `per_commit`; every third one an Int64Value, the rest StringValues
// of `bytes` characters.
void PublishMixed(Db& db, int n, int per_commit, size_t bytes) {
  google::protobuf::StringValue s;
  s.set_value(std::string(bytes, 'x'));
  google::protobuf::Int64Value i;
  i.set_value(7);
  for (int done = 0; done < n;) {
    WriteRequest req;
    for (int k = 0; k < per_commit && done < n; ++k, ++done) {
      if (done % 3 == 2) {
        req.AppendEvent(i, "");
      } else {
        req.AppendEvent(s, "");
      }
    }
    REQUIRE(db.Commit(std::move(req)).ok());
  }
}

// Reads WatchBatches messages until `want` events arrived (or the stream ends); returns the
// messages.
std::vector<FeedEventBatch> ReadBatches(TestServer& server, const WatchRequest& request,
                                        size_t want) {
  auto stub = common::v1::Feed::NewStub(server.Channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto reader = stub->WatchBatches(&ctx, request);
  std::vector<FeedEventBatch> out;
  size_t events = 0;
  FeedEventBatch batch;
  while (events < want && reader->Read(&batch)) {
    events += static_cast<size_t>(batch.events_size());
    out.push_back(batch);
  }
  ctx.TryCancel();
  reader->Finish();
  return out;
}

}  // namespace

TEST_CASE("Feed.WatchBatches: every event once, in order, many per message, within limits",
          "[feed][watch_batches]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  PublishMixed(*producer, 900, 300, 100);
  TestServer server(producer.get());

  WatchRequest all;
  all.set_from_sequence(1);
  all.set_max_batch_events(100);
  std::vector<FeedEventBatch> batches = ReadBatches(server, all, 900);
  uint64_t expect = 1;
  size_t largest = 0;
  for (const FeedEventBatch& b : batches) {
    REQUIRE(b.events_size() >= 1);
    REQUIRE(b.events_size() <= 100);
    largest = std::max(largest, static_cast<size_t>(b.events_size()));
    for (const FeedEvent& e : b.events()) REQUIRE(e.sequence() == expect++);
  }
  REQUIRE(expect == 901);
  REQUIRE(largest == 100);  // a backlog fills the messages
  REQUIRE(batches.size() < 30);

  // A type filter leaves gaps, as with Watch: only the Int64Values (every third event).
  WatchRequest ints;
  ints.set_from_sequence(1);
  ints.add_types("google.protobuf.Int64Value");
  expect = 3;
  for (const FeedEventBatch& b : ReadBatches(server, ints, 300)) {
    for (const FeedEvent& e : b.events()) {
      REQUIRE(e.sequence() == expect);
      expect += 3;
    }
  }
  REQUIRE(expect == 903);
}

TEST_CASE("Feed.WatchBatches: a message stays under max_batch_bytes unless one event is larger",
          "[feed][watch_batches]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  FeedServiceImpl::Options options;
  options.max_batch_bytes = 10000;
  FeedServiceImpl service(producer.get(), nullptr, nullptr, options);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  REQUIRE(server != nullptr);
  PublishMixed(*producer, 60, 60, 1000);  // ~1 KB events (and small Int64Values)
  google::protobuf::StringValue huge;
  huge.set_value(std::string(50000, 'h'));
  WriteRequest req;
  req.AppendEvent(huge, "");
  REQUIRE(producer->Commit(std::move(req)).ok());

  auto stub = common::v1::Feed::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  WatchRequest request;
  request.set_from_sequence(1);
  auto reader = stub->WatchBatches(&ctx, request);
  FeedEventBatch batch;
  int events = 0, messages = 0;
  while (events < 61 && reader->Read(&batch)) {
    ++messages;
    events += batch.events_size();
    if (batch.events_size() > 1) REQUIRE(batch.ByteSizeLong() <= 10000 + 100);
  }
  REQUIRE(events == 61);
  REQUIRE(messages >= 6);  // 40 x ~1 KB + 20 small need several messages
  REQUIRE(batch.events_size() == 1);  // the 50 KB event went alone
  ctx.TryCancel();
  reader->Finish();
  service.Shutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

namespace {

// An older peer: Watch and GetFeedInfo of a real FeedServiceImpl, no WatchBatches (the
// generated base answers UNIMPLEMENTED).
class LegacyFeed final : public common::v1::Feed::Service {
 public:
  explicit LegacyFeed(Db* db) : impl_(db) {}
  grpc::Status Watch(grpc::ServerContext* ctx, const WatchRequest* req,
                     grpc::ServerWriter<FeedEvent>* writer) override {
    ++watches;
    return impl_.Watch(ctx, req, writer);
  }
  grpc::Status GetFeedInfo(grpc::ServerContext* ctx, const GetFeedInfoRequest* req,
                           FeedInfo* info) override {
    return impl_.GetFeedInfo(ctx, req, info);
  }
  void Shutdown() { impl_.Shutdown(); }
  std::atomic<int> watches{0};

 private:
  FeedServiceImpl impl_;
};

}  // namespace

TEST_CASE("FeedConsumer: a peer without WatchBatches is read with Watch, exactly once",
          "[feed][watch_batches][consumer]") {
  TempDir dir;
  auto producer = OpenDb(dir.Sub("producer"), "producer");
  auto local = OpenDb(dir.Sub("consumer"), "consumer");
  PublishMixed(*producer, 500, 50, 10);
  LegacyFeed legacy(producer.get());
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&legacy);
  auto server = builder.BuildAndStart();
  REQUIRE(server != nullptr);

  testing::CountingHandler handler(local.get());
  {
    FeedConsumer consumer(local.get(),
                          grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                              grpc::InsecureChannelCredentials()),
                          "legacy", std::ref(handler), FastOptions());
    consumer.Start();
    REQUIRE(PollUntil([&] { return consumer.cursor() == 500; }));
    PublishMixed(*producer, 10, 1, 10);  // live
    REQUIRE(PollUntil([&] { return consumer.cursor() == 510; }));
    consumer.Stop();
  }
  REQUIRE(legacy.watches.load() >= 1);
  REQUIRE(handler.Count() == 510);
  REQUIRE(handler.DistinctSequences() == 510);
  legacy.Shutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

}  // namespace gridwork::store
