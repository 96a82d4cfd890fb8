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
#include "tests/integration/fix_stream_writer.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"

namespace gridwork::testing {
namespace {

namespace lv1 = location::v1;

int Cycles() {
  const char* env = std::getenv("GRIDWORK_CRASH_CYCLES");
  return env != nullptr ? std::max(1, std::atoi(env)) : 20;
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
  FixStreamWriter writer(addr, start_ms, "crash-worker", "crash-phone");
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
    const std::set<uint64_t> stored = StoredSequences(addr, "crash-worker", start_ms);
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
  const std::set<uint64_t> final_stored = StoredSequences(addr, "crash-worker", start_ms);
  size_t final_missing = 0;
  for (uint64_t s : final_acked) final_missing += final_stored.count(s) == 1 ? 0 : 1;
  REQUIRE(final_missing == 0);
  REQUIRE(service->Stop() == 0);
}

}  // namespace gridwork::testing
