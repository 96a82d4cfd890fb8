// store_commit_bench: commits/s of Db::Commit with sync=true, group commit on vs off.
//
//   build-release/bin/store_commit_bench [--threads=8] [--commits=400] [--json]
//
// Each thread commits `commits` requests of one Put (100 bytes) and one event to a fresh
// database in the temporary directory. Prints one line per mode; with --json the last line is
// one JSON object of the figures.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gridwork/core/log.h"
#include "gridwork/store/db.h"

namespace {

struct Figures {
  double commits_per_s = 0;
  uint64_t writes = 0;
  uint64_t commits = 0;
};

Figures Run(bool group_commit, int threads, int commits) {
  namespace fs = std::filesystem;
  fs::path dir =
      fs::temp_directory_path() /
      ("gridwork-commit-bench-" + std::to_string(::getpid()) + (group_commit ? "-g" : "-s"));
  fs::remove_all(dir);
  gridwork::store::DbOptions options;
  options.path = dir.string();
  options.service_name = "bench";
  options.sync = true;
  options.group_commit = group_commit;
  auto db = gridwork::store::Db::Open(options, {{"state", "bench state"}});
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    std::exit(1);
  }
  auto state = (*db)->Family("state").value();
  google::protobuf::StringValue payload;
  payload.set_value(std::string(64, 'p'));
  const std::string value(100, 'v');
  std::atomic<bool> failed{false};
  absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < commits; ++i) {
        gridwork::store::WriteRequest req;
        req.Put(state, std::to_string(t) + "/" + std::to_string(i), value);
        req.AppendEvent(payload, "410105/g07");
        if (!(*db)->Commit(std::move(req)).ok()) failed = true;
      }
    });
  }
  for (auto& w : workers) w.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (failed) std::exit(1);
  Figures f;
  f.commits = (*db)->Stats().commits;
  f.writes = (*db)->Stats().writes;
  f.commits_per_s = static_cast<double>(f.commits) / secs;
  db->reset();
  fs::remove_all(dir);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 8, commits = 400;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (absl::StartsWith(a, "--threads=") && absl::SimpleAtoi(a.substr(10), &threads)) {
    } else if (absl::StartsWith(a, "--commits=") && absl::SimpleAtoi(a.substr(10), &commits)) {
    } else {
      std::fprintf(stderr, "usage: %s [--threads=N] [--commits=N] [--json]\n", argv[0]);
      return 2;
    }
  }
  gridwork::log::SetMinLevel(gridwork::log::Level::kWarning);
  Figures grouped = Run(true, threads, commits);
  Figures single = Run(false, threads, commits);
  std::printf("threads=%d commits/thread=%d sync=true\n", threads, commits);
  std::printf("group commit on : %9.0f commits/s, %llu fsync'ed writes for %llu commits\n",
              grouped.commits_per_s, static_cast<unsigned long long>(grouped.writes),
              static_cast<unsigned long long>(grouped.commits));
  std::printf("group commit off: %9.0f commits/s, %llu fsync'ed writes for %llu commits\n",
              single.commits_per_s, static_cast<unsigned long long>(single.writes),
              static_cast<unsigned long long>(single.commits));
  if (json) {
    std::printf(
        "{\"threads\":%d,\"group_commit_commits_per_s\":%.0f,\"group_commit_writes\":%llu,"
        "\"single_commits_per_s\":%.0f,\"single_writes\":%llu,\"commits\":%llu,"
        "\"units\":{\"*_commits_per_s\":\"1/s\"}}\n",
        threads, grouped.commits_per_s, static_cast<unsigned long long>(grouped.writes),
        single.commits_per_s, static_cast<unsigned long long>(single.writes),
        static_cast<unsigned long long>(grouped.commits));
  }
  return 0;
}
