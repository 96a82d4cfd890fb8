// The geofence service's RocksDB store: typed reads and WriteRequest builders over the
// families of keys.h. Every mutation of the service is one store::WriteRequest (state +
// indexes + feed events + idempotency record) committed with Commit().
//
// Thread safety: all methods are safe to call concurrently (RocksDB reads; WriteRequests are
// built by the caller on its own thread).
#ifndef GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_STORE_H_
#define GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/store/db.h"

namespace gridwork::geofence {

class GeofenceStore {
 public:
  // Opens (creating if needed) the database in `dir`.
  static absl::StatusOr<std::unique_ptr<GeofenceStore>> Open(const std::string& dir, Clock* clock,
                                                             bool sync = true);

  store::Db* db() const { return db_.get(); }
  absl::StatusOr<store::CommitResult> Commit(store::WriteRequest req) {
    return db_->Commit(std::move(req));
  }

  // ---- Regions
  absl::StatusOr<std::vector<v1::Region>> LoadAllRegions() const;
  // The committed region, which may be newer than the in-memory tree for a moment after a
  // write (the feed event is visible at commit, the tree is swapped just after).
  absl::StatusOr<std::optional<v1::Region>> GetRegion(const std::string& id) const;
  void PutRegion(const v1::Region& region, store::WriteRequest* req) const;
  void DeleteRegion(const std::string& id, store::WriteRequest* req) const;

  // ---- Bindings
  absl::StatusOr<std::vector<v1::Binding>> BindingsOfWorker(const std::string& worker) const;
  // Every worker's bound grids (one scan of the worker index, for the in-memory snapshot).
  absl::StatusOr<std::map<std::string, std::set<std::string>>> LoadAllOwnGrids() const;
  absl::StatusOr<std::optional<v1::Binding>> GetBinding(const std::string& worker,
                                                        const std::string& grid) const;
  void PutBinding(const v1::Binding& b, store::WriteRequest* req) const;
  void DeleteBinding(const std::string& worker, const std::string& grid,
                     store::WriteRequest* req) const;
  // Visits (grid, worker) pairs of grids in the subtree of `root`, in key order, starting
  // after `after_key` (a key returned earlier, "" = from the start). `fn` returns false to
  // stop. Keys are the raw "grid\0worker" index keys (usable as page tokens).
  absl::Status ScanGridBindings(
      const std::string& root, const std::string& after_key,
      const std::function<bool(const std::string& key, const std::string& grid,
                               const std::string& worker)>& fn) const;

  // ---- Key points
  absl::StatusOr<std::vector<v1::KeyPoint>> LoadAllKeyPoints() const;
  absl::StatusOr<std::optional<v1::KeyPoint>> GetKeyPoint(const std::string& id) const;
  // `previous` is the stored version being replaced (to move its grid index entry).
  void PutKeyPoint(const v1::KeyPoint& kp, const v1::KeyPoint* previous,
                   store::WriteRequest* req) const;
  void DeleteKeyPoint(const v1::KeyPoint& kp, store::WriteRequest* req) const;
  // Key-point ids of grids in the subtree of `root`, starting after `after_key`.
  absl::Status ScanGridKeyPoints(
      const std::string& root, const std::string& after_key,
      const std::function<bool(const std::string& key, const std::string& kp_id)>& fn) const;

  // ---- Worker fence state and presence
  absl::StatusOr<std::optional<v1::WorkerState>> GetWorkerState(const std::string& worker) const;
  // Writes the state and moves the presence entry from `previous_grid` to its current grid.
  void PutWorkerState(const v1::WorkerState& state, const std::string& previous_grid,
                      store::WriteRequest* req) const;
  absl::Status ScanPresence(
      const std::string& root, const std::string& after_key,
      const std::function<bool(const std::string& key, const std::string& grid,
                               const std::string& worker)>& fn) const;

 private:
  GeofenceStore() = default;
  absl::Status ScanIndexInSubtree(
      const store::FamilyHandle& family, const std::string& root, const std::string& after_key,
      const std::function<bool(const std::string& key, const std::string& a, const std::string& b)>&
          fn) const;

  std::unique_ptr<store::Db> db_;
  store::FamilyHandle regions_, bindings_by_worker_, bindings_by_grid_, key_points_,
      key_points_by_grid_, worker_state_, presence_;
};

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_STORE_H_
