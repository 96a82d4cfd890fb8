// Tasks: assignment, schedules, missed tasks, re-inspections from closed work orders; and
// the subject history shown before a visit.
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/log.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/inspection/checklist_rules.h"
#include "services/inspection/inspection_core.h"
#include "services/inspection/masking.h"
#include "services/inspection/recurrence.h"

namespace gridwork::inspection {
namespace {

using service::FromProto;
using service::ToProto;

bool AssignsTasks(const Principal& p) {
  return p.role() == common::v1::ROLE_GRID_LEADER ||
         p.role() == common::v1::ROLE_COMMUNITY_STATION || p.role() == common::v1::ROLE_ADMIN;
}

bool AppliesToType(const v1::ChecklistVersion& c, v1::SubjectType t) {
  return c.subject_types().empty() || std::find(c.subject_types().begin(), c.subject_types().end(),
                                                t) != c.subject_types().end();
}

void AppendTaskChanged(const v1::Task& t, store::WriteRequest& w) {
  v1::TaskChanged event;
  *event.mutable_task() = Masked(t);
  w.AppendEvent(event, t.region_path());
}

}  // namespace

void InspectionCore::CountTask(const v1::Task& t) const {
  if (deps_.metrics != nullptr)
    deps_.metrics->tasks.Add({{"kind", v1::TaskKind_Name(t.kind()).substr(10)}}).Increment();
}

v1::Task InspectionCore::NewTask(v1::TaskKind kind, const v1::Subject& subject,
                                 const v1::ChecklistVersion& checklist, const std::string& assignee,
                                 absl::Time due, absl::Time now) const {
  v1::Task t;
  t.set_kind(kind);
  t.set_state(v1::TASK_STATE_OPEN);
  t.set_subject_id(subject.id());
  t.set_subject_name(subject.name());
  t.set_subject_type(subject.type());
  t.set_region_path(subject.region_path());
  t.set_template_id(checklist.template_id());
  t.set_template_version(checklist.version());
  t.set_assignee(assignee);
  *t.mutable_due_at() = ToProto(due);
  *t.mutable_created_at() = ToProto(now);
  return t;
}

absl::StatusOr<v1::Task> InspectionCore::AssignTask(const Principal& p,
                                                    const v1::AssignTaskRequest& r) {
  if (!AssignsTasks(p)) {
    return absl::PermissionDeniedError("only grid leaders and community workstations assign tasks");
  }
  GW_RETURN_IF_ERROR(service::CheckId(r.assignee(), "assignee"));
  if (r.campaign().size() > 120) return absl::InvalidArgumentError("campaign is too long");
  const absl::Time now = clock_->Now();
  if (!r.has_due_at() || FromProto(r.due_at()) <= now) {
    return absl::InvalidArgumentError("due_at must be in the future");
  }
  return service::RunIdempotent<v1::Task>(
      store_->db(), "inspection.AssignTask", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::Task> {
        GW_ASSIGN_OR_RETURN(v1::Subject s, ReadSubject(p, r.subject_id()));
        if (s.status() != v1::Subject::STATUS_CONFIRMED) {
          return absl::FailedPreconditionError("the subject is not confirmed (pending or closed)");
        }
        GW_ASSIGN_OR_RETURN(v1::ChecklistVersion c, LatestPublished(r.template_id()));
        if (!AppliesToType(c, s.type())) {
          return absl::InvalidArgumentError(absl::StrCat("checklist ", c.template_id(),
                                                         " does not apply to ",
                                                         v1::SubjectType_Name(s.type())));
        }
        v1::Task t =
            NewTask(v1::TASK_KIND_ASSIGNED, s, c, r.assignee(), FromProto(r.due_at()), now);
        t.set_id(NewId("task"));
        t.set_assigned_by(p.subject());
        t.set_campaign(r.campaign());
        store_->PutTask(t, nullptr, &w);
        AppendTaskChanged(t, w);
        CountTask(t);
        return t;
      });
}

absl::StatusOr<v1::Task> InspectionCore::GetTask(const Principal& p, const v1::GetTaskRequest& r) {
  GW_RETURN_IF_ERROR(service::CheckId(r.task_id(), "task_id"));
  GW_ASSIGN_OR_RETURN(v1::Task t, store_->GetTask(r.task_id()));
  if (p.role() == common::v1::ROLE_GRID_WORKER ? t.assignee() != p.subject()
                                               : !rpc::InScope(p, t.region_path())) {
    return absl::PermissionDeniedError(absl::StrCat("task ", t.id(), " is not yours to see"));
  }
  return ForViewer(p, std::move(t));
}

absl::StatusOr<v1::ListTasksResponse> InspectionCore::ListTasks(const Principal& p,
                                                                const v1::ListTasksRequest& r) {
  if (p.role() == common::v1::ROLE_RESIDENT || p.role() == common::v1::ROLE_UNSPECIFIED) {
    return absl::PermissionDeniedError("tasks are not visible to this role");
  }
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(r.page_size(), 100, 1000));
  std::string assignee = r.assignee();
  if (p.role() == common::v1::ROLE_GRID_WORKER) {
    if (!assignee.empty() && assignee != p.subject()) {
      return absl::PermissionDeniedError("grid workers list their own tasks");
    }
    assignee = p.subject();
  }
  v1::ListTasksRequest filter = r;
  filter.clear_page_size();
  filter.clear_page_token();
  const uint64_t hash = absl::HashOf(p.subject(), filter.SerializeAsString());
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(r.page_token(), hash));
  const absl::Time due_before =
      r.has_due_before() ? FromProto(r.due_before()) : absl::InfiniteFuture();
  v1::ListTasksResponse resp;
  std::string last_key;
  bool more = false;
  int examined = 0;
  absl::Status error;
  auto visit = [&](const std::string& key, const std::string& id) {
    if (++examined > 20000) {
      more = true;
      last_key = key;
      return false;
    }
    auto t = store_->GetTask(id);
    if (!t.ok()) {
      error = t.status();
      return false;
    }
    if (!rpc::InScope(p, t->region_path()) && t->assignee() != p.subject()) return true;
    if (!r.region_prefix().empty() && !PathWithin(t->region_path(), r.region_prefix())) return true;
    if (!assignee.empty() && t->assignee() != assignee) return true;
    if (r.states_size() > 0 &&
        std::find(r.states().begin(), r.states().end(), t->state()) == r.states().end()) {
      return true;
    }
    if (FromProto(t->due_at()) >= due_before) return true;
    if (resp.tasks_size() == page_size) {
      more = true;
      return false;
    }
    *resp.add_tasks() = ForViewer(p, *std::move(t));
    last_key = key;
    return true;
  };
  if (!assignee.empty()) {
    GW_RETURN_IF_ERROR(store_->ScanTasksOfAssignee(assignee, after, visit));
  } else {
    GW_RETURN_IF_ERROR(store_->ScanAllTasks(after, visit));
  }
  GW_RETURN_IF_ERROR(error);
  if (more) resp.set_next_page_token(rpc::EncodePageToken(last_key, hash));
  return resp;
}

