// The role x method x scope matrix of the whole suite as data (authz_matrix_table.cc), run by
// authz_matrix_test.cc against the real services behind the real gateway.
//
// A row names one method and says who may call it and how its target is chosen:
//   - `callers`: the callers the row expects to pass the gateway's role gate (everyone else
//     must get the one uniform PERMISSION_DENIED, kDeniedMessage, and no data);
//   - `target`: what the request points at, substituted into `request_json` as {T}:
//       kNone     nothing region-bound (catalogues, the caller's own session, ...);
//       kRegion   a region path: the caller's own scope, a child, the parent and a sibling;
//       kGrid     a grid path: a grid inside the caller's scope and one in the sibling region;
//       kOrder, kKeyPoint, kWorker, kSubject
//                 an object of that kind inside the caller's scope and one inside the
//                 sibling region (for residents: their own report and another's; for
//                 department handlers: an order of their department and one of another);
//   - `list`: out-of-scope targets may also answer OK with nothing from outside the scope
//     (a list filtered to the scope) instead of PERMISSION_DENIED;
//   - `mutation`: an allowed call may change state; requests are written so that they fail
//     for a named non-authorisation reason where possible (stale version, unknown id);
//   - `other_codes`: the non-authorisation failures an allowed call may end in, and why;
//   - `ancestors`: (kRegion) the parent region may be read, as the region tree's outline.
// `callers` is the effective rule: the gateway's role gate (policy_table.cc) narrowed by the
// owning service's own role rules (e.g. analytics keeps the cockpit from grid workers); a
// caller refused by either must see the same uniform denial.
//
// Request templates may use {FROM}/{TO} (RFC 3339, now - 12 h and now + 1 h) and {PT} (the
// centre of a kGrid target as a LatLng).
//
// The test fails when a gridwork.* method of the generated descriptor pool, or a row of the
// gateway's policy table, has no row here.
#ifndef GRIDWORK_TESTS_INTEGRATION_AUTHZ_MATRIX_H_
#define GRIDWORK_TESTS_INTEGRATION_AUTHZ_MATRIX_H_

#include <cstdint>
#include <string>
#include <vector>

namespace gridwork::testing {

// The callers of the matrix (authz_matrix_test.cc creates one user each).
enum Caller : int {
  kAdmin,
  kCommand,        // district command centre, scope 410105
  kStreet,         // street manager, scope 410105/s01
  kStation,        // community workstation, scope 410105/s01/c01
  kLeader,         // grid leader, scope 410105/s01/c01/g01
  kWorker,         // grid worker, scope 410105/s01/c01/g01
  kHandlerOwn,     // department handler of urban-management (the orders' department)
  kHandlerOther,   // department handler of water
  kResidentOwn,    // the resident who reported the resident order
  kResidentOther,  // another resident
  kViewer,         // read-only viewer, scope 410105/s01/c01
  kCallerCount,
};

using CallerSet = uint32_t;
constexpr CallerSet Bit(Caller c) { return CallerSet{1} << c; }

enum class Target { kNone, kRegion, kGrid, kOrder, kKeyPoint, kWorker, kSubject };

struct MatrixRow {
  const char* method;  // "/gridwork.workorder.v1.WorkOrderService/GetOrder"
  CallerSet callers;
  Target target;
  const char* request_json;  // {T} = the target; {RID} = a fresh request id
  bool list = false;
  bool mutation = false;
  // Non-authorisation codes (gRPC numbers) an allowed call may end in; the reason is in the
  // table's comment.
  std::vector<int> other_codes = {};
  // gridwork.common.v1.Feed and gridwork.admin.v1.StoreAdmin only: which service's feed or
  // store (x-gridwork-upstream).
  const char* upstream = "";
  // kRegion: the parent region (an ancestor) may be read too (breadcrumbs, map outlines).
  bool ancestors = false;
};

const std::vector<MatrixRow>& AuthzMatrix();

const char* CallerName(Caller c);

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_AUTHZ_MATRIX_H_
