// Identity logic: accounts, credentials, sessions and tokens, without gRPC types.
//
// Sessions: Login opens a session (random id "s-...") holding the SHA-256 of its current
// refresh token. Access tokens name the session (`sid`); Authenticate refuses a token whose
// session is revoked, so Logout/Revoke/role changes take effect on the next call, not at
// token expiry. Refresh rotates the refresh token; presenting a rotated one revokes the
// session (reuse detection).
//
// Every mutation commits its state, its audit record and (when it has a request id) its
// idempotency record in one WriteRequest.
//
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SERVICES_GATEWAY_IDENTITY_CORE_H_
#define GRIDWORK_SERVICES_GATEWAY_IDENTITY_CORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/core/clock.h"
#include "gridwork/gateway/v1/gateway.pb.h"
#include "gridwork/rpc/principal.h"
#include "services/gateway/identity_store.h"
#include "services/gateway/login_throttle.h"
#include "services/gateway/notifier.h"
#include "services/gateway/token_codec.h"

namespace gridwork::gateway {

struct IdentityOptions {
  absl::Duration access_ttl = absl::Minutes(15);
  absl::Duration refresh_ttl = absl::Hours(24 * 14);
  uint32_t pbkdf2_iterations = 210000;
  absl::Duration code_ttl = absl::Minutes(10);
};

// An authenticated caller: the principal the gateway forwards, its session and address.
struct Caller {
  rpc::Principal principal;
  std::string session_id;
  std::string peer;
};

class IdentityCore {
 public:
  IdentityCore(IdentityStore* store, const TokenCodec* tokens, LoginThrottle* throttle,
               Notifier* notifier, IdentityOptions options, Clock* clock = Clock::Real());
  IdentityCore(const IdentityCore&) = delete;
  IdentityCore& operator=(const IdentityCore&) = delete;

  // Verifies `access_token` (token_codec.h) and that its session is live.
  // UNAUTHENTICATED otherwise.
  absl::StatusOr<Caller> Authenticate(absl::string_view access_token,
                                      const std::string& peer) const;

  // If the store has no user at all, creates `username` as ROLE_ADMIN with `password`
  // (first start). No-op otherwise.
  absl::Status EnsureBootstrapAdmin(const std::string& username, const std::string& password);

  absl::StatusOr<v1::TokenPair> Login(const std::string& username, const std::string& password,
                                      const std::string& peer);
  absl::StatusOr<v1::TokenPair> Refresh(const std::string& refresh_token, const std::string& peer);
  absl::Status Logout(const Caller& c);
  absl::StatusOr<v1::RevokeResponse> Revoke(const Caller& c, const v1::RevokeRequest& req);
  absl::StatusOr<v1::WhoAmIResponse> WhoAmI(const Caller& c) const;
  absl::Status ChangePassword(const Caller& c, const v1::ChangePasswordRequest& req);

  absl::StatusOr<v1::User> CreateUser(const Caller& c, const v1::CreateUserRequest& req);
  absl::StatusOr<v1::ListUsersResponse> ListUsers(const Caller& c,
                                                  const v1::ListUsersRequest& req) const;
  absl::StatusOr<v1::User> SetUserRole(const Caller& c, const v1::SetUserRoleRequest& req);
  absl::StatusOr<v1::User> DisableUser(const Caller& c, const v1::DisableUserRequest& req);
  absl::StatusOr<v1::CreateApiClientResponse> CreateApiClient(
      const Caller& c, const v1::CreateApiClientRequest& req);
  absl::StatusOr<v1::Device> BindDevice(const Caller& c, const v1::BindDeviceRequest& req);
  absl::StatusOr<v1::ListAuditResponse> ListAudit(const Caller& c,
                                                  const v1::ListAuditRequest& req) const;

  absl::StatusOr<v1::RegisterResidentResponse> RegisterResident(
      const v1::RegisterResidentRequest& req, const std::string& peer);
  absl::StatusOr<v1::TokenPair> VerifyResident(const v1::VerifyResidentRequest& req,
                                               const std::string& peer);

  // The worker a tracker device is bound to. NOT_FOUND if unbound.
  absl::StatusOr<std::string> DeviceWorker(const std::string& device_id) const;

  // Appends an audit record of a call that is not an identity mutation (the proxy's
  // mutations). Failures are returned for the caller to log; the call's outcome stands.
  absl::Status RecordAudit(const Caller& c, const std::string& method, const std::string& code,
                           const std::string& target);

 private:
  v1::AuditRecord AuditOf(const Caller& c, absl::string_view method,
                          absl::string_view target) const;
  // Opens a session for `u` in `w` and returns the token pair.
  v1::TokenPair OpenSession(store::WriteRequest& w, const v1::User& u, const std::string& peer);
  // Issues tokens for session `s` of `u`, writing the rotated refresh state into `w`.
  v1::TokenPair IssueTokens(store::WriteRequest& w, const v1::User& u, v1::SessionRecord s);
  // Marks every session of `username` revoked in `w`; returns how many were live.
  absl::StatusOr<int> RevokeAllSessions(store::WriteRequest& w, const std::string& username,
                                        const std::string& except_session = "");

  IdentityStore* store_;
  const TokenCodec* tokens_;
  LoginThrottle* throttle_;
  Notifier* notifier_;
  IdentityOptions options_;
  Clock* clock_;
};

// "ab***yz"-style masking of a phone number for lists.
std::string MaskPhone(const std::string& phone);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_IDENTITY_CORE_H_
