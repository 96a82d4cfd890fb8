// What gridsim reads from the running system to build the demo city (demo_model.h): the
// region tree of the demo districts, the departments and the work-order categories.
#ifndef GRIDWORK_TOOLS_GRIDSIM_CITY_SOURCE_H_
#define GRIDWORK_TOOLS_GRIDSIM_CITY_SOURCE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/gridsim/demo_model.h"
#include "tools/gridsim/gateway_session.h"

namespace gridwork::gridsim {

struct CityInputs {
  std::vector<DemoRegion> regions;       // the districts and all their descendants
  std::vector<std::string> departments;  // of both catalogues, sorted, unique
  std::vector<std::string> categories;   // leaf work-order categories ("env.garbage")
};

// Reads the regions of `districts` (FULL view, paginated), the inspection departments and the
// work-order categories and dispatch rules. NOT_FOUND if a district is not imported.
absl::StatusOr<CityInputs> ReadCityInputs(GatewaySession& session,
                                          const std::vector<std::string>& districts);

// Converts a geofence region (FULL view) to a DemoRegion.
DemoRegion ToDemoRegion(const geofence::v1::Region& r);

// Runs fn(0..n-1) on `threads` threads; returns when all are done.
void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn);

// A small PNG (valid signature and IHDR; distinct bytes per `tag`) standing in for a photo.
std::string DemoPhoto(const std::string& tag);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_CITY_SOURCE_H_
