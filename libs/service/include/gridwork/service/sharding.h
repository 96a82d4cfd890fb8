// What a service does with --routing_file and --shard (docs/operations.md, "Shard"): check
// its own shard, find same-key peers shard to shard, and consume a differently keyed peer's
// feed from every one of its shards, each with its own cursor.
//
//   auto routing = service::LoadShardRouting(routing_file, "geofence", shard);
//   auto sources = service::PrepareFeedSources(db, routing->get(), "location",
//                                              "geofence<-location", location_addr);
//   for (const auto& s : *sources) ... FeedConsumer(db, MakeChannel(s.address), s.consumer, ...)
//
// Cursor names: "<consumer>/<shard>" ("geofence<-location/w1") with a routing file; the
// unsharded "<consumer>" ("geofence<-location") without one.
//
// Moving an existing store to the routing file: before, the single consumer followed shard 0
// of the peer (the prod flags pointed at it), so its cursor is a position in shard 0's feed.
// PrepareFeedSources copies it to shard 0's cursor when that one does not exist yet, so the
// move neither replays nor skips shard 0's events. The unsharded cursor is left as it was
// (nothing reads it while the routing file is in use).
#ifndef GRIDWORK_SERVICE_SHARDING_H_
#define GRIDWORK_SERVICE_SHARDING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gridwork/core/routing_config.h"
#include "gridwork/store/db.h"

namespace gridwork::service {

// Empty `routing_file`: nullptr (unsharded, today's flags). Otherwise the parsed file, which
// must route `service` and list `shard` among its shards: INVALID_ARGUMENT if `shard` is
// empty or unknown, the loader's error if the file is missing or malformed.
absl::StatusOr<std::unique_ptr<RoutingConfig>> LoadShardRouting(const std::string& routing_file,
                                                                absl::string_view service,
                                                                absl::string_view shard);

// Address of a same-key peer: with `routing`, shard `shard` of `peer` from the file (an
// error if the file lacks it); without, `flag_address` (may be empty: not called).
absl::StatusOr<std::string> PeerAddress(const RoutingConfig* routing, absl::string_view peer,
                                        absl::string_view shard, const std::string& flag_address);

// One feed to consume.
struct FeedSource {
  std::string shard;     // "w1"; empty without a routing file
  std::string address;   // host:port
  std::string consumer;  // cursor name
};

// The feeds of `peer` to consume under cursor base name `consumer`. With `routing`: one per
// shard of `peer` in key order, named "<consumer>/<shard>", after adopting the unsharded
// cursor for shard 0 (file comment). Without: one source at `flag_address` named `consumer`,
// or none if `flag_address` is empty.
absl::StatusOr<std::vector<FeedSource>> PrepareFeedSources(store::Db* db,
                                                           const RoutingConfig* routing,
                                                           absl::string_view peer,
                                                           const std::string& consumer,
                                                           const std::string& flag_address);

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_SHARDING_H_
