// The shard routing contract (docs/operations.md, "Shard"; k8s/overlays/prod/namespaced/
// routing.yaml): which shard owns a key and where each shard listens.
//
//   version: 1
//   worker_shards: [w0, w1]
//   district_shards:
//     d0: ["410102", "410105"]
//   services:
//     location:
//       key: worker
//       shards:
//         w0: location-w0:50051
//
// The file is read with a small parser for exactly this YAML subset: block mappings by
// indentation (spaces), `key: scalar`, `key: [flow, list]` of scalars, plain or quoted
// scalars, `#` comments. Anything else (block sequences, anchors, multi-line scalars, tabs)
// is INVALID_ARGUMENT naming the line.
//
// Thread safety: plain values.
#ifndef GRIDWORK_CORE_ROUTING_CONFIG_H_
#define GRIDWORK_CORE_ROUTING_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridwork {

enum class ShardKey { kWorker, kDistrict };

struct ServiceRouting {
  ShardKey key = ShardKey::kDistrict;
  // shard id -> host:port, in the order of the key's shard list (worker_shards or
  // district_shards), so index i is shard i.
  std::vector<std::pair<std::string, std::string>> shards;
};

struct RoutingConfig {
  int version = 0;
  // Worker shards in their fixed order (the modulo picks the index).
  std::vector<std::string> worker_shards;
  // District code ("410105") -> shard id; every district in exactly one shard.
  std::map<std::string, std::string> district_shard;
  // District shard ids in file order (the first is the default shard).
  std::vector<std::string> district_shards;
  // "location", "geofence", "workorder", "inspection", "analytics".
  std::map<std::string, ServiceRouting> services;
};

// FNV-1a, 64 bit, over the bytes of `s` (offset basis 14695981039346656037, prime
// 1099511628211).
uint64_t Fnv1a64(absl::string_view s);

// Parses and validates the file's text: version 1; shard ids unique; every district in
// exactly one shard; each service names a known key and exactly the shards of its key, each
// with a non-empty host:port; only the five sharded services. INVALID_ARGUMENT otherwise.
absl::StatusOr<RoutingConfig> ParseRoutingConfig(absl::string_view text);

// Reads `path` and parses it; NOT_FOUND / INVALID_ARGUMENT naming the file.
absl::StatusOr<RoutingConfig> LoadRoutingConfig(const std::string& path);

// The worker shard that owns `worker_id`: worker_shards[Fnv1a64(worker_id) mod n].
// REQUIRES: config.worker_shards is non-empty (true of every parsed config).
const std::string& WorkerShardOf(const RoutingConfig& config, absl::string_view worker_id);

// The shards of `service` in key order (index i is shard i), each (shard id, host:port).
// NOT_FOUND naming the file's services if the file does not route `service`.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ServiceShards(
    const RoutingConfig& config, absl::string_view service);

// host:port of shard `shard` of `service`; NOT_FOUND naming the service's shards if the file
// has no such service or shard.
absl::StatusOr<std::string> ShardAddress(const RoutingConfig& config, absl::string_view service,
                                         absl::string_view shard);

}  // namespace gridwork

#endif  // GRIDWORK_CORE_ROUTING_CONFIG_H_
