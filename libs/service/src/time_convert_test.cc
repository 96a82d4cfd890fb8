#include "gridwork/service/time_convert.h"

#include <catch2/catch.hpp>

namespace gridwork::service {

TEST_CASE("timestamps round-trip, including before the epoch") {
  for (absl::Time t : {absl::FromUnixMillis(1700000000123), absl::FromUnixMillis(-1500),
                       absl::UnixEpoch()}) {
    google::protobuf::Timestamp ts = ToProto(t);
    REQUIRE(ts.nanos() >= 0);
    REQUIRE(ts.nanos() < 1000000000);
    REQUIRE(FromProto(ts) == t);
  }
  REQUIRE(ToProto(absl::FromUnixMillis(-1500)).seconds() == -2);
}

TEST_CASE("durations round-trip") {
  REQUIRE(FromProto(ToProto(absl::Milliseconds(90500))) == absl::Milliseconds(90500));
  REQUIRE(ToProto(absl::Milliseconds(90500)).seconds() == 90);
}

}  // namespace gridwork::service
