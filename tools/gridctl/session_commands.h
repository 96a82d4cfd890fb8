// gridctl login / logout / whoami, and the gateway-mode connection every other command uses
// when the user is logged in (or --gateway is given).
#ifndef GRIDWORK_TOOLS_GRIDCTL_SESSION_COMMANDS_H_
#define GRIDWORK_TOOLS_GRIDCTL_SESSION_COMMANDS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/sdk/session.h"
#include "tools/gridctl/output.h"

namespace gridwork::gridctl {

struct GatewayFlags {
  std::string gateway;        // --gateway; empty = the stored one, else 127.0.0.1:50050
  std::string password_file;  // --password_file
  absl::Duration timeout = absl::Seconds(30);
  OutputFormat format = OutputFormat::kTable;
};

// Resumes the stored login (the rotated refresh token is stored again at once).
// Errors: UNAUTHENTICATED "not logged in" / "session ended" with what to do.
absl::StatusOr<std::unique_ptr<sdk::Session>> ConnectStored(const GatewayFlags& flags);

// Whether a stored login exists.
bool HasStoredLogin();

// The commands; each returns an exit code.
int Login(const std::string& user, const GatewayFlags& flags);
int Logout(const GatewayFlags& flags);
int WhoAmI(const GatewayFlags& flags);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_SESSION_COMMANDS_H_
