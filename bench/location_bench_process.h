// A gridwork service binary run as a child process by location_ingest_bench: like
// tests/integration/service_process.h, but it exposes the pid (for VmRSS and CPU time from
// /proc) and takes the binary's full path.
#ifndef GRIDWORK_BENCH_LOCATION_BENCH_PROCESS_H_
#define GRIDWORK_BENCH_LOCATION_BENCH_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridwork::bench {

class BenchProcess {
 public:
  // `path`: the binary; `args`: its flags; `env`: extra "NAME=value" entries; the child's
  // stdout/stderr go to `log_path`.
  BenchProcess(std::string path, std::vector<std::string> args, std::vector<std::string> env,
               std::string log_path);
  ~BenchProcess();  // SIGKILL if still running.
  BenchProcess(const BenchProcess&) = delete;
  BenchProcess& operator=(const BenchProcess&) = delete;

  // Starts and waits for the "<service> serving" log line.
  absl::Status Start(absl::Duration timeout = absl::Seconds(30));
  // SIGTERM, wait up to `timeout` (then SIGKILL). Returns the exit code (128+sig if killed).
  int Stop(absl::Duration timeout = absl::Seconds(60));

  pid_t pid() const { return pid_; }
  int metrics_port() const { return metrics_port_; }
  std::string Log() const;

 private:
  std::string path_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::string log_path_;
  pid_t pid_ = -1;
  int metrics_port_ = 0;
};

// VmRSS of `pid` in bytes (0 if unreadable).
int64_t RssBytes(pid_t pid);
// User + system CPU seconds consumed so far by `pid` (-1 if unreadable).
double CpuSeconds(pid_t pid);

}  // namespace gridwork::bench

#endif  // GRIDWORK_BENCH_LOCATION_BENCH_PROCESS_H_
