#include "gridwork/rpc/metrics_interceptor.h"

#include <chrono>

namespace gridwork::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {
    metrics_->in_flight().Increment();
  }
  // gRPC destroys the interceptor when the call is done (handler returned, status sent or
  // call cancelled).
  ~MetricsInterceptor() override { metrics_->in_flight().Decrement(); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
                           .count();
      metrics_->Record(method_, status.error_code(), seconds);
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

RpcMetrics::RpcMetrics(prometheus::Registry* registry)
    : requests_(prometheus::BuildCounter()
                    .Name("gridwork_rpc_requests_total")
                    .Help("RPCs completed, by full method name and status code.")
                    .Register(*registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("gridwork_rpc_duration_seconds")
                    .Help("RPC latency from metadata received to status sent, seconds.")
                    .Register(*registry)),
      in_flight_(prometheus::BuildGauge()
                     .Name("gridwork_rpc_in_flight")
                     .Help("RPCs (all methods) received whose call has not finished yet.")
                     .Register(*registry)
                     .Add({})) {}

void RpcMetrics::Record(const std::string& method, int code, double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,     10};
  std::map<std::string, std::string> labels = {{"method", method}, {"code", GrpcCodeName(code)}};
  requests_.Add(labels).Increment();
  duration_.Add(labels, kBuckets).Observe(seconds);
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(metrics_, info->method() ? info->method() : "unknown");
}

const char* GrpcCodeName(int code) {
  static const char* kNames[] = {
      "OK",        "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS",    "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",  "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",       "DATA_LOSS",
      "UNAUTHENTICATED"};
  if (code < 0 || code > 16) return "UNKNOWN";
  return kNames[code];
}

}  // namespace gridwork::rpc
