#include "services/gateway/rate_limiter.h"

#include <catch2/catch.hpp>

#include "services/gateway/login_throttle.h"
#include "services/gateway/method_policy.h"

namespace gridwork::gateway {
namespace {

TEST_CASE("token bucket allows a burst, then the refill rate", "[rate]") {
  FakeClock clock;
  RateLimiter limiter(&clock);
  RateLimit l{2, 5};
  for (int i = 0; i < 5; ++i) CHECK(limiter.Allow("u|0", l));
  CHECK_FALSE(limiter.Allow("u|0", l));
  clock.Advance(absl::Milliseconds(500));  // one token
  CHECK(limiter.Allow("u|0", l));
  CHECK_FALSE(limiter.Allow("u|0", l));
  clock.Advance(absl::Hours(1));  // refills to the burst, not beyond
  for (int i = 0; i < 5; ++i) CHECK(limiter.Allow("u|0", l));
  CHECK_FALSE(limiter.Allow("u|0", l));
}

TEST_CASE("rate limits are per key", "[rate]") {
  FakeClock clock;
  RateLimiter limiter(&clock);
  RateLimit l{1, 1};
  CHECK(limiter.Allow("alice|0", l));
  CHECK_FALSE(limiter.Allow("alice|0", l));
  CHECK(limiter.Allow("bob|0", l));
  CHECK(limiter.Allow("alice|1", l));
}

TEST_CASE("rate limiter memory is bounded by evicting refilled buckets", "[rate]") {
  FakeClock clock;
  RateLimiter limiter(&clock, 10);
  RateLimit l{10, 10};
  for (int i = 0; i < 10; ++i) CHECK(limiter.Allow("k" + std::to_string(i), l));
  clock.Advance(absl::Seconds(5));
  CHECK(limiter.Allow("new", l));
  CHECK(limiter.size() == 1);
}

TEST_CASE("rate limit scale 0 disables limits", "[rate]") {
  FakeClock clock;
  RateLimiter limiter(&clock);
  RateLimit off = RateLimitFor(RateClass::kBulk, 0);
  for (int i = 0; i < 1000; ++i) REQUIRE(limiter.Allow("u", off));
}

TEST_CASE("login throttle locks a user and a peer after failures", "[throttle]") {
  FakeClock clock;
  LoginThrottle t({3, 5, absl::Minutes(15)}, &clock);
  for (int i = 0; i < 3; ++i) {
    CHECK(t.Check("alice", "p1").ok());
    t.RecordFailure("alice", "p1");
  }
  CHECK(absl::IsResourceExhausted(t.Check("alice", "p2")));  // per user, any peer
  CHECK(t.Check("bob", "p2").ok());
  t.RecordFailure("bob", "p1");
  t.RecordFailure("carol", "p1");
  CHECK(absl::IsResourceExhausted(t.Check("dave", "p1")));  // 5 from peer p1
  clock.Advance(absl::Minutes(15));
  CHECK(t.Check("alice", "p1").ok());
  t.RecordFailure("erin", "p3");
  t.RecordSuccess("erin");
  CHECK(t.Check("erin", "p3").ok());
}

}  // namespace
}  // namespace gridwork::gateway
