// TokenKeeper: the access/refresh token pair of one session, refreshed before the access
// token expires. No gRPC types: the refresh call is injected, so the logic is tested without a
// server (token_keeper_test.cc).
//
// Refresh rule: an access token of lifetime L (expiry minus the time it was received) is
// replaced once less than min(L/5, 60 s) of it is left. The gateway rotates refresh tokens and
// treats a second use of a rotated one as theft (the whole session is revoked), so refreshes
// are serialised: one runs at a time and a waiter re-checks before refreshing again.
//
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SDK_TOKEN_KEEPER_H_
#define GRIDWORK_SDK_TOKEN_KEEPER_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridwork/core/clock.h"
#include "gridwork/gateway/v1/gateway.pb.h"

namespace gridwork::sdk {

class TokenKeeper {
 public:
  // Exchanges a refresh token for a new pair (Identity.Refresh).
  using RefreshFn =
      std::function<absl::StatusOr<gateway::v1::TokenPair>(const std::string& refresh_token)>;
  using RotatedFn = std::function<void(const std::string& refresh_token)>;

  // REQUIRES: clock != nullptr and outlives the keeper.
  TokenKeeper(RefreshFn refresh, Clock* clock, RotatedFn on_rotated = nullptr);
  TokenKeeper(const TokenKeeper&) = delete;
  TokenKeeper& operator=(const TokenKeeper&) = delete;

  // Takes a pair from Login, Resume or Refresh; calls on_rotated.
  void Install(const gateway::v1::TokenPair& pair);

  // An access token that is not about to expire, refreshing first when needed.
  // Errors: UNAUTHENTICATED once the session ended (logged out, or the gateway refused the
  // refresh token); the refresh call's error when the token expired and refresh failed for
  // another reason (e.g. UNAVAILABLE). A transient refresh failure while the current token is
  // still valid returns the current token.
  absl::StatusOr<std::string> AccessToken();

  // The gateway answered UNAUTHENTICATED to a call made with `used`. Refreshes unless another
  // caller already replaced `used`, and returns the token to retry with.
  absl::StatusOr<std::string> RefreshAfterRejection(const std::string& used);

  // Refreshes now, whatever the expiry. Errors: those of the refresh call; UNAUTHENTICATED
  // after End().
  absl::Status ForceRefresh();

  // Forgets both tokens; AccessToken() answers UNAUTHENTICATED from now on.
  void End(std::string_view why);

  bool ended() const;
  std::string refresh_token() const;
  absl::Time access_expires_at() const;
  // The user the gateway returned with the latest pair.
  gateway::v1::User user() const;
  std::string session_id() const;
  // Successful refreshes so far.
  int refreshes() const;

 private:
  // Runs one refresh. REQUIRES: refresh_mu_ held, mu_ not held.
  absl::Status RefreshLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  bool NeedsRefresh(absl::Time now) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const RefreshFn refresh_fn_;
  Clock* const clock_;
  const RotatedFn on_rotated_;
  absl::Mutex refresh_mu_;  // held across one Refresh call; acquired before mu_
  mutable absl::Mutex mu_;
  std::string access_ ABSL_GUARDED_BY(mu_);
  std::string refresh_ ABSL_GUARDED_BY(mu_);
  absl::Time received_ ABSL_GUARDED_BY(mu_);
  absl::Time expires_ ABSL_GUARDED_BY(mu_);
  gateway::v1::User user_ ABSL_GUARDED_BY(mu_);
  std::string session_id_ ABSL_GUARDED_BY(mu_);
  std::string ended_why_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  int refreshes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gridwork::sdk

#endif  // GRIDWORK_SDK_TOKEN_KEEPER_H_
