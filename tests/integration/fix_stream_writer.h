// A phone for durability tests of gridwork-location: streams numbered fixes of one worker over
// StreamFixes and records every sequence it got an acknowledgement for, so a test can compare
// what was acknowledged with what the store holds after a crash or a restore.
#ifndef GRIDWORK_TESTS_INTEGRATION_FIX_STREAM_WRITER_H_
#define GRIDWORK_TESTS_INTEGRATION_FIX_STREAM_WRITER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "gridwork/location/v1/location.grpc.pb.h"
#include "tests/integration/principals.h"

namespace gridwork::testing {

// The fix with device sequence `seq`: one per 10 ms of device time from `start_ms` (a fast
// writer must never run into "future" timestamps), 1 cm apart (1 m/s, never rejected by the
// ingest filters).
inline location::v1::DeviceFix FixNumber(uint64_t seq, int64_t start_ms) {
  location::v1::DeviceFix f;
  f.set_sequence(seq);
  *f.mutable_device_time() = service::ToProto(absl::FromUnixMillis(start_ms + 10 * seq));
  f.mutable_position()->set_lat(34.75);
  f.mutable_position()->set_lng(113.6 + 1e-7 * static_cast<double>(seq));
  f.set_accuracy_m(5);
  return f;
}

// Streams batches of 10 fixes until Stop(). After a broken stream (the server died) it
// reconnects and resends the unacknowledged batch, as a phone does; stream_breaks() counts
// those. A batch the server answers with an error or rejections counts in errors().
class FixStreamWriter {
 public:
  FixStreamWriter(std::string target, int64_t start_ms, std::string worker, std::string device)
      : target_(std::move(target)),
        start_ms_(start_ms),
        worker_(std::move(worker)),
        device_(std::move(device)) {}

  void Run() {
    uint64_t next_seq = 1;
    uint64_t batch_id = 0;
    while (!stop_) {
      auto stub = location::v1::LocationService::NewStub(rpc::MakeChannel(target_));
      auto ctx = As(MakePrincipal(common::v1::ROLE_GRID_WORKER, "", worker_));
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      auto stream = stub->StreamFixes(ctx.get());
      while (!stop_) {
        location::v1::FixBatch batch;
        batch.set_batch_id(++batch_id);
        batch.set_device_id(device_);
        for (uint64_t s = next_seq; s < next_seq + 10; ++s) {
          *batch.add_fixes() = FixNumber(s, start_ms_);
        }
        location::v1::BatchAck ack;
        if (!stream->Write(batch) || !stream->Read(&ack)) {  // server died: reconnect
          if (!stop_) stream_breaks_++;
          break;
        }
        if (!ack.error().empty() || ack.rejections_size() != 0) {
          errors_++;
          std::lock_guard<std::mutex> lock(mu_);
          last_error_ = ack.error().empty() ? ack.rejections(0).detail() : ack.error();
          break;
        }
        {
          std::lock_guard<std::mutex> lock(mu_);
          for (uint64_t s = next_seq; s < next_seq + 10; ++s) acked_.insert(s);
        }
        next_seq += 10;
      }
      ctx->TryCancel();
      stream->Finish();
      if (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  void Stop() { stop_ = true; }
  std::set<uint64_t> Acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int errors() const { return errors_; }
  int stream_breaks() const { return stream_breaks_; }
  std::string last_error() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_error_;
  }

 private:
  const std::string target_;
  const int64_t start_ms_;
  const std::string worker_;
  const std::string device_;
  std::atomic<bool> stop_{false};
  std::atomic<int> errors_{0};
  std::atomic<int> stream_breaks_{0};
  std::mutex mu_;
  std::set<uint64_t> acked_;
  std::string last_error_;
};

// The device sequences stored for `worker` from `start_ms` on (the admin's raw listing, every
// page); fails the test when a sequence is stored twice.
inline std::set<uint64_t> StoredSequences(const std::string& target, const std::string& worker,
                                          int64_t start_ms) {
  auto stub = location::v1::LocationService::NewStub(rpc::MakeChannel(target));
  location::v1::ListRawFixesRequest req;
  req.set_worker_id(worker);
  *req.mutable_start_time() = service::ToProto(absl::FromUnixMillis(start_ms));
  *req.mutable_end_time() = service::ToProto(absl::FromUnixMillis(start_ms) + absl::Hours(24));
  req.set_page_size(10000);
  std::set<uint64_t> out;
  do {
    location::v1::ListRawFixesResponse page;
    grpc::Status s =
        stub->ListRawFixes(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), req, &page);
    INFO(s.error_message());
    REQUIRE(s.ok());
    for (const auto& f : page.fixes()) {
      if (!out.insert(f.received().sequence()).second) {
        FAIL("sequence " << f.received().sequence() << " is stored twice");
      }
    }
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  return out;
}

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_FIX_STREAM_WRITER_H_
