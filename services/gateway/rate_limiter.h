// Token-bucket rate limits keyed by a string (e.g. "user|class"). Each key's bucket holds up
// to `burst` tokens and refills at `per_second`; a call takes one token or is refused.
//
//   RateLimiter limiter(clock);
//   if (!limiter.Allow("alice|read", {.per_second = 50, .burst = 100})) -> RESOURCE_EXHAUSTED
//
// Memory: at most `max_keys` buckets; when full, buckets that are full again (idle long
// enough to have refilled) are dropped, so an idle key costs nothing for long.
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SERVICES_GATEWAY_RATE_LIMITER_H_
#define GRIDWORK_SERVICES_GATEWAY_RATE_LIMITER_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridwork/core/clock.h"

namespace gridwork::gateway {

struct RateLimit {
  double per_second = 10;
  double burst = 20;
};

class RateLimiter {
 public:
  explicit RateLimiter(Clock* clock = Clock::Real(), size_t max_keys = 100000)
      : clock_(clock), max_keys_(max_keys) {}
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from `key`'s bucket; false (and nothing taken) if it is empty.
  // A limit with per_second <= 0 allows everything.
  bool Allow(absl::string_view key, const RateLimit& limit);

  size_t size() const;

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  void EvictRefilled(absl::Time now, const RateLimit& limit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* clock_;
  size_t max_keys_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_RATE_LIMITER_H_
