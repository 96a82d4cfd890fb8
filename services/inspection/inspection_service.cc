#include "services/inspection/inspection_service.h"

#include "gridwork/rpc/handler.h"

namespace gridwork::inspection {

grpc::Status InspectionServiceImpl::ListDepartments(grpc::ServerContext* ctx,
                                                    const v1::ListDepartmentsRequest* req,
                                                    v1::ListDepartmentsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListDepartments(p, *req); });
}

grpc::Status InspectionServiceImpl::UpsertDepartment(grpc::ServerContext* ctx,
                                                     const v1::UpsertDepartmentRequest* req,
                                                     v1::Department* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->UpsertDepartment(p, *req); });
}

grpc::Status InspectionServiceImpl::CreateChecklistDraft(grpc::ServerContext* ctx,
                                                         const v1::CreateChecklistDraftRequest* req,
                                                         v1::ChecklistVersion* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->CreateChecklistDraft(p, *req); });
}

grpc::Status InspectionServiceImpl::UpdateChecklistDraft(grpc::ServerContext* ctx,
                                                         const v1::UpdateChecklistDraftRequest* req,
                                                         v1::ChecklistVersion* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->UpdateChecklistDraft(p, *req); });
}

grpc::Status InspectionServiceImpl::PublishChecklist(grpc::ServerContext* ctx,
                                                     const v1::PublishChecklistRequest* req,
                                                     v1::ChecklistVersion* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->PublishChecklist(p, *req); });
}

grpc::Status InspectionServiceImpl::GetChecklist(grpc::ServerContext* ctx,
                                                 const v1::GetChecklistRequest* req,
                                                 v1::ChecklistVersion* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetChecklist(p, *req); });
}

grpc::Status InspectionServiceImpl::ListChecklists(grpc::ServerContext* ctx,
                                                   const v1::ListChecklistsRequest* req,
                                                   v1::ListChecklistsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListChecklists(p, *req); });
}

grpc::Status InspectionServiceImpl::RegisterSubject(grpc::ServerContext* ctx,
                                                    const v1::RegisterSubjectRequest* req,
                                                    v1::Subject* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->RegisterSubject(p, *req); });
}

grpc::Status InspectionServiceImpl::ConfirmSubject(grpc::ServerContext* ctx,
                                                   const v1::ConfirmSubjectRequest* req,
                                                   v1::Subject* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ConfirmSubject(p, *req); });
}

grpc::Status InspectionServiceImpl::UpdateSubject(grpc::ServerContext* ctx,
                                                  const v1::UpdateSubjectRequest* req,
                                                  v1::Subject* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->UpdateSubject(p, *req); });
}

grpc::Status InspectionServiceImpl::GetSubject(grpc::ServerContext* ctx,
                                               const v1::GetSubjectRequest* req,
                                               v1::Subject* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetSubject(p, *req); });
}

grpc::Status InspectionServiceImpl::ListSubjects(grpc::ServerContext* ctx,
                                                 const v1::ListSubjectsRequest* req,
                                                 v1::ListSubjectsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListSubjects(p, *req); });
}

grpc::Status InspectionServiceImpl::GetSubjectHistory(grpc::ServerContext* ctx,
                                                      const v1::GetSubjectHistoryRequest* req,
                                                      v1::SubjectHistory* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetSubjectHistory(p, *req); });
}

grpc::Status InspectionServiceImpl::AssignTask(grpc::ServerContext* ctx,
                                               const v1::AssignTaskRequest* req, v1::Task* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->AssignTask(p, *req); });
}

grpc::Status InspectionServiceImpl::GetTask(grpc::ServerContext* ctx, const v1::GetTaskRequest* req,
                                            v1::Task* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetTask(p, *req); });
}

grpc::Status InspectionServiceImpl::ListTasks(grpc::ServerContext* ctx,
                                              const v1::ListTasksRequest* req,
                                              v1::ListTasksResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListTasks(p, *req); });
}

grpc::Status InspectionServiceImpl::UpsertSchedule(grpc::ServerContext* ctx,
                                                   const v1::UpsertScheduleRequest* req,
                                                   v1::Schedule* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->UpsertSchedule(p, *req); });
}

grpc::Status InspectionServiceImpl::ListSchedules(grpc::ServerContext* ctx,
                                                  const v1::ListSchedulesRequest* req,
                                                  v1::ListSchedulesResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListSchedules(p, *req); });
}

grpc::Status InspectionServiceImpl::SubmitResult(grpc::ServerContext* ctx,
                                                 const v1::SubmitResultRequest* req,
                                                 v1::InspectionResult* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->SubmitResult(p, *req); });
}

grpc::Status InspectionServiceImpl::GetResult(grpc::ServerContext* ctx,
                                              const v1::GetResultRequest* req,
                                              v1::InspectionResult* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetResult(p, *req); });
}

grpc::Status InspectionServiceImpl::ListResults(grpc::ServerContext* ctx,
                                                const v1::ListResultsRequest* req,
                                                v1::ListResultsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListResults(p, *req); });
}

}  // namespace gridwork::inspection
