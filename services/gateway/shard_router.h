// Shard routing at the gateway (docs/operations.md, "Shard"): with --routing_file, each
// call to a sharded service goes to the shard that owns its key.
//
// Which shard (RouteRequest for unary calls, whose request the proxy reads first):
//   - worker-keyed services (location): the request's worker ids (`worker_id`, repeated
//     `worker_ids`) -> worker_shards[Fnv1a64(id) mod n]. Ids on different shards in one
//     request are INVALID_ARGUMENT naming the shards (ask each shard's workers separately;
//     the gateway does not split or fan out).
//   - district-keyed services: the first non-empty of the request's region fields (DistrictKey
//     below) -> its first path component (the district code) -> the shard that lists it.
//     A district no shard lists is FAILED_PRECONDITION.
//   - no key in the request (and streaming calls but StreamCockpit, RouteDefault): the
//     caller's own key — a grid worker's own id for worker-keyed services, the district of
//     the caller's region scope for district-keyed ones (FAILED_PRECONDITION if no shard
//     lists it) — and shard 0 (the first listed) for unscoped callers (admins, services).
// Calls that need more than one shard (lookups by opaque id, calls keyed by a position,
// keyless counts and lists, region imports) are planned and run by shard_fanout.h; this
// class only names shards.
//
// Thread safety: immutable after Create; channels and stubs are thread-safe.
#ifndef GRIDWORK_SERVICES_GATEWAY_SHARD_ROUTER_H_
#define GRIDWORK_SERVICES_GATEWAY_SHARD_ROUTER_H_

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "gridwork/core/routing_config.h"
#include "gridwork/rpc/principal.h"
#include "services/gateway/method_policy.h"

namespace gridwork::gateway {

// The region-bearing fields a district-keyed request is routed by, looked up by name in this
// order on the request message (a dotted path reaches into a message field):
// region_id, grid_id, region_prefix, parent_id, root_id, filter.region_prefix; and `id` for
// GeofenceService GetRegion and DeleteRegion (region ids).
// Returns the first non-empty value, or "" if the request carries none.
std::string DistrictKey(const google::protobuf::Message& request);

// The worker ids of a worker-keyed request: `worker_id` if set, else the items of
// `worker_ids`; empty if it carries none.
std::vector<std::string> WorkerKeys(const google::protobuf::Message& request);

// "410105/s01/c02" -> "410105".
absl::string_view DistrictOf(absl::string_view region_path);

class ShardRouter {
 public:
  // Channels to every shard (lazy connect: a shard that is down fails its calls only).
  explicit ShardRouter(RoutingConfig config);
  ShardRouter(const ShardRouter&) = delete;
  ShardRouter& operator=(const ShardRouter&) = delete;

  struct Target {
    std::string shard;  // "w1"
    grpc::GenericStub* stub = nullptr;
    std::shared_ptr<grpc::Channel> channel;
  };

  // True iff the routing file shards `u`.
  bool Routes(Upstream u) const;

  // The shard for a unary request (rules above). REQUIRES: Routes(u).
  absl::StatusOr<Target> RouteRequest(Upstream u, const google::protobuf::Message& request,
                                      const rpc::Principal& caller) const;
  // The caller's default shard (no key in the request, streams). REQUIRES: Routes(u).
  absl::StatusOr<Target> RouteDefault(Upstream u, const rpc::Principal& caller) const;
  // Every shard of `u` in routing order (index 0 is the default of unscoped callers); empty
  // if `u` is not sharded.
  std::vector<Target> All(Upstream u) const;
  // The shard of `u` that owns `district` ("410105"); FAILED_PRECONDITION if no shard lists
  // it. REQUIRES: Routes(u) and `u` is district-keyed.
  absl::StatusOr<Target> ForDistrictCode(Upstream u, absl::string_view district) const;
  // True iff `u` is sharded by worker (location).
  bool WorkerKeyed(Upstream u) const;

  // Shard `id` of `u`; NOT_FOUND naming the shards if there is no such shard.
  absl::StatusOr<Target> Shard(Upstream u, absl::string_view id) const;
  // Shard `id` when the caller named one (x-gridwork-upstream "<service>/<shard>"), else the
  // caller's default shard. REQUIRES: Routes(u).
  absl::StatusOr<Target> NamedOrDefault(Upstream u, absl::string_view id,
                                        const rpc::Principal& caller) const {
    return id.empty() ? RouteDefault(u, caller) : Shard(u, id);
  }

  const RoutingConfig& config() const { return config_; }

 private:
  struct ServiceShards {
    ShardKey key;
    std::vector<Target> shards;  // in the key's order
  };
  const ServiceShards* Find(Upstream u) const;
  absl::StatusOr<Target> ForWorker(const ServiceShards& s, absl::string_view worker) const;
  absl::StatusOr<Target> ForDistrict(const ServiceShards& s, absl::string_view district,
                                     absl::string_view what) const;

  RoutingConfig config_;
  std::map<Upstream, ServiceShards> services_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_SHARD_ROUTER_H_
