// Fault 2: a downstream slow, resetting or hung. Workorder calls geofence (Locate, for every
// new order) through a TcpProxy on loopback; callers of workorder's CreateOrder use a 500 ms
// deadline. For each fault:
//   - latency (3 s per chunk) and hang: every caller gets DEADLINE_EXCEEDED within its
//     deadline + 100 ms; workorder's handlers end with their callers (gridwork_rpc_in_flight
//     never above twice the concurrent callers and back to 0 within 300 ms after them: no
//     pile-up), and the proxy holds at most a couple of connections;
//   - resets: callers get UNAVAILABLE fast, and the connections workorder opens to geofence
//     per failed call are bounded (the channel's retry policy: 4 attempts);
//   - throughout, geofence (behind the proxy, unaffected) and workorder answer health SERVING;
//   - back to normal: orders are created again.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tests/integration/principals.h"
#include "tests/integration/small_tree.h"
#include "tests/reliability/fault_env.h"
#include "tests/reliability/stack.h"
#include "tests/reliability/tcp_proxy.h"

namespace gridwork::testing {
namespace {

namespace wv1 = workorder::v1;

constexpr int kCallers = 6;
const absl::Duration kDeadline = absl::Milliseconds(500);

// gridwork_rpc_in_flight of the service with metrics on `port` (-1 if unreadable).
int InFlight(int port) {
  const std::string body = HttpGet(port, "/metrics");
  static const std::regex re("\ngridwork_rpc_in_flight ([0-9.e+]+)");
  std::smatch m;
  if (!std::regex_search(body, m, re)) return -1;
  return static_cast<int>(std::stod(m[1]));
}

struct Outcome {
  int calls = 0;
  int expected_code = 0;  // calls that ended with the expected code
  absl::Duration worst_overshoot = -absl::InfiniteDuration();  // elapsed - deadline
  absl::Duration worst_elapsed;
  std::vector<std::string> other;  // unexpected answers
  int max_in_flight = 0;
};

// kCallers threads call CreateOrder with kDeadline for `duration` while the service's
// in-flight gauge is sampled.
Outcome Hammer(Stack& stack, absl::Duration duration, std::vector<grpc::StatusCode> expected) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  auto channel = grpc::CreateCustomChannel(stack.address("workorder"),
                                           grpc::InsecureChannelCredentials(), args);
  auto stub = wv1::WorkOrderService::NewStub(channel);
  const auto reporter = MakePrincipal(common::v1::ROLE_GRID_WORKER, kG01, "reporter");
  std::mutex mu;
  Outcome out;
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  const int metrics_port = stack.process("workorder").metrics_port();
  std::thread sampler([&] {
    while (!stop) {
      const int n = InFlight(metrics_port);
      {
        std::lock_guard<std::mutex> l(mu);
        out.max_in_flight = std::max(out.max_in_flight, n);
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  });
  std::vector<std::thread> callers;
  const absl::Time end = absl::Now() + duration;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      while (absl::Now() < end) {
        wv1::CreateOrderRequest req;
        req.set_request_id(absl::StrCat("downstream-", next++, "-", absl::ToUnixNanos(end)));
        req.set_category_id("env.garbage");
        *req.mutable_position() = At(34.72, 113.61);
        req.set_description("垃圾堆放");
        wv1::CreateOrderResponse resp;
        auto ctx = As(reporter);
        const absl::Time start = absl::Now();
        ctx->set_deadline(absl::ToChronoTime(start + kDeadline));
        grpc::Status s = stub->CreateOrder(ctx.get(), req, &resp);
        const absl::Duration elapsed = absl::Now() - start;
        std::lock_guard<std::mutex> l(mu);
        ++out.calls;
        if (std::find(expected.begin(), expected.end(), s.error_code()) != expected.end()) {
          ++out.expected_code;
        } else {
          out.other.push_back(absl::StrCat(s.error_code(), ": ", s.error_message()));
        }
        out.worst_overshoot = std::max(out.worst_overshoot, elapsed - kDeadline);
        out.worst_elapsed = std::max(out.worst_elapsed, elapsed);
      }
    });
  }
  for (auto& t : callers) t.join();
  stop = true;
  sampler.join();
  return out;
}

void RequireUnaffectedServing(Stack& stack) {
  CHECK(stack.Health("geofence") == "SERVING");
  CHECK(stack.Health("workorder") == "SERVING");
}

