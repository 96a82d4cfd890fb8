// Classifies one device fix: accepted (converted to WGS-84 and quantised for storage) or
// rejected with a reason. Pure logic: no I/O; `now` and the worker's neighbouring accepted
// fix are supplied by the caller.
//
// Filters, in the order they are checked (the first that applies is the reason):
//   MISSING_TIME         no device time
//   INVALID_COORDINATES  NaN/infinite, |lat| > 90, |lng| > 180 (as received)
//   NULL_ISLAND          exactly (0, 0) as received: a GPS chip's "no fix yet"
//   INVALID_FIELD        negative or non-finite accuracy; non-finite speed/heading/altitude
//   FUTURE_TIME          device time > now + future_skew
//   TOO_OLD              device time < now - max_age
//   LOW_ACCURACY         accuracy_m > max_accuracy_m
//   IMPOSSIBLE_SPEED     distance to the worker's previous accepted fix / time between them
//                        > max_speed_mps, when the distance also exceeds both accuracy radii
//                        plus jump_floor_m (so jitter at short intervals is not a "jump")
#ifndef GRIDWORK_SERVICES_LOCATION_INGEST_FILTER_H_
#define GRIDWORK_SERVICES_LOCATION_INGEST_FILTER_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "gridwork/location/v1/location.pb.h"
#include "services/location/fix_chunk.h"

namespace gridwork::location {

struct FilterOptions {
  absl::Duration future_skew = absl::Minutes(2);
  absl::Duration max_age = absl::Hours(24 * 7);
  double max_accuracy_m = 500;
  double max_speed_mps = 70;  // 252 km/h: nothing a grid worker does; GPS jumps are faster
  double jump_floor_m = 100;
};

struct Classified {
  std::optional<v1::RejectReason> reject;
  std::string detail;
  StoredFix fix;  // valid when !reject (and for the speed check, the converted position)
};

// Steps 1-7 (everything but the speed check). `device_id` is the batch's device.
Classified ClassifyFix(const v1::DeviceFix& in, const std::string& device_id, absl::Time now,
                       const FilterOptions& options);

// Step 8: true (with a detail) if moving from `previous` to `fix` implies an impossible speed.
bool ImpossibleSpeed(const StoredFix& previous, const StoredFix& fix,
                     const FilterOptions& options, std::string* detail);

// Distance in metres between two stored fixes.
double DistanceM(const StoredFix& a, const StoredFix& b);

// Converts a stored fix back to API types.
common::v1::LatLng ToLatLng(const StoredFix& f);
common::v1::Fix ToCommonFix(const std::string& worker, const StoredFix& f);
// Sets the fields of `out` (which may live on an arena) as ToCommonFix does.
void FillCommonFix(const std::string& worker, const StoredFix& f, common::v1::Fix* out);

}  // namespace gridwork::location

#endif  // GRIDWORK_SERVICES_LOCATION_INGEST_FILTER_H_
