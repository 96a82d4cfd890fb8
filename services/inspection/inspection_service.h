// gRPC adapter of the inspection service: authenticates each call and hands it to
// InspectionCore. No logic lives here.
#ifndef GRIDWORK_SERVICES_INSPECTION_INSPECTION_SERVICE_H_
#define GRIDWORK_SERVICES_INSPECTION_INSPECTION_SERVICE_H_

#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/rpc/principal.h"
#include "services/inspection/inspection_core.h"

namespace gridwork::inspection {

class InspectionServiceImpl final : public v1::InspectionService::Service {
 public:
  // Neither pointer is owned; both must outlive the service.
  InspectionServiceImpl(InspectionCore* core, const rpc::PrincipalCodec* codec)
      : core_(core), codec_(codec) {}

  grpc::Status ListDepartments(grpc::ServerContext* ctx, const v1::ListDepartmentsRequest* req,
                               v1::ListDepartmentsResponse* resp) override;
  grpc::Status UpsertDepartment(grpc::ServerContext* ctx, const v1::UpsertDepartmentRequest* req,
                                v1::Department* resp) override;
  grpc::Status CreateChecklistDraft(grpc::ServerContext* ctx,
                                    const v1::CreateChecklistDraftRequest* req,
                                    v1::ChecklistVersion* resp) override;
  grpc::Status UpdateChecklistDraft(grpc::ServerContext* ctx,
                                    const v1::UpdateChecklistDraftRequest* req,
                                    v1::ChecklistVersion* resp) override;
  grpc::Status PublishChecklist(grpc::ServerContext* ctx, const v1::PublishChecklistRequest* req,
                                v1::ChecklistVersion* resp) override;
  grpc::Status GetChecklist(grpc::ServerContext* ctx, const v1::GetChecklistRequest* req,
                            v1::ChecklistVersion* resp) override;
  grpc::Status ListChecklists(grpc::ServerContext* ctx, const v1::ListChecklistsRequest* req,
                              v1::ListChecklistsResponse* resp) override;
  grpc::Status RegisterSubject(grpc::ServerContext* ctx, const v1::RegisterSubjectRequest* req,
                               v1::Subject* resp) override;
  grpc::Status ConfirmSubject(grpc::ServerContext* ctx, const v1::ConfirmSubjectRequest* req,
                              v1::Subject* resp) override;
  grpc::Status UpdateSubject(grpc::ServerContext* ctx, const v1::UpdateSubjectRequest* req,
                             v1::Subject* resp) override;
  grpc::Status GetSubject(grpc::ServerContext* ctx, const v1::GetSubjectRequest* req,
                          v1::Subject* resp) override;
  grpc::Status ListSubjects(grpc::ServerContext* ctx, const v1::ListSubjectsRequest* req,
                            v1::ListSubjectsResponse* resp) override;
  grpc::Status GetSubjectHistory(grpc::ServerContext* ctx, const v1::GetSubjectHistoryRequest* req,
                                 v1::SubjectHistory* resp) override;
  grpc::Status AssignTask(grpc::ServerContext* ctx, const v1::AssignTaskRequest* req,
                          v1::Task* resp) override;
  grpc::Status GetTask(grpc::ServerContext* ctx, const v1::GetTaskRequest* req,
                       v1::Task* resp) override;
  grpc::Status ListTasks(grpc::ServerContext* ctx, const v1::ListTasksRequest* req,
                         v1::ListTasksResponse* resp) override;
  grpc::Status UpsertSchedule(grpc::ServerContext* ctx, const v1::UpsertScheduleRequest* req,
                              v1::Schedule* resp) override;
  grpc::Status ListSchedules(grpc::ServerContext* ctx, const v1::ListSchedulesRequest* req,
                             v1::ListSchedulesResponse* resp) override;
  grpc::Status SubmitResult(grpc::ServerContext* ctx, const v1::SubmitResultRequest* req,
                            v1::InspectionResult* resp) override;
  grpc::Status GetResult(grpc::ServerContext* ctx, const v1::GetResultRequest* req,
                         v1::InspectionResult* resp) override;
  grpc::Status ListResults(grpc::ServerContext* ctx, const v1::ListResultsRequest* req,
                           v1::ListResultsResponse* resp) override;

 private:
  InspectionCore* core_;
  const rpc::PrincipalCodec* codec_;
};

}  // namespace gridwork::inspection

#endif  // GRIDWORK_SERVICES_INSPECTION_INSPECTION_SERVICE_H_
