// Generated demo geography: Zhengzhou's real districts subdivided into invented streets
// (街道/乡镇), communities (社区/村) and grids (网格).
//
//   GW_ASSIGN_OR_RETURN(std::vector<DistrictInput> districts, DistrictsFromFeatures(features));
//   SubdivideOptions options;  // options.seed = 7 for another map
//   GW_ASSIGN_OR_RETURN(std::vector<Region> regions, SubdivideDistricts(districts, options));
//
// Method (docs/demo-geography.md): blue-noise sites, denser towards the city centre and the
// county seats, make a Voronoi tiling; the cells, clipped to the district once, are the
// pieces everything is built from. A piece is a grid, unless it is a sliver at the border
// and joins a neighbour; contiguous groups of grids are communities, contiguous groups of
// communities are streets. Every region is stitched from its pieces along their exactly
// shared edges (no second overlay), so:
//   1. every polygon is valid (bg::is_valid);
//   2. a region's children tile it: they lie inside it, do not overlap, and cover it (up to
//      floating-point rounding along the district border);
//   3. the same input and seed give the same output, bit for bit.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_SUBDIVIDE_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_SUBDIVIDE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gridwork/geo/types.h"

namespace gridwork::demo_geography {

enum class Level { kDistrict, kStreet, kCommunity, kGrid };

// "district", "street", "community", "grid".
absl::string_view LevelName(Level level);

struct Region {
  // Materialised path: "410105", "410105/s03", "410105/s03/c07", "410105/s03/c07/g02".
  std::string id;
  Level level = Level::kDistrict;
  std::string parent;  // empty for districts.
  std::string name;    // Chinese: "金水区", "文化路街道", "锦苑社区", "第2网格".
  geo::MultiPolygon geometry;  // valid; lon/lat.
  double area_km2 = 0;
  int64_t residents_estimate = 0;  // grids: area × a density model; others: sum of children.
};

struct DistrictInput {
  std::string adcode;                // e.g. "410105"; becomes the district's id.
  std::string name;                  // e.g. "金水区".
  geo::MultiPolygon boundary;        // as read (bg::correct'ed); repaired before use.
  std::optional<geo::Point> centre;  // seat of government ("cp" in the source), if known.
};

struct SubdivideOptions {
  uint64_t seed = 20240601;
  // Urban districts get city-sized grids; all others get village-sized grids. Empty: the
  // six Zhengzhou urban districts (kUrbanAdcodes).
  std::vector<std::string> urban_adcodes;
};

// Zhengzhou's urban districts: 中原区, 二七区, 管城回族区, 金水区, 上街区, 惠济区.
inline constexpr std::string_view kUrbanAdcodes[] = {"410102", "410103", "410104",
                                                     "410105", "410106", "410108"};

// Subdivides one district. Returns the district region followed by all its descendants,
// sorted by id (so every parent precedes its children). Fails with INVALID_ARGUMENT if the
// boundary cannot be repaired into a valid polygon or the adcode is not a path segment.
absl::StatusOr<std::vector<Region>> SubdivideDistrict(const DistrictInput& district,
                                                      const SubdivideOptions& options);

// SubdivideDistrict for each district, concatenated in input order. Each district draws
// from its own random stream (seed mixed with the adcode), so a subset of districts gives
// exactly the same regions for those districts as the full run.
absl::StatusOr<std::vector<Region>> SubdivideDistricts(const std::vector<DistrictInput>& districts,
                                                       const SubdivideOptions& options);

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_SUBDIVIDE_H_
