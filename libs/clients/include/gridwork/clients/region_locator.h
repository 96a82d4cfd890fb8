// Where something is: the region path of a position, from the geofence service's Locate
// (work orders, inspection subjects). An interface so that the cores' unit tests can use a
// fixed map (a FakeRegionLocator in the tests) while the services and the integration tests
// call the real geofence over gRPC.
#ifndef GRIDWORK_CLIENTS_REGION_LOCATOR_H_
#define GRIDWORK_CLIENTS_REGION_LOCATOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/common/v1/geo.pb.h"
#include "gridwork/rpc/principal.h"

namespace gridwork::clients {

class RegionLocator {
 public:
  virtual ~RegionLocator() = default;
  // The path of the deepest region containing `p` (normally a grid).
  // FAILED_PRECONDITION if no region contains it; UNAVAILABLE / DEADLINE_EXCEEDED if the
  // locator cannot answer now (the caller retries).
  virtual absl::StatusOr<std::string> Locate(const common::v1::LatLng& p) = 0;
};

// Calls gridwork-geofence at `address` with a signed SERVICE principal (subject
// `service_name`) and `deadline` per call.
std::unique_ptr<RegionLocator> NewGeofenceLocator(const std::string& address,
                                                  const rpc::PrincipalCodec* codec,
                                                  const std::string& service_name,
                                                  absl::Duration deadline);

}  // namespace gridwork::clients

#endif  // GRIDWORK_CLIENTS_REGION_LOCATOR_H_
