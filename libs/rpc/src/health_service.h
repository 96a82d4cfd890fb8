// grpc.health.v1.Health on the synchronous API, in place of gRPC's built-in service
// (grpc::EnableDefaultHealthCheckService). The built-in one is written on the callback API,
// and one callback method is enough to make gRPC start its "nexting" threads, which poll the
// same epoll set as the synchronous server's threads: every request then read by a nexting
// thread is handed to a server thread (a futex wake and a context switch per call). Measured
// under the stack benchmark: a third of location's CPU ran on those threads.
//
// Same behaviour as the built-in service: "" (the server as a whole) is the only known name,
// SERVING from the start; Check of another name is NOT_FOUND; Watch sends the status now
// (SERVICE_UNKNOWN for an unknown name) and again on every change; after Shutdown() the
// status is NOT_SERVING for good and running Watch calls end.
//
// Thread safety: all methods may be called from any thread.
#ifndef GRIDWORK_RPC_HEALTH_SERVICE_H_
#define GRIDWORK_RPC_HEALTH_SERVICE_H_

#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace gridwork::rpc {

class HealthService final : public grpc::health::v1::Health::Service {
 public:
  HealthService() = default;
  HealthService(const HealthService&) = delete;
  HealthService& operator=(const HealthService&) = delete;

  // SERVING or NOT_SERVING; ignored after Shutdown().
  void SetServing(bool serving);
  // NOT_SERVING for good; Watch calls send it and end. Idempotent.
  void Shutdown();

  grpc::Status Check(grpc::ServerContext* ctx, const grpc::health::v1::HealthCheckRequest* req,
                     grpc::health::v1::HealthCheckResponse* resp) override;
  grpc::Status Watch(grpc::ServerContext* ctx, const grpc::health::v1::HealthCheckRequest* req,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

 private:
  absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = true;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;  // bumped on every change; Watch waits on it
};

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_HEALTH_SERVICE_H_
