// The method -> policy table: for every gRPC method reachable through the gateway, which
// upstream serves it, which roles may call it, its kind, rate-limit class, request size limit
// and whether it is a mutation (audited). The rows are data in policy_table.cc.
//
// Rules (docs/gateway.md, "Policy table"):
//  1. A method not in the table is denied with PERMISSION_DENIED — the same code and message
//     as a role that may not call a listed method, so a caller cannot probe which methods
//     exist.
//  2. The role check here is the coarse gate; the owner of the data still checks role and
//     region scope on every object (DESIGN.md section 4).
//  3. policy_table_test walks every service of package gridwork.* in the generated descriptor
//     pool and fails if a method has no row (or a row's kind disagrees with the proto).
//
// Thread safety: the table is immutable after construction.
#ifndef GRIDWORK_SERVICES_GATEWAY_METHOD_POLICY_H_
#define GRIDWORK_SERVICES_GATEWAY_METHOD_POLICY_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gridwork/common/v1/principal.pb.h"
#include "services/gateway/rate_limiter.h"

namespace gridwork::gateway {

// Which process serves a method.
enum class Upstream {
  kSelf,  // the gateway's own Identity service
  kLocation,
  kGeofence,
  kWorkorder,
  kInspection,
  kAnalytics,
  kByHeader,  // gridwork.common.v1.Feed: every service serves it; the caller names the
              // source in the "x-gridwork-upstream" header (gRPC) or ?upstream= (HTTP).
};

enum class CallKind { kUnary, kServerStreaming, kClientStreaming, kBidiStreaming };

// Rate-limit classes; the buckets are per (user, class), see RateLimitFor().
enum class RateClass { kRead, kWrite, kIngest, kBulk, kStream, kAuth };

// A set of roles as a bit mask (bit r = Role r).
using RoleSet = uint32_t;
constexpr RoleSet RoleBit(common::v1::Role r) { return RoleSet{1} << static_cast<int>(r); }
RoleSet Roles(std::initializer_list<common::v1::Role> roles);

struct MethodPolicy {
  std::string method;  // "/gridwork.workorder.v1.WorkOrderService/CreateOrder"
  Upstream upstream;
  RoleSet roles;  // 0 = no token needed (Login, Refresh, resident registration)
  CallKind kind;
  RateClass rate_class;
  int max_request_bytes;
  bool mutation;  // audited
  // Upper bound on the upstream deadline (the client's own deadline applies if shorter).
  absl::Duration max_deadline;

  bool public_method() const { return roles == 0; }
  bool Allows(common::v1::Role r) const { return (roles & RoleBit(r)) != 0; }
};

class PolicyTable {
 public:
  explicit PolicyTable(std::vector<MethodPolicy> rows);
  // The built-in table (policy_table.cc).
  static const PolicyTable& Default();

  // nullptr if `method` has no row.
  const MethodPolicy* Find(absl::string_view method) const;
  const std::vector<MethodPolicy>& rows() const { return rows_; }

 private:
  std::vector<MethodPolicy> rows_;
  absl::flat_hash_map<std::string, size_t> index_;
};

// Token-bucket parameters of a class, scaled by `scale` (0 disables limits).
RateLimit RateLimitFor(RateClass c, double scale);

const char* UpstreamName(Upstream u);
// Parses "location", "geofence", "workorder", "inspection", "analytics".
bool ParseUpstream(absl::string_view name, Upstream* out);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_METHOD_POLICY_H_
