#include "services/geofence/geofence_store.h"

#include "absl/strings/str_cat.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/store/key_codec.h"
#include "gridwork/store/stored_proto.h"
#include "services/geofence/keys.h"

namespace gridwork::geofence {
using store::ParseStoredProto;

absl::StatusOr<std::unique_ptr<GeofenceStore>> GeofenceStore::Open(const std::string& dir,
                                                                   Clock* clock, bool sync) {
  std::unique_ptr<GeofenceStore> s(new GeofenceStore());
  store::DbOptions opts;
  opts.path = dir;
  opts.service_name = "geofence";
  opts.sync = sync;
  opts.clock = clock;
  GW_ASSIGN_OR_RETURN(
      s->db_, store::Db::Open(opts, {{keys::kRegions, "region id -> Region (with geometry)"},
                                     {keys::kBindingsByWorker, "worker\\0grid -> Binding"},
                                     {keys::kBindingsByGrid, "grid\\0worker -> '' (index)"},
                                     {keys::kKeyPoints, "key point id -> KeyPoint"},
                                     {keys::kKeyPointsByGrid, "grid\\0key point id -> '' (index)"},
                                     {keys::kWorkerState, "worker -> WorkerState"},
                                     {keys::kPresence, "current grid\\0worker -> '' (index)"}}));
  GW_ASSIGN_OR_RETURN(s->regions_, s->db_->Family(keys::kRegions));
  GW_ASSIGN_OR_RETURN(s->bindings_by_worker_, s->db_->Family(keys::kBindingsByWorker));
  GW_ASSIGN_OR_RETURN(s->bindings_by_grid_, s->db_->Family(keys::kBindingsByGrid));
  GW_ASSIGN_OR_RETURN(s->key_points_, s->db_->Family(keys::kKeyPoints));
  GW_ASSIGN_OR_RETURN(s->key_points_by_grid_, s->db_->Family(keys::kKeyPointsByGrid));
  GW_ASSIGN_OR_RETURN(s->worker_state_, s->db_->Family(keys::kWorkerState));
  GW_ASSIGN_OR_RETURN(s->presence_, s->db_->Family(keys::kPresence));
  return s;
}

// ---- Regions -------------------------------------------------------------------------------

absl::StatusOr<std::vector<v1::Region>> GeofenceStore::LoadAllRegions() const {
  std::vector<v1::Region> out;
  absl::Status parse_error;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(regions_, "", [&](absl::string_view k, absl::string_view v) {
    auto r = ParseStoredProto<v1::Region>(v, "region");
    if (!r.ok()) {
      parse_error = r.status();
      return false;
    }
    out.push_back(*std::move(r));
    return true;
  }));
  GW_RETURN_IF_ERROR(parse_error);
  return out;
}

absl::StatusOr<std::optional<v1::Region>> GeofenceStore::GetRegion(const std::string& id) const {
  auto v = db_->Get(regions_, id);
  if (absl::IsNotFound(v.status())) return std::optional<v1::Region>();
  GW_RETURN_IF_ERROR(v.status());
  GW_ASSIGN_OR_RETURN(v1::Region r, ParseStoredProto<v1::Region>(*v, "region"));
  return std::optional<v1::Region>(std::move(r));
}

void GeofenceStore::PutRegion(const v1::Region& region, store::WriteRequest* req) const {
  req->Put(regions_, region.id(), region.SerializeAsString());
}

void GeofenceStore::DeleteRegion(const std::string& id, store::WriteRequest* req) const {
  req->Delete(regions_, id);
}

// ---- Bindings ------------------------------------------------------------------------------

absl::StatusOr<std::vector<v1::Binding>> GeofenceStore::BindingsOfWorker(
    const std::string& worker) const {
  std::vector<v1::Binding> out;
  absl::Status parse_error;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(bindings_by_worker_, keys::Pair(worker, ""),
                                     [&](absl::string_view, absl::string_view v) {
                                       auto b = ParseStoredProto<v1::Binding>(v, "binding");
                                       if (!b.ok()) {
                                         parse_error = b.status();
                                         return false;
                                       }
                                       out.push_back(*std::move(b));
                                       return true;
                                     }));
  GW_RETURN_IF_ERROR(parse_error);
  return out;
}

absl::StatusOr<std::map<std::string, std::set<std::string>>> GeofenceStore::LoadAllOwnGrids()
    const {
  std::map<std::string, std::set<std::string>> out;
  GW_RETURN_IF_ERROR(
      db_->ScanPrefix(bindings_by_worker_, "", [&](absl::string_view key, absl::string_view) {
        std::string worker, grid;
        if (keys::SplitPair(key, &worker, &grid)) out[worker].insert(grid);
        return true;
      }));
  return out;
}

absl::StatusOr<std::optional<v1::Binding>> GeofenceStore::GetBinding(
    const std::string& worker, const std::string& grid) const {
  auto v = db_->Get(bindings_by_worker_, keys::Pair(worker, grid));
  if (absl::IsNotFound(v.status())) return std::optional<v1::Binding>();
  GW_RETURN_IF_ERROR(v.status());
  GW_ASSIGN_OR_RETURN(v1::Binding b, ParseStoredProto<v1::Binding>(*v, "binding"));
  return std::optional<v1::Binding>(std::move(b));
}

