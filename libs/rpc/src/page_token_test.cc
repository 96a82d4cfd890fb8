#include "gridwork/rpc/page_token.h"

#include <catch2/catch.hpp>

namespace gridwork::rpc {

TEST_CASE("page sizes: default, coercion, rejection") {
  REQUIRE(*ClampPageSize(0, 50, 500) == 50);
  REQUIRE(*ClampPageSize(10, 50, 500) == 10);
  REQUIRE(*ClampPageSize(100000, 50, 500) == 500);
  REQUIRE(ClampPageSize(-1, 50, 500).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("page tokens round-trip and are bound to their filters") {
  std::string token = EncodePageToken(std::string("k\0ey", 4), 42);
  REQUIRE(*DecodePageToken(token, 42) == std::string("k\0ey", 4));
  REQUIRE(DecodePageToken(token, 43).status().code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(DecodePageToken("!!not base64!!", 42).status().code() ==
          absl::StatusCode::kInvalidArgument);
  REQUIRE(DecodePageToken("", 42)->empty());
}

}  // namespace gridwork::rpc
