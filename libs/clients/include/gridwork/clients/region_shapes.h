// The polygon of a region, from the geofence service's GetRegion (analytics rasterises grids
// into coverage cells). An interface so that unit tests can use fixed shapes.
#ifndef GRIDWORK_CLIENTS_REGION_SHAPES_H_
#define GRIDWORK_CLIENTS_REGION_SHAPES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/geo/types.h"
#include "gridwork/rpc/principal.h"

namespace gridwork::clients {

struct RegionShape {
  geo::MultiPolygon area;  // Boost orientation (clockwise outer rings), closed
  int64_t version = 0;
};

class RegionShapes {
 public:
  virtual ~RegionShapes() = default;
  // NOT_FOUND if the region does not exist (any more); UNAVAILABLE / DEADLINE_EXCEEDED if the
  // geofence service cannot answer now (the caller retries).
  virtual absl::StatusOr<RegionShape> Shape(const std::string& region_id) = 0;
};

// Calls gridwork-geofence at `address` with a signed SERVICE principal (subject
// `service_name`) and `deadline` per call.
std::unique_ptr<RegionShapes> NewGeofenceRegionShapes(const std::string& address,
                                                      const rpc::PrincipalCodec* codec,
                                                      const std::string& service_name,
                                                      absl::Duration deadline);

}  // namespace gridwork::clients

#endif  // GRIDWORK_CLIENTS_REGION_SHAPES_H_
