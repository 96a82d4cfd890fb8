// Column families and key layouts of the geofence store.
//
// DO NOT CHANGE THESE LAYOUTS: they are the on-disk format of data/geofence.
//
// Region ids, worker ids, grid ids and key-point ids never contain '\0' (ids are validated
// at the API), so '\0' separates the parts of composite keys and a raw region path works as
// an iteration prefix for a whole subtree (callers still check the '/' boundary).
//
//   family              key                                   value
//   regions             region_id                             v1.Region (FULL, with geometry)
//   bindings_by_worker  worker_id \0 grid_id                  v1.Binding
//   bindings_by_grid    grid_id \0 worker_id                  "" (index)
//   key_points          key_point_id                          v1.KeyPoint
//   key_points_by_grid  grid_id \0 key_point_id               "" (index)
//   worker_state        worker_id                             v1.WorkerState
//   presence            current_grid_id \0 worker_id          "" (who is in which grid now)
#ifndef GRIDWORK_SERVICES_GEOFENCE_KEYS_H_
#define GRIDWORK_SERVICES_GEOFENCE_KEYS_H_

#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace gridwork::geofence::keys {

inline constexpr char kRegions[] = "regions";
inline constexpr char kBindingsByWorker[] = "bindings_by_worker";
inline constexpr char kBindingsByGrid[] = "bindings_by_grid";
inline constexpr char kKeyPoints[] = "key_points";
inline constexpr char kKeyPointsByGrid[] = "key_points_by_grid";
inline constexpr char kWorkerState[] = "worker_state";
inline constexpr char kPresence[] = "presence";

// "a\0b".
std::string Pair(absl::string_view a, absl::string_view b);
// Splits "a\0b"; false if there is no separator.
bool SplitPair(absl::string_view key, std::string* a, std::string* b);

}  // namespace gridwork::geofence::keys

#endif  // GRIDWORK_SERVICES_GEOFENCE_KEYS_H_
