#include "services/gateway/shard_router.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "gridwork/rpc/client.h"

namespace gridwork::gateway {
namespace {

namespace pb = google::protobuf;

// The string at `path` ("filter.region_prefix"), "" if the message has no such field.
std::string StringAt(const pb::Message& m, absl::string_view path) {
  const pb::Message* cur = &m;
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const pb::FieldDescriptor* f = cur->GetDescriptor()->FindFieldByName(std::string(parts[i]));
    if (f == nullptr || f->is_repeated()) return "";
    const pb::Reflection* r = cur->GetReflection();
    if (i + 1 < parts.size()) {
      if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE || !r->HasField(*cur, f)) {
        return "";
      }
      cur = &r->GetMessage(*cur, f);
    } else {
      return f->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING ? r->GetString(*cur, f) : "";
    }
  }
  return "";
}

}  // namespace

std::string DistrictKey(const pb::Message& request) {
  static const char* const kFields[] = {"region_id", "grid_id", "region_prefix",
                                        "parent_id", "root_id", "filter.region_prefix"};
  const std::string& type = request.GetDescriptor()->full_name();
  if (type == "gridwork.geofence.v1.GetRegionRequest" ||
      type == "gridwork.geofence.v1.DeleteRegionRequest") {
    return StringAt(request, "id");
  }
  for (const char* f : kFields) {
    std::string v = StringAt(request, f);
    if (!v.empty()) return v;
  }
  return "";
}

std::vector<std::string> WorkerKeys(const pb::Message& request) {
  std::string one = StringAt(request, "worker_id");
  if (!one.empty()) return {one};
  std::vector<std::string> out;
  const pb::FieldDescriptor* f = request.GetDescriptor()->FindFieldByName("worker_ids");
  if (f != nullptr && f->is_repeated() && f->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
    const pb::Reflection* r = request.GetReflection();
    for (int i = 0; i < r->FieldSize(request, f); ++i) {
      std::string id = r->GetRepeatedString(request, f, i);
      if (!id.empty()) out.push_back(std::move(id));
    }
  }
  return out;
}

absl::string_view DistrictOf(absl::string_view region_path) {
  return region_path.substr(0, region_path.find('/'));
}

ShardRouter::ShardRouter(RoutingConfig config) : config_(std::move(config)) {
  for (const auto& [name, routing] : config_.services) {
    Upstream u;
    if (!ParseUpstream(name, &u)) continue;  // ParseRoutingConfig admits only the five
    ServiceShards s;
    s.key = routing.key;
    for (const auto& [id, addr] : routing.shards) {
      Target t;
      t.shard = id;
      rpc::ChannelOptions options;  // as Upstreams: requests up to the policy's 64 MiB
      options.max_send_message_bytes = 64 << 20;
      t.channel = rpc::MakeChannel(addr, options);
      stubs_.push_back(std::make_unique<grpc::GenericStub>(t.channel));
      t.stub = stubs_.back().get();
      s.shards.push_back(std::move(t));
    }
    services_.emplace(u, std::move(s));
  }
}

bool ShardRouter::Routes(Upstream u) const { return Find(u) != nullptr; }

const ShardRouter::ServiceShards* ShardRouter::Find(Upstream u) const {
  auto it = services_.find(u);
  return it == services_.end() || it->second.shards.empty() ? nullptr : &it->second;
}

absl::StatusOr<ShardRouter::Target> ShardRouter::ForWorker(const ServiceShards& s,
                                                           absl::string_view worker) const {
  const std::string& id = WorkerShardOf(config_, worker);
  for (const Target& t : s.shards) {
    if (t.shard == id) return t;
  }
  return absl::InternalError(absl::StrCat("worker shard ", id, " has no address"));
}

absl::StatusOr<ShardRouter::Target> ShardRouter::ForDistrict(const ServiceShards& s,
                                                             absl::string_view district,
                                                             absl::string_view what) const {
  auto it = config_.district_shard.find(std::string(district));
  if (it == config_.district_shard.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("district '", district, "' of ", what,
                     " is in no shard of the routing file; add it to district_shards"));
  }
  for (const Target& t : s.shards) {
    if (t.shard == it->second) return t;
  }
  return absl::InternalError(absl::StrCat("shard ", it->second, " has no address"));
}

absl::StatusOr<ShardRouter::Target> ShardRouter::RouteRequest(Upstream u,
                                                              const pb::Message& request,
                                                              const rpc::Principal& caller) const {
  const ServiceShards* s = Find(u);
  if (s == nullptr) return absl::InternalError("upstream is not sharded");
  if (s->key == ShardKey::kWorker) {
    std::vector<std::string> workers = WorkerKeys(request);
    if (workers.empty()) return RouteDefault(u, caller);
    // All ids must live on one shard.
    std::map<std::string, std::vector<std::string>> by_shard;
    for (const std::string& w : workers) {
      by_shard[WorkerShardOf(config_, w)].push_back(w);
    }
    if (by_shard.size() > 1) {
      std::vector<std::string> parts;
      for (const auto& [shard, ids] : by_shard) {
        parts.push_back(absl::StrCat(shard, ": ", absl::StrJoin(ids, ", ")));
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "the workers of one request must be on one location shard; ask separately for (",
          absl::StrJoin(parts, "; "), ")"));
    }
    return ForWorker(*s, workers.front());
  }
  std::string region = DistrictKey(request);
  if (region.empty()) return RouteDefault(u, caller);
  return ForDistrict(*s, DistrictOf(region), absl::StrCat("region '", region, "'"));
}

absl::StatusOr<ShardRouter::Target> ShardRouter::RouteDefault(Upstream u,
                                                              const rpc::Principal& caller) const {
  const ServiceShards* s = Find(u);
  if (s == nullptr) return absl::InternalError("upstream is not sharded");
  if (s->key == ShardKey::kWorker) {
    if (caller.role() == common::v1::ROLE_GRID_WORKER && !caller.subject().empty()) {
      return ForWorker(*s, caller.subject());
    }
    return s->shards.front();
  }
  if (!caller.region_scope().empty()) {
    return ForDistrict(*s, DistrictOf(caller.region_scope()),
                       absl::StrCat("the caller's scope '", caller.region_scope(), "'"));
  }
  return s->shards.front();
}

std::vector<ShardRouter::Target> ShardRouter::All(Upstream u) const {
  const ServiceShards* s = Find(u);
  return s == nullptr ? std::vector<Target>() : s->shards;
}

absl::StatusOr<ShardRouter::Target> ShardRouter::ForDistrictCode(Upstream u,
                                                                 absl::string_view district) const {
  const ServiceShards* s = Find(u);
  if (s == nullptr) return absl::InternalError("upstream is not sharded");
  return ForDistrict(*s, district, "the request");
}

bool ShardRouter::WorkerKeyed(Upstream u) const {
  const ServiceShards* s = Find(u);
  return s != nullptr && s->key == ShardKey::kWorker;
}

absl::StatusOr<ShardRouter::Target> ShardRouter::Shard(Upstream u, absl::string_view id) const {
  const ServiceShards* s = Find(u);
  if (s == nullptr) {
    return absl::NotFoundError(absl::StrCat(UpstreamName(u), " is not sharded"));
  }
  std::vector<std::string> ids;
  for (const Target& t : s->shards) {
    if (t.shard == id) return t;
    ids.push_back(t.shard);
  }
  return absl::NotFoundError(
      absl::StrCat(UpstreamName(u), " has no shard '", id, "' (", absl::StrJoin(ids, ", "), ")"));
}

}  // namespace gridwork::gateway
