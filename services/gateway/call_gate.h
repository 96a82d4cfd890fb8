// The admission check every call through the gateway passes, in this order:
//   1. policy row of the method (none -> PERMISSION_DENIED after step 2, see below);
//   2. unless the row is public: a bearer token that verifies and whose session is live
//      (UNAUTHENTICATED otherwise — so without a token every method, listed or not, answers
//      UNAUTHENTICATED and nothing about the table leaks);
//   3. the caller's role is in the row's role set (PERMISSION_DENIED, same message as 1);
//   4. the caller's token bucket for the row's rate class (RESOURCE_EXHAUSTED).
//
// Thread safety: thread-safe; the dependencies must outlive the gate.
#ifndef GRIDWORK_SERVICES_GATEWAY_CALL_GATE_H_
#define GRIDWORK_SERVICES_GATEWAY_CALL_GATE_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/identity_core.h"
#include "services/gateway/method_policy.h"
#include "services/gateway/rate_limiter.h"

namespace gridwork::gateway {

struct Admission {
  const MethodPolicy* policy = nullptr;
  // Empty principal (no subject) for public methods.
  Caller caller;
};

class CallGate {
 public:
  CallGate(const PolicyTable* table, const IdentityCore* identity, RateLimiter* limiter,
           double rate_scale)
      : table_(table), identity_(identity), limiter_(limiter), rate_scale_(rate_scale) {}

  absl::StatusOr<Admission> Admit(absl::string_view method, absl::string_view bearer_token,
                                  const std::string& peer) const;

  const PolicyTable& table() const { return *table_; }

 private:
  const PolicyTable* table_;
  const IdentityCore* identity_;
  RateLimiter* limiter_;
  double rate_scale_;
};

// The single message of every PERMISSION_DENIED the gateway gives, its own and the services'
// (the proxy replaces an upstream's denial message with this one: nothing about the object
// leaks through a denial).
inline constexpr char kDeniedMessage[] =
    "permission denied: outside what your role and region scope may do";

// `s`, except that a PERMISSION_DENIED (the gateway's own or a service's) carries
// kDeniedMessage: the owner's reason, which may name the object's region, stays in its log.
inline grpc::Status UniformDenial(grpc::Status s) {
  if (s.error_code() != grpc::StatusCode::PERMISSION_DENIED) return s;
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, kDeniedMessage);
}

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_CALL_GATE_H_
