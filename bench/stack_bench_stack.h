// The whole Gridwork stack for stack_load_bench: geofence, location, workorder, inspection and
// analytics behind gridwork-gateway, each a child process of the benchmark with its RocksDB in
// a temporary directory (durable: --sync=true, the services' default), wired as in production
// (tests/integration/service_process.h runs them). Loaded with the demo regions of one district
// (gridwork-demo-geo), both shipped catalogues, and the demo people and places
// (`gridsim load-demo`). Helper processes (gridsim day) are run by ChildProcess.
//
//   BenchStack stack(options);
//   GW_RETURN_IF_ERROR(stack.Start());
//   GW_RETURN_IF_ERROR(stack.Seed());
//   stack.gateway_addr();  stack.Pids();
//
// Not thread-safe; one object per benchmark run.
#ifndef GRIDWORK_BENCH_STACK_BENCH_STACK_H_
#define GRIDWORK_BENCH_STACK_BENCH_STACK_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tests/integration/service_process.h"

namespace gridwork::bench {

inline constexpr char kBenchAdminPassword[] = "stack-bench-admin-password";

struct BenchStackOptions {
  std::string bin_dir;     // gridwork-* binaries, gridsim, gridwork-demo-geo
  std::string source_dir;  // repository root (catalogues, the districts GeoJSON)
  std::string district = "410105";
  double rate_limit_scale = 1000;  // the gateway's per-caller limits (one driver = one caller)
};

// A helper program run to completion or stopped with SIGTERM; stdout and stderr go to a file.
class ChildProcess {
 public:
  ChildProcess(std::string binary, std::vector<std::string> args, std::vector<std::string> env,
               std::string log_path);
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  absl::Status Start();
  // Waits up to `timeout` for the exit; returns the exit code (128+sig if killed), or -1 on
  // timeout (the child keeps running).
  int Wait(absl::Duration timeout);
  // SIGTERM, wait up to `timeout`, then SIGKILL; returns the exit code.
  int Stop(absl::Duration timeout = absl::Seconds(30));
  pid_t pid() const { return pid_; }
  std::string Output() const;

 private:
  std::string binary_;
  std::vector<std::string> args_, env_;
  std::string log_path_;
  pid_t pid_ = -1;
};

class BenchStack {
 public:
  explicit BenchStack(BenchStackOptions options);
  ~BenchStack();
  BenchStack(const BenchStack&) = delete;
  BenchStack& operator=(const BenchStack&) = delete;

  // Starts the five services and the gateway; each must log "serving" within a minute.
  absl::Status Start();
  // Imports the district's demo regions, loads both catalogues and runs `gridsim load-demo`.
  absl::Status Seed();
  // SIGTERM to every process, gateway first; returns false if one did not exit with 0.
  bool Stop();

  std::string gateway_addr() const;
  // "gateway", "location", ... -> pid of the running process.
  std::map<std::string, pid_t> Pids() const;
  const std::string& work_dir() const { return work_dir_.path(); }
  const std::string& regions_file() const { return regions_file_; }
  // The gridsim command line prefix (gateway, district, credentials) for helper runs.
  std::vector<std::string> GridsimArgs() const;
  const BenchStackOptions& options() const { return options_; }

 private:
  BenchStackOptions options_;
  testing::TempDir work_dir_;
  std::string regions_file_;
  std::map<std::string, std::string> addresses_;
  std::map<std::string, std::unique_ptr<testing::ServiceProcess>> processes_;
};

}  // namespace gridwork::bench

#endif  // GRIDWORK_BENCH_STACK_BENCH_STACK_H_
