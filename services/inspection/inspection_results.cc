// Results: submission (answers graded against the pinned version, photos checked, presence
// verified against the track), and the work-order outbox of problem items.
#include <set>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/inspection/checklist_rules.h"
#include "services/inspection/inspection_core.h"
#include "services/inspection/masking.h"

namespace gridwork::inspection {
namespace {

using service::FromProto;
using service::ToProto;

bool Inspects(const Principal& p) {
  switch (p.role()) {
    case common::v1::ROLE_GRID_WORKER:
    case common::v1::ROLE_GRID_LEADER:
    case common::v1::ROLE_COMMUNITY_STATION:
    case common::v1::ROLE_DEPARTMENT_HANDLER:
      return true;
    default:
      return false;
  }
}

bool IsPermanent(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

// The request's performed_at, or `now` when it has none; INVALID_ARGUMENT outside
// [now - performed_max_age, now + future_skew] (an out-of-range Timestamp included).
absl::StatusOr<absl::Time> PerformedAt(const v1::SubmitResultRequest& r, absl::Time now,
                                       const InspectionOptions& options) {
  if (!r.has_performed_at()) return now;
  const google::protobuf::Timestamp& ts = r.performed_at();
  if (ts.nanos() < 0 || ts.nanos() > 999'999'999) {
    return absl::InvalidArgumentError("performed_at: nanos must be 0..999999999");
  }
  const absl::Time performed = FromProto(ts);
  if (performed > now + options.future_skew) {
    return absl::InvalidArgumentError(
        absl::StrCat("performed_at ", absl::FormatTime(performed), " is ahead of the server's ",
                     absl::FormatTime(now), " by more than ",
                     absl::FormatDuration(options.future_skew), "; check the phone's clock"));
  }
  if (performed < now - options.performed_max_age) {
    return absl::InvalidArgumentError(
        absl::StrCat("performed_at ", absl::FormatTime(performed), " is more than ",
                     absl::FormatDuration(options.performed_max_age),
                     " in the past; an inspection that old cannot be checked against the track"));
  }
  return performed;
}

}  // namespace

absl::StatusOr<v1::InspectionResult> InspectionCore::SubmitResult(
    const Principal& p, const v1::SubmitResultRequest& r) {
  if (!Inspects(p)) {
    return absl::PermissionDeniedError("role " + rpc::RoleName(p.role()) + " does not inspect");
  }
  GW_RETURN_IF_ERROR(service::CheckRequestId(r.request_id()));
  if (r.notes().size() > 6000)
    return absl::InvalidArgumentError("notes are longer than 2,000 characters");
  auto recorded = service::FindRecorded<v1::InspectionResult>(
      store_->db(), "inspection.SubmitResult", r.request_id(), r);
  if (!recorded.ok()) return recorded.status();
  if (recorded->has_value()) return store_->GetResult((*recorded)->id());  // with order links

  // What is being inspected, against which exact version.
  std::optional<v1::Task> task;
  std::string subject_id = r.subject_id();
  std::string template_id = r.template_id();
  uint32_t version = r.template_version();
  if (!r.task_id().empty()) {
    GW_RETURN_IF_ERROR(service::CheckId(r.task_id(), "task_id"));
    GW_ASSIGN_OR_RETURN(task, store_->GetTask(r.task_id()));
    if (task->assignee() != p.subject() && p.role() != common::v1::ROLE_GRID_LEADER &&
        p.role() != common::v1::ROLE_COMMUNITY_STATION) {
      return absl::PermissionDeniedError(
          absl::StrCat("task ", task->id(), " is assigned to ", task->assignee()));
    }
    if (task->state() != v1::TASK_STATE_OPEN) {
      return absl::FailedPreconditionError(
          absl::StrCat("task ", task->id(), " is ", v1::TaskState_Name(task->state())));
    }
    if ((!subject_id.empty() && subject_id != task->subject_id()) ||
        (!template_id.empty() && template_id != task->template_id()) ||
        (version != 0 && version != task->template_version())) {
      return absl::InvalidArgumentError("subject/template differ from the task's");
    }
    subject_id = task->subject_id();
    template_id = task->template_id();
    version = task->template_version();
  }
  GW_ASSIGN_OR_RETURN(v1::Subject subject, ReadSubject(p, subject_id));
  if (subject.status() != v1::Subject::STATUS_CONFIRMED) {
    return absl::FailedPreconditionError("the subject is not confirmed (pending or closed)");
  }
  GW_RETURN_IF_ERROR(service::CheckId(template_id, "template_id", 64));
  absl::StatusOr<v1::ChecklistVersion> checklist =
      version == 0 ? LatestPublished(template_id) : store_->GetChecklist(template_id, version);
  if (absl::IsNotFound(checklist.status())) {
    return absl::InvalidArgumentError(std::string(checklist.status().message()));
  }
  GW_RETURN_IF_ERROR(checklist.status());
  if (checklist->status() != v1::ChecklistVersion::STATUS_PUBLISHED) {
    return absl::InvalidArgumentError(
        absl::StrCat("checklist ", template_id, " version ", checklist->version(), " is a draft"));
  }
  GW_ASSIGN_OR_RETURN(GradedAnswers graded, GradeAnswers(*checklist, subject.type(), r.answers()));

  // Every photo must be an uploaded evidence record of the work-order service.
  std::set<std::string> photos;
  for (const auto& a : graded.answers) {
    for (const auto& ph : a.photos()) photos.insert(ph.sha256());
  }
  for (const std::string& sha : photos) {
    auto record = deps_.workorders->GetPhotoRecord(sha);
    if (absl::IsNotFound(record.status())) {
      return absl::InvalidArgumentError(
          absl::StrCat("photo ", sha, " was not uploaded (UploadPhoto first)"));
    }
    GW_RETURN_IF_ERROR(record.status());
  }

  // Presence from the track around the time the inspection was done.
  const absl::Time now = clock_->Now();
  GW_ASSIGN_OR_RETURN(const absl::Time performed, PerformedAt(r, now, options_));
  const double radius = subject.radius_m() > 0 ? subject.radius_m() : options_.default_radius_m;
  v1::Presence presence;
  auto fixes = deps_.tracks->Track(p.subject(), performed - options_.presence.before,
                                   performed + options_.presence.after);
  if (fixes.ok()) {
    presence = EvaluatePresence(*fixes, subject.position(), radius, options_.presence);
  } else {
    log::Warning("presence unknown",
                 {{"inspector", p.subject()}, {"error", fixes.status().message()}});
    presence = UnknownPresence(radius, options_.presence);
  }

  const std::string lock_id = task.has_value() ? task->id() : subject.id();
  absl::StatusOr<v1::InspectionResult> stored;
  {
    absl::MutexLock lock(&Lock(lock_id));
    stored = service::RunIdempotent<v1::InspectionResult>(
        store_->db(), "inspection.SubmitResult", r.request_id(), r,
        [&](store::WriteRequest& w) -> absl::StatusOr<v1::InspectionResult> {
          v1::InspectionResult result;
          result.set_id(NewId("ir"));
          if (task.has_value()) {
            // Re-read under the lock: the missed-task sweep or another submission may have won.
            GW_ASSIGN_OR_RETURN(v1::Task current, store_->GetTask(task->id()));
            if (current.state() != v1::TASK_STATE_OPEN) {
              return absl::FailedPreconditionError(
                  absl::StrCat("task ", current.id(), " is ", v1::TaskState_Name(current.state())));
            }
            const v1::Task previous = current;
            current.set_state(v1::TASK_STATE_DONE);
            current.set_result_id(result.id());
            *current.mutable_done_at() = ToProto(now);
            store_->PutTask(current, &previous, &w);
            v1::TaskChanged changed;
            *changed.mutable_task() = current;
            w.AppendEvent(changed, current.region_path());
            result.set_task_id(current.id());
          }
          result.set_subject_id(subject.id());
          result.set_region_path(subject.region_path());
          result.set_template_id(checklist->template_id());
          result.set_template_version(checklist->version());
          result.set_department(checklist->department());
          result.set_inspector(p.subject());
          result.set_inspector_role(p.role());
          *result.mutable_submitted_at() = ToProto(now);
          *result.mutable_performed_at() = ToProto(performed);
          for (auto& a : graded.answers) *result.add_answers() = std::move(a);
          result.set_notes(r.notes());
          *result.mutable_presence() = presence;
          result.set_flagged(presence.status() != v1::Presence::STATUS_VERIFIED);
          result.set_problem_count(graded.problems);
          store_->PutResult(result, /*is_new=*/true, &w);
          for (const auto& a : result.answers()) {
            if (a.outcome() != v1::OUTCOME_PROBLEM) continue;
            for (const auto& item : checklist->items()) {
              if (item.code() == a.item_code() && !item.workorder_category().empty()) {
                store_->PutPendingOrder({result.id(), a.item_code()}, &w);
              }
            }
          }
          v1::Subject inspected = subject;
          *inspected.mutable_last_inspected_at() = ToProto(now);
          store_->PutSubject(inspected, &subject, &w);
          v1::ResultSubmitted event;
          *event.mutable_result() = result;
          event.set_subject_type(subject.type());
          w.AppendEvent(event, result.region_path());
          return result;
        });
  }  // the lock is released before the orders are created (they take the result's lock)
  if (!stored.ok()) return stored.status();
  if (deps_.metrics != nullptr && FromProto(stored->submitted_at()) == now) {
    deps_.metrics->results
        .Add({{"presence", v1::Presence::Status_Name(stored->presence().status()).substr(7)}})
        .Increment();
    deps_.metrics->problems.Increment(stored->problem_count());
  }
  // Create the work orders now (the outbox loop retries whatever fails here).
  for (const auto& a : stored->answers()) {
    absl::Status s = CreatePendingOrder({stored->id(), a.item_code()});
    if (!s.ok())
      log::Warning("work order deferred", {{"result", stored->id()}, {"error", s.message()}});
  }
  return store_->GetResult(stored->id());
}

absl::Status InspectionCore::CreatePendingOrder(const PendingOrder& pending) {
  absl::MutexLock lock(&Lock(pending.result_id));
  GW_ASSIGN_OR_RETURN(bool still_pending, store_->HasPendingOrder(pending));
  if (!still_pending) return absl::OkStatus();
  GW_ASSIGN_OR_RETURN(v1::InspectionResult result, store_->GetResult(pending.result_id));
  GW_ASSIGN_OR_RETURN(v1::Subject subject, store_->GetSubject(result.subject_id()));
  GW_ASSIGN_OR_RETURN(v1::ChecklistVersion checklist,
                      store_->GetChecklist(result.template_id(), result.template_version()));
  v1::Answer* answer = nullptr;
  for (auto& a : *result.mutable_answers()) {
    if (a.item_code() == pending.item_code) answer = &a;
  }
  const v1::ChecklistItem* item = nullptr;
  for (const auto& i : checklist.items()) {
    if (i.code() == pending.item_code) item = &i;
  }
  store::WriteRequest w;
  store_->DeletePendingOrder(pending, &w);
  if (answer == nullptr || item == nullptr) {
    return store_->db()->Commit(std::move(w)).status();  // nothing to create
  }
  workorder::v1::CreateOrderRequest req;
  // One order per result item, however often this runs.
  req.set_request_id(absl::StrCat("inspection-", result.id(), "-", item->code()));
  req.set_category_id(item->workorder_category());
  *req.mutable_position() = subject.position();
  // A person's name stays in the inspection service (personal data); the order names the
  // place by its position and the masked name.
  const std::string who = IsPerson(subject.type()) ? MaskName(subject.name()) : subject.name();
  req.set_description(absl::StrCat("【检查发现】", who, "：", item->text(),
                                   answer->note().empty() ? "" : "。", answer->note()));
  for (const auto& ph : answer->photos()) {
    auto* ref = req.add_photos();
    ref->set_sha256(ph.sha256());
    if (ph.has_capture_time()) *ref->mutable_capture_time() = ph.capture_time();
    if (ph.has_capture_position()) *ref->mutable_capture_position() = ph.capture_position();
  }
  req.set_source(workorder::v1::SOURCE_INSPECTION);
  req.set_inspection_ref(absl::StrCat(result.id(), "/", item->code()));
  req.set_on_behalf_of(result.inspector());
  req.set_on_behalf_of_role(result.inspector_role());
  auto created = deps_.workorders->CreateOrder(req);
  if (deps_.metrics != nullptr) {
    const char* outcome = created.ok()                    ? "created"
                          : IsPermanent(created.status()) ? "refused"
                                                          : "deferred";
    deps_.metrics->work_orders.Add({{"result", outcome}}).Increment();
  }
  if (!created.ok() && !IsPermanent(created.status())) return created.status();  // retry later
  if (created.ok()) {
    answer->set_work_order_id(created->order().id());
    store_->PutOrderLink(created->order().id(), {result.id(), item->code(), subject.id(), false},
                         &w);
  } else {
    answer->set_work_order_error(std::string(created.status().message()));
    log::Warning(
        "work order refused",
        {{"result", result.id()}, {"item", item->code()}, {"error", created.status().message()}});
  }
  store_->PutResult(result, /*is_new=*/false, &w);
  return store_->db()->Commit(std::move(w)).status();
}

absl::StatusOr<int> InspectionCore::ProcessPendingOrders() {
  GW_ASSIGN_OR_RETURN(std::vector<PendingOrder> pending, store_->PendingOrders(options_.batch));
  if (deps_.metrics != nullptr)
    deps_.metrics->outbox_pending.Set(static_cast<double>(pending.size()));
  int done = 0;
  for (const auto& p : pending) {
    absl::Status s = CreatePendingOrder(p);
    if (s.ok()) {
      ++done;
    } else {
      log::Warning("work order deferred", {{"result", p.result_id}, {"error", s.message()}});
    }
  }
  return done;
}

absl::StatusOr<v1::InspectionResult> InspectionCore::GetResult(const Principal& p,
                                                               const v1::GetResultRequest& r) {
  GW_RETURN_IF_ERROR(service::CheckId(r.result_id(), "result_id"));
  GW_ASSIGN_OR_RETURN(v1::InspectionResult result, store_->GetResult(r.result_id()));
  if (result.inspector() != p.subject())
    GW_RETURN_IF_ERROR(rpc::RequireScope(p, result.region_path()));
  if (p.role() == common::v1::ROLE_RESIDENT)
    return absl::PermissionDeniedError("not visible to residents");
  return result;
}

absl::StatusOr<v1::ListResultsResponse> InspectionCore::ListResults(
    const Principal& p, const v1::ListResultsRequest& r) {
  GW_RETURN_IF_ERROR(ReadSubject(p, r.subject_id()).status());
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(r.page_size(), 50, 500));
  const uint64_t hash = absl::HashOf(p.subject(), r.subject_id());
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(r.page_token(), hash));
  v1::ListResultsResponse resp;
  std::string last_key;
  bool more = false;
  absl::Status error;
  GW_RETURN_IF_ERROR(store_->ScanResultsOfSubject(
      r.subject_id(), after, [&](const std::string& key, const std::string& id) {
        if (resp.results_size() == page_size) {
          more = true;
          return false;
        }
        auto result = store_->GetResult(id);
        if (!result.ok()) {
          error = result.status();
          return false;
        }
        *resp.add_results() = *std::move(result);
        last_key = key;
        return true;
      }));
  GW_RETURN_IF_ERROR(error);
  if (more) resp.set_next_page_token(rpc::EncodePageToken(last_key, hash));
  return resp;
}

}  // namespace gridwork::inspection
