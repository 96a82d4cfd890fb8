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

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace gridwork::rpc {

// Thread safety: all methods may be called from any thread.
class RpcMetrics {
 public:
  // The series of one method, by status code, each looked up in its family once (a
  // Family::Add per call builds a label map, hashes it and takes the family's lock).
  class Method {
   public:
    Method(RpcMetrics* owner, std::string name) : owner_(owner), name_(std::move(name)) {}
    Method(const Method&) = delete;
    Method& operator=(const Method&) = delete;
    void Record(int code, double seconds);

   private:
    static constexpr int kCodes = 17;  // grpc::StatusCode 0..16; others count as UNKNOWN (2)
    RpcMetrics* const owner_;
    const std::string name_;
    std::array<std::atomic<prometheus::Counter*>, kCodes> requests_{};
    std::array<std::atomic<prometheus::Histogram*>, kCodes> duration_{};
  };

  explicit RpcMetrics(prometheus::Registry* registry);
  // The method's series; created on first use, valid as long as this RpcMetrics.
  Method* ForMethod(absl::string_view method);
  void Record(const std::string& method, int code, double seconds) {
    ForMethod(method)->Record(code, seconds);
  }
  prometheus::Gauge& in_flight() { return in_flight_; }

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Gauge& in_flight_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Method>> methods_ ABSL_GUARDED_BY(mu_);
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
