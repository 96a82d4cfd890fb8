#include "gridwork/clients/region_shapes.h"

#include "absl/strings/str_cat.h"
#include "gridwork/clients/region_geometry.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/feed_auth.h"

namespace gridwork::clients {
namespace {

class GeofenceRegionShapes : public RegionShapes {
 public:
  GeofenceRegionShapes(const std::string& address, const rpc::PrincipalCodec* codec,
                       const std::string& service_name, absl::Duration deadline)
      : stub_(geofence::v1::GeofenceService::NewStub(rpc::MakeChannel(address))),
        attach_(service::ServicePrincipalMetadata(codec, service_name)),
        deadline_(deadline) {}

  absl::StatusOr<RegionShape> Shape(const std::string& region_id) override {
    geofence::v1::GetRegionRequest req;
    req.set_id(region_id);
    req.set_view(geofence::v1::REGION_VIEW_FULL);
    geofence::v1::Region region;
    auto ctx = rpc::NewCallContext(deadline_);
    attach_(ctx.get());
    grpc::Status s = stub_->GetRegion(ctx.get(), req, &region);
    if (!s.ok()) {
      absl::Status status = rpc::ToAbslStatus(s);
      return absl::Status(status.code(),
                          absl::StrCat("geofence GetRegion ", region_id, ": ", status.message()));
    }
    return RegionShape{ToGeo(region.geometry()), region.version()};
  }

 private:
  std::unique_ptr<geofence::v1::GeofenceService::Stub> stub_;
  std::function<void(grpc::ClientContext*)> attach_;
  absl::Duration deadline_;
};

}  // namespace

std::unique_ptr<RegionShapes> NewGeofenceRegionShapes(const std::string& address,
                                                      const rpc::PrincipalCodec* codec,
                                                      const std::string& service_name,
                                                      absl::Duration deadline) {
  return std::make_unique<GeofenceRegionShapes>(address, codec, service_name, deadline);
}

}  // namespace gridwork::clients
