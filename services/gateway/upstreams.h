// Channels to the services behind the gateway, one per upstream, created at startup (lazy
// connect: a service that is down makes its calls fail with UNAVAILABLE, not the gateway).
//
// Thread safety: immutable after construction; grpc channels and generic stubs are
// thread-safe.
#ifndef GRIDWORK_SERVICES_GATEWAY_UPSTREAMS_H_
#define GRIDWORK_SERVICES_GATEWAY_UPSTREAMS_H_

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <map>
#include <memory>
#include <string>

#include "services/gateway/method_policy.h"

namespace gridwork::gateway {

class Upstreams {
 public:
  // `addrs`: host:port per upstream; an upstream without an address is "not configured".
  explicit Upstreams(const std::map<Upstream, std::string>& addrs);

  // nullptr if `u` is not configured (or is kSelf / kByHeader).
  grpc::GenericStub* Stub(Upstream u) const;
  std::shared_ptr<grpc::Channel> Channel(Upstream u) const;

 private:
  std::map<Upstream, std::shared_ptr<grpc::Channel>> channels_;
  std::map<Upstream, std::unique_ptr<grpc::GenericStub>> stubs_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_UPSTREAMS_H_
