// Server bootstrap shared by every Gridwork service:
//  - listens on ServerOptions::grpc_addr (port 0 picks a free port; see grpc_port()),
//  - registers the given services plus grpc.health.v1.Health (the overall status, on the
//    synchronous API: src/health_service.h) and server reflection (grpc.reflection.v1alpha),
//  - caps message sizes (larger requests fail with RESOURCE_EXHAUSTED before reaching the
//    service) and sets keepalive limits,
//  - counts every RPC by method and code with a latency histogram (metrics_interceptor.h).
//
//   auto server = ServiceServer::Start(options, {&geofence, &feed}, metrics.get());
//   RunUntilShutdownSignal(**server, [&] { consumer.Stop(); feed.Shutdown(); });
//
// Thread safety: all methods may be called from any thread.
#ifndef GRIDWORK_RPC_SERVER_H_
#define GRIDWORK_RPC_SERVER_H_

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/metrics/metrics_server.h"
#include "gridwork/rpc/metrics_interceptor.h"

namespace gridwork::rpc {

struct ServerOptions {
  std::string service_name;  // "geofence"; used in logs.
  std::string grpc_addr = "127.0.0.1:0";
  int max_receive_message_bytes = 16 << 20;
  int max_send_message_bytes = 64 << 20;
  // Server pings idle clients this often and drops those that do not answer.
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Clients may ping no more often than this (protects against ping floods).
  absl::Duration min_client_ping_interval = absl::Seconds(10);
  // Optional: receives every call to a method no registered service implements (the
  // gateway's proxy). Not owned; must outlive the server.
  grpc::CallbackGenericService* generic_service = nullptr;
};

class HealthService;

class ServiceServer {
 public:
  // Starts serving. UNAVAILABLE if the address cannot be bound. `services` and `metrics`
  // must outlive the server.
  static absl::StatusOr<std::unique_ptr<ServiceServer>> Start(
      const ServerOptions& options, const std::vector<grpc::Service*>& services,
      metrics::MetricsServer* metrics);

  ServiceServer(const ServiceServer&) = delete;
  ServiceServer& operator=(const ServiceServer&) = delete;
  ~ServiceServer();

  int grpc_port() const { return port_; }

  // Health (grpc.health.v1, for the server as a whole, service name ""): SERVING or
  // NOT_SERVING.
  void SetServing(bool serving);

  // Graceful drain: health NOT_SERVING, stop accepting calls, let running calls finish for
  // up to `drain`, then cancel the rest. Idempotent.
  void Shutdown(absl::Duration drain = absl::Seconds(10));

 private:
  ServiceServer() = default;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<RpcMetrics> rpc_metrics_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> service_names_;
  std::string service_name_;
  int port_ = 0;
  bool shut_down_ = false;
};

// Blocks until SIGTERM/SIGINT (see shutdown_signal.h), then: health NOT_SERVING,
// `before_drain()` (stop background work, end open streams), server drain.
void RunUntilShutdownSignal(ServiceServer& server, const std::function<void()>& before_drain,
                            absl::Duration drain = absl::Seconds(10));

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_SERVER_H_
