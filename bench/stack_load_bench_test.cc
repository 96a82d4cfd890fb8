// stack_load_bench --quick as a test (labels bench, integration): the whole stack starts, takes
// gridsim's load through the gateway and stops cleanly, and the JSON line has every figure of
// issue 10 with sane values. It asserts no timing: the machine is shared.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace {

// Runs `cmd`; returns its exit code and its output (stdout and stderr).
int Run(const std::string& cmd, std::string* out) {
  std::FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string LastLine(const std::string& out) {
  size_t end = out.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  size_t begin = out.rfind('\n', end);
  return out.substr(begin == std::string::npos ? 0 : begin + 1, end + 1 - (begin + 1));
}

TEST_CASE("stack_load_bench --quick reports every figure with sane values",
          "[bench][integration]") {
  // The wrapper starts a PostgreSQL+PostGIS cluster when they are installed, else skips it.
  const std::string cmd = std::string(GRIDWORK_SOURCE_DIR) + "/bench/run_stack_bench.sh --build " +
                          GRIDWORK_BUILD_DIR + " -- --quick --json";
  std::string out;
  const int code = Run(cmd, &out);
  INFO(out);
  REQUIRE(code == 0);
  google::protobuf::Struct json;
  REQUIRE(google::protobuf::util::JsonStringToMessage(LastLine(out), &json).ok());
  const auto& f = json.fields();
  auto num = [&](const std::string& key) {
    INFO(key);
    REQUIRE(f.count(key) == 1);
    REQUIRE(f.at(key).kind_case() == google::protobuf::Value::kNumberValue);
    return f.at(key).number_value();
  };
  // The keys issue 10 names.
  for (const char* key : {"sustained_fixes_per_s", "ack_p99_ms", "fix_to_fence_p99_ms",
                          "fix_to_cockpit_p99_ms", "vs_postgis"}) {
    num(key);
  }
  CHECK(num("sustained_fixes_per_s") > 0);
  // Every fix sent was acknowledged: no failed call, no rejection, nothing lost.
  CHECK(num("sent") > 0);
  CHECK(num("acked") == num("sent"));
  CHECK(num("failed_calls") == 0);
  CHECK(num("rejected") == 0);
  CHECK(num("lost_acks") == 0);
  CHECK(num("ack_p50_ms") > 0);
  CHECK(num("ack_p50_ms") <= num("ack_p99_ms"));
  // Fixes crossed into grids and geofence's events came back through the gateway's feed.
  CHECK(num("fence_events") > 0);
  CHECK(num("fix_to_fence_p99_ms") > 0);
  // The live map showed every probe's fix; the cockpit streams got updates.
  CHECK(num("fix_to_cockpit_samples") > 0);
  CHECK(num("fix_to_cockpit_timeouts") == 0);
  CHECK(num("fix_to_cockpit_p99_ms") > 0);
  CHECK(num("cockpit_updates") > 0);
  // The background day reported incidents.
  CHECK(num("incidents") > 0);
  // CPU and memory of every service process were read.
  for (const char* svc :
       {"gateway", "location", "geofence", "workorder", "inspection", "analytics"}) {
    CHECK(num(std::string("cpu_cores_") + svc) >= 0);
    CHECK(num(std::string("rss_mib_") + svc) > 0);
  }
  CHECK(num("cpu_cores_location") > 0);
  CHECK(num("cpu_cores_gateway") > 0);
  // PostGIS, when the wrapper found it installed.
  if (num("postgis_fixes_per_s") > 0) CHECK(num("vs_postgis") > 0);
  REQUIRE(f.count("clean_shutdown") == 1);
  CHECK(f.at("clean_shutdown").bool_value());
}

}  // namespace
