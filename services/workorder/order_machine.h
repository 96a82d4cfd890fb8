// Applying one action to one work order, as a pure function of (order, actor, input,
// category, now): the transition table, the object rules, the action's own arguments, the
// SLA clock and the sealed history event. The core adds locking, storage and the feed.
//
// Object rules (on top of the table):
//   - a department handler acts only on orders of their own department;
//   - VERIFY_* by a grid worker only if they are the order's verifier;
//   - RATE only by the reporter, once;
//   - RETURN, ESCALATE, SUSPEND, CANCEL, REJECT_HANDLING and VERIFY_UNSATISFIED need a note
//     (the reason);
//   - DISPATCH needs a department (the request's, else the category's default).
// Visibility (may the actor see the order at all) is checked by the caller first.
#ifndef GRIDWORK_SERVICES_WORKORDER_ORDER_MACHINE_H_
#define GRIDWORK_SERVICES_WORKORDER_ORDER_MACHINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::workorder {

inline constexpr size_t kMaxNoteBytes = 2000 * 3;  // 2,000 CJK characters in UTF-8

struct ActionInput {
  v1::Action action = v1::ACTION_UNSPECIFIED;
  std::string note;
  std::string department;
  std::string assignee;
  std::string verifier;
  std::string duplicate_of;
  // Evidence records (already resolved against the photo store, phase set).
  std::vector<v1::Attachment> photos;
  // ACTION_RATE.
  int score = 0;
  // "rule:<id>", "sla:overdue"; empty = "manual:<actor>".
  std::string decided_by;
};

// True iff `actor` may see `order`: its reporter always; a resident only their own reports;
// a department handler the orders of their department (within their scope); everyone else
// the orders inside their region scope.
bool CanSee(const common::v1::Principal& actor, const v1::WorkOrder& order);

// The order after `in` is applied to `current` at `now`, into `next` (one copy of `current`),
// and the event, sealed onto `current`'s head. On error `next` is unspecified. Errors as for
// ApplyAction.
absl::StatusOr<v1::OrderEvent> NextState(const common::v1::Principal& actor, const ActionInput& in,
                                         const v1::Category& category, absl::Time now,
                                         const v1::WorkOrder& current, v1::WorkOrder* next);

// Applies `in` to `order` at `now`. On success `order` is the new state (version + 1, history
// length and head advanced) and the returned event is sealed onto the previous head. On error
// `order` is unchanged. Errors: FAILED_PRECONDITION (illegal in this state, or already rated),
// PERMISSION_DENIED (role or object rule), INVALID_ARGUMENT (missing or bad argument).
// If `previous` is not null it receives the order as it was before (moved, not copied).
absl::StatusOr<v1::OrderEvent> ApplyAction(const common::v1::Principal& actor,
                                           const ActionInput& in, const v1::Category& category,
                                           absl::Time now, v1::WorkOrder* order,
                                           v1::WorkOrder* previous = nullptr);

// The first history event of a new order (REPORT), sealed; sets version 1, history fields and
// the SLA clock of REPORTED. `order` must have every reported field and created_at set.
v1::OrderEvent StartHistory(const common::v1::Principal& actor, const v1::Category& category,
                            absl::Time now, v1::WorkOrder* order);

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_ORDER_MACHINE_H_
