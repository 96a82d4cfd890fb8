// Planning a region import: parse GeoJSON features into Region records and validate them,
// alone and against the stored tree, before anything is written.
//
// Checks, each reported as a v1.ValidationIssue naming the feature (index and id):
//  - ids: materialised paths of 1–4 segments of [a-z0-9-]{1,32}; the segment count equals
//    the level (district 1 … grid 4); "parent" equals the id minus its last segment; no id
//    twice in one import; the parent exists in the import or the stored tree.
//  - geometry (libs/geo validate.h): closed rings, finite coordinates in range, no self-
//    intersections or spikes, holes inside shells, vertex limits.
//  - tree: a child lies inside its parent (area outside <= tolerance), siblings do not
//    overlap (overlap area <= tolerance), replaced regions still contain their stored
//    children; gaps (parent area not covered by its children) are WARNINGS with their area.
// Tolerances exist because real boundary data is quantised (the Zhengzhou districts are on a
// 1/1024-degree lattice) and neighbours overlap by slivers; see docs/geofence.md.
#ifndef GRIDWORK_SERVICES_GEOFENCE_REGION_IMPORT_H_
#define GRIDWORK_SERVICES_GEOFENCE_REGION_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "services/geofence/region_tree.h"

namespace gridwork::geofence {

struct ImportLimits {
  size_t max_features = 100000;
  size_t max_vertices = 5000000;
  size_t max_vertices_per_feature = 200000;
};

struct ImportTolerances {
  // A child may stick out of its parent by this much area ...
  double outside_parent_m2 = 2000;
  // ... or by this fraction of its own area, whichever is larger.
  double outside_parent_ratio = 0.002;
  // Two siblings may overlap by this much area, or this fraction of the smaller one.
  double sibling_overlap_m2 = 2000;
  double sibling_overlap_ratio = 0.002;
  // Gaps smaller than this are not even reported as warnings.
  double min_reported_gap_m2 = 1000;
};

struct ImportPlan {
  // Regions to write (complete records: geometry, area, bbox, label point, version).
  std::vector<v1::Region> regions;
  std::vector<v1::ValidationIssue> issues;
  int created = 0;
  int replaced = 0;
  bool has_errors() const;
  // The error issues as one message a person can act on (first 20, then a count).
  std::string ErrorSummary() const;
};

// Parses and validates `geojson` against `existing`. Returns INVALID_ARGUMENT only when
// the text is not GeoJSON at all or a limit is exceeded (RESOURCE_EXHAUSTED); every other
// problem is an issue in the plan. `now` stamps update_time.
absl::StatusOr<ImportPlan> PlanImport(const std::string& geojson, const RegionTree& existing,
                                      const ImportLimits& limits,
                                      const ImportTolerances& tolerances, absl::Time now);

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_REGION_IMPORT_H_