absl::StatusOr<v1::Schedule> InspectionCore::UpsertSchedule(const Principal& p,
                                                            const v1::UpsertScheduleRequest& r) {
  if (!AssignsTasks(p)) {
    return absl::PermissionDeniedError(
        "only grid leaders and community workstations schedule tasks");
  }
  const v1::Schedule& in = r.schedule();
  GW_RETURN_IF_ERROR(service::CheckId(in.id(), "schedule.id", 64));
  GW_RETURN_IF_ERROR(service::CheckId(in.assignee(), "schedule.assignee"));
  GW_RETURN_IF_ERROR(ValidateRecurrence(in.recurrence()));
  if (in.subject_types().empty())
    return absl::InvalidArgumentError("schedule.subject_types is required");
  if (!rpc::ScopeWithin(p, in.region_prefix())) {
    return absl::PermissionDeniedError("schedule.region_prefix is outside your scope");
  }
  GW_RETURN_IF_ERROR(LatestPublished(in.template_id()).status());
  absl::MutexLock lock(&Lock(in.id()));
  return service::RunIdempotent<v1::Schedule>(
      store_->db(), "inspection.UpsertSchedule", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::Schedule> {
        auto existing = store_->GetSchedule(in.id());
        if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
        const uint64_t stored_version = existing.ok() ? existing->version() : 0;
        if (r.expected_version() != stored_version) {
          return existing.ok()
                     ? absl::AbortedError(absl::StrCat("schedule is at version ", stored_version))
                     : absl::NotFoundError("schedule does not exist (expected_version 0 creates)");
        }
        v1::Schedule s = in;
        s.set_version(stored_version + 1);
        s.set_created_by(existing.ok() ? existing->created_by() : p.subject());
        // Occurrences already generated stay generated; a new schedule starts before its start.
        if (existing.ok()) {
          *s.mutable_generated_until() = existing->generated_until();
        } else {
          *s.mutable_generated_until() =
              ToProto(FromProto(in.recurrence().start()) - absl::Seconds(1));
        }
        store_->PutSchedule(s, &w);
        return s;
      });
}

