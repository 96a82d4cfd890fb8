// Track points and Douglas–Peucker simplification of tracks.
//
// A track is a worker's time-ordered sequence of accepted fixes (WGS-84, milliseconds since the
// Unix epoch). SimplifyTrack picks the fixes to draw or send at a zoom level: every dropped fix
// lies within `tolerance_m` metres of the polyline through the kept ones.
//
//   std::vector<size_t> kept = SimplifyTrack(track, 10.0);  // indices into `track`
//
// Thread safety: all functions are pure; concurrent calls are safe.
#ifndef GRIDWORK_GEO_SIMPLIFY_H_
#define GRIDWORK_GEO_SIMPLIFY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gridwork/geo/types.h"

namespace gridwork::geo {

// One fix of a track: WGS-84 degrees and the capture time in milliseconds since the Unix epoch
// (UTC). Shared by simplify.h and track_summary.h.
struct TrackPoint {
  double lng = 0;    // degrees, [-180, 180]
  double lat = 0;    // degrees, [-90, 90]
  int64_t t_ms = 0;  // capture time, ms since 1970-01-01T00:00:00Z

  Point point() const { return LngLat(lng, lat); }
};

// Douglas–Peucker simplification with a tolerance in metres. Returns the indices of the kept
// points in increasing order: always the first and the last (a single point gives {0}, an
// empty track {}), and every other point only if needed so that each dropped point is within
// `tolerance_m` of the segment joining the nearest kept points before and after it.
//
// Distances are point-to-segment in a local equirectangular projection centred on the point
// (DistanceToSegmentMeters; < 0.1 % error for segments within ~10 km). Time is ignored: a track
// that returns to a place keeps the turning point, not the time spent there.
//
// tolerance_m: metres, ≥ 0 (negative or NaN is treated as 0). With 0, every point off the
// segment between its kept neighbours is kept and points on it are dropped; deviations below
// 1 µm (rounding noise of the projection) count as "on it".
// REQUIRES: finite coordinates (the location service rejects others at ingest); a point with a
// NaN coordinate is dropped unless it is the first or last.
// Complexity: O(n log n) typical, O(n²) worst case (a spiral); memory O(n). Iterative with an
// explicit stack, so any length is safe.
std::vector<size_t> SimplifyTrack(const std::vector<TrackPoint>& track, double tolerance_m);

}  // namespace gridwork::geo

#endif  // GRIDWORK_GEO_SIMPLIFY_H_
