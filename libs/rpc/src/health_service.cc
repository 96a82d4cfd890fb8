#include "health_service.h"

#include "absl/time/time.h"

namespace gridwork::rpc {
namespace {

using grpc::health::v1::HealthCheckResponse;

// How often a Watch that sees no change looks whether its caller has gone.
constexpr absl::Duration kWatchCancelPoll = absl::Seconds(1);

}  // namespace

void HealthService::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  if (shut_down_ || serving_ == serving) return;
  serving_ = serving;
  ++version_;
}

void HealthService::Shutdown() {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  shut_down_ = true;
  serving_ = false;
  ++version_;
}

grpc::Status HealthService::Check(grpc::ServerContext*,
                                  const grpc::health::v1::HealthCheckRequest* req,
                                  HealthCheckResponse* resp) {
  if (!req->service().empty()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "service name unknown");
  }
  absl::MutexLock lock(&mu_);
  resp->set_status(serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* ctx,
                                  const grpc::health::v1::HealthCheckRequest* req,
                                  grpc::ServerWriter<HealthCheckResponse>* writer) {
  const bool known = req->service().empty();
  uint64_t sent_version = 0;
  bool first = true;
  while (!ctx->IsCancelled()) {
    HealthCheckResponse resp;
    bool end = false;
    {
      absl::MutexLock lock(&mu_);
      if (!first) {
        const uint64_t seen = sent_version;
        auto changed = [this, seen]()
                           ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return version_ != seen; };
        if (!mu_.AwaitWithTimeout(absl::Condition(&changed), kWatchCancelPoll)) continue;
      }
      first = false;
      sent_version = version_;
      end = shut_down_;
      if (!known) {
        resp.set_status(HealthCheckResponse::SERVICE_UNKNOWN);
      } else {
        resp.set_status(serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
      }
    }
    if (!writer->Write(resp) || end) break;
  }
  return grpc::Status::OK;
}

}  // namespace gridwork::rpc
