// The whole Gridwork suite as child processes for fault tests: geofence, location, workorder,
// inspection and analytics, each on a port fixed at construction (so peers keep their
// addresses across restarts), its store in its own temporary directory, wired as in
// production (geofence <-> location feeds, workorder -> geofence, inspection -> geofence,
// location, workorder, analytics <- all four feeds). Any service can be SIGKILLed, stopped and
// restarted on the same store; Seed() loads the reference data the load driver needs.
//
//   Stack stack;                       // StackOptions{} for the defaults
//   stack.Start();                     // REQUIREs each one reaches "serving"
//   stack.Seed();
//   stack.Kill("location");
//   absl::Duration t = stack.Restart("location");   // spawn -> health SERVING
#ifndef GRIDWORK_TESTS_RELIABILITY_STACK_H_
#define GRIDWORK_TESTS_RELIABILITY_STACK_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "gridwork/common/v1/principal.pb.h"
#include "tests/integration/service_process.h"

namespace gridwork::testing {

inline const std::vector<std::string>& StackServices() {
  static const std::vector<std::string> kNames = {"geofence", "location", "workorder", "inspection",
                                                  "analytics"};
  return kNames;
}

struct StackOptions {
  // Services to run, in start order (a subset of StackServices()).
  std::vector<std::string> services = StackServices();
  // GRIDWORK_STORE_WRITE_BUFFER_BYTES for every store (0 = RocksDB's default): small
  // memtables make flushes and compactions run under load.
  size_t write_buffer_bytes = 0;
  // Replaces a peer address a service is given: {"workorder", "geofence", "127.0.0.1:1234"}
  // makes workorder call geofence through that address (a proxy).
  struct Override {
    std::string service, peer, address;
  };
  std::vector<Override> overrides;
  // Extra flags per service.
  std::map<std::string, std::vector<std::string>> extra_flags;
  // Replaces a service's data directory (e.g. one on a small tmpfs).
  std::map<std::string, std::string> data_dirs;
  // Runs the service as this uid/gid (through setpriv) when non-negative; the data directory
  // must belong to it.
  std::map<std::string, int> run_as_uid;
};

class Stack {
 public:
  explicit Stack(StackOptions options = {});
  ~Stack();  // SIGKILLs what still runs (ServiceProcess)

  // Makes `service` call `peer` at `address` (e.g. a TcpProxy in front of the peer, which
  // needs the peer's address first). Call before Start().
  void Override(const std::string& service, const std::string& peer, const std::string& address) {
    options_.overrides.push_back({service, peer, address});
  }
  void Start();  // REQUIREs every service reaches "serving"
  // Regions (SmallTree), workers w1..w4 bound to g01/g02, the work-order catalogue
  // (env.garbage -> urban), an inspection department, checklist and confirmed subject.
  void Seed();

  ServiceProcess& process(const std::string& name) { return *processes_.at(name); }
  const std::string& address(const std::string& name) const { return addresses_.at(name); }
  const std::string& data_dir(const std::string& name) const { return data_dirs_.at(name); }
  std::shared_ptr<grpc::Channel> channel(const std::string& name);

  void Kill(const std::string& name);
  // SIGTERM; returns the exit code.
  int Stop(const std::string& name);
  // Starts `name` again on the same store and port (REQUIREs it starts) and returns the time
  // from spawning it to its health answering SERVING.
  absl::Duration Restart(const std::string& name);
  // True once every running service answers SERVING within `timeout`.
  bool AllServing(absl::Duration timeout);
  // Health of one service ("" if it does not answer): "SERVING", "NOT_SERVING", ...
  std::string Health(const std::string& name, absl::Duration timeout = absl::Seconds(1));

  // The subject inspections are submitted for (Seed()).
  const std::string& subject_id() const { return subject_id_; }

 private:
  std::unique_ptr<ServiceProcess> MakeProcess(const std::string& name);
  std::string Peer(const std::string& service, const std::string& peer) const;

  StackOptions options_;
  std::vector<std::unique_ptr<TempDir>> temp_dirs_;
  std::map<std::string, std::string> addresses_;
  std::map<std::string, std::string> data_dirs_;
  std::map<std::string, std::unique_ptr<ServiceProcess>> processes_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::string subject_id_;
};

// The test principals' constructors, shared by the fault tests.
common::v1::Principal AdminPrincipal();
common::v1::Principal ServicePrincipal();

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_RELIABILITY_STACK_H_
