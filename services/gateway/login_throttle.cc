#include "services/gateway/login_throttle.h"

#include "absl/strings/str_cat.h"

namespace gridwork::gateway {

void LoginThrottle::Prune(Times& t, absl::Time now) const {
  while (!t.empty() && now - t.front() >= options_.window) t.pop_front();
}

absl::Status LoginThrottle::Check(const std::string& user, const std::string& peer) {
  absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto refuse = [&](Times& t, absl::string_view what) {
    int64_t wait = absl::ToInt64Seconds(t.front() + options_.window - now) + 1;
    return absl::ResourceExhaustedError(
        absl::StrCat("too many failed logins ", what, "; try again in ", wait, " s"));
  };
  if (auto it = by_user_.find(user); it != by_user_.end()) {
    Prune(it->second, now);
    if (static_cast<int>(it->second.size()) >= options_.max_failures_per_user) {
      return refuse(it->second, "for this user");
    }
  }
  if (auto it = by_peer_.find(peer); it != by_peer_.end()) {
    Prune(it->second, now);
    if (static_cast<int>(it->second.size()) >= options_.max_failures_per_peer) {
      return refuse(it->second, "from this address");
    }
  }
  return absl::OkStatus();
}

void LoginThrottle::RecordFailure(const std::string& user, const std::string& peer) {
  absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  by_user_[user].push_back(now);
  by_peer_[peer].push_back(now);
  // Bound memory: forget fully expired entries now and then.
  if (by_user_.size() + by_peer_.size() > 100000) {
    for (auto* m : {&by_user_, &by_peer_}) {
      for (auto it = m->begin(); it != m->end();) {
        auto cur = it++;
        Prune(cur->second, now);
        if (cur->second.empty()) m->erase(cur);
      }
    }
  }
}

void LoginThrottle::RecordSuccess(const std::string& user) {
  absl::MutexLock lock(&mu_);
  by_user_.erase(user);
}

}  // namespace gridwork::gateway
