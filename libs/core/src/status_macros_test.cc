#include "gridwork/core/status_macros.h"

#include <catch2/catch.hpp>

namespace gridwork {
namespace {

int calls = 0;
absl::StatusOr<int> Half(int x) {
  ++calls;
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  GW_ASSIGN_OR_RETURN(int h, Half(x));
  GW_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

absl::Status CheckEven(int x) {
  GW_RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

}  // namespace

TEST_CASE("GW_ASSIGN_OR_RETURN propagates the first error and evaluates once") {
  calls = 0;
  REQUIRE(*Quarter(8) == 2);
  REQUIRE(calls == 2);
  calls = 0;
  auto r = Quarter(6);  // 6 -> 3 -> odd
  REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(calls == 2);
  REQUIRE(CheckEven(3).code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(CheckEven(4).ok());
}

}  // namespace gridwork
