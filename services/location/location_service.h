// gRPC adapter of the location service: authenticates each call (and, on the fix stream,
// re-checks the principal's expiry before every batch) and hands it to LocationCore.
// IngestFixes, the hot unary path, is on the callback API and runs on a fixed UnaryWorkPool
// (a burst of calls waits in its bounded queue instead of each taking a new thread).
#ifndef GRIDWORK_SERVICES_LOCATION_LOCATION_SERVICE_H_
#define GRIDWORK_SERVICES_LOCATION_LOCATION_SERVICE_H_

#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/unary_work_pool.h"
#include "services/location/location_core.h"

namespace gridwork::location {

class LocationServiceImpl final
    : public v1::LocationService::WithCallbackMethod_IngestFixes<v1::LocationService::Service> {
 public:
  // `ingest_pool` runs IngestFixes; it must outlive the server's shutdown.
  LocationServiceImpl(LocationCore* core, const rpc::PrincipalCodec* codec, Clock* clock,
                      rpc::UnaryWorkPool* ingest_pool)
      : core_(core), codec_(codec), clock_(clock), ingest_pool_(ingest_pool) {}

  grpc::Status StreamFixes(grpc::ServerContext* ctx,
                           grpc::ServerReaderWriter<v1::BatchAck, v1::FixBatch>* stream) override;
  grpc::ServerUnaryReactor* IngestFixes(grpc::CallbackServerContext* ctx, const v1::FixBatch* req,
                                        v1::BatchAck* resp) override;
  grpc::Status GetTrack(grpc::ServerContext* ctx, const v1::GetTrackRequest* req,
                        v1::GetTrackResponse* resp) override;
  grpc::Status ListRawFixes(grpc::ServerContext* ctx, const v1::ListRawFixesRequest* req,
                            v1::ListRawFixesResponse* resp) override;
  grpc::Status GetDaySummary(grpc::ServerContext* ctx, const v1::GetDaySummaryRequest* req,
                             v1::DaySummary* resp) override;
  grpc::Status GetLastPositions(grpc::ServerContext* ctx, const v1::GetLastPositionsRequest* req,
                                v1::GetLastPositionsResponse* resp) override;
  grpc::Status CountOnline(grpc::ServerContext* ctx, const v1::CountOnlineRequest* req,
                           v1::CountOnlineResponse* resp) override;
  grpc::Status FindNearbyWorkers(grpc::ServerContext* ctx, const v1::FindNearbyWorkersRequest* req,
                                 v1::FindNearbyWorkersResponse* resp) override;

 private:
  LocationCore* core_;
  const rpc::PrincipalCodec* codec_;
  Clock* clock_;
  rpc::UnaryWorkPool* ingest_pool_;
};

}  // namespace gridwork::location

#endif  // GRIDWORK_SERVICES_LOCATION_LOCATION_SERVICE_H_
