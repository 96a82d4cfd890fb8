// Status propagation macros. Abseil 20220623 (Debian bookworm) ships no status_macros.h,
// so the two we need are defined here once for the whole project.
//
//   GW_RETURN_IF_ERROR(store.Put(k, v));
//   GW_ASSIGN_OR_RETURN(Region r, tree.Find(id));
//
// Both evaluate their expression exactly once and return the failing absl::Status unchanged.
#ifndef GRIDWORK_CORE_STATUS_MACROS_H_
#define GRIDWORK_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GW_STATUS_CONCAT_INNER_(a, b) a##b
#define GW_STATUS_CONCAT_(a, b) GW_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define GW_RETURN_IF_ERROR(expr)                           \
  do {                                                     \
    ::absl::Status gw_status_ = (expr);                    \
    if (!gw_status_.ok()) return gw_status_;               \
  } while (0)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, otherwise moves
// the value into `lhs`, which may be a declaration ("auto x") or an existing lvalue.
#define GW_ASSIGN_OR_RETURN(lhs, rexpr) \
  GW_ASSIGN_OR_RETURN_IMPL_(GW_STATUS_CONCAT_(gw_statusor_, __LINE__), lhs, rexpr)

#define GW_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                              \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(statusor).value()

#endif  // GRIDWORK_CORE_STATUS_MACROS_H_
