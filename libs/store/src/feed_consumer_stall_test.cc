// The stall watchdog: a FAKE feed server (StallingFeed) whose first Watch stream sends one
// event and then goes silent without failing — what a stream stuck in transport flow control
// looks like to the consumer — while GetFeedInfo reports more events. The consumer must
// cancel that stream, re-open it from its cursor and apply every event exactly once.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "feed_test_util.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/core/ids.h"

namespace gridwork::store::testing {
namespace {

using common::v1::FeedInfo;
using common::v1::GetFeedInfoRequest;
using common::v1::WatchRequest;

constexpr uint64_t kEvents = 5;

FeedEvent EventNumber(uint64_t seq) {
  FeedEvent e;
  e.set_sequence(seq);
  e.set_source("stalling-fake");
  google::protobuf::StringValue v;
  v.set_value("e");
  e.mutable_payload()->PackFrom(v);
  return e;
}

// Fake peer: events 1..kEvents; the first stream stalls after event 1 until cancelled.
class StallingFeed final : public common::v1::Feed::Service {
 public:
  grpc::Status Watch(grpc::ServerContext* ctx, const WatchRequest* req,
                     grpc::ServerWriter<FeedEvent>* writer) override {
    const int stream = ++streams_;
    for (uint64_t s = req->from_sequence(); s <= kEvents; ++s) {
      if (!writer->Write(EventNumber(s))) return grpc::Status::CANCELLED;
      if (stream == 1) break;  // go silent after one event
    }
    while (!ctx->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return grpc::Status::CANCELLED;
  }
  grpc::Status GetFeedInfo(grpc::ServerContext*, const GetFeedInfoRequest*,
                           FeedInfo* info) override {
    info->set_first_sequence(1);
    info->set_last_sequence(kEvents);
    return grpc::Status::OK;
  }
  int streams() const { return streams_.load(); }

 private:
  std::atomic<int> streams_{0};
};

}  // namespace

TEST_CASE("a stream that goes silent while the peer is ahead is cancelled and resumed") {
  const auto dir = std::filesystem::temp_directory_path() / NewId("stall-test");
  auto db = OpenDb(dir.string(), "consumer");
  StallingFeed feed;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&feed);
  auto server = builder.BuildAndStart();
  REQUIRE(server != nullptr);

  CountingHandler handler(db.get());
  FeedConsumer::Options options = FastOptions();
  options.stall_timeout = absl::Milliseconds(300);
  {
    FeedConsumer consumer(db.get(),
                          grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                              grpc::InsecureChannelCredentials()),
                          "stall-test", std::ref(handler), options);
    consumer.Start();
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (handler.Count() < kEvents && absl::Now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(handler.Count() == kEvents);
    REQUIRE(handler.DistinctSequences() == kEvents);
    REQUIRE(consumer.stalls() >= 1);
    REQUIRE(feed.streams() >= 2);
    consumer.Stop();
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE("with the watchdog off, the silent stream is never abandoned") {
  const auto dir = std::filesystem::temp_directory_path() / NewId("stall-off-test");
  auto db = OpenDb(dir.string(), "consumer");
  StallingFeed feed;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&feed);
  auto server = builder.BuildAndStart();
  CountingHandler handler(db.get());
  FeedConsumer::Options options = FastOptions();
  options.stall_timeout = absl::ZeroDuration();
  {
    FeedConsumer consumer(db.get(),
                          grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                              grpc::InsecureChannelCredentials()),
                          "stall-off", std::ref(handler), options);
    consumer.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    // This is the failure the watchdog exists for: stuck at the first event.
    REQUIRE(handler.Count() == 1);
    REQUIRE(consumer.stalls() == 0);
    consumer.Stop();
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  db.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace gridwork::store::testing
