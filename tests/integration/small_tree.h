// The small region tree the integration tests import into geofence: district 410105 = one
// street = one community of two grids side by side, g01 west of 113.625 E and g02 east (each
// 0.025° x 0.05°, ~2.3 km x 5.5 km), all as GeoJSON squares.
#ifndef GRIDWORK_TESTS_INTEGRATION_SMALL_TREE_H_
#define GRIDWORK_TESTS_INTEGRATION_SMALL_TREE_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/common/v1/geo.pb.h"

namespace gridwork::testing {

inline constexpr char kCommunity[] = "410105/s01/c01";
inline constexpr char kG01[] = "410105/s01/c01/g01";
inline constexpr char kG02[] = "410105/s01/c01/g02";

// A GeoJSON Feature: the axis-aligned square [lng0, lng1] x [lat0, lat1], named by its id.
inline std::string SquareFeature(const std::string& id, const std::string& level, double lng0,
                                 double lat0, double lng1, double lat1) {
  return absl::StrFormat(
      R"({"type":"Feature","properties":{"id":"%s","level":"%s","name":"%s"},)"
      R"("geometry":{"type":"Polygon","coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],)"
      R"([%.6f,%.6f],[%.6f,%.6f]]]}})",
      id, level, id, lng0, lat0, lng1, lat0, lng1, lat1, lng0, lat1, lng0, lat0);
}

inline std::string Collection(const std::vector<std::string>& features) {
  std::string out = R"({"type":"FeatureCollection","features":[)";
  for (size_t i = 0; i < features.size(); ++i) absl::StrAppend(&out, i ? "," : "", features[i]);
  return out + "]}";
}

inline std::string SmallTree() {
  return Collection({
      SquareFeature("410105", "district", 113.60, 34.70, 113.65, 34.75),
      SquareFeature("410105/s01", "street", 113.60, 34.70, 113.65, 34.75),
      SquareFeature(kCommunity, "community", 113.60, 34.70, 113.65, 34.75),
      SquareFeature(kG01, "grid", 113.60, 34.70, 113.625, 34.75),
      SquareFeature(kG02, "grid", 113.625, 34.70, 113.65, 34.75),
  });
}

inline common::v1::LatLng At(double lat, double lng) {
  common::v1::LatLng p;
  p.set_lat(lat);
  p.set_lng(lng);
  return p;
}

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_SMALL_TREE_H_
