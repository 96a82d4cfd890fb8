#include "gridwork/service/input_checks.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

namespace gridwork::service {

common::v1::LatLng At(double lat, double lng) {
  common::v1::LatLng p;
  p.set_lat(lat);
  p.set_lng(lng);
  return p;
}

TEST_CASE("coordinates: NaN, infinities and out-of-range are rejected with the field name") {
  REQUIRE(CheckLatLng(At(34.7, 113.6), "p").ok());
  REQUIRE(CheckLatLng(At(-90, 180), "p").ok());
  for (auto bad : {At(NAN, 113), At(34, std::numeric_limits<double>::infinity()), At(113.6, 34.7),
                   At(34, 181), At(-90.0001, 0)}) {
    absl::Status s = CheckLatLng(bad, "fixes[2].position");
    REQUIRE(s.code() == absl::StatusCode::kInvalidArgument);
    REQUIRE(std::string(s.message()).find("fixes[2].position") != std::string::npos);
  }
}

TEST_CASE("ids: required, bounded, no control characters") {
  REQUIRE(CheckId("w-1", "worker_id").ok());
  REQUIRE(CheckId("", "worker_id").code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(CheckId(std::string(129, 'a'), "worker_id").code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(CheckId(std::string("a\0b", 3), "worker_id").code() ==
          absl::StatusCode::kInvalidArgument);
}

}  // namespace gridwork::service
