#include "gridwork/sdk/token_keeper.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gridwork::sdk {
namespace {

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

bool Transient(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) || absl::IsResourceExhausted(s) ||
         absl::IsCancelled(s);
}

}  // namespace

TokenKeeper::TokenKeeper(RefreshFn refresh, Clock* clock, RotatedFn on_rotated)
    : refresh_fn_(std::move(refresh)), clock_(clock), on_rotated_(std::move(on_rotated)) {}

void TokenKeeper::Install(const gateway::v1::TokenPair& pair) {
  {
    absl::MutexLock l(&mu_);
    access_ = pair.access_token();
    refresh_ = pair.refresh_token();
    received_ = clock_->Now();
    expires_ = FromProto(pair.access_expires_at());
    user_ = pair.user();
    session_id_ = pair.session_id();
    ended_ = false;
  }
  if (on_rotated_) on_rotated_(pair.refresh_token());
}

bool TokenKeeper::NeedsRefresh(absl::Time now) const {
  const absl::Duration lifetime = std::max(absl::ZeroDuration(), expires_ - received_);
  const absl::Duration margin = std::min(lifetime / 5, absl::Seconds(60));
  return now >= expires_ - margin;
}

absl::StatusOr<std::string> TokenKeeper::AccessToken() {
  {
    absl::ReaderMutexLock l(&mu_);
    if (ended_) return absl::UnauthenticatedError(ended_why_);
    if (!NeedsRefresh(clock_->Now())) return access_;
  }
  absl::MutexLock serial(&refresh_mu_);
  {
    absl::ReaderMutexLock l(&mu_);
    if (ended_) return absl::UnauthenticatedError(ended_why_);
    // Another caller refreshed while this one waited.
    if (!NeedsRefresh(clock_->Now())) return access_;
  }
  absl::Status s = RefreshLocked();
  absl::ReaderMutexLock l(&mu_);
  if (s.ok()) return access_;
  if (ended_) return absl::UnauthenticatedError(ended_why_);
  // Best effort: a refresh that failed for a transient reason leaves the old token, which
  // may still have a little life in it.
  if (Transient(s) && clock_->Now() < expires_) return access_;
  return s;
}

absl::StatusOr<std::string> TokenKeeper::RefreshAfterRejection(const std::string& used) {
  absl::MutexLock serial(&refresh_mu_);
  {
    absl::ReaderMutexLock l(&mu_);
    if (ended_) return absl::UnauthenticatedError(ended_why_);
    if (access_ != used) return access_;  // already replaced by someone else
  }
  absl::Status s = RefreshLocked();
  if (!s.ok()) return s;
  absl::ReaderMutexLock l(&mu_);
  return access_;
}

absl::Status TokenKeeper::ForceRefresh() {
  absl::MutexLock serial(&refresh_mu_);
  {
    absl::ReaderMutexLock l(&mu_);
    if (ended_) return absl::UnauthenticatedError(ended_why_);
  }
  return RefreshLocked();
}

absl::Status TokenKeeper::RefreshLocked() {
  std::string current;
  {
    absl::ReaderMutexLock l(&mu_);
    current = refresh_;
  }
  absl::StatusOr<gateway::v1::TokenPair> pair = refresh_fn_(current);
  if (!pair.ok()) {
    if (absl::IsUnauthenticated(pair.status())) {
      End(absl::StrCat("session ended: the gateway refused the refresh token (",
                       pair.status().message(), "); log in again"));
    }
    return pair.status();
  }
  Install(*pair);
  absl::MutexLock l(&mu_);
  ++refreshes_;
  return absl::OkStatus();
}

void TokenKeeper::End(std::string_view why) {
  absl::MutexLock l(&mu_);
  ended_ = true;
  ended_why_ = std::string(why);
  access_.clear();
  refresh_.clear();
}

bool TokenKeeper::ended() const {
  absl::ReaderMutexLock l(&mu_);
  return ended_;
}

std::string TokenKeeper::refresh_token() const {
  absl::ReaderMutexLock l(&mu_);
  return refresh_;
}

absl::Time TokenKeeper::access_expires_at() const {
  absl::ReaderMutexLock l(&mu_);
  return expires_;
}

gateway::v1::User TokenKeeper::user() const {
  absl::ReaderMutexLock l(&mu_);
  return user_;
}

std::string TokenKeeper::session_id() const {
  absl::ReaderMutexLock l(&mu_);
  return session_id_;
}

int TokenKeeper::refreshes() const {
  absl::ReaderMutexLock l(&mu_);
  return refreshes_;
}

}  // namespace gridwork::sdk
