// The retry loop shared by Session::Call and FixUploader, with the sleeping and the random
// source injectable so the policy is tested without a server or real waiting (retry_test.cc).
//
// Rules:
//  1. UNAUTHENTICATED: the token is refreshed once (`reauth`) and the call repeated; this
//     repeat does not count as an attempt. A second UNAUTHENTICATED is returned.
//  2. A code in `retryable` (UNAVAILABLE for unary calls; the fix uploader adds
//     DEADLINE_EXCEEDED) is retried while `retry_safe` and attempts remain, after Backoff().
//  3. Everything else is returned at once.
#ifndef GRIDWORK_SDK_RETRY_H_
#define GRIDWORK_SDK_RETRY_H_

#include <grpcpp/support/status.h>

#include <functional>
#include <initializer_list>
#include <vector>

#include "absl/random/random.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "gridwork/sdk/connect_options.h"

namespace gridwork::sdk {

// The wait before retry number `retry` (1 = the first retry): uniform in [d/2, d] with
// d = min(max_backoff, initial_backoff * multiplier^(retry-1)).
absl::Duration Backoff(const RetryPolicy& policy, int retry, absl::BitGen& gen);

// Whether repeating `request` cannot do a thing twice: a request with a `request_id` field is
// safe iff it is set (the services deduplicate by it); a request without one is a read (or
// idempotent by content, like FixBatch's sequence numbers) except Identity's Refresh (a
// second use of the refresh token revokes the session), RegisterResident and VerifyResident.
bool IsRetrySafe(const google::protobuf::Message& request);

struct RetryHooks {
  std::function<void(absl::Duration)> sleep = [](absl::Duration d) { absl::SleepFor(d); };
  // Refreshes the token after UNAUTHENTICATED; false = could not (the status is returned).
  std::function<bool()> reauth = [] { return false; };
  // Called once per retry (not for the re-authenticated repeat), e.g. to count them.
  std::function<void()> on_retry = [] {};
};

// Runs `attempt` (given the attempt number, 1-based) under the rules above.
grpc::Status RunWithRetry(const RetryPolicy& policy, bool retry_safe,
                          const std::vector<grpc::StatusCode>& retryable, const RetryHooks& hooks,
                          const std::function<grpc::Status(int attempt)>& attempt);

}  // namespace gridwork::sdk

#endif  // GRIDWORK_SDK_RETRY_H_
