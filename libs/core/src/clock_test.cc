#include "gridwork/core/clock.h"

#include <catch2/catch.hpp>

namespace gridwork {

TEST_CASE("FakeClock stands still until moved") {
  FakeClock clock(absl::FromUnixSeconds(100));
  REQUIRE(clock.Now() == absl::FromUnixSeconds(100));
  clock.Advance(absl::Seconds(30));
  REQUIRE(clock.Now() == absl::FromUnixSeconds(130));
  clock.Set(absl::FromUnixSeconds(5));
  REQUIRE(clock.Now() == absl::FromUnixSeconds(5));
}

TEST_CASE("Real clock is close to absl::Now") {
  absl::Duration diff = Clock::Real()->Now() - absl::Now();
  REQUIRE(absl::AbsDuration(diff) < absl::Seconds(1));
}

}  // namespace gridwork