absl::StatusOr<v1::ListSchedulesResponse> InspectionCore::ListSchedules(
    const Principal& p, const v1::ListSchedulesRequest& r) {
  GW_ASSIGN_OR_RETURN(auto schedules, store_->LoadSchedules());
  v1::ListSchedulesResponse resp;
  for (auto& s : schedules) {
    // Visible: schedules inside the caller's scope, and wider ones that cover it.
    if (!rpc::ScopeWithin(p, s.region_prefix()) &&
        !PathWithin(p.region_scope(), s.region_prefix())) {
      continue;
    }
    if (!r.region_prefix().empty() && !PathWithin(s.region_prefix(), r.region_prefix())) continue;
    *resp.add_schedules() = std::move(s);
  }
  return resp;
}

absl::StatusOr<int> InspectionCore::RunSchedules() {
  GW_ASSIGN_OR_RETURN(auto schedules, store_->LoadSchedules());
  const absl::Time now = clock_->Now();
  int created = 0;
  for (const v1::Schedule& schedule : schedules) {
    if (!schedule.active()) continue;
    auto checklist = LatestPublished(schedule.template_id());
    if (!checklist.ok()) {
      log::Warning("schedule skipped",
                   {{"schedule", schedule.id()}, {"error", checklist.status().message()}});
      continue;
    }
    std::vector<absl::Time> occurrences =
        Occurrences(schedule.recurrence(), FromProto(schedule.generated_until()),
                    now + options_.schedule_lookahead, 100);
    for (absl::Time occurrence : occurrences) {
      absl::MutexLock lock(&Lock(schedule.id()));
      store::WriteRequest w;
      absl::Status error;
      GW_RETURN_IF_ERROR(store_->ScanSubjects(
          schedule.region_prefix(), "",
          [&](const std::string&, const std::string& region, const std::string& id) {
            if (!PathWithin(region, schedule.region_prefix())) return true;
            auto s = store_->GetSubject(id);
            if (!s.ok()) {
              error = s.status();
              return false;
            }
            if (s->status() != v1::Subject::STATUS_CONFIRMED ||
                !AppliesToType(*checklist, s->type()) ||
                std::find(schedule.subject_types().begin(), schedule.subject_types().end(),
                          s->type()) == schedule.subject_types().end()) {
              return true;
            }
            // Deterministic id: a crash between generation and the cursor update regenerates
            // the same tasks, which are skipped.
            std::string task_id = absl::StrCat("sch-", schedule.id(), "-",
                                               absl::ToUnixSeconds(occurrence), "-", s->id());
            if (store_->GetTask(task_id).ok()) return true;
            v1::Task t = NewTask(v1::TASK_KIND_SCHEDULED, *s, *checklist, schedule.assignee(),
                                 occurrence + FromProto(schedule.recurrence().due_within()), now);
            t.set_id(task_id);
            t.set_schedule_id(schedule.id());
            t.set_campaign(schedule.campaign());
            t.set_assigned_by(schedule.created_by());
            store_->PutTask(t, nullptr, &w);
            AppendTaskChanged(t, w);
            CountTask(t);
            ++created;
            return true;
          }));
      GW_RETURN_IF_ERROR(error);
      v1::Schedule next = schedule;
      *next.mutable_generated_until() = ToProto(occurrence);
      store_->PutSchedule(next, &w);
      GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(w)).status());
    }
  }
  return created;
}

