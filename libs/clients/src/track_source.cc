#include "gridwork/clients/track_source.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/feed_auth.h"
#include "gridwork/service/time_convert.h"
#include "services/location/packed_track.h"

namespace gridwork::clients {
namespace {

class LocationTrackSource : public TrackSource {
 public:
  LocationTrackSource(const std::string& address, const rpc::PrincipalCodec* codec,
                      const std::string& service_name, absl::Duration deadline)
      : stub_(location::v1::LocationService::NewStub(rpc::MakeChannel(address))),
        attach_(service::ServicePrincipalMetadata(codec, service_name)),
        deadline_(deadline) {}

  absl::StatusOr<std::vector<TrackFix>> Track(const std::string& worker, absl::Time start,
                                              absl::Time end) override {
    location::v1::GetTrackRequest req;
    req.set_worker_id(worker);
    *req.mutable_start_time() = service::ToProto(start);
    *req.mutable_end_time() = service::ToProto(end);
    req.set_page_size(10000);
    req.set_packed(true);  // one PackedTrack instead of a message per fix (location.proto)
    location::v1::GetTrackResponse resp;
    auto ctx = rpc::NewCallContext(deadline_);
    attach_(ctx.get());
    grpc::Status s = stub_->GetTrack(ctx.get(), req, &resp);
    if (!s.ok()) {
      absl::Status status = rpc::ToAbslStatus(s);
      return absl::Status(status.code(),
                          absl::StrCat("location GetTrack failed: ", status.message()));
    }
    // A server without the packed encoding answers in `points`; take whichever came.
    absl::StatusOr<std::vector<location::TrackSample>> packed =
        location::UnpackTrack(resp.packed());
    if (!packed.ok()) {
      return absl::Status(packed.status().code(),
                          absl::StrCat("location GetTrack: ", packed.status().message()));
    }
    std::vector<TrackFix> out;
    out.reserve(static_cast<size_t>(resp.points_size()) + packed->size());
    for (const auto& p : resp.points()) {
      out.push_back({service::FromProto(p.device_time()), p.position().lat(), p.position().lng()});
    }
    for (const location::TrackSample& t : *packed) {
      out.push_back({absl::FromUnixMillis(t.time_ms), static_cast<double>(t.lat_e7) * 1e-7,
                     static_cast<double>(t.lng_e7) * 1e-7});
    }
    return out;
  }

 private:
  std::unique_ptr<location::v1::LocationService::Stub> stub_;
  std::function<void(grpc::ClientContext*)> attach_;
  absl::Duration deadline_;
};

// One LocationTrackSource per worker shard, chosen by the worker id.
class ShardedTrackSource : public TrackSource {
 public:
  ShardedTrackSource(RoutingConfig routing,
                     std::map<std::string, std::unique_ptr<TrackSource>> shards)
      : routing_(std::move(routing)), shards_(std::move(shards)) {}

  absl::StatusOr<std::vector<TrackFix>> Track(const std::string& worker, absl::Time start,
                                              absl::Time end) override {
    // Every worker shard has a source (the parser requires an address for each).
    return shards_.at(WorkerShardOf(routing_, worker))->Track(worker, start, end);
  }

 private:
  const RoutingConfig routing_;
  const std::map<std::string, std::unique_ptr<TrackSource>> shards_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<TrackSource>> NewShardedLocationTrackSource(
    const RoutingConfig& routing, const rpc::PrincipalCodec* codec, const std::string& service_name,
    absl::Duration deadline) {
  GW_ASSIGN_OR_RETURN(auto shards, ServiceShards(routing, "location"));
  std::map<std::string, std::unique_ptr<TrackSource>> sources;
  for (const auto& [shard, address] : shards) {
    sources[shard] = NewLocationTrackSource(address, codec, service_name, deadline);
  }
  return std::make_unique<ShardedTrackSource>(routing, std::move(sources));
}

std::unique_ptr<TrackSource> NewLocationTrackSource(const std::string& address,
                                                    const rpc::PrincipalCodec* codec,
                                                    const std::string& service_name,
                                                    absl::Duration deadline) {
  return std::make_unique<LocationTrackSource>(address, codec, service_name, deadline);
}

}  // namespace gridwork::clients
