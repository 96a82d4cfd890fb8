#include "services/geofence/geofence_service.h"

#include "gridwork/rpc/handler.h"

namespace gridwork::geofence {

grpc::Status GeofenceServiceImpl::ImportRegions(grpc::ServerContext* ctx, const v1::ImportRegionsRequest* req,
                                                v1::ImportRegionsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ImportRegions(p, *req); });
}

grpc::Status GeofenceServiceImpl::ExportRegions(grpc::ServerContext* ctx, const v1::ExportRegionsRequest* req,
                                                v1::ExportRegionsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ExportRegions(p, *req); });
}

grpc::Status GeofenceServiceImpl::GetRegion(grpc::ServerContext* ctx, const v1::GetRegionRequest* req,
                                            v1::Region* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetRegion(p, *req); });
}

grpc::Status GeofenceServiceImpl::ListRegions(grpc::ServerContext* ctx, const v1::ListRegionsRequest* req,
                                              v1::ListRegionsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListRegions(p, *req); });
}

grpc::Status GeofenceServiceImpl::DeleteRegion(grpc::ServerContext* ctx, const v1::DeleteRegionRequest* req,
                                               v1::DeleteRegionResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->DeleteRegion(p, *req); });
}

grpc::Status GeofenceServiceImpl::Locate(grpc::ServerContext* ctx, const v1::LocateRequest* req,
                                         v1::LocateResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->Locate(p, *req); });
}

grpc::Status GeofenceServiceImpl::BatchLocate(grpc::ServerContext* ctx, const v1::BatchLocateRequest* req,
                                              v1::BatchLocateResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->BatchLocate(p, *req); });
}

grpc::Status GeofenceServiceImpl::BindWorker(grpc::ServerContext* ctx, const v1::BindWorkerRequest* req,
                                             v1::Binding* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->BindWorker(p, *req); });
}

grpc::Status GeofenceServiceImpl::UnbindWorker(grpc::ServerContext* ctx, const v1::UnbindWorkerRequest* req,
                                               v1::UnbindWorkerResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->UnbindWorker(p, *req); });
}

grpc::Status GeofenceServiceImpl::ListBindings(grpc::ServerContext* ctx, const v1::ListBindingsRequest* req,
                                               v1::ListBindingsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListBindings(p, *req); });
}

grpc::Status GeofenceServiceImpl::PutKeyPoint(grpc::ServerContext* ctx, const v1::PutKeyPointRequest* req,
                                              v1::KeyPoint* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->PutKeyPoint(p, *req); });
}

grpc::Status GeofenceServiceImpl::GetKeyPoint(grpc::ServerContext* ctx, const v1::GetKeyPointRequest* req,
                                              v1::KeyPoint* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetKeyPoint(p, *req); });
}

grpc::Status GeofenceServiceImpl::DeleteKeyPoint(grpc::ServerContext* ctx, const v1::DeleteKeyPointRequest* req,
                                                 v1::DeleteKeyPointResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->DeleteKeyPoint(p, *req); });
}

grpc::Status GeofenceServiceImpl::ListKeyPoints(grpc::ServerContext* ctx, const v1::ListKeyPointsRequest* req,
                                                v1::ListKeyPointsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListKeyPoints(p, *req); });
}

grpc::Status GeofenceServiceImpl::EvaluateFixes(grpc::ServerContext* ctx, const v1::EvaluateFixesRequest* req,
                                                v1::EvaluateFixesResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->EvaluateFixes(p, *req); });
}

grpc::Status GeofenceServiceImpl::GetWorkerState(grpc::ServerContext* ctx, const v1::GetWorkerStateRequest* req,
                                                 v1::WorkerState* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetWorkerState(p, *req); });
}

grpc::Status GeofenceServiceImpl::ListWorkersInRegion(grpc::ServerContext* ctx, const v1::ListWorkersInRegionRequest* req,
                                                      v1::ListWorkersInRegionResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListWorkersInRegion(p, *req); });
}

}  // namespace gridwork::geofence
