#include "services/gateway/rate_limiter.h"

#include <algorithm>

namespace gridwork::gateway {

bool RateLimiter::Allow(absl::string_view key, const RateLimit& limit) {
  if (limit.per_second <= 0) return true;
  absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) EvictRefilled(now, limit);
    it = buckets_.emplace(std::string(key), Bucket{limit.burst, now}).first;
  }
  Bucket& b = it->second;
  double elapsed = absl::ToDoubleSeconds(now - b.updated);
  if (elapsed > 0) {
    b.tokens = std::min(limit.burst, b.tokens + elapsed * limit.per_second);
    b.updated = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void RateLimiter::EvictRefilled(absl::Time now, const RateLimit& limit) {
  absl::Duration refill = absl::Seconds(limit.burst / limit.per_second);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    auto cur = it++;
    if (now - cur->second.updated >= refill) buckets_.erase(cur);
  }
}

size_t RateLimiter::size() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace gridwork::gateway
