// Helpers for the FeedServiceImpl / FeedConsumer tests: a store opener, a publisher, a
// restartable Feed server on 127.0.0.1 and an effect-counting handler. Include only from
// Catch2 test files (they REQUIRE).
//
// Thread safety: TestServer and CountingHandler are not thread-safe; Publish is safe to call
// concurrently (Db::Commit is).
#ifndef GRIDWORK_STORE_SRC_FEED_TEST_UTIL_H_
#define GRIDWORK_STORE_SRC_FEED_TEST_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "google/protobuf/wrappers.pb.h"
#include "gridwork/store/db.h"
#include "gridwork/store/feed_consumer.h"
#include "gridwork/store/feed_service.h"
#include "gridwork/store/key_codec.h"

namespace gridwork::store::testing {

inline std::unique_ptr<Db> OpenDb(const std::string& path, const std::string& service) {
  DbOptions o;
  o.path = path;
  o.service_name = service;
  auto db = Db::Open(o, {{"applied", "consumer effects: \"count\" -> u64, seq -> text"}});
  REQUIRE(db.ok());
  return std::move(*db);
}

inline void Publish(Db& db, int n, const std::string& tag = "e") {
  for (int i = 0; i < n; ++i) {
    WriteRequest req;
    google::protobuf::StringValue v;
    v.set_value(tag);
    req.AppendEvent(v, "410105/g07");
    REQUIRE(db.Commit(std::move(req)).ok());
  }
}

// A Feed server over `db`, restartable on the same port.
class TestServer {
 public:
  explicit TestServer(Db* db, FeedServiceImpl::AuthorizeFn auth = nullptr,
                      FeedServiceImpl::VisibleFn visible = nullptr)
      : db_(db), auth_(std::move(auth)), visible_(std::move(visible)) {
    Start("127.0.0.1:0");
  }
  ~TestServer() { Stop(); }
  void Start(const std::string& addr) {
    service_ = std::make_unique<FeedServiceImpl>(db_, auth_, visible_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(addr, grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    REQUIRE(server_ != nullptr);
    REQUIRE(port_ > 0);
  }
  void Restart() { Start("127.0.0.1:" + std::to_string(port_)); }
  void Stop() {
    if (!server_) return;
    service_->Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
    server_.reset();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  FeedServiceImpl& service() { return *service_; }
  std::shared_ptr<grpc::Channel> Channel() const {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    return grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args);
  }

 private:
  Db* db_;
  FeedServiceImpl::AuthorizeFn auth_;
  FeedServiceImpl::VisibleFn visible_;
  std::unique_ptr<FeedServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Counts effects in the consumer's store: "count" += 1 per event and one key per sequence,
// both in the request that also moves the cursor. Duplicated effects would show as
// count > distinct sequences.
// The effects test handlers record in the "applied" family: a "count" and one key per
// applied sequence (so duplicates show as count > distinct sequences).
inline uint64_t AppliedCount(const Db& db, const FamilyHandle& applied) {
  auto v = db.Get(applied, "count");
  uint64_t n = 0;
  if (v.ok()) REQUIRE(DecodeFixed64BE(*v, &n));
  return n;
}

inline uint64_t AppliedSequences(const Db& db, const FamilyHandle& applied) {
  uint64_t n = 0;
  REQUIRE(db.ScanPrefix(applied, KeyBuilder().String("seq").Build(),
                        [&](absl::string_view, absl::string_view) {
                          ++n;
                          return true;
                        })
              .ok());
  return n;
}

class CountingHandler {
 public:
  explicit CountingHandler(Db* db) : db_(db), applied_(db->Family("applied").value()) {}
  absl::Status operator()(const FeedEvent& e, WriteRequest& req) {
    ++calls;
    uint64_t count = Count();
    req.Put(applied_, "count", EncodeFixed64BE(count + 1));
    req.Put(applied_, KeyBuilder().String("seq").Uint64(e.sequence()).Build(), e.source());
    return absl::OkStatus();
  }
  uint64_t Count() const { return AppliedCount(*db_, applied_); }
  uint64_t DistinctSequences() const { return AppliedSequences(*db_, applied_); }
  std::atomic<int> calls{0};

 private:
  Db* db_;
  FamilyHandle applied_;
};

inline FeedConsumer::Options FastOptions() {
  FeedConsumer::Options o;
  o.initial_backoff = absl::Milliseconds(20);
  o.max_backoff = absl::Milliseconds(200);
  o.max_attempts = 3;
  return o;
}

}  // namespace gridwork::store::testing

#endif  // GRIDWORK_STORE_SRC_FEED_TEST_UTIL_H_
