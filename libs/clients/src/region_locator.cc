#include "gridwork/clients/region_locator.h"

#include "absl/strings/str_cat.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/feed_auth.h"

namespace gridwork::clients {
namespace {

class GeofenceLocator : public RegionLocator {
 public:
  GeofenceLocator(const std::string& address, const rpc::PrincipalCodec* codec,
                  const std::string& service_name, absl::Duration deadline)
      : stub_(geofence::v1::GeofenceService::NewStub(rpc::MakeChannel(address))),
        attach_(service::ServicePrincipalMetadata(codec, service_name)),
        deadline_(deadline) {}

  absl::StatusOr<std::string> Locate(const common::v1::LatLng& p) override {
    geofence::v1::LocateRequest req;
    *req.mutable_position() = p;
    geofence::v1::LocateResponse resp;
    auto ctx = rpc::NewCallContext(deadline_);
    attach_(ctx.get());
    grpc::Status s = stub_->Locate(ctx.get(), req, &resp);
    if (!s.ok()) {
      absl::Status status = rpc::ToAbslStatus(s);
      return absl::Status(status.code(),
                          absl::StrCat("geofence Locate failed: ", status.message()));
    }
    if (!resp.found()) {
      return absl::FailedPreconditionError(absl::StrCat("position (", p.lat(), ", ", p.lng(),
                                                        ") lies outside every region of the city"));
    }
    return resp.region().id();
  }

 private:
  std::unique_ptr<geofence::v1::GeofenceService::Stub> stub_;
  std::function<void(grpc::ClientContext*)> attach_;
  absl::Duration deadline_;
};

}  // namespace

std::unique_ptr<RegionLocator> NewGeofenceLocator(const std::string& address,
                                                  const rpc::PrincipalCodec* codec,
                                                  const std::string& service_name,
                                                  absl::Duration deadline) {
  return std::make_unique<GeofenceLocator>(address, codec, service_name, deadline);
}

}  // namespace gridwork::clients
