// Outgoing calls: channels with message-size limits, keepalive and a retry policy, and call
// contexts that always carry a deadline (DESIGN.md section 4: every outgoing RPC has one).
//
//   auto channel = MakeChannel(absl::GetFlag(FLAGS_geofence_addr));
//   auto ctx = NewCallContext(absl::Seconds(2));
//   stub->Locate(ctx.get(), request, &response);
#ifndef GRIDWORK_RPC_CLIENT_H_
#define GRIDWORK_RPC_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace gridwork::rpc {

struct ChannelOptions {
  int max_receive_message_bytes = 64 << 20;
  int max_send_message_bytes = 16 << 20;
  // Retries calls that fail with UNAVAILABLE (connection refused, server draining) up to
  // 4 attempts with exponential backoff 100 ms .. 2 s, within the call's deadline. Every
  // Gridwork mutation is idempotent by request id, so retrying them is safe.
  bool retry_unavailable = true;
};

// Insecure channel to "host:port" (TLS terminates at the ingress in Kubernetes).
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const ChannelOptions& options = {});

// A client context whose deadline is now + timeout, or the deadline of the incoming call this
// thread is handling if that comes first (IncomingDeadlineScope): a service never keeps
// working downstream for a caller that has given up, so a slow or hung callee cannot pile up
// handlers. REQUIRES: timeout > 0.
std::unique_ptr<grpc::ClientContext> NewCallContext(absl::Duration timeout);

// While alive, NewCallContext on this thread caps deadlines at `deadline` (HandleUnary opens
// one per call with the caller's deadline). Scopes nest; the previous cap is restored.
class IncomingDeadlineScope {
 public:
  explicit IncomingDeadlineScope(absl::Time deadline);
  ~IncomingDeadlineScope();
  IncomingDeadlineScope(const IncomingDeadlineScope&) = delete;
  IncomingDeadlineScope& operator=(const IncomingDeadlineScope&) = delete;

 private:
  absl::Time previous_;
};

// The cap of the innermost IncomingDeadlineScope on this thread; InfiniteFuture if none.
absl::Time IncomingDeadline();

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_CLIENT_H_
