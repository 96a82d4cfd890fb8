// `gridsim load-demo`: writes the demo city (demo_model.h) through the gateway as the admin —
// users of every role (Identity/CreateUser), worker -> grid bindings, key points, inspection
// subjects — and the credentials file. Idempotent: what exists is listed first and skipped,
// and every mutation carries a request id derived from what it creates, so a second run (or
// a retry after a failure half-way) creates nothing twice.
#ifndef GRIDWORK_TOOLS_GRIDSIM_DEMO_LOADER_H_
#define GRIDWORK_TOOLS_GRIDSIM_DEMO_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/gridsim/demo_model.h"
#include "tools/gridsim/gateway_session.h"

namespace gridwork::gridsim {

struct LoadCounts {
  int created = 0;
  int present = 0;
  int failed = 0;
};

struct LoadReport {
  LoadCounts users, bindings, key_points, subjects;
  int total_created() const {
    return users.created + bindings.created + key_points.created + subjects.created;
  }
  int total_failed() const {
    return users.failed + bindings.failed + key_points.failed + subjects.failed;
  }
};

struct LoaderOptions {
  int threads = 8;
  // Written with mode 0600: one line per user (role, username, password, name, scope).
  std::string credentials_file;
};

// Loads `city` as `admin` (ROLE_ADMIN). Individual failures are counted (and the first few
// logged to stderr) rather than stopping the load; a listing that fails is an error.
absl::StatusOr<LoadReport> LoadDemoCity(GatewaySession& admin, const DemoCity& city,
                                        const std::vector<std::string>& districts,
                                        const LoaderOptions& options);

// Writes the credentials file (0600, replaced atomically).
absl::Status WriteCredentials(const DemoCity& city, const std::string& path);

// One line per role: "ROLE_GRID_WORKER  wangwei001 / demo-xxxx  (王伟, 410105/s01/c01/g01)".
std::string CredentialSummary(const DemoCity& city);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_DEMO_LOADER_H_
