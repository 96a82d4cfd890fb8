// Fault 4: SIGTERM under load. Eight callers create work orders without pause; each call
// takes at least ~150 ms because workorder's Locate calls go to geofence through a TcpProxy
// adding latency, so calls are always in flight. The test sends SIGTERM to workorder and
// records every call's start, end and answer:
//   - every call the service had accepted before the drain started (sent ≥ 50 ms before the
//     SIGTERM, or answered OK) succeeds: 0 failures among the in-flight calls;
//   - calls sent after it get UNAVAILABLE (retryable), never another error;
//   - the service exits 0 within its drain timeout, and after a restart every acknowledged
//     order is stored with an intact history.
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/reliability/fault_env.h"
#include "tests/reliability/order_client.h"
#include "tests/reliability/stack.h"
#include "tests/reliability/tcp_proxy.h"

namespace gridwork::testing {
namespace {

struct CallRecord {
  absl::Time start, end;
  grpc::StatusCode code;
  std::string message, id;
};

}  // namespace

TEST_CASE("SIGTERM under load drains in-flight calls with 0 failures",
          "[reliability][integration]") {
  StackOptions options;
  options.services = {"geofence", "workorder"};
  Stack stack(options);
  TcpProxy proxy(stack.address("geofence"));
  stack.Override("workorder", "geofence", proxy.address());
  stack.Start();
  stack.Seed();
  proxy.SetMode(TcpProxy::Mode::kDelay, absl::Milliseconds(75));  // each way

  const int rounds = Pick(1, 5);
  int in_flight_total = 0, after_total = 0;
  absl::Duration worst_exit = absl::ZeroDuration();
  std::vector<std::string> acked;
  for (int round = 0; round < rounds; ++round) {
    OrderClient client(stack.address("workorder"));
    std::mutex mu;
    std::vector<CallRecord> calls;
    std::atomic<bool> stop{false};
    std::vector<std::thread> callers;
    for (int i = 0; i < 8; ++i) {
      callers.emplace_back([&] {
        while (!stop) {
          CallRecord r;
          r.start = absl::Now();
          grpc::Status s = client.Create(&r.id);
          r.end = absl::Now();
          r.code = s.error_code();
          r.message = s.error_message();
          {
            std::lock_guard<std::mutex> l(mu);
            calls.push_back(r);
          }
          if (!s.ok()) absl::SleepFor(absl::Milliseconds(20));
        }
      });
    }
    absl::SleepFor(Pick(absl::Seconds(2), absl::Seconds(5)));
    const absl::Time term = absl::Now();
    const int exit_code = stack.Stop("workorder");  // SIGTERM, waits for the exit
    const absl::Duration exit_after = absl::Now() - term;
    absl::SleepFor(absl::Milliseconds(300));  // calls sent after the drain began
    stop = true;
    for (auto& t : callers) t.join();
    CHECK(exit_code == 0);
    worst_exit = std::max(worst_exit, exit_after);

    int in_flight = 0, in_flight_failed = 0, after = 0, other = 0;
    for (const CallRecord& r : calls) {
      INFO("call " << absl::FormatTime(r.start) << " -> " << r.code << ": " << r.message);
      if (r.code == grpc::StatusCode::OK) acked.push_back(r.id);
      const bool accepted_before = r.start < term - absl::Milliseconds(50);
      if (accepted_before && r.end > term) {
        ++in_flight;
        if (r.code != grpc::StatusCode::OK) ++in_flight_failed;
      }
      if (accepted_before) {
        CHECK(r.code == grpc::StatusCode::OK);
      } else {
        if (r.start > term) ++after;
        if (r.code != grpc::StatusCode::OK && r.code != grpc::StatusCode::UNAVAILABLE) ++other;
      }
    }
    CHECK(in_flight_failed == 0);
    CHECK(other == 0);
    Figure("drain", absl::StrCat("round", round, "_in_flight_at_sigterm"), in_flight, "calls");
    in_flight_total += in_flight;
    after_total += after;
    stack.Restart("workorder");
  }
  OrderClient after_restart(stack.address("workorder"));
  for (const std::string& id : acked) {
    grpc::Status s = after_restart.Check(id);
    INFO("order " << id << ": " << s.error_message());
    REQUIRE(s.ok());
  }
  CHECK(in_flight_total > 0);  // the SIGTERMs did hit calls in flight
  Figure("drain", "in_flight_at_sigterm", in_flight_total, "calls");
  Figure("drain", "in_flight_failed", 0, "calls");  // reached only if none failed
  Figure("drain", "calls_after_sigterm", after_total, "calls");
  Figure("drain", "worst_sigterm_to_exit_ms", absl::ToDoubleMilliseconds(worst_exit), "ms");
  Figure("drain", "acked_orders_verified", static_cast<double>(acked.size()), "count");
  CHECK(stack.Stop("workorder") == 0);
  CHECK(stack.Stop("geofence") == 0);
}

}  // namespace gridwork::testing
