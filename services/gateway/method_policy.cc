#include "services/gateway/method_policy.h"

namespace gridwork::gateway {

RoleSet Roles(std::initializer_list<common::v1::Role> roles) {
  RoleSet s = 0;
  for (common::v1::Role r : roles) s |= RoleBit(r);
  return s;
}

PolicyTable::PolicyTable(std::vector<MethodPolicy> rows) : rows_(std::move(rows)) {
  for (size_t i = 0; i < rows_.size(); ++i) index_.emplace(rows_[i].method, i);
}

const MethodPolicy* PolicyTable::Find(absl::string_view method) const {
  auto it = index_.find(method);
  return it == index_.end() ? nullptr : &rows_[it->second];
}

RateLimit RateLimitFor(RateClass c, double scale) {
  RateLimit l;
  switch (c) {
    case RateClass::kRead:
      l = {50, 100};
      break;
    case RateClass::kWrite:
      l = {10, 30};
      break;
    case RateClass::kIngest:
      l = {100, 200};
      break;
    case RateClass::kBulk:
      l = {0.5, 3};
      break;
    case RateClass::kStream:
      l = {1, 10};
      break;
    case RateClass::kAuth:
      l = {2, 10};
      break;
  }
  l.per_second *= scale;
  l.burst *= scale;
  if (scale > 0 && l.burst < 1) l.burst = 1;
  return l;
}

const char* UpstreamName(Upstream u) {
  switch (u) {
    case Upstream::kSelf:
      return "gateway";
    case Upstream::kLocation:
      return "location";
    case Upstream::kGeofence:
      return "geofence";
    case Upstream::kWorkorder:
      return "workorder";
    case Upstream::kInspection:
      return "inspection";
    case Upstream::kAnalytics:
      return "analytics";
    case Upstream::kByHeader:
      return "by-header";
  }
  return "?";
}

bool ParseUpstream(absl::string_view name, Upstream* out) {
  for (Upstream u : {Upstream::kLocation, Upstream::kGeofence, Upstream::kWorkorder,
                     Upstream::kInspection, Upstream::kAnalytics}) {
    if (name == UpstreamName(u)) {
      *out = u;
      return true;
    }
  }
  return false;
}

}  // namespace gridwork::gateway
