#include "services/gateway/call_gate.h"

#include "absl/strings/str_cat.h"

namespace gridwork::gateway {

absl::StatusOr<Admission> CallGate::Admit(absl::string_view method, absl::string_view bearer_token,
                                          const std::string& peer) const {
  Admission a;
  a.policy = table_->Find(method);
  a.caller.peer = peer;
  std::string rate_key;
  if (a.policy != nullptr && a.policy->public_method()) {
    rate_key = absl::StrCat("peer:", peer);
  } else {
    if (bearer_token.empty()) {
      return absl::UnauthenticatedError(
          "missing access token: send 'authorization: Bearer <token>' (Identity.Login)");
    }
    absl::StatusOr<Caller> c = identity_->Authenticate(bearer_token, peer);
    if (!c.ok()) return c.status();
    a.caller = *std::move(c);
    if (a.policy == nullptr || !a.policy->Allows(a.caller.principal.role())) {
      return absl::PermissionDeniedError(kDeniedMessage);
    }
    rate_key = absl::StrCat("user:", a.caller.principal.subject());
  }
  if (a.policy == nullptr) return absl::PermissionDeniedError(kDeniedMessage);
  absl::StrAppend(&rate_key, "|", static_cast<int>(a.policy->rate_class));
  if (!limiter_->Allow(rate_key, RateLimitFor(a.policy->rate_class, rate_scale_))) {
    return absl::ResourceExhaustedError("rate limit exceeded for this kind of call; slow down");
  }
  return a;
}

}  // namespace gridwork::gateway
