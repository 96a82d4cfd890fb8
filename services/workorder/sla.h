// SLA arithmetic of work orders: which stage's clock runs in which state, when it restarts,
// pauses and resumes, and when "due soon" fires. Pure functions of (order, category, now), so
// that tests drive them with an injected clock.
//
// Rules (docs/workorder.md, "SLA"):
//   - Each state belongs to a stage: REPORTED/RETURNED/ESCALATED → TRIAGE, DISPATCHED → ACCEPT,
//     ACCEPTED/PROCESSING → HANDLE, HANDLED → REVIEW, VERIFYING → VERIFY, CLOSED/CANCELLED →
//     none. SUSPENDED keeps its stage with the clock stopped.
//   - The clock restarts (deadline = now + the category's stage duration, due_soon and overdue
//     cleared) on every transition except START (accepted → processing keeps the handling
//     deadline), SUSPEND (stops it, remembering the time left) and RESUME (deadline = now +
//     the time left; flags kept), and RATE (no clock).
//   - A stage duration of zero means no deadline for that stage.
//   - Due soon = deadline − due_soon_fraction × stage duration (fraction 0.2 when unset).
#ifndef GRIDWORK_SERVICES_WORKORDER_SLA_H_
#define GRIDWORK_SERVICES_WORKORDER_SLA_H_

#include <optional>

#include "absl/time/time.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::workorder {

v1::Stage StageOf(v1::State state);

// The stage's allowed time under `policy`; zero if the stage has no deadline.
absl::Duration StageDuration(const v1::SlaPolicy& policy, v1::Stage stage);

// Updates the SLA fields of `order` (stage, stage_deadline, due_soon, overdue,
// paused_remaining, suspended_from) for `action` taking it from `from` to order->state() at
// `now`. Call after order->state() was set to the new state.
void ApplySla(const v1::SlaPolicy& policy, v1::State from, v1::Action action, absl::Time now,
              v1::WorkOrder* order);

// The stage deadline of `order`, if its clock is running.
std::optional<absl::Time> RunningDeadline(const v1::WorkOrder& order);

// When "due soon" fires for a clock that ends at `deadline`.
absl::Time DueSoonTime(const v1::SlaPolicy& policy, v1::Stage stage, absl::Time deadline);

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_SLA_H_
