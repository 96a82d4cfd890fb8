// Runs a real Gridwork service binary as a child process for integration tests: listens on
// port 0, stores in a temporary directory, and is stopped with SIGTERM like Kubernetes does.
//
//   ServiceProcess geofence("gridwork-geofence", {"--data_dir=" + dir});
//   REQUIRE(geofence.Start().ok());
//   auto channel = rpc::MakeChannel(geofence.grpc_target());
//   ...
//   REQUIRE(geofence.Stop() == 0);   // graceful exit code
//
// The child's stderr (JSON log lines) goes to <log_path>; Start() waits for the line whose
// "msg" is "<service> serving" and reads "grpc_port" and "metrics_port" from it.
#ifndef GRIDWORK_TESTS_INTEGRATION_SERVICE_PROCESS_H_
#define GRIDWORK_TESTS_INTEGRATION_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridwork::testing {

// Directory of the built binaries (build/bin), from the GRIDWORK_BIN_DIR compile definition.
std::string BinDir();

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Forks and runs argv[0] (a path) with `argv`, the extra `env` entries ("NAME=value") and
// every signal unblocked, its stdout and stderr written to `log_path`, emptied first (a
// restart's log holds only its own lines). Returns the child's pid, or -1 if fork failed.
//
// Called on the process's main thread, the child also gets SIGTERM when this process ends,
// however it ends (PR_SET_PDEATHSIG): a test or benchmark that crashes does not leave its
// services running. The kernel sends that signal when the forking *thread* ends, so a child
// spawned from any other thread does not get it and must be stopped explicitly.
pid_t SpawnChild(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::string& log_path);

class ServiceProcess {
 public:
  // `binary` is a name in BinDir() or a path (anything with a '/'); `args` are its flags (--grpc_addr/--metrics_addr default
  // to 127.0.0.1:0 unless given); `env` entries are "NAME=value".
  ServiceProcess(std::string binary, std::vector<std::string> args,
                 std::vector<std::string> env = {});
  ~ServiceProcess();  // SIGKILL if still running.
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Starts and waits up to `timeout` for the serving line. On failure the message includes
  // the tail of the child's log.
  absl::Status Start(absl::Duration timeout = absl::Seconds(20));
  // SIGTERM, wait up to `timeout`, then SIGKILL. Returns the exit code (128+sig if killed).
  int Stop(absl::Duration timeout = absl::Seconds(15));
  // SIGKILL without warning (a crash) and wait.
  void Kill();

  int grpc_port() const { return grpc_port_; }
  // The child's pid while it runs (-1 otherwise), e.g. for /proc/<pid>/status in benchmarks.
  pid_t pid() const { return pid_; }
  int metrics_port() const { return metrics_port_; }
  std::string grpc_target() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  std::string Log() const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::string log_path_;
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago (for services that must know each
// other's address before either starts).
int PickFreePort();

// GET http://127.0.0.1:<port><path>; returns the body, or "" on any failure.
std::string HttpGet(int port, const std::string& path);

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_SERVICE_PROCESS_H_
