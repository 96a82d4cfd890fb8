// InspectionCore: the inspection service's behaviour, independent of gRPC. Each method
// authorises the caller, validates input, and commits state, indexes and feed events in one
// durable write. Calls to other services (geofence Locate, location GetTrack, work-order
// CreateOrder/GetPhoto) go through the client interfaces of libs/clients, each with a deadline.
//
// Background work, each driven by the service's loops (and called directly by tests):
// RunSchedules (recurring tasks), MarkMissedTasks (due time passed), ProcessPendingOrders
// (the work-order outbox), and ApplyWorkOrderEvent (the work-order feed: a closed order of a
// problem item schedules a re-inspection).
//
// Thread safety: every public method may be called concurrently.
#ifndef GRIDWORK_SERVICES_INSPECTION_INSPECTION_CORE_H_
#define GRIDWORK_SERVICES_INSPECTION_INSPECTION_CORE_H_

#include <array>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/clients/region_locator.h"
#include "gridwork/clients/track_source.h"
#include "gridwork/clients/workorder_client.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/core/clock.h"
#include "gridwork/inspection/v1/inspection.pb.h"
#include "gridwork/store/db.h"
#include "services/inspection/inspection_metrics.h"
#include "services/inspection/inspection_store.h"
#include "services/inspection/presence.h"

namespace gridwork::inspection {

using common::v1::Principal;

struct InspectionOptions {
  PresenceWindow presence;
  double default_radius_m = 50;
  // A re-inspection is due this long after the work order closed.
  absl::Duration reinspection_due = absl::Hours(24 * 7);
  // Schedules generate tasks this far ahead of their occurrence.
  absl::Duration schedule_lookahead = absl::Hours(24);
  size_t batch = 500;
  // SubmitResult's performed_at (the phone's clock) may lag the server's clock by this much
  // (forms sent after an offline stretch) and lead it by future_skew (clock drift).
  absl::Duration performed_max_age = absl::Hours(72);
  absl::Duration future_skew = absl::Minutes(2);
};

struct InspectionDeps {
  clients::RegionLocator* locator = nullptr;
  clients::TrackSource* tracks = nullptr;
  clients::WorkOrderClient* workorders = nullptr;
  InspectionMetrics* metrics = nullptr;  // optional
};

class InspectionCore {
 public:
  static absl::StatusOr<std::unique_ptr<InspectionCore>> Create(InspectionStore* store,
                                                                InspectionDeps deps, Clock* clock,
                                                                InspectionOptions options = {});

  absl::StatusOr<v1::ListDepartmentsResponse> ListDepartments(const Principal& p,
                                                              const v1::ListDepartmentsRequest& r);
  absl::StatusOr<v1::Department> UpsertDepartment(const Principal& p,
                                                  const v1::UpsertDepartmentRequest& r);
  absl::StatusOr<v1::ChecklistVersion> CreateChecklistDraft(
      const Principal& p, const v1::CreateChecklistDraftRequest& r);
  absl::StatusOr<v1::ChecklistVersion> UpdateChecklistDraft(
      const Principal& p, const v1::UpdateChecklistDraftRequest& r);
  absl::StatusOr<v1::ChecklistVersion> PublishChecklist(const Principal& p,
                                                        const v1::PublishChecklistRequest& r);
  absl::StatusOr<v1::ChecklistVersion> GetChecklist(const Principal& p,
                                                    const v1::GetChecklistRequest& r);
  absl::StatusOr<v1::ListChecklistsResponse> ListChecklists(const Principal& p,
                                                            const v1::ListChecklistsRequest& r);

  absl::StatusOr<v1::Subject> RegisterSubject(const Principal& p,
                                              const v1::RegisterSubjectRequest& r);
  absl::StatusOr<v1::Subject> ConfirmSubject(const Principal& p,
                                             const v1::ConfirmSubjectRequest& r);
  absl::StatusOr<v1::Subject> UpdateSubject(const Principal& p, const v1::UpdateSubjectRequest& r);
  absl::StatusOr<v1::Subject> GetSubject(const Principal& p, const v1::GetSubjectRequest& r);
  absl::StatusOr<v1::ListSubjectsResponse> ListSubjects(const Principal& p,
                                                        const v1::ListSubjectsRequest& r);
  absl::StatusOr<v1::SubjectHistory> GetSubjectHistory(const Principal& p,
                                                       const v1::GetSubjectHistoryRequest& r);

  absl::StatusOr<v1::Task> AssignTask(const Principal& p, const v1::AssignTaskRequest& r);
  absl::StatusOr<v1::Task> GetTask(const Principal& p, const v1::GetTaskRequest& r);
  absl::StatusOr<v1::ListTasksResponse> ListTasks(const Principal& p,
                                                  const v1::ListTasksRequest& r);
  absl::StatusOr<v1::Schedule> UpsertSchedule(const Principal& p,
                                              const v1::UpsertScheduleRequest& r);
  absl::StatusOr<v1::ListSchedulesResponse> ListSchedules(const Principal& p,
                                                          const v1::ListSchedulesRequest& r);

  absl::StatusOr<v1::InspectionResult> SubmitResult(const Principal& p,
                                                    const v1::SubmitResultRequest& r);
  absl::StatusOr<v1::InspectionResult> GetResult(const Principal& p, const v1::GetResultRequest& r);
  absl::StatusOr<v1::ListResultsResponse> ListResults(const Principal& p,
                                                      const v1::ListResultsRequest& r);

  // Generates the tasks of every active schedule's occurrences up to now + lookahead.
  // Returns the number of tasks created.
  absl::StatusOr<int> RunSchedules();
  // Marks open tasks whose due time passed as MISSED. Returns how many.
  absl::StatusOr<int> MarkMissedTasks();
  // Creates the work orders of problem items still in the outbox. Returns how many were
  // created; transient failures stay in the outbox for the next run.
  absl::StatusOr<int> ProcessPendingOrders();
  // The work-order feed consumer's handler: adds to `write` the effects of one event (a
  // CLOSED order of a problem item: the link marked closed and a re-inspection task).
  absl::Status ApplyWorkOrderEvent(const store::FeedEvent& event, store::WriteRequest& write);

 private:
  InspectionCore(InspectionStore* store, InspectionDeps deps, Clock* clock,
                 InspectionOptions options);

  absl::Mutex& Lock(const std::string& id);
  absl::StatusOr<v1::Subject> ReadSubject(const Principal& p, const std::string& id) const;
  absl::StatusOr<v1::ChecklistVersion> LatestPublished(const std::string& template_id) const;
  // Creates one pending work order; OK if it was created or failed permanently (recorded on
  // the answer), an error if it should be retried.
  absl::Status CreatePendingOrder(const PendingOrder& pending);
  void CountTask(const v1::Task& t) const;
  v1::Task NewTask(v1::TaskKind kind, const v1::Subject& subject,
                   const v1::ChecklistVersion& checklist, const std::string& assignee,
                   absl::Time due, absl::Time now) const;

  InspectionStore* store_;
  InspectionDeps deps_;
  Clock* clock_;
  InspectionOptions options_;
  std::array<absl::Mutex, 256> locks_;
  absl::Mutex catalog_mu_;  // serialises checklist and department changes
};

}  // namespace gridwork::inspection

#endif  // GRIDWORK_SERVICES_INSPECTION_INSPECTION_CORE_H_
