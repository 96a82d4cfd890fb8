// The stored login of gridctl: ${GRIDWORK_CONFIG:-~/.config/gridwork}/credentials.json, mode
// 0600, holding the gateway address, the user and the current refresh token (rotated on every
// use, so it is rewritten after each command). Never the password or an access token.
#ifndef GRIDWORK_TOOLS_GRIDCTL_CREDENTIALS_H_
#define GRIDWORK_TOOLS_GRIDCTL_CREDENTIALS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gridwork::gridctl {

struct Credentials {
  std::string gateway;
  std::string user;
  std::string refresh_token;
};

// The file's path (the directory is not created here).
std::string CredentialsPath();

// nullopt when there is no file. Errors: a file that cannot be read or parsed (names it).
absl::StatusOr<std::optional<Credentials>> LoadCredentials();

// Writes atomically (temporary file + rename), mode 0600, creating the directory (0700).
absl::Status SaveCredentials(const Credentials& c);

// Removes the file; OK if there was none.
absl::Status DeleteCredentials();

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_CREDENTIALS_H_
