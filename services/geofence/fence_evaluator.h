// Turns a worker's fixes into fence events: enter/exit grid, left/returned to own grid, and
// check-ins at key points. Pure logic over a persisted WorkerState: no I/O, no gRPC, no
// clock (time is the fixes' device time), so a restart that reloads the state continues
// exactly where it stopped.
//
// Hysteresis (what makes GPS drift harmless):
//  1. A fix is *clear* for region R when its whole accuracy circle plus a margin lies in R:
//     distance to R's border >= accuracy + enter_margin (R a grid), or, for "outside every
//     grid", distance to the current grid's border >= accuracy + exit_margin. A fix whose
//     accuracy is worse than max_accuracy_m is never clear.
//  2. A fix that is not clear changes nothing (not the current grid, not a pending
//     candidate).
//  3. A clear fix for the current grid cancels any pending candidate.
//  4. A clear fix for another region R makes R the candidate (since = its time) unless R is
//     already the candidate; the transition to R fires on a later clear fix for R once
//     time - since >= exit_dwell. A transition emits EXIT_GRID(old) and ENTER_GRID(new) for
//     the non-empty ones.
//  5. The very first clear fix of a worker establishes the state at once (ENTER_GRID).
//  6. Own grid (责任田): after every clear fix the evaluator compares "current grid is one of
//     the worker's bound grids" with the stored flag and emits LEFT_OWN_GRID /
//     RETURNED_OWN_GRID when it flips; a worker with no bindings has no own grid and gets
//     neither. The first established state of a bound worker outside their grids emits
//     LEFT_OWN_GRID.
//  7. A fix with device time <= the newest evaluated fix is *late*: rules 1–6 are skipped,
//     it only counts for key-point visits (offline backlogs arrive this way).
//
// Key points: a fix within radius_m of a key point (and with accuracy <= max_checkin_accuracy_m)
// extends the visit it falls into (within visit_gap of its span) or starts a new one; a visit
// whose span reaches min_dwell emits one CHECK_IN. An in-order fix clearly outside the radius
// (distance - accuracy > radius) closes the visit, so passing by twice is two visits. Visits
// older than visit_retention before the newest fix are dropped. Evaluating the same fix twice
// emits nothing the second time.
#ifndef GRIDWORK_SERVICES_GEOFENCE_FENCE_EVALUATOR_H_
#define GRIDWORK_SERVICES_GEOFENCE_FENCE_EVALUATOR_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gridwork/common/v1/fix.pb.h"
#include "gridwork/geofence/v1/geofence.pb.h"

namespace gridwork::geofence {

struct FenceConfig {
  absl::Duration exit_dwell = absl::Seconds(30);
  double enter_margin_m = 5;
  double exit_margin_m = 15;
  double max_accuracy_m = 100;
  double max_checkin_accuracy_m = 100;
  absl::Duration visit_gap = absl::Minutes(10);
  absl::Duration visit_retention = absl::Hours(24);
};

struct KeyPointRef {
  std::string id;
  std::string grid_id;
  double lng = 0;
  double lat = 0;
  double radius_m = 0;
  absl::Duration min_dwell;
};

// What the evaluator needs to know about space. Implemented over the region tree and the
// key-point index; tests use a hand-made geometry.
class FenceGeometry {
 public:
  virtual ~FenceGeometry() = default;
  // The grid containing the point, or "" if none.
  virtual std::string LocateGrid(double lng, double lat) const = 0;
  // Distance in metres from the point to the border of `grid_id` (>= 0, whether the point is
  // inside or outside). Unknown grid: 0.
  virtual double DistanceToGridBorderM(const std::string& grid_id, double lng,
                                       double lat) const = 0;
  // Key points whose check-in circle may contain the point (a superset is fine).
  virtual std::vector<KeyPointRef> KeyPointsNear(double lng, double lat) const = 0;
  virtual std::optional<KeyPointRef> FindKeyPoint(const std::string& id) const = 0;
};

struct FixOutcome {
  std::vector<v1::FenceEvent> events;
  bool late = false;
};

// Applies one fix to `state` (updated in place) and returns the events it caused.
// REQUIRES: fix has a worker id equal to state->worker_id() (or state is new), a finite
// position in range and accuracy >= 0 (the service validates before calling).
FixOutcome ApplyFix(const FenceConfig& config, const FenceGeometry& geometry,
                    const std::set<std::string>& own_grids, const common::v1::Fix& fix,
                    v1::WorkerState* state);

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_FENCE_EVALUATOR_H_
