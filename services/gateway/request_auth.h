// What every entry point (the gRPC proxy, the Identity service, the HTTP bridge) reads off an
// incoming call before the policy applies: the bearer token and the caller's address.
//
// The HTTP front end calls the gateway's own gRPC port over loopback, so the gRPC peer of such
// a call is 127.0.0.1. It forwards the browser's address in "x-gridwork-http-peer" with an
// HMAC under a per-process random secret ("x-gridwork-http-peer-sig"); only a valid pair is
// believed, so an outside caller cannot spoof its address for throttling or the audit.
//
// Thread safety: PeerForwarding is immutable after construction.
#ifndef GRIDWORK_SERVICES_GATEWAY_REQUEST_AUTH_H_
#define GRIDWORK_SERVICES_GATEWAY_REQUEST_AUTH_H_

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <string>

#include "absl/strings/string_view.h"

namespace gridwork::gateway {

inline constexpr char kAuthorizationHeader[] = "authorization";
inline constexpr char kUpstreamHeader[] = "x-gridwork-upstream";
inline constexpr char kHttpPeerHeader[] = "x-gridwork-http-peer";
inline constexpr char kHttpPeerSigHeader[] = "x-gridwork-http-peer-sig";

// The token of an "authorization: Bearer <token>" header ("" if absent or another scheme).
// The scheme is matched case-insensitively.
std::string BearerToken(absl::string_view authorization_value);
std::string BearerToken(const grpc::ServerContextBase& ctx);

// The value of client metadata `key`, "" if absent.
std::string MetadataValue(const grpc::ServerContextBase& ctx, absl::string_view key);

class PeerForwarding {
 public:
  // A fresh random secret.
  PeerForwarding();
  // Adds the forwarded-peer pair to a loopback call made for an HTTP client at `peer`.
  void Attach(const std::string& peer, grpc::ClientContext* ctx) const;
  // The forwarded peer if a valid pair is present, else ctx.peer().
  std::string CallerPeer(const grpc::ServerContextBase& ctx) const;

 private:
  std::string Sign(absl::string_view peer) const;
  std::string secret_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_REQUEST_AUTH_H_
