// GeoJSON (RFC 7946) reading and writing of polygon features.
//
// Reading accepts a FeatureCollection, a single Feature, or a bare Polygon/MultiPolygon
// geometry. Polygon and MultiPolygon geometries are read into a MultiPolygon; rings are
// closed and re-oriented to Boost.Geometry's convention (bg::correct), nothing else is
// changed — validity is checked separately (validate.h). Any other geometry type, a
// coordinate that is not a finite number pair, or malformed JSON is an INVALID_ARGUMENT error
// naming the feature (by index and id) and, where it helps, the JSON path.
//
// Writing produces a FeatureCollection with RFC 7946 orientation (outer rings
// counter-clockwise), coordinates printed with up to 9 decimals (~0.1 mm).
#ifndef GRIDWORK_GEO_GEOJSON_H_
#define GRIDWORK_GEO_GEOJSON_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gridwork/geo/types.h"

namespace gridwork::geo {

struct Feature {
  // The feature's "id" member (string or number rendered as string); empty if absent.
  std::string id;
  // Top-level scalar properties rendered as strings (numbers as written in the source,
  // booleans as "true"/"false"). Nested objects/arrays are kept as compact JSON text.
  std::map<std::string, std::string> properties;
  MultiPolygon geometry;
};

// Parses GeoJSON text. Fails with INVALID_ARGUMENT on malformed input (see file comment).
absl::StatusOr<std::vector<Feature>> ParseFeatures(absl::string_view geojson);

// Serialises features as a FeatureCollection. Property values that parse as JSON numbers
// are written as numbers, everything else as strings.
std::string WriteFeatureCollection(const std::vector<Feature>& features);

}  // namespace gridwork::geo

#endif  // GRIDWORK_GEO_GEOJSON_H_
