#include "services/workorder/order_machine.h"

#include "absl/strings/str_cat.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/workorder/history_chain.h"
#include "services/workorder/sla.h"
#include "services/workorder/transition_table.h"

namespace gridwork::workorder {
namespace {

using common::v1::Principal;
using service::ToProto;

bool NeedsReason(v1::Action a) {
  switch (a) {
    case v1::ACTION_RETURN:
    case v1::ACTION_ESCALATE:
    case v1::ACTION_SUSPEND:
    case v1::ACTION_CANCEL:
    case v1::ACTION_REJECT_HANDLING:
    case v1::ACTION_VERIFY_UNSATISFIED:
      return true;
    default:
      return false;
  }
}

bool IsHandlerAction(v1::Action a) {
  switch (a) {
    case v1::ACTION_ACCEPT:
    case v1::ACTION_START:
    case v1::ACTION_HANDLE:
    case v1::ACTION_RETURN:
    case v1::ACTION_SUSPEND:
    case v1::ACTION_RESUME:
      return true;
    default:
      return false;
  }
}

absl::Status CheckObjectRules(const Principal& actor, const ActionInput& in,
                              const v1::WorkOrder& order) {
  if (actor.role() == common::v1::ROLE_DEPARTMENT_HANDLER && IsHandlerAction(in.action) &&
      (actor.department().empty() || actor.department() != order.department())) {
    return absl::PermissionDeniedError(
        absl::StrCat("order ", order.id(), " is assigned to department \"", order.department(),
                     "\"; you act for \"", actor.department(), "\""));
  }
  if ((in.action == v1::ACTION_VERIFY_SATISFIED || in.action == v1::ACTION_VERIFY_UNSATISFIED) &&
      actor.role() == common::v1::ROLE_GRID_WORKER && actor.subject() != order.verifier()) {
    return absl::PermissionDeniedError(
        absl::StrCat("order ", order.id(), " is verified by ", order.verifier(), ", not by you"));
  }
  if (in.action == v1::ACTION_RATE) {
    if (actor.subject() != order.reporter()) {
      return absl::PermissionDeniedError("only the reporter of an order may rate it");
    }
    if (order.has_rating()) {
      return absl::FailedPreconditionError(absl::StrCat("order ", order.id(), " is already rated"));
    }
    if (in.score < 1 || in.score > 5) {
      return absl::InvalidArgumentError("score must be 1–5");
    }
  }
  if (NeedsReason(in.action) && in.note.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ActionLabel(in.action), " needs a reason in `note`"));
  }
  if (in.note.size() > kMaxNoteBytes) {
    return absl::InvalidArgumentError("note is longer than 2,000 characters");
  }
  for (const std::string* id : {&in.department, &in.assignee, &in.verifier, &in.duplicate_of}) {
    if (!id->empty()) {
      if (absl::Status s = service::CheckId(*id, "department/assignee/verifier/duplicate_of");
          !s.ok()) {
        return s;
      }
    }
  }
  if (in.action == v1::ACTION_CANCEL && in.duplicate_of == order.id()) {
    return absl::InvalidArgumentError("an order cannot duplicate itself");
  }
  return absl::OkStatus();
}

void RecordAssignment(const std::string& decided_by, absl::Time now, v1::WorkOrder* order) {
  v1::Assignment* a = order->add_assignee_history();
  a->set_department(order->department());
  a->set_assignee(order->assignee());
  *a->mutable_at() = ToProto(now);
  a->set_decided_by(decided_by);
}

v1::OrderEvent NewEvent(const Principal& actor, v1::Action action, v1::State from, absl::Time now,
                        const v1::WorkOrder& order) {
  v1::OrderEvent e;
  e.set_order_id(order.id());
  e.set_seq(order.history_length() + 1);
  *e.mutable_at() = ToProto(now);
  e.set_actor(actor.subject());
  e.set_actor_role(actor.role());
  e.set_action(action);
  e.set_from_state(from);
  e.set_to_state(order.state());
  e.set_version(order.version());
  e.set_department(order.department());
  e.set_assignee(order.assignee());
  e.set_verifier(order.verifier());
  e.set_stage(order.stage());
  if (order.has_stage_deadline()) *e.mutable_stage_deadline() = order.stage_deadline();
  e.set_region_path(order.region_path());
  e.set_category_id(order.category_id());
  e.set_reopen_count(order.reopen_count());
  return e;
}

}  // namespace

bool CanSee(const Principal& actor, const v1::WorkOrder& order) {
  if (!actor.subject().empty() && actor.subject() == order.reporter()) return true;
  switch (actor.role()) {
    case common::v1::ROLE_RESIDENT:
      return false;
    case common::v1::ROLE_DEPARTMENT_HANDLER:
      return !actor.department().empty() && actor.department() == order.department() &&
             rpc::InScope(actor, order.region_path());
    case common::v1::ROLE_UNSPECIFIED:
      return false;
    default:
      return rpc::InScope(actor, order.region_path());
  }
}

