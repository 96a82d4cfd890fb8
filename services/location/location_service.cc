#include "services/location/location_service.h"

#include "google/protobuf/arena.h"
#include "gridwork/rpc/handler.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::location {

grpc::Status LocationServiceImpl::StreamFixes(
    grpc::ServerContext* ctx, grpc::ServerReaderWriter<v1::BatchAck, v1::FixBatch>* stream) {
  absl::StatusOr<Principal> principal = codec_->Authenticate(*ctx);
  if (!principal.ok()) return rpc::ToGrpcStatus(principal.status());
  const absl::Time expires = service::FromProto(principal->expires_at());
  // Each batch is parsed onto an arena that is reset after the batch: no malloc/free per
  // fix and sub-message (a 30-fix batch fits the first block on this thread's stack).
  alignas(16) char arena_block[32 << 10];
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = arena_block;
  arena_options.initial_block_size = sizeof(arena_block);
  google::protobuf::Arena arena(arena_options);
  while (true) {
    arena.Reset();
    v1::FixBatch& batch = *google::protobuf::Arena::CreateMessage<v1::FixBatch>(&arena);
    if (!stream->Read(&batch)) break;
    if (clock_->Now() >= expires) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "the principal of this stream expired; reconnect with a fresh token");
    }
    v1::BatchAck ack;
    try {
      absl::StatusOr<v1::BatchAck> result = core_->Ingest(*principal, batch);
      if (result.ok()) {
        ack = *std::move(result);
      } else if (result.status().code() == absl::StatusCode::kInvalidArgument ||
                 result.status().code() == absl::StatusCode::kPermissionDenied) {
        // The batch is refused; the stream stays usable for the next one.
        ack.set_batch_id(batch.batch_id());
        ack.set_error(std::string(result.status().message()));
      } else {
        // Storage trouble: end the stream so the phone resends unacknowledged batches.
        rpc::LogServerError(*ctx, result.status());
        return rpc::ToGrpcStatus(result.status());
      }
    } catch (const std::exception& e) {
      absl::Status s = absl::InternalError(std::string("internal error: ") + e.what());
      rpc::LogServerError(*ctx, s);
      return rpc::ToGrpcStatus(s);
    }
    if (!stream->Write(ack)) break;
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* LocationServiceImpl::IngestFixes(grpc::CallbackServerContext* ctx,
                                                           const v1::FixBatch* req,
                                                           v1::BatchAck* resp) {
  LocationCore* core = core_;
  return rpc::HandleUnaryOnPool(ingest_pool_, *codec_, ctx, req, resp,
                                [core, req](const Principal& p) { return core->Ingest(p, *req); });
}

grpc::Status LocationServiceImpl::GetTrack(grpc::ServerContext* ctx, const v1::GetTrackRequest* req,
    v1::GetTrackResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetTrack(p, *req); });
}

grpc::Status LocationServiceImpl::ListRawFixes(grpc::ServerContext* ctx, const v1::ListRawFixesRequest* req,
    v1::ListRawFixesResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListRawFixes(p, *req); });
}

grpc::Status LocationServiceImpl::GetDaySummary(grpc::ServerContext* ctx, const v1::GetDaySummaryRequest* req,
    v1::DaySummary* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetDaySummary(p, *req); });
}

grpc::Status LocationServiceImpl::GetLastPositions(grpc::ServerContext* ctx, const v1::GetLastPositionsRequest* req,
    v1::GetLastPositionsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetLastPositions(p, *req); });
}

grpc::Status LocationServiceImpl::CountOnline(grpc::ServerContext* ctx, const v1::CountOnlineRequest* req,
    v1::CountOnlineResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->CountOnline(p, *req); });
}

grpc::Status LocationServiceImpl::FindNearbyWorkers(grpc::ServerContext* ctx, const v1::FindNearbyWorkersRequest* req,
    v1::FindNearbyWorkersResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->FindNearbyWorkers(p, *req); });
}

}  // namespace gridwork::location
