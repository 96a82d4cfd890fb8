// gRPC adapter of the geofence service: authenticates each call and hands it to
// GeofenceCore. No logic lives here.
#ifndef GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_SERVICE_H_
#define GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_SERVICE_H_

#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/rpc/principal.h"
#include "services/geofence/geofence_core.h"

namespace gridwork::geofence {

class GeofenceServiceImpl final : public v1::GeofenceService::Service {
 public:
  // Neither pointer is owned; both must outlive the service.
  GeofenceServiceImpl(GeofenceCore* core, const rpc::PrincipalCodec* codec)
      : core_(core), codec_(codec) {}

  grpc::Status ImportRegions(grpc::ServerContext* ctx, const v1::ImportRegionsRequest* req,
                             v1::ImportRegionsResponse* resp) override;
  grpc::Status ExportRegions(grpc::ServerContext* ctx, const v1::ExportRegionsRequest* req,
                             v1::ExportRegionsResponse* resp) override;
  grpc::Status GetRegion(grpc::ServerContext* ctx, const v1::GetRegionRequest* req,
                         v1::Region* resp) override;
  grpc::Status ListRegions(grpc::ServerContext* ctx, const v1::ListRegionsRequest* req,
                           v1::ListRegionsResponse* resp) override;
  grpc::Status DeleteRegion(grpc::ServerContext* ctx, const v1::DeleteRegionRequest* req,
                            v1::DeleteRegionResponse* resp) override;
  grpc::Status Locate(grpc::ServerContext* ctx, const v1::LocateRequest* req,
                      v1::LocateResponse* resp) override;
  grpc::Status BatchLocate(grpc::ServerContext* ctx, const v1::BatchLocateRequest* req,
                           v1::BatchLocateResponse* resp) override;
  grpc::Status BindWorker(grpc::ServerContext* ctx, const v1::BindWorkerRequest* req,
                          v1::Binding* resp) override;
  grpc::Status UnbindWorker(grpc::ServerContext* ctx, const v1::UnbindWorkerRequest* req,
                            v1::UnbindWorkerResponse* resp) override;
  grpc::Status ListBindings(grpc::ServerContext* ctx, const v1::ListBindingsRequest* req,
                            v1::ListBindingsResponse* resp) override;
  grpc::Status PutKeyPoint(grpc::ServerContext* ctx, const v1::PutKeyPointRequest* req,
                           v1::KeyPoint* resp) override;
  grpc::Status GetKeyPoint(grpc::ServerContext* ctx, const v1::GetKeyPointRequest* req,
                           v1::KeyPoint* resp) override;
  grpc::Status DeleteKeyPoint(grpc::ServerContext* ctx, const v1::DeleteKeyPointRequest* req,
                              v1::DeleteKeyPointResponse* resp) override;
  grpc::Status ListKeyPoints(grpc::ServerContext* ctx, const v1::ListKeyPointsRequest* req,
                             v1::ListKeyPointsResponse* resp) override;
  grpc::Status EvaluateFixes(grpc::ServerContext* ctx, const v1::EvaluateFixesRequest* req,
                             v1::EvaluateFixesResponse* resp) override;
  grpc::Status GetWorkerState(grpc::ServerContext* ctx, const v1::GetWorkerStateRequest* req,
                              v1::WorkerState* resp) override;
  grpc::Status ListWorkersInRegion(grpc::ServerContext* ctx,
                                   const v1::ListWorkersInRegionRequest* req,
                                   v1::ListWorkersInRegionResponse* resp) override;

 private:
  GeofenceCore* core_;
  const rpc::PrincipalCodec* codec_;
};

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_SERVICE_H_
