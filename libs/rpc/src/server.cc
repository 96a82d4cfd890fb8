#include "gridwork/rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>

#include "absl/strings/str_cat.h"
#include "gridwork/core/log.h"
#include "gridwork/rpc/shutdown_signal.h"
#include "health_service.h"

namespace gridwork::rpc {

absl::StatusOr<std::unique_ptr<ServiceServer>> ServiceServer::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services,
    metrics::MetricsServer* metrics) {
  std::unique_ptr<ServiceServer> self(new ServiceServer());
  self->service_name_ = options.service_name;
  // Health is our synchronous HealthService, not gRPC's built-in (callback) one: see
  // health_service.h for why.
  self->health_ = std::make_unique<HealthService>();
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.grpc_addr, grpc::InsecureServerCredentials(), &self->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options.max_send_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.min_client_ping_interval)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // gRPC binds with SO_REUSEPORT by default: a second process started on a port already in use
  // would then share it, the kernel splitting connections between the two. Refuse instead, so
  // a port clash fails at start with a clear error rather than misrouting calls.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(self->health_.get());
  for (grpc::Service* s : services) builder.RegisterService(s);
  if (options.generic_service != nullptr) {
    builder.RegisterCallbackGenericService(options.generic_service);
  }

  self->rpc_metrics_ = std::make_unique<RpcMetrics>(metrics->registry());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<MetricsInterceptorFactory>(self->rpc_metrics_.get()));
  builder.experimental().SetInterceptorCreators(std::move(creators));

  self->server_ = builder.BuildAndStart();
  if (self->server_ == nullptr || self->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", options.grpc_addr,
                                               " (address in use or not local?)"));
  }
  self->SetServing(true);
  log::Info("gRPC server listening", {{"grpc_addr", options.grpc_addr},
                                      {"port", self->port_},
                                      {"max_receive_bytes", options.max_receive_message_bytes}});
  return self;
}

ServiceServer::~ServiceServer() { Shutdown(absl::ZeroDuration()); }

void ServiceServer::SetServing(bool serving) {
  if (health_ != nullptr) health_->SetServing(serving);
}

void ServiceServer::Shutdown(absl::Duration drain) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  health_->Shutdown();  // NOT_SERVING, and Watch calls end rather than wait for the drain
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(drain)));
  server_->Wait();
  log::Info("gRPC server stopped", {{"service", service_name_}});
}

void RunUntilShutdownSignal(ServiceServer& server, const std::function<void()>& before_drain,
                            absl::Duration drain) {
  int sig = WaitForShutdownSignal();
  log::Info("shutdown requested, draining",
            {{"signal", sig}, {"drain_ms", absl::ToInt64Milliseconds(drain)}});
  server.SetServing(false);
  if (before_drain) before_drain();
  server.Shutdown(drain);
}

}  // namespace gridwork::rpc
