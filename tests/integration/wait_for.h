// Polling for integration tests: a real service applies what it was told asynchronously (feeds,
// consumers, timers), so a test waits for the state it expects instead of sleeping.
#ifndef GRIDWORK_TESTS_INTEGRATION_WAIT_FOR_H_
#define GRIDWORK_TESTS_INTEGRATION_WAIT_FOR_H_

#include <chrono>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gridwork::testing {

// Polls `pred` every 50 ms until it holds or `timeout` passes, and returns its last answer
// (the caller REQUIREs it, so a failure reports the assertion, not a hang). The default is
// generous: CI runs integration tests two at a time on two cores.
template <typename Pred>
bool WaitFor(Pred pred, absl::Duration timeout = absl::Seconds(45)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_WAIT_FOR_H_
