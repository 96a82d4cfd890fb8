#include "tools/gridsim/gateway_session.h"

#include "absl/strings/str_cat.h"

namespace gridwork::gridsim {

absl::StatusOr<std::unique_ptr<GatewaySession>> LoginGateway(const std::string& gateway_addr,
                                                             const std::string& username,
                                                             const std::string& password,
                                                             absl::Duration call_timeout) {
  sdk::ConnectOptions o;
  o.gateway_addr = gateway_addr;
  o.call_timeout = call_timeout;
  auto s = sdk::Session::Login(o, username, password);
  if (!s.ok()) {
    return absl::Status(s.status().code(),
                        absl::StrCat("login of ", username, ": ", s.status().message()));
  }
  return std::move(*s);
}

}  // namespace gridwork::gridsim
