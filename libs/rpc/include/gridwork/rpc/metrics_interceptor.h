// Server interceptor that counts every RPC and observes its latency, by method and status
// code:
//   gridwork_rpc_requests_total{method="/gridwork.geofence.v1.GeofenceService/Locate",code="OK"}
//   gridwork_rpc_duration_seconds_bucket{method=...,code=...,le=...}
//   gridwork_rpc_in_flight   calls whose handler has not finished yet (also those whose
//                            caller gave up: a growing value means handlers pile up)
// Latency runs from the arrival of the call's metadata to the sending of its status, so for
// streaming calls it is the lifetime of the stream.
#ifndef GRIDWORK_RPC_METRICS_INTERCEPTOR_H_
#define GRIDWORK_RPC_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace gridwork::rpc {

class RpcMetrics {
 public:
  explicit RpcMetrics(prometheus::Registry* registry);
  void Record(const std::string& method, int code, double seconds);
  prometheus::Gauge& in_flight() { return in_flight_; }

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Gauge& in_flight_;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `metrics` must outlive the server.
  explicit MetricsInterceptorFactory(RpcMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  RpcMetrics* metrics_;
};

// gRPC status code name as used in the `code` label, e.g. "INVALID_ARGUMENT".
const char* GrpcCodeName(int code);

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_METRICS_INTERCEPTOR_H_
