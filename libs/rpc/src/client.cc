#include "gridwork/rpc/client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <chrono>

namespace gridwork::rpc {

namespace {
constexpr char kRetryServiceConfig[] = R"({
  "methodConfig": [{
    "name": [{}],
    "retryPolicy": {
      "maxAttempts": 4,
      "initialBackoff": "0.1s",
      "maxBackoff": "2s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})";
}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const ChannelOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  args.SetMaxSendMessageSize(options.max_send_message_bytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  if (options.retry_unavailable) {
    args.SetServiceConfigJSON(kRetryServiceConfig);
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  }
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

namespace {
thread_local absl::Time incoming_deadline = absl::InfiniteFuture();
}  // namespace

IncomingDeadlineScope::IncomingDeadlineScope(absl::Time deadline) : previous_(incoming_deadline) {
  incoming_deadline = std::min(previous_, deadline);
}

IncomingDeadlineScope::~IncomingDeadlineScope() { incoming_deadline = previous_; }

absl::Time IncomingDeadline() { return incoming_deadline; }

std::unique_ptr<grpc::ClientContext> NewCallContext(absl::Duration timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  const absl::Time deadline = std::min(absl::Now() + timeout, incoming_deadline);
  ctx->set_deadline(absl::ToChronoTime(deadline));
  return ctx;
}

}  // namespace gridwork::rpc
