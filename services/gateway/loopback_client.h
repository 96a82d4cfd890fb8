// Calls the gateway's own gRPC port with raw bytes, so every HTTP request (JSON API, SSE,
// Open311) passes the very same CallGate, proxy, access log and audit as a gRPC client. The
// browser's bearer token is passed on as "authorization" and its address as the signed
// forwarded peer (request_auth.h).
//
// Thread safety: thread-safe (one shared channel).
#ifndef GRIDWORK_SERVICES_GATEWAY_LOOPBACK_CLIENT_H_
#define GRIDWORK_SERVICES_GATEWAY_LOOPBACK_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "services/gateway/request_auth.h"

namespace gridwork::gateway {

struct LoopbackCall {
  std::string method;    // "/pkg.Svc/Method"
  std::string bearer;    // may be empty
  std::string peer;      // HTTP client's address
  std::string upstream;  // x-gridwork-upstream (feeds); may be empty
  absl::Duration timeout = absl::Seconds(30);
};

class LoopbackClient {
 public:
  LoopbackClient(const std::string& grpc_target, const PeerForwarding* peers);

  grpc::Status Unary(const LoopbackCall& call, const std::string& request, std::string* response);

  // Server-streaming call; `on_message` gets each response message and returns false to
  // cancel. Returns the final status (CANCELLED after a false).
  grpc::Status ServerStream(const LoopbackCall& call, const std::string& request,
                            const std::function<bool(const std::string&)>& on_message);

 private:
  void Prepare(const LoopbackCall& call, grpc::ClientContext* ctx) const;
  std::shared_ptr<grpc::Channel> channel_;
  const PeerForwarding* peers_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_LOOPBACK_CLIENT_H_
