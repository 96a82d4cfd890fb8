// Fault 3: the store's disk fills up, or its directory turns read-only. Workorder (with
// geofence for Locate) takes orders while:
//   - disk full: its store sits on a 64 MiB tmpfs that the test fills (needs root to mount;
//     skipped with a message otherwise, as in most CI containers);
//   - read-only: the test removes write permission from its store directory (when the test
//     runs as root, workorder runs as uid 65534 through setpriv, since root ignores modes).
// In both: workorder turns NOT_SERVING within 5 s, logs "store not writable, refusing
// writes" and sets gridwork_store_writable 0; writes are refused with RESOURCE_EXHAUSTED or
// UNAVAILABLE; reads go on; once the space or permission is back it serves again; after a
// restart every acknowledged order is there with an intact history.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/reliability/fault_env.h"
#include "tests/reliability/order_client.h"
#include "tests/reliability/stack.h"

namespace gridwork::testing {
namespace {

constexpr uid_t kNobody = 65534;

// gridwork_store_writable of the service with metrics on `port` (-1 if unreadable).
int Writable(int port) {
  const std::string body = HttpGet(port, "/metrics");
  static const std::regex re("\ngridwork_store_writable ([0-9.e+]+)");
  std::smatch m;
  if (!std::regex_search(body, m, re)) return -1;
  return static_cast<int>(std::stod(m[1]));
}

// Waits up to `timeout` for `stack`'s workorder health to be `want`; returns the time taken
// or InfiniteDuration.
absl::Duration WaitHealth(Stack& stack, const std::string& want, absl::Duration timeout) {
  const absl::Time start = absl::Now();
  while (absl::Now() - start < timeout) {
    if (stack.Health("workorder") == want) return absl::Now() - start;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::InfiniteDuration();
}

// Unmounts at scope exit (declare before anything that runs on the mount).
struct Mount {
  std::string path;
  bool mounted = false;
  ~Mount() {
    if (mounted && umount2(path.c_str(), MNT_DETACH) != 0) {
      std::fprintf(stderr, "umount %s: %s\n", path.c_str(), std::strerror(errno));
    }
  }
};

// Every order in `ids` is stored with an intact history (after a restart).
void RequireAllStored(OrderClient& client, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    grpc::Status s = client.Check(id);
    INFO("order " << id << ": " << s.error_code() << " " << s.error_message());
    REQUIRE(s.ok());
  }
}

bool Refused(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         s.error_code() == grpc::StatusCode::UNAVAILABLE;
}

}  // namespace

TEST_CASE("disk full: NOT_SERVING, writes refused, nothing acknowledged lost",
          "[reliability][integration]") {
  TempDir base;
  Mount mount{base.path() + "/mnt"};
  std::filesystem::create_directories(mount.path);
  if (::mount("tmpfs", mount.path.c_str(), "tmpfs", 0, "size=64m") != 0) {
    WARN("SKIPPED disk-full fault: cannot mount a tmpfs here (" << std::strerror(errno)
                                                                << "); run as root to include it");
    return;
  }
  mount.mounted = true;
  StackOptions options;
  options.services = {"geofence", "workorder"};
  options.data_dirs["workorder"] = mount.path + "/workorder";
  options.write_buffer_bytes = 1 << 20;  // small WAL preallocation on the small disk
  Stack stack(options);
  stack.Start();
  stack.Seed();
  OrderClient client(stack.address("workorder"));
  std::vector<std::string> acked;
  for (int i = 0; i < 20; ++i) {
    std::string id;
    grpc::Status s = client.Create(&id);
    INFO(s.error_message());
    REQUIRE(s.ok());
    acked.push_back(id);
  }

  // Fill the file system to the last byte.
  const absl::Time filled_at = [&] {
    std::FILE* f = std::fopen((mount.path + "/filler").c_str(), "w");
    REQUIRE(f != nullptr);
    std::vector<char> chunk(1 << 20, 'x');
    while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size()) {
    }
    std::fclose(f);
    return absl::Now();
  }();
  // Writes go on until the store notices (the next write, or the watch within a second);
  // from then on every write is refused.
  int refused = 0;
  grpc::Status last;
  absl::Duration not_serving = absl::InfiniteDuration();
  while (absl::Now() - filled_at < absl::Seconds(10)) {
    std::string id;
    last = client.Create(&id);
    if (last.ok()) {
      acked.push_back(id);
    } else {
      INFO(last.error_code() << ": " << last.error_message());
      REQUIRE(Refused(last));
      ++refused;
    }
    if (refused > 0 && stack.Health("workorder") == "NOT_SERVING") {
      not_serving = absl::Now() - filled_at;
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  INFO(stack.process("workorder").Log());
  REQUIRE(not_serving < absl::Seconds(5));
  REQUIRE(refused > 0);
  CHECK(Writable(stack.process("workorder").metrics_port()) == 0);
  CHECK(stack.process("workorder").Log().find("store not writable, refusing writes") !=
        std::string::npos);
  CHECK(stack.Health("geofence") == "SERVING");
  std::string refused_id;
  grpc::Status again = client.Create(&refused_id);
  CHECK(Refused(again));
  Figure("disk", "full_to_not_serving_ms", absl::ToDoubleMilliseconds(not_serving), "ms");
  Figure("disk", "full_refusal_code", again.error_code(), "grpc_code");
  RequireAllStored(client, acked);  // reads go on

  // Free the space: the store resumes (or, failing that, a restart does).
  std::filesystem::remove(mount.path + "/filler");
  const absl::Duration resumed = WaitHealth(stack, "SERVING", absl::Seconds(10));
  Figure("disk", "freed_to_serving_ms",
         resumed == absl::InfiniteDuration() ? -1 : absl::ToDoubleMilliseconds(resumed), "ms");
  CHECK(stack.Stop("workorder") == 0);
  stack.Restart("workorder");
  OrderClient after(stack.address("workorder"));
  RequireAllStored(after, acked);
  std::string id;
  REQUIRE(after.Create(&id).ok());
  Figure("disk", "full_acked_orders", static_cast<double>(acked.size()), "count");
  Figure("disk", "full_lost_acknowledged", 0, "count");
  CHECK(stack.Stop("workorder") == 0);
  CHECK(stack.Stop("geofence") == 0);
}

TEST_CASE("read-only store directory: NOT_SERVING, writes refused, serving again when writable",
          "[reliability][integration]") {
  TempDir base;
  const std::string store = base.path() + "/workorder";
  std::filesystem::create_directories(store);
  StackOptions options;
  options.services = {"geofence", "workorder"};
  options.data_dirs["workorder"] = store;
  if (geteuid() == 0) {
    // Root writes through any mode: run workorder as nobody, owning its store.
    if (access("/usr/bin/setpriv", X_OK) != 0) {
      WARN("SKIPPED read-only fault: running as root and /usr/bin/setpriv is missing");
      return;
    }
    REQUIRE(chmod(base.path().c_str(), 0755) == 0);
    REQUIRE(chown(store.c_str(), kNobody, kNobody) == 0);
    options.run_as_uid["workorder"] = static_cast<int>(kNobody);
  }
  Stack stack(options);
  stack.Start();
  stack.Seed();
  OrderClient client(stack.address("workorder"));
  std::vector<std::string> acked;
  for (int i = 0; i < 10; ++i) {
    std::string id;
    grpc::Status s = client.Create(&id);
    INFO(s.error_message());
    REQUIRE(s.ok());
    acked.push_back(id);
  }

  REQUIRE(chmod(store.c_str(), 0555) == 0);
  const absl::Duration not_serving = WaitHealth(stack, "NOT_SERVING", absl::Seconds(5));
  INFO(stack.process("workorder").Log());
  REQUIRE(not_serving < absl::Seconds(5));
  std::string id;
  grpc::Status s = client.Create(&id);
  INFO(s.error_code() << ": " << s.error_message());
  CHECK(s.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(Writable(stack.process("workorder").metrics_port()) == 0);
  CHECK(stack.process("workorder").Log().find("store not writable, refusing writes") !=
        std::string::npos);
  CHECK(stack.Health("geofence") == "SERVING");
  RequireAllStored(client, acked);
  Figure("disk", "readonly_to_not_serving_ms", absl::ToDoubleMilliseconds(not_serving), "ms");

  REQUIRE(chmod(store.c_str(), 0755) == 0);
  const absl::Duration serving = WaitHealth(stack, "SERVING", absl::Seconds(5));
  REQUIRE(serving < absl::Seconds(5));
  REQUIRE(client.Create(&id).ok());
  acked.push_back(id);
  CHECK(Writable(stack.process("workorder").metrics_port()) == 1);
  Figure("disk", "writable_to_serving_ms", absl::ToDoubleMilliseconds(serving), "ms");

  CHECK(stack.Stop("workorder") == 0);
  stack.Restart("workorder");
  OrderClient after(stack.address("workorder"));
  RequireAllStored(after, acked);
  CHECK(stack.Stop("workorder") == 0);
  CHECK(stack.Stop("geofence") == 0);
}

}  // namespace gridwork::testing