absl::StatusOr<v1::OrderEvent> NextState(const Principal& actor, const ActionInput& in,
                                         const v1::Category& category, absl::Time now,
                                         const v1::WorkOrder& current, v1::WorkOrder* next_out) {
  if (in.action == v1::ACTION_REPORT) {
    return absl::InvalidArgumentError("REPORT happens through CreateOrder");
  }
  absl::StatusOr<v1::State> target = CheckTransition(current.state(), in.action, actor.role());
  if (!target.ok()) return target.status();
  if (absl::Status s = CheckObjectRules(actor, in, current); !s.ok()) return s;

  *next_out = v1::WorkOrder(current);  // copy-construct + move: no reflective CopyFrom check
  v1::WorkOrder& next = *next_out;
  const v1::State from = current.state();
  next.set_state(*target == v1::STATE_UNSPECIFIED ? current.suspended_from() : *target);
  const std::string decided_by =
      in.decided_by.empty() ? absl::StrCat("manual:", actor.subject()) : in.decided_by;
  std::vector<v1::Attachment> photos = in.photos;

  switch (in.action) {
    case v1::ACTION_DISPATCH: {
      std::string department =
          in.department.empty() ? category.default_department() : in.department;
      if (department.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("DISPATCH needs a department: category ",
                                                       category.id(), " has no default"));
      }
      next.set_department(department);
      next.set_assignee(in.assignee);
      RecordAssignment(decided_by, now, &next);
      break;
    }
    case v1::ACTION_ACCEPT:
      next.set_assignee(in.assignee.empty() ? actor.subject() : in.assignee);
      RecordAssignment(decided_by, now, &next);
      break;
    case v1::ACTION_RETURN:
      next.clear_department();
      next.clear_assignee();
      RecordAssignment(decided_by, now, &next);
      break;
    case v1::ACTION_ESCALATE:
    case v1::ACTION_OVERDUE_ESCALATE:
      next.set_escalation_level(current.escalation_level() + 1);
      break;
    case v1::ACTION_SUSPEND:
      next.set_suspend_reason(in.note);
      break;
    case v1::ACTION_CANCEL:
      next.set_cancel_reason(in.note);
      next.set_duplicate_of(in.duplicate_of);
      break;
    case v1::ACTION_ASSIGN_VERIFICATION: {
      std::string verifier = in.verifier;
      if (verifier.empty() && (current.reporter_role() == common::v1::ROLE_GRID_WORKER ||
                               current.reporter_role() == common::v1::ROLE_GRID_LEADER)) {
        verifier = current.reporter();
      }
      if (verifier.empty()) {
        return absl::InvalidArgumentError(
            "ASSIGN_VERIFICATION needs a verifier (a grid worker of the order's grid)");
      }
      next.set_verifier(verifier);
      break;
    }
    case v1::ACTION_HANDLE:
      for (auto& p : photos) p.set_phase(v1::PHOTO_PHASE_AFTER);
      break;
    case v1::ACTION_VERIFY_SATISFIED:
      for (auto& p : photos) p.set_phase(v1::PHOTO_PHASE_VERIFY);
      *next.mutable_closed_at() = ToProto(now);
      break;
    case v1::ACTION_VERIFY_UNSATISFIED:
      for (auto& p : photos) p.set_phase(v1::PHOTO_PHASE_VERIFY);
      next.set_reopen_count(current.reopen_count() + 1);
      next.clear_assignee();
      next.clear_verifier();
      break;
    case v1::ACTION_RATE: {
      v1::Rating* r = next.mutable_rating();
      r->set_score(in.score);
      r->set_comment(in.note);
      *r->mutable_rated_at() = ToProto(now);
      break;
    }
    default:
      break;
  }
  for (const auto& p : photos) *next.add_photos() = p;

  ApplySla(category.sla(), from, in.action, now, &next);
  next.set_version(current.version() + 1);
  *next.mutable_updated_at() = ToProto(now);

  v1::OrderEvent event = NewEvent(actor, in.action, from, now, next);
  event.set_note(in.note);
  event.set_decided_by(in.action == v1::ACTION_DISPATCH || in.action == v1::ACTION_ACCEPT ||
                               in.action == v1::ACTION_RETURN
                           ? decided_by
                           : in.decided_by);
  event.set_duplicate_of(in.duplicate_of);
  if (in.action == v1::ACTION_RATE) event.set_rating_score(in.score);
  for (const auto& p : photos) *event.add_photos() = p;
  SealEvent(current.history_head(), &event);
  next.set_history_length(event.seq());
  next.set_history_head(event.hash());
  return event;
}

absl::StatusOr<v1::OrderEvent> ApplyAction(const Principal& actor, const ActionInput& in,
                                           const v1::Category& category, absl::Time now,
                                           v1::WorkOrder* order, v1::WorkOrder* previous) {
  v1::WorkOrder next;
  absl::StatusOr<v1::OrderEvent> event = NextState(actor, in, category, now, *order, &next);
  if (!event.ok()) return event.status();
  if (previous != nullptr) {
    std::swap(*previous, *order);  // the old state, without a copy
  }
  *order = std::move(next);
  return event;
}

v1::OrderEvent StartHistory(const Principal& actor, const v1::Category& category, absl::Time now,
                            v1::WorkOrder* order) {
  order->set_state(v1::STATE_REPORTED);
  order->set_version(1);
  ApplySla(category.sla(), v1::STATE_UNSPECIFIED, v1::ACTION_REPORT, now, order);
  *order->mutable_updated_at() = ToProto(now);
  v1::OrderEvent event = NewEvent(actor, v1::ACTION_REPORT, v1::STATE_UNSPECIFIED, now, *order);
  event.set_note(order->description());
  for (const auto& p : order->photos()) *event.add_photos() = p;
  *event.mutable_position() = order->position();
  event.set_source(order->source());
  SealEvent("", &event);
  order->set_history_length(1);
  order->set_history_head(event.hash());
  return event;
}

}  // namespace gridwork::workorder
