// The generic gRPC proxy: every method no registered service implements arrives here as raw
// bytes. Each call passes the CallGate (call_gate.h), gets the signed principal attached
// (rpc::PrincipalCodec::Attach) and a deadline (the client's, capped by the policy), and is
// forwarded byte for byte to its upstream with one outstanding message per direction (so a
// slow reader slows the writer: flow control end to end). Unary, client-, server- and bidi
// streaming methods all go through the same bidi pump. The client's own metadata (its token
// included) is never forwarded.
//
// With a ShardRouter (--routing_file), calls to a sharded service go to the shard that owns
// their key (shard_router.h): a unary call's request is read first, decoded and planned
// (shard_fanout.h): sent with one upstream unary call to the key's shard, or, when it needs
// several shards (lookup by id, by position, fan-out), run on a thread of its own; streaming
// calls go to the caller's default shard; a feed may name its shard in the upstream header
// ("location/w1").
//
// On completion one access-log line (user, method, peer, code, latency — never a token or a
// payload) is written, and an audit record for mutations.
//
// Thread safety: CreateReactor is called concurrently by gRPC; all state is per call.
#ifndef GRIDWORK_SERVICES_GATEWAY_PROXY_SERVICE_H_
#define GRIDWORK_SERVICES_GATEWAY_PROXY_SERVICE_H_

#include <grpcpp/generic/async_generic_service.h>

#include "gridwork/rpc/principal.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/gateway/call_gate.h"
#include "services/gateway/identity_core.h"
#include "services/gateway/request_auth.h"
#include "services/gateway/shard_router.h"
#include "services/gateway/upstreams.h"

namespace gridwork::gateway {

struct ProxyDeps {
  const CallGate* gate;
  IdentityCore* identity;  // audit records
  const Upstreams* upstreams;
  const rpc::PrincipalCodec* principals;
  const PeerForwarding* peers;
  // Shard routing; nullptr = every upstream is the single address in `upstreams`.
  const ShardRouter* router = nullptr;
};

class ProxyService final : public grpc::CallbackGenericService {
 public:
  ProxyService(ProxyDeps deps, prometheus::Registry* registry);
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  // Counts a refused call by reason ("unauthenticated", "denied", "rate_limited", ...).
  void CountRefusal(absl::StatusCode code);

 private:
  ProxyDeps deps_;
  prometheus::Family<prometheus::Counter>& refused_;
};

// One access-log line (see above). `user` may be empty (public or refused calls).
void LogAccess(absl::string_view transport, absl::string_view user, absl::string_view method,
               absl::string_view peer, int code, absl::Duration latency);

// The end of an admitted gRPC call: `s` with the uniform denial (call_gate.h), after one
// access-log line for `caller` (started at `start`). Returns the status to Finish with.
grpc::Status EndOfCall(grpc::Status s, const Caller& caller, absl::string_view method,
                       absl::Time start);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_PROXY_SERVICE_H_
