// Login throttling: counts failed logins per username and per peer address in a sliding
// window and refuses further attempts once a limit is reached, until the window passes.
// A successful login clears the user's count (not the peer's).
//
// In memory only: a restart forgets the counts (documented in docs/gateway.md).
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SERVICES_GATEWAY_LOGIN_THROTTLE_H_
#define GRIDWORK_SERVICES_GATEWAY_LOGIN_THROTTLE_H_

#include <deque>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridwork/core/clock.h"

namespace gridwork::gateway {

struct ThrottleOptions {
  int max_failures_per_user = 5;
  int max_failures_per_peer = 20;
  absl::Duration window = absl::Minutes(15);
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleOptions options, Clock* clock = Clock::Real())
      : options_(options), clock_(clock) {}

  // OK if a login for `user` from `peer` may be attempted now; RESOURCE_EXHAUSTED saying
  // when to retry otherwise.
  absl::Status Check(const std::string& user, const std::string& peer);
  void RecordFailure(const std::string& user, const std::string& peer);
  void RecordSuccess(const std::string& user);

 private:
  using Times = std::deque<absl::Time>;
  void Prune(Times& t, absl::Time now) const;

  ThrottleOptions options_;
  Clock* clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Times> by_user_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Times> by_peer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_LOGIN_THROTTLE_H_
