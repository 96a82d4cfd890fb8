// The inspection feed: tasks assigned/done/on time/missed, results and problems,
// per-worker inspections.
#include "gridwork/core/status_macros.h"
#include "gridwork/inspection/v1/inspection.pb.h"
#include "services/analytics/aggregate_batch.h"
#include "services/analytics/china_time.h"
#include "services/analytics/ingest.h"
#include "services/analytics/ingest_util.h"

namespace gridwork::analytics {
namespace {

namespace insp = ::gridwork::inspection::v1;

}  // namespace

absl::Status Ingest::ApplyInspection(const std::vector<store::FeedEvent>& events,
                                     store::WriteRequest& write) {
  LiveDelta& delta = Pending(Source::kInspection);
  delta = LiveDelta();
  AggregateBatch b(store_);

  // A worker's inspection figures count on the task's due day.
  auto worker_day = [&](const std::string& worker, int64_t due_ms) {
    return b.WorkerDayOf(worker, due_ms, Source::kInspection);
  };

  for (const store::FeedEvent& fe : events) {
    if (Is(fe, insp::ChecklistPublished::descriptor())) {
      insp::ChecklistPublished cp;
      GW_RETURN_IF_ERROR(Unpack(fe, &cp));
      if (cp.checklist().template_id().empty()) continue;
      GW_ASSIGN_OR_RETURN(std::string * dept,
                          b.Bytes(store_->checklists(), cp.checklist().template_id()));
      *dept = cp.checklist().department();
    } else if (Is(fe, insp::TaskChanged::descriptor())) {
      insp::TaskChanged tc;
      GW_RETURN_IF_ERROR(Unpack(fe, &tc));
      const insp::Task& task = tc.task();
      if (task.id().empty()) continue;
      bool existed = false;
      GW_ASSIGN_OR_RETURN(internal::TaskTrack * track,
                          b.Record<internal::TaskTrack>(store_->tasks(), task.id(), &existed));
      if (!existed) {
        GW_ASSIGN_OR_RETURN(std::string * dept, b.Bytes(store_->checklists(), task.template_id()));
        track->set_department(*dept);
        track->set_dim(OrderDim(*dept, insp::SubjectType_Name(task.subject_type())));
        track->set_region_path(task.region_path());
        track->set_due_ms(Millis(task.due_at()));
        track->set_state(insp::TASK_STATE_OPEN);
        if (task.state() != insp::TASK_STATE_CANCELLED) {
          b.AddCounter(v1::METRIC_INSPECTIONS_ASSIGNED, HourIndexOfMillis(track->due_ms()),
                       track->region_path(), track->dim(), 1);
          if (!task.assignee().empty()) {
            GW_ASSIGN_OR_RETURN(internal::WorkerDay * wd,
                                worker_day(task.assignee(), track->due_ms()));
            wd->set_inspections_assigned(wd->inspections_assigned() + 1);
          }
          track->set_assignee(task.assignee());
        } else {
          track->set_state(insp::TASK_STATE_CANCELLED);
        }
      }
      if (track->state() != insp::TASK_STATE_OPEN) continue;  // final states are final
      const int64_t due_hour = HourIndexOfMillis(track->due_ms());
      // Reassignment while open moves the worker's figure.
      if (task.assignee() != track->assignee()) {
        if (!track->assignee().empty()) {
          GW_ASSIGN_OR_RETURN(internal::WorkerDay * old,
                              worker_day(track->assignee(), track->due_ms()));
          old->set_inspections_assigned(old->inspections_assigned() - 1);
        }
        if (!task.assignee().empty()) {
          GW_ASSIGN_OR_RETURN(internal::WorkerDay * now,
                              worker_day(task.assignee(), track->due_ms()));
          now->set_inspections_assigned(now->inspections_assigned() + 1);
        }
        track->set_assignee(task.assignee());
      }
      switch (task.state()) {
        case insp::TASK_STATE_DONE: {
          const int64_t done = Millis(task.done_at());
          b.AddCounter(v1::METRIC_INSPECTIONS_DONE, HourIndexOfMillis(done), track->region_path(),
                       track->dim(), 1);
          if (done <= track->due_ms()) {
            b.AddCounter(v1::METRIC_INSPECTIONS_DONE_ON_TIME, HourIndexOfMillis(done),
                         track->region_path(), track->dim(), 1);
            if (!track->assignee().empty()) {
              GW_ASSIGN_OR_RETURN(internal::WorkerDay * wd,
                                  worker_day(track->assignee(), track->due_ms()));
              wd->set_inspections_on_time(wd->inspections_on_time() + 1);
            }
          }
          track->set_state(task.state());
          break;
        }
        case insp::TASK_STATE_MISSED:
          b.AddCounter(v1::METRIC_INSPECTIONS_MISSED, due_hour, track->region_path(),
                       track->dim(), 1);
          track->set_state(task.state());
          break;
        case insp::TASK_STATE_CANCELLED:
          b.AddCounter(v1::METRIC_INSPECTIONS_ASSIGNED, due_hour, track->region_path(),
                       track->dim(), -1);
          if (!track->assignee().empty()) {
            GW_ASSIGN_OR_RETURN(internal::WorkerDay * wd,
                                worker_day(track->assignee(), track->due_ms()));
            wd->set_inspections_assigned(wd->inspections_assigned() - 1);
          }
          track->set_state(task.state());
          break;
        default:
          break;
      }
    } else if (Is(fe, insp::ResultSubmitted::descriptor())) {
      insp::ResultSubmitted rs;
      GW_RETURN_IF_ERROR(Unpack(fe, &rs));
      const insp::InspectionResult& r = rs.result();
      const int64_t hour = HourIndexOfMillis(Millis(r.submitted_at()));
      const std::string type = insp::SubjectType_Name(rs.subject_type());
      b.AddCounter(v1::METRIC_INSPECTION_RESULTS, hour, r.region_path(), type, 1);
      b.AddCounter(v1::METRIC_INSPECTION_RESULTS_BY_DEPARTMENT, hour, r.region_path(),
                   r.department(), 1);
      if (r.problem_count() > 0) {
        b.AddCounter(v1::METRIC_INSPECTION_PROBLEM_RESULTS, hour, r.region_path(), type, 1);
        b.AddCounter(v1::METRIC_INSPECTION_PROBLEMS_BY_DEPARTMENT, hour, r.region_path(),
                     r.department(), 1);
      }
    }
  }
  GW_RETURN_IF_ERROR(b.Flush(write));
  delta.counters = b.counter_deltas();
  return absl::OkStatus();
}

}  // namespace gridwork::analytics
