// kill -9 loop: a writer streams fixes to the real gridwork-location and records every fix
// it got an ack for, while the test SIGKILLs the service at random moments and restarts it.
// After every restart: 0 acknowledged fixes missing, 0 duplicates. Cycles: 20 by default,
// $GRIDWORK_CRASH_CYCLES for a longer run.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"

namespace gridwork::testing {
namespace {

namespace lv1 = location::v1;

int Cycles() {
  const char* env = std::getenv("GRIDWORK_CRASH_CYCLES");
  return env != nullptr ? std::max(1, std::atoi(env)) : 20;
}

// The fix with device sequence `seq`: one per 10 ms (a fast writer must never run into
// "future" timestamps), moving 1 cm each time (1 m/s, no speed rejection).
lv1::DeviceFix FixNumber(uint64_t seq, int64_t start_ms) {
  lv1::DeviceFix f;
  f.set_sequence(seq);
  *f.mutable_device_time() = service::ToProto(absl::FromUnixMillis(start_ms + 10 * seq));
  f.mutable_position()->set_lat(34.75);
  f.mutable_position()->set_lng(113.6 + 1e-7 * static_cast<double>(seq));
  f.set_accuracy_m(5);
  return f;
}

class Writer {
 public:
  Writer(std::string target, int64_t start_ms) : target_(std::move(target)), start_ms_(start_ms) {}

  // Streams batches of 10 fixes until Stop(); a batch is resent after any stream failure
  // until it is acknowledged, as a phone does.
  void Run() {
    uint64_t next_seq = 1;
    uint64_t batch_id = 0;
    while (!stop_) {
      auto stub = lv1::LocationService::NewStub(rpc::MakeChannel(target_));
      auto ctx = As(MakePrincipal(common::v1::ROLE_GRID_WORKER, "", "crash-worker"));
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      auto stream = stub->StreamFixes(ctx.get());
      while (!stop_) {
        lv1::FixBatch batch;
        batch.set_batch_id(++batch_id);
        batch.set_device_id("crash-phone");
        for (uint64_t s = next_seq; s < next_seq + 10; ++s) *batch.add_fixes() = FixNumber(s, start_ms_);
        lv1::BatchAck ack;
        if (!stream->Write(batch) || !stream->Read(&ack)) break;  // server died: reconnect
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
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  void Stop() { stop_ = true; }
  std::set<uint64_t> Acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int errors() const { return errors_; }
  std::string last_error() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_error_;
  }

 private:
  std::string target_;
  int64_t start_ms_;
  std::atomic<bool> stop_{false};
  std::atomic<int> errors_{0};
  std::mutex mu_;
  std::set<uint64_t> acked_;
  std::string last_error_;
};

// Sequences stored for the worker (from the raw listing); fails the test on a duplicate.
std::set<uint64_t> Stored(const std::string& target, int64_t start_ms) {
  auto stub = lv1::LocationService::NewStub(rpc::MakeChannel(target));
  lv1::ListRawFixesRequest req;
  req.set_worker_id("crash-worker");
  *req.mutable_start_time() = service::ToProto(absl::FromUnixMillis(start_ms));
  *req.mutable_end_time() = service::ToProto(absl::FromUnixMillis(start_ms) + absl::Hours(24));
  req.set_page_size(10000);
  std::set<uint64_t> out;
  do {
    lv1::ListRawFixesResponse page;
    grpc::Status s = stub->ListRawFixes(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), req, &page);
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

}  // namespace

TEST_CASE("kill -9 loop: no acknowledged fix lost, none duplicated", "[integration]") {
  TempDir dir;
  const std::string addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::vector<std::string> args = {"--grpc_addr=" + addr, "--data_dir=" + dir.path()};
  auto service = std::make_unique<ServiceProcess>("gridwork-location", args,
                                                  std::vector<std::string>{KeyEnv()});
  REQUIRE(service->Start().ok());
  // Fixes start 12 hours ago at one per second, so the whole run stays "in the past".
  const int64_t start_ms = absl::ToUnixMillis(absl::Now() - absl::Hours(12));
  Writer writer(addr, start_ms);
  std::thread writing([&] { writer.Run(); });

  std::mt19937 rng(20261123);
  const int cycles = Cycles();
  size_t last_acked = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 350));
    service->Kill();
    const std::set<uint64_t> acked = writer.Acked();  // everything acked before the kill
    service = std::make_unique<ServiceProcess>("gridwork-location", args,
                                               std::vector<std::string>{KeyEnv()});
    auto started = service->Start();
    INFO(started.message());
    REQUIRE(started.ok());
    const std::set<uint64_t> stored = Stored(addr, start_ms);
    size_t missing = 0;
    for (uint64_t s : acked) missing += stored.count(s) == 0 ? 1 : 0;
    INFO("cycle " << cycle << ": acked " << acked.size() << ", stored " << stored.size());
    REQUIRE(missing == 0);
    last_acked = acked.size();
  }
  writer.Stop();
  writing.join();
  INFO(writer.last_error());
  REQUIRE(writer.errors() == 0);
  // The writer made progress through the crashes (not a vacuous pass).
  REQUIRE(last_acked >= static_cast<size_t>(cycles) * 10);
  const std::set<uint64_t> final_acked = writer.Acked();
  const std::set<uint64_t> final_stored = Stored(addr, start_ms);
  size_t final_missing = 0;
  for (uint64_t s : final_acked) final_missing += final_stored.count(s) == 1 ? 0 : 1;
  REQUIRE(final_missing == 0);
  REQUIRE(service->Stop() == 0);
}

}  // namespace gridwork::testing