// Handlers end with their callers: in flight back to 0 within 300 ms of the last caller.
void RequireNoPileUp(Stack& stack) {
  const int port = stack.process("workorder").metrics_port();
  const absl::Time end = absl::Now() + absl::Milliseconds(300);
  int n = InFlight(port);
  while (n != 0 && absl::Now() < end) {
    absl::SleepFor(absl::Milliseconds(10));
    n = InFlight(port);
  }
  INFO("workorder calls still in flight 300 ms after the last caller gave up");
  CHECK(n == 0);
}

}  // namespace

TEST_CASE("a slow, resetting or hung downstream: deadlines hold, retries bounded, no pile-up",
          "[reliability][integration]") {
  StackOptions options;
  options.services = {"geofence", "workorder"};
  Stack stack(options);
  TcpProxy proxy(stack.address("geofence"));
  stack.Override("workorder", "geofence", proxy.address());
  stack.Start();
  stack.Seed();

  // Normal: orders are created through the proxy.
  Outcome normal = Hammer(stack, absl::Seconds(1), {grpc::StatusCode::OK});
  INFO(normal.other.size() << " unexpected, e.g. "
                           << (normal.other.empty() ? "" : normal.other[0]));
  REQUIRE(normal.expected_code == normal.calls);
  REQUIRE(normal.calls > 0);

  const absl::Duration run = Pick(absl::Seconds(3), absl::Seconds(20));
  absl::Duration worst_overshoot = absl::ZeroDuration();
  for (auto [mode, label] : {std::pair{TcpProxy::Mode::kDelay, "latency_3s"},
                             std::pair{TcpProxy::Mode::kHang, "hang"}}) {
    INFO("fault: " << label);
    proxy.SetMode(mode, absl::Seconds(3));
    Outcome o = Hammer(stack, run, {grpc::StatusCode::DEADLINE_EXCEEDED});
    for (const auto& e : o.other) UNSCOPED_INFO(e);
    CHECK(o.expected_code == o.calls);
    CHECK(o.calls >= kCallers);
    CHECK(o.worst_overshoot <= absl::Milliseconds(100));
    // A handler ends at its caller's deadline as seen by the server, a moment after the caller
    // gave up and sent its next call: at most one such straggler per caller. Without the cap
    // on outgoing deadlines each would wait out workorder's 2 s Locate deadline: ~4 per caller.
    CHECK(o.max_in_flight <= 2 * kCallers);
    CHECK(proxy.max_open_connections() <= 2);
    RequireNoPileUp(stack);
    RequireUnaffectedServing(stack);
    worst_overshoot = std::max(worst_overshoot, o.worst_overshoot);
    Figure("downstream", absl::StrCat(label, "_calls"), o.calls, "count");
    Figure("downstream", absl::StrCat(label, "_worst_overshoot_ms"),
           absl::ToDoubleMilliseconds(o.worst_overshoot), "ms");
    Figure("downstream", absl::StrCat(label, "_max_in_flight"), o.max_in_flight, "calls");
    proxy.SetMode(TcpProxy::Mode::kPass);
    absl::SleepFor(absl::Milliseconds(200));
  }

  // Resets: UNAVAILABLE (or, while the channel backs off between its bounded retries, the
  // caller's deadline), a bounded number of connection attempts per call.
  {
    proxy.SetMode(TcpProxy::Mode::kReset);
    const int accepted_before = proxy.accepted_connections();
    Outcome o =
        Hammer(stack, run, {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED});
    for (const auto& e : o.other) UNSCOPED_INFO(e);
    CHECK(o.expected_code == o.calls);
    CHECK(o.worst_overshoot <= absl::Milliseconds(100));
    const double per_call =
        static_cast<double>(proxy.accepted_connections() - accepted_before) / std::max(1, o.calls);
    INFO("connections to geofence per failed call: " << per_call);
    CHECK(per_call <= 4.0);
    RequireNoPileUp(stack);
    RequireUnaffectedServing(stack);
    Figure("downstream", "reset_calls", o.calls, "count");
    Figure("downstream", "reset_worst_elapsed_ms", absl::ToDoubleMilliseconds(o.worst_elapsed),
           "ms");
    Figure("downstream", "reset_connections_per_call", per_call, "count");
  }

  // Back to normal.
  proxy.SetMode(TcpProxy::Mode::kPass);
  bool recovered = false;
  for (int i = 0; i < 50 && !recovered; ++i) {
    recovered = Hammer(stack, absl::Milliseconds(200), {grpc::StatusCode::OK}).expected_code > 0;
  }
  CHECK(recovered);
  Figure("downstream", "worst_deadline_overshoot_ms", absl::ToDoubleMilliseconds(worst_overshoot),
         "ms");
  CHECK(stack.Stop("workorder") == 0);
  CHECK(stack.Stop("geofence") == 0);
}

}  // namespace gridwork::testing
