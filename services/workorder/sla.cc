#include "services/workorder/sla.h"

#include <algorithm>

#include "gridwork/service/time_convert.h"

namespace gridwork::workorder {

using service::FromProto;
using service::ToProto;

v1::Stage StageOf(v1::State state) {
  switch (state) {
    case v1::STATE_REPORTED:
    case v1::STATE_RETURNED:
    case v1::STATE_ESCALATED:
      return v1::STAGE_TRIAGE;
    case v1::STATE_DISPATCHED:
      return v1::STAGE_ACCEPT;
    case v1::STATE_ACCEPTED:
    case v1::STATE_PROCESSING:
      return v1::STAGE_HANDLE;
    case v1::STATE_HANDLED:
      return v1::STAGE_REVIEW;
    case v1::STATE_VERIFYING:
      return v1::STAGE_VERIFY;
    default:
      return v1::STAGE_NONE;
  }
}

absl::Duration StageDuration(const v1::SlaPolicy& policy, v1::Stage stage) {
  const google::protobuf::Duration* d = nullptr;
  switch (stage) {
    case v1::STAGE_TRIAGE:
      d = &policy.triage();
      break;
    case v1::STAGE_ACCEPT:
      d = &policy.accept();
      break;
    case v1::STAGE_HANDLE:
      d = &policy.handle();
      break;
    case v1::STAGE_REVIEW:
      d = &policy.review();
      break;
    case v1::STAGE_VERIFY:
      d = &policy.verify();
      break;
    default:
      return absl::ZeroDuration();
  }
  return std::max(FromProto(*d), absl::ZeroDuration());
}

std::optional<absl::Time> RunningDeadline(const v1::WorkOrder& order) {
  if (order.state() == v1::STATE_SUSPENDED || order.stage() == v1::STAGE_NONE ||
      !order.has_stage_deadline()) {
    return std::nullopt;
  }
  return FromProto(order.stage_deadline());
}

absl::Time DueSoonTime(const v1::SlaPolicy& policy, v1::Stage stage, absl::Time deadline) {
  double fraction = policy.due_soon_fraction();
  if (!(fraction > 0 && fraction < 1)) fraction = 0.2;
  return deadline - StageDuration(policy, stage) * fraction;
}

void ApplySla(const v1::SlaPolicy& policy, v1::State from, v1::Action action, absl::Time now,
              v1::WorkOrder* order) {
  switch (action) {
    case v1::ACTION_RATE:
      return;
    case v1::ACTION_START:
      order->set_stage(StageOf(order->state()));
      return;  // same stage, same deadline
    case v1::ACTION_SUSPEND: {
      // order->state() is SUSPENDED already, so read the deadline itself.
      order->set_suspended_from(from);
      if (order->has_stage_deadline() && order->stage() != v1::STAGE_NONE) {
        absl::Time deadline = FromProto(order->stage_deadline());
        *order->mutable_paused_remaining() =
            ToProto(std::max(deadline - now, absl::ZeroDuration()));
      } else {
        order->clear_paused_remaining();
      }
      order->clear_stage_deadline();
      return;  // stage kept, clock stopped
    }
    case v1::ACTION_RESUME:
      order->set_stage(StageOf(order->state()));
      if (order->has_paused_remaining()) {
        *order->mutable_stage_deadline() = ToProto(now + FromProto(order->paused_remaining()));
      }
      order->clear_paused_remaining();
      order->set_suspended_from(v1::STATE_UNSPECIFIED);
      order->clear_suspend_reason();
      return;
    default:
      break;
  }
  v1::Stage stage = StageOf(order->state());
  order->set_stage(stage);
  order->set_due_soon(false);
  order->set_overdue(false);
  absl::Duration allowed = StageDuration(policy, stage);
  if (stage == v1::STAGE_NONE || allowed == absl::ZeroDuration()) {
    order->clear_stage_deadline();
  } else {
    *order->mutable_stage_deadline() = ToProto(now + allowed);
  }
}

}  // namespace gridwork::workorder
