#include "gridwork/core/log.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "gridwork/core/json_escape.h"

namespace gridwork {

TEST_CASE("log lines are single JSON objects with typed fields") {
  std::ostringstream out;
  log::SetSinkForTest(&out);
  log::SetServiceName("testsvc");
  log::Info("hello \"world\"", {{"n", 42}, {"ok", true}, {"name", "a\nb"}, {"x", NAN}});
  log::Debug("hidden by default level");
  log::SetSinkForTest(nullptr);
  std::string line = out.str();
  REQUIRE(std::count(line.begin(), line.end(), '\n') == 1);
  REQUIRE(line.find("\"level\":\"info\"") != std::string::npos);
  REQUIRE(line.find("\"service\":\"testsvc\"") != std::string::npos);
  REQUIRE(line.find("\"msg\":\"hello \\\"world\\\"\"") != std::string::npos);
  REQUIRE(line.find("\"n\":42") != std::string::npos);
  REQUIRE(line.find("\"ok\":true") != std::string::npos);
  REQUIRE(line.find("\"name\":\"a\\nb\"") != std::string::npos);
  REQUIRE(line.find("\"x\":null") != std::string::npos);
}

TEST_CASE("AppendJsonString escapes control characters") {
  std::string out;
  AppendJsonString(std::string("a\x01z", 3), &out);
  REQUIRE(out == "\"a\\u0001z\"");
}

}  // namespace gridwork
