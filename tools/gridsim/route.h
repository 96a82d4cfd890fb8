// Patrol routes of a grid worker: street-like polylines inside the grid between its corners,
// key points and subjects, walked at walking speed with dwell times at the stops, occasional
// deliberate drift across the border, and the GPS fixes a phone would take along the way
// (noise, dead zones whose fixes are buffered and uploaded late). Pure and deterministic.
//
//   PatrolPath path = PlanPatrol(grid_shape, stops, {.start_s = 0, .end_s = 8 * 3600}, seed);
//   for (const FixSample& f : SampleFixes(path, grid_shape, 0, 600, {}, seed)) ...
//
// Invariants (route_test.cc):
//   1. every point of the path outside a drift window lies inside the grid;
//   2. the path moves at the walking speed given (never faster), and stands still at stops
//      for their dwell time;
//   3. a fix outside a drift window lies inside the grid (noise that would push it out is
//      not applied);
//   4. the same seed gives the same path and fixes.
#ifndef GRIDWORK_TOOLS_GRIDSIM_ROUTE_H_
#define GRIDWORK_TOOLS_GRIDSIM_ROUTE_H_

#include <cstdint>
#include <vector>

#include "gridwork/geo/types.h"

namespace gridwork::gridsim {

// A place the worker stops at.
struct Stop {
  geo::Point position;
  double dwell_s = 120;
  int tag = -1;  // caller's id for the stop (key point or subject index); -1 = a corner
};

struct PatrolOptions {
  double start_s = 0;       // shift start, seconds of the simulated day
  double end_s = 8 * 3600;  // shift end
  double speed_mps = 1.2;   // walking speed
  // Probability, per leg, of a detour 30-60 m across the nearest border and back.
  double drift_per_leg = 0.05;
  int max_corners = 6;
};

struct TimedPoint {
  double t;
  geo::Point p;
};

struct Visit {
  int tag;
  double arrive_s;
  double leave_s;
};

struct Window {
  double from_s;
  double to_s;
};

class PatrolPath {
 public:
  // Position at time t (clamped to the path's start and end).
  geo::Point At(double t) const;
  bool InDrift(double t) const;
  double start_s() const { return points_.empty() ? 0 : points_.front().t; }
  double end_s() const { return points_.empty() ? 0 : points_.back().t; }
  const std::vector<TimedPoint>& points() const { return points_; }
  const std::vector<Visit>& visits() const { return visits_; }
  const std::vector<Window>& drifts() const { return drifts_; }

 private:
  friend PatrolPath PlanPatrol(const geo::MultiPolygon&, const std::vector<Stop>&,
                               const PatrolOptions&, uint64_t);
  std::vector<TimedPoint> points_;  // time-ordered vertices; linear in between
  std::vector<Visit> visits_;
  std::vector<Window> drifts_;
};

// Plans the shift: from a point inside the grid, visits the stops (nearest first) and up to
// max_corners inset corners, then repeats the tour until end_s. A stop that cannot be reached
// inside the grid by a street-like leg (two axis-parallel pieces) or a straight line, directly
// or through the grid's hub point, is skipped.
PatrolPath PlanPatrol(const geo::MultiPolygon& grid, const std::vector<Stop>& stops,
                      const PatrolOptions& options, uint64_t seed);

struct FixOptions {
  double interval_s = 30;
  double noise_m = 6;  // standard deviation of the GPS error per axis
  // Dead zones: per hour of shift, the chance of one, and its length.
  double dead_zones_per_hour = 0.3;
  double dead_zone_s = 600;
};

struct FixSample {
  uint64_t index;  // k: the fix is taken at path start + k * interval
  double t;
  geo::Point p;
  double accuracy_m;
  double speed_mps;
  bool drift;    // in a deliberate drift window
  bool offline;  // in a dead zone: buffered on the phone, uploaded late
};

// The fixes with from_s <= t < to_s (on the path's own grid of times, so consecutive windows
// neither repeat nor skip a fix).
std::vector<FixSample> SampleFixes(const PatrolPath& path, const geo::MultiPolygon& grid,
                                   double from_s, double to_s, const FixOptions& options,
                                   uint64_t seed);

// True when the straight segment a-b lies inside `shape` (checked every ~3 m).
bool SegmentInside(const geo::MultiPolygon& shape, const geo::Point& a, const geo::Point& b);

// Moves `p` by (east_m, north_m) metres.
geo::Point Offset(const geo::Point& p, double east_m, double north_m);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_ROUTE_H_
