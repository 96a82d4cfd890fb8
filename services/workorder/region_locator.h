// Where an incident is: the region path of a position, from the geofence service's Locate.
// An interface so that the core's unit tests can use a fixed map (FakeRegionLocator in the
// tests) while the service and the integration tests call the real geofence over gRPC.
#ifndef GRIDWORK_SERVICES_WORKORDER_REGION_LOCATOR_H_
#define GRIDWORK_SERVICES_WORKORDER_REGION_LOCATOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/common/v1/geo.pb.h"
#include "gridwork/rpc/principal.h"

namespace gridwork::workorder {

class RegionLocator {
 public:
  virtual ~RegionLocator() = default;
  // The path of the deepest region containing `p` (normally a grid).
  // FAILED_PRECONDITION if no region contains it; UNAVAILABLE / DEADLINE_EXCEEDED if the
  // locator cannot answer now (the caller retries).
  virtual absl::StatusOr<std::string> Locate(const common::v1::LatLng& p) = 0;
};

// Calls gridwork-geofence at `address` with a signed SERVICE principal and `deadline` per call.
std::unique_ptr<RegionLocator> NewGeofenceLocator(const std::string& address,
                                                  const rpc::PrincipalCodec* codec,
                                                  absl::Duration deadline);

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_REGION_LOCATOR_H_
