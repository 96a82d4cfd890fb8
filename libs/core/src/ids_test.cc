#include "gridwork/core/ids.h"

#include <catch2/catch.hpp>
#include <set>

namespace gridwork {

TEST_CASE("NewId has the prefix and 32 hex digits, and does not repeat") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewId("kp");
    REQUIRE(id.size() == 3 + 32);
    REQUIRE(id.rfind("kp-", 0) == 0);
    REQUIRE(id.find_first_not_of("0123456789abcdef", 3) == std::string::npos);
    REQUIRE(seen.insert(id).second);
  }
}

TEST_CASE("Sha256Hex matches the published test vector") {
  REQUIRE(Sha256Hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace gridwork
