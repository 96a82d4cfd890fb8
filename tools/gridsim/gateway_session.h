// How gridsim reaches the gateway: a logged-in user's gridwork::sdk::Session (libs/sdk:
// Login, bearer token kept fresh, typed stubs, a deadline on every call). This is the only
// file of gridsim that knows how calls are authenticated.
#ifndef GRIDWORK_TOOLS_GRIDSIM_GATEWAY_SESSION_H_
#define GRIDWORK_TOOLS_GRIDSIM_GATEWAY_SESSION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/sdk/session.h"

namespace gridwork::gridsim {

using GatewaySession = sdk::Session;

// Logs `username` in at the gateway `gateway_addr` (host:port). Calls made with the session's
// Context() get `call_timeout` as deadline unless they name another. Errors: UNAUTHENTICATED
// (wrong credentials), RESOURCE_EXHAUSTED (throttled), UNAVAILABLE (gateway unreachable); the
// message names the user.
absl::StatusOr<std::unique_ptr<GatewaySession>> LoginGateway(const std::string& gateway_addr,
                                                             const std::string& username,
                                                             const std::string& password,
                                                             absl::Duration call_timeout);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_GATEWAY_SESSION_H_
