// How an application reaches Gridwork through the gateway (gridwork-gateway's gRPC port).
//
//   gridwork::sdk::ConnectOptions o;
//   o.gateway_addr = "gateway.example:50050";
//   auto session = gridwork::sdk::Session::Login(o, "alice", password);
#ifndef GRIDWORK_SDK_CONNECT_OPTIONS_H_
#define GRIDWORK_SDK_CONNECT_OPTIONS_H_

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "gridwork/core/clock.h"

namespace gridwork::sdk {

// Bounded retry of calls that are safe to repeat. Attempt n+1 waits a random time in
// [d/2, d] (jitter) where d = min(max_backoff, initial_backoff * multiplier^(n-1)), and never
// beyond the call's own deadline budget.
struct RetryPolicy {
  // Total attempts including the first; 1 disables retries.
  int max_attempts = 4;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  double multiplier = 2.0;
};

struct ConnectOptions {
  // host:port of the gateway's gRPC port.
  std::string gateway_addr = "127.0.0.1:50050";
  // Deadline of every call made without an explicit timeout.
  absl::Duration call_timeout = absl::Seconds(30);
  // Largest message sent or received (bytes); region exports can be large.
  int max_message_bytes = 64 << 20;
  RetryPolicy retry;
  // Called (outside the session's locks) with the new refresh token each time it rotates
  // (Login, Resume, every Refresh), so a tool can persist it: the previous one is dead.
  std::function<void(const std::string& refresh_token)> on_refresh_token;
  // Time source for token expiry (tests use a FakeClock). Never null.
  Clock* clock = Clock::Real();
};

}  // namespace gridwork::sdk

#endif  // GRIDWORK_SDK_CONNECT_OPTIONS_H_