void GeofenceStore::PutBinding(const v1::Binding& b, store::WriteRequest* req) const {
  req->Put(bindings_by_worker_, keys::Pair(b.worker_id(), b.grid_id()), b.SerializeAsString());
  req->Put(bindings_by_grid_, keys::Pair(b.grid_id(), b.worker_id()), "");
}

void GeofenceStore::DeleteBinding(const std::string& worker, const std::string& grid,
                                  store::WriteRequest* req) const {
  req->Delete(bindings_by_worker_, keys::Pair(worker, grid));
  req->Delete(bindings_by_grid_, keys::Pair(grid, worker));
}

absl::Status GeofenceStore::ScanIndexInSubtree(
    const store::FamilyHandle& family, const std::string& root, const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&, const std::string&)>& fn)
    const {
  // Keys of the subtree start with root ("" = all); the '/' boundary is checked per key so
  // "410105/s1" does not match "410105/s10".
  std::string start = after_key.empty() ? root : after_key + std::string(1, '\0');
  std::string limit = root.empty() ? "" : store::PrefixSuccessor(root);
  return db_->ScanRange(family, start, limit, [&](absl::string_view k, absl::string_view) {
    std::string a, b;
    if (!keys::SplitPair(k, &a, &b)) return true;
    if (!PathWithin(a, root)) return true;
    return fn(std::string(k), a, b);
  });
}

absl::Status GeofenceStore::ScanGridBindings(
    const std::string& root, const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&, const std::string&)>& fn)
    const {
  return ScanIndexInSubtree(bindings_by_grid_, root, after_key, fn);
}

// ---- Key points ----------------------------------------------------------------------------

absl::StatusOr<std::vector<v1::KeyPoint>> GeofenceStore::LoadAllKeyPoints() const {
  std::vector<v1::KeyPoint> out;
  absl::Status parse_error;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(key_points_, "", [&](absl::string_view, absl::string_view v) {
    auto kp = ParseStoredProto<v1::KeyPoint>(v, "key point");
    if (!kp.ok()) {
      parse_error = kp.status();
      return false;
    }
    out.push_back(*std::move(kp));
    return true;
  }));
  GW_RETURN_IF_ERROR(parse_error);
  return out;
}

absl::StatusOr<std::optional<v1::KeyPoint>> GeofenceStore::GetKeyPoint(
    const std::string& id) const {
  auto v = db_->Get(key_points_, id);
  if (absl::IsNotFound(v.status())) return std::optional<v1::KeyPoint>();
  GW_RETURN_IF_ERROR(v.status());
  GW_ASSIGN_OR_RETURN(v1::KeyPoint kp, ParseStoredProto<v1::KeyPoint>(*v, "key point"));
  return std::optional<v1::KeyPoint>(std::move(kp));
}

void GeofenceStore::PutKeyPoint(const v1::KeyPoint& kp, const v1::KeyPoint* previous,
                                store::WriteRequest* req) const {
  if (previous != nullptr && previous->grid_id() != kp.grid_id()) {
    req->Delete(key_points_by_grid_, keys::Pair(previous->grid_id(), previous->id()));
  }
  req->Put(key_points_, kp.id(), kp.SerializeAsString());
  req->Put(key_points_by_grid_, keys::Pair(kp.grid_id(), kp.id()), "");
}

void GeofenceStore::DeleteKeyPoint(const v1::KeyPoint& kp, store::WriteRequest* req) const {
  req->Delete(key_points_, kp.id());
  req->Delete(key_points_by_grid_, keys::Pair(kp.grid_id(), kp.id()));
}

absl::Status GeofenceStore::ScanGridKeyPoints(
    const std::string& root, const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  return ScanIndexInSubtree(
      key_points_by_grid_, root, after_key,
      [&](const std::string& k, const std::string&, const std::string& id) { return fn(k, id); });
}

// ---- Worker state --------------------------------------------------------------------------

absl::StatusOr<std::optional<v1::WorkerState>> GeofenceStore::GetWorkerState(
    const std::string& worker) const {
  auto v = db_->Get(worker_state_, worker);
  if (absl::IsNotFound(v.status())) return std::optional<v1::WorkerState>();
  GW_RETURN_IF_ERROR(v.status());
  GW_ASSIGN_OR_RETURN(v1::WorkerState s, ParseStoredProto<v1::WorkerState>(*v, "worker state"));
  return std::optional<v1::WorkerState>(std::move(s));
}

void GeofenceStore::PutWorkerState(const v1::WorkerState& state, const std::string& previous_grid,
                                   store::WriteRequest* req) const {
  req->Put(worker_state_, state.worker_id(), state.SerializeAsString());
  // Presence is keyed by grid; "" (outside every grid) is indexed too so that operators can
  // list workers who are nowhere.
  req->Delete(presence_, keys::Pair(previous_grid, state.worker_id()));
  req->Put(presence_, keys::Pair(state.current_grid_id(), state.worker_id()), "");
}

absl::Status GeofenceStore::ScanPresence(
    const std::string& root, const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&, const std::string&)>& fn)
    const {
  return ScanIndexInSubtree(presence_, root, after_key, fn);
}

}  // namespace gridwork::geofence