absl::StatusOr<int> InspectionCore::MarkMissedTasks() {
  const absl::Time now = clock_->Now();
  GW_ASSIGN_OR_RETURN(std::vector<std::string> due, store_->OpenTasksDueBy(now, options_.batch));
  int missed = 0;
  for (const std::string& id : due) {
    absl::MutexLock lock(&Lock(id));
    auto t = store_->GetTask(id);
    if (!t.ok()) return t.status();
    if (t->state() != v1::TASK_STATE_OPEN || FromProto(t->due_at()) > now) continue;
    const v1::Task previous = *t;
    t->set_state(v1::TASK_STATE_MISSED);
    store::WriteRequest w;
    store_->PutTask(*t, &previous, &w);
    AppendTaskChanged(*t, w);
    GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(w)).status());
    if (deps_.metrics != nullptr) deps_.metrics->tasks_missed.Increment();
    ++missed;
  }
  return missed;
}

absl::Status InspectionCore::ApplyWorkOrderEvent(const store::FeedEvent& event,
                                                 store::WriteRequest& write) {
  workorder::v1::OrderEvent e;
  if (!event.payload().UnpackTo(&e)) return absl::OkStatus();  // other event types
  const bool closed = e.to_state() == workorder::v1::STATE_CLOSED;
  const bool cancelled = e.to_state() == workorder::v1::STATE_CANCELLED;
  if ((!closed && !cancelled) || e.from_state() == e.to_state()) return absl::OkStatus();
  GW_ASSIGN_OR_RETURN(std::optional<OrderLink> link, store_->GetOrderLink(e.order_id()));
  if (!link.has_value() || link->closed) return absl::OkStatus();
  link->closed = true;  // no longer an open problem of the subject
  store_->PutOrderLink(e.order_id(), *link, &write);
  if (cancelled) return absl::OkStatus();  // nothing was fixed: nothing to re-inspect
  const std::string task_id = absl::StrCat("reinsp-", e.order_id());
  if (store_->GetTask(task_id).ok()) return absl::OkStatus();
  GW_ASSIGN_OR_RETURN(v1::InspectionResult result, store_->GetResult(link->result_id));
  GW_ASSIGN_OR_RETURN(v1::Subject subject, store_->GetSubject(link->subject_id));
  absl::StatusOr<v1::ChecklistVersion> checklist = LatestPublished(result.template_id());
  if (!checklist.ok()) {
    checklist = store_->GetChecklist(result.template_id(), result.template_version());
  }
  GW_RETURN_IF_ERROR(checklist.status());
  const absl::Time now = clock_->Now();
  v1::Task t = NewTask(v1::TASK_KIND_REINSPECTION, subject, *checklist, result.inspector(),
                       now + options_.reinspection_due, now);
  t.set_id(task_id);
  t.set_source_order_id(e.order_id());
  t.set_assigned_by("inspection");
  t.set_campaign("复查");
  store_->PutTask(t, nullptr, &write);
  AppendTaskChanged(t, write);
  CountTask(t);
  return absl::OkStatus();
}

absl::StatusOr<v1::SubjectHistory> InspectionCore::GetSubjectHistory(
    const Principal& p, const v1::GetSubjectHistoryRequest& r) {
  GW_ASSIGN_OR_RETURN(v1::Subject s, ReadSubject(p, r.subject_id()));
  v1::SubjectHistory h;
  absl::Status error;
  GW_RETURN_IF_ERROR(
      store_->ScanResultsOfSubject(s.id(), "", [&](const std::string&, const std::string& id) {
        auto result = store_->GetResult(id);
        if (!result.ok()) {
          error = result.status();
          return false;
        }
        for (const auto& a : result->answers()) {
          if (a.work_order_id().empty()) continue;
          auto link = store_->GetOrderLink(a.work_order_id());
          if (link.ok() && link->has_value() && !(*link)->closed)
            h.add_open_work_orders(a.work_order_id());
        }
        if (h.recent_results_size() < 10) *h.add_recent_results() = *std::move(result);
        return true;
      }));
  GW_RETURN_IF_ERROR(error);
  GW_RETURN_IF_ERROR(store_->ScanTasksOfSubject(s.id(), [&](const std::string& id) {
    auto t = store_->GetTask(id);
    if (!t.ok()) {
      error = t.status();
      return false;
    }
    if (t->state() == v1::TASK_STATE_OPEN) *h.add_open_tasks() = ForViewer(p, *std::move(t));
    return true;
  }));
  GW_RETURN_IF_ERROR(error);
  *h.mutable_subject() = ForViewer(p, std::move(s));
  return h;
}

}  // namespace gridwork::inspection
