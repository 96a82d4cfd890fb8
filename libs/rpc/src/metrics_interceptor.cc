#include "gridwork/rpc/metrics_interceptor.h"

#include <chrono>

namespace gridwork::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics* metrics, RpcMetrics::Method* method)
      : metrics_(metrics), method_(method), start_(std::chrono::steady_clock::now()) {
    metrics_->in_flight().Increment();
  }
  // gRPC destroys the interceptor when the call is done (handler returned, status sent or
  // call cancelled).
  ~MetricsInterceptor() override { metrics_->in_flight().Decrement(); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      method_->Record(status.error_code(), seconds);
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* metrics_;
  RpcMetrics::Method* method_;
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

RpcMetrics::Method* RpcMetrics::ForMethod(absl::string_view method) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = methods_.find(method);
    if (it != methods_.end()) return it->second.get();
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Method>& m = methods_[method];
  if (m == nullptr) m = std::make_unique<Method>(this, std::string(method));
  return m.get();
}

void RpcMetrics::Method::Record(int code, double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  const int i = code >= 0 && code < kCodes ? code : grpc::StatusCode::UNKNOWN;
  prometheus::Counter* requests = requests_[i].load(std::memory_order_acquire);
  prometheus::Histogram* duration = duration_[i].load(std::memory_order_acquire);
  if (requests == nullptr || duration == nullptr) {
    // First call with this code: Family::Add returns the one series of these labels, so
    // threads racing here store the same pointers.
    const std::map<std::string, std::string> labels = {{"method", name_},
                                                       {"code", GrpcCodeName(code)}};
    requests = &owner_->requests_.Add(labels);
    duration = &owner_->duration_.Add(labels, kBuckets);
    requests_[i].store(requests, std::memory_order_release);
    duration_[i].store(duration, std::memory_order_release);
  }
  requests->Increment();
  duration->Observe(seconds);
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(metrics_,
                                metrics_->ForMethod(info->method() ? info->method() : "unknown"));
}

const char* GrpcCodeName(int code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  if (code < 0 || code > 16) return "UNKNOWN";
  return kNames[code];
}

}  // namespace gridwork::rpc
