#include "gridwork/sdk/retry.h"

#include <algorithm>
#include <cmath>

#include "google/protobuf/descriptor.h"

namespace gridwork::sdk {

absl::Duration Backoff(const RetryPolicy& policy, int retry, absl::BitGen& gen) {
  const double factor = std::pow(std::max(1.0, policy.multiplier), std::max(0, retry - 1));
  absl::Duration d = std::min(policy.max_backoff, policy.initial_backoff * factor);
  if (d <= absl::ZeroDuration()) return absl::ZeroDuration();
  const double f = absl::Uniform(gen, 0.5, 1.0);
  return d * f;
}

bool IsRetrySafe(const google::protobuf::Message& request) {
  const google::protobuf::Descriptor* d = request.GetDescriptor();
  const google::protobuf::FieldDescriptor* rid = d->FindFieldByName("request_id");
  if (rid != nullptr && rid->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
      !rid->is_repeated()) {
    return !request.GetReflection()->GetString(request, rid).empty();
  }
  const std::string& name = d->full_name();
  return name != "gridwork.gateway.v1.RefreshRequest" &&
         name != "gridwork.gateway.v1.RegisterResidentRequest" &&
         name != "gridwork.gateway.v1.VerifyResidentRequest";
}

grpc::Status RunWithRetry(const RetryPolicy& policy, bool retry_safe,
                          const std::vector<grpc::StatusCode>& retryable, const RetryHooks& hooks,
                          const std::function<grpc::Status(int attempt)>& attempt) {
  absl::BitGen gen;
  bool reauthenticated = false;
  int n = 1;
  while (true) {
    grpc::Status s = attempt(n);
    if (s.ok()) return s;
    if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED && !reauthenticated) {
      reauthenticated = true;
      if (hooks.reauth()) continue;
      return s;
    }
    const bool can_retry =
        retry_safe && n < policy.max_attempts &&
        std::find(retryable.begin(), retryable.end(), s.error_code()) != retryable.end();
    if (!can_retry) return s;
    hooks.on_retry();
    hooks.sleep(Backoff(policy, n, gen));
    ++n;
  }
}

}  // namespace gridwork::sdk
