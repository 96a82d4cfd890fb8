#include "gridwork/service/sharding.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/store/write_request.h"

namespace gridwork::service {

absl::StatusOr<std::unique_ptr<RoutingConfig>> LoadShardRouting(const std::string& routing_file,
                                                                absl::string_view service,
                                                                absl::string_view shard) {
  if (routing_file.empty()) return nullptr;
  GW_ASSIGN_OR_RETURN(RoutingConfig config, LoadRoutingConfig(routing_file));
  if (shard.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--routing_file needs --shard (this process's shard of ", service, ")"));
  }
  if (absl::Status s = ShardAddress(config, service, shard).status(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--shard=", shard, ": ", s.message()));
  }
  return std::make_unique<RoutingConfig>(std::move(config));
}

absl::StatusOr<std::string> PeerAddress(const RoutingConfig* routing, absl::string_view peer,
                                        absl::string_view shard, const std::string& flag_address) {
  if (routing == nullptr) return flag_address;
  return ShardAddress(*routing, peer, shard);
}

absl::StatusOr<std::vector<FeedSource>> PrepareFeedSources(store::Db* db,
                                                           const RoutingConfig* routing,
                                                           absl::string_view peer,
                                                           const std::string& consumer,
                                                           const std::string& flag_address) {
  std::vector<FeedSource> out;
  if (routing == nullptr) {
    if (!flag_address.empty()) out.push_back({"", flag_address, consumer});
    return out;
  }
  GW_ASSIGN_OR_RETURN(auto shards, ServiceShards(*routing, peer));
  for (const auto& [shard, address] : shards) {
    out.push_back({shard, address, absl::StrCat(consumer, "/", shard)});
  }
  if (out.empty()) return out;
  // The unsharded consumer followed shard 0; its cursor continues there.
  GW_ASSIGN_OR_RETURN(uint64_t own, db->GetCursor(out[0].consumer));
  GW_ASSIGN_OR_RETURN(uint64_t legacy, db->GetCursor(consumer));
  if (own == 0 && legacy > 0) {
    store::WriteRequest write;
    write.SetCursor(out[0].consumer, legacy);
    GW_RETURN_IF_ERROR(db->Commit(std::move(write)).status());
    log::Info("adopted the unsharded feed cursor for shard 0",
              {{"from", consumer}, {"to", out[0].consumer}, {"sequence", legacy}});
  }
  return out;
}

}  // namespace gridwork::service
