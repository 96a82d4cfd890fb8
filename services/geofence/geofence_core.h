// The geofence service's logic, independent of gRPC: the region tree, bindings, key points,
// Locate, and fence evaluation with its persisted per-worker state.
//
// Every method takes the caller's verified Principal and enforces role and region scope
// itself (authorisation at the owner of the data, DESIGN.md section 4). Mutations are
// idempotent by request id and commit state, indexes, feed events and the idempotency
// record in one WriteRequest.
//
// Thread safety: all methods may be called concurrently. Readers use immutable snapshots
// (region tree, key-point index) swapped after each committed change; administrative
// mutations are serialised by admin_mu_; fence evaluation locks only the workers it touches.
#ifndef GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_CORE_H_
#define GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_CORE_H_

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/common/v1/feed.pb.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/core/clock.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "services/geofence/fence_evaluator.h"
#include "services/geofence/geofence_metrics.h"
#include "services/geofence/geofence_store.h"
#include "services/geofence/key_point_index.h"
#include "services/geofence/region_import.h"
#include "services/geofence/region_tree.h"

namespace gridwork::geofence {

using common::v1::Principal;

struct GeofenceOptions {
  FenceConfig fence;
  ImportLimits import_limits;
  ImportTolerances tolerances;
  // A district shard (--routing_file) consumes the fixes of every worker of the city but owns
  // only its districts' grids. With this set, ApplyLocationFixes evaluates a fix of a worker
  // who is not bound to one of this shard's grids only when it can matter here (FixConcerns
  // in geofence_core_fences.cc): the worker's state here is in a grid, has a candidate grid
  // or an open key-point visit, or the fix lies in one of this shard's grids or near one of
  // its key points. Other fixes are skipped without a store write, so each shard keeps state
  // only for workers who were ever in its grids, and a worker's fence events come from the
  // shard that owns the grid (an EXIT from one shard, the ENTER from the other when they cross
  // a district border; never the same event from both).
  // A worker not bound here and with no state here starts as established "outside every
  // grid", so entering this shard's grid waits exit_dwell like any other transition (without
  // it, rule 5 of fence_evaluator.h would fire ENTER on the first fix across the border).
  // Bound workers are always evaluated (LEFT_OWN_GRID / RETURNED_OWN_GRID come from the shard
  // holding the binding). EvaluateFixes calls are always evaluated in full.
  bool district_shard = false;
};

class GeofenceCore {
 public:
  // Loads the region tree and key points from `store`. Neither pointer is owned; both must
  // outlive the core. `metrics` may be null.
  static absl::StatusOr<std::unique_ptr<GeofenceCore>> Create(GeofenceStore* store,
                                                              GeofenceOptions options,
                                                              GeofenceMetrics* metrics,
                                                              Clock* clock = Clock::Real());

  GeofenceCore(const GeofenceCore&) = delete;
  GeofenceCore& operator=(const GeofenceCore&) = delete;

  // The contracts of these methods are the rpc comments of geofence.proto.
  absl::StatusOr<v1::ImportRegionsResponse> ImportRegions(const Principal& p,
                                                          const v1::ImportRegionsRequest& req);
  absl::StatusOr<v1::ExportRegionsResponse> ExportRegions(const Principal& p,
                                                          const v1::ExportRegionsRequest& req);
  absl::StatusOr<v1::Region> GetRegion(const Principal& p, const v1::GetRegionRequest& req);
  absl::StatusOr<v1::ListRegionsResponse> ListRegions(const Principal& p,
                                                      const v1::ListRegionsRequest& req);
  absl::StatusOr<v1::DeleteRegionResponse> DeleteRegion(const Principal& p,
                                                        const v1::DeleteRegionRequest& req);
  absl::StatusOr<v1::LocateResponse> Locate(const Principal& p, const v1::LocateRequest& req);
  absl::StatusOr<v1::BatchLocateResponse> BatchLocate(const Principal& p,
                                                      const v1::BatchLocateRequest& req);

  absl::StatusOr<v1::Binding> BindWorker(const Principal& p, const v1::BindWorkerRequest& req);
  absl::StatusOr<v1::UnbindWorkerResponse> UnbindWorker(const Principal& p,
                                                        const v1::UnbindWorkerRequest& req);
  absl::StatusOr<v1::ListBindingsResponse> ListBindings(const Principal& p,
                                                        const v1::ListBindingsRequest& req);

  absl::StatusOr<v1::KeyPoint> PutKeyPoint(const Principal& p, const v1::PutKeyPointRequest& req);
  absl::StatusOr<v1::KeyPoint> GetKeyPoint(const Principal& p, const v1::GetKeyPointRequest& req);
  absl::StatusOr<v1::DeleteKeyPointResponse> DeleteKeyPoint(const Principal& p,
                                                            const v1::DeleteKeyPointRequest& req);
  absl::StatusOr<v1::ListKeyPointsResponse> ListKeyPoints(const Principal& p,
                                                          const v1::ListKeyPointsRequest& req);

  absl::StatusOr<v1::EvaluateFixesResponse> EvaluateFixes(const Principal& p,
                                                          const v1::EvaluateFixesRequest& req);
  // Feed consumer of the location service's accepted fixes: evaluates the AcceptedFixes (or
  // single Fix) payloads of
  // `events` and commits the states, fence events AND the consumer cursor (consumer_name ->
  // last event's sequence) in one WriteRequest while the workers are locked, so a concurrent
  // EvaluateFixes call can never interleave with an uncommitted consumer batch. Fixes that
  // fail validation are logged and skipped (location only publishes accepted fixes).
  // Concurrent calls (one consumer per location shard, each with its own consumer_name) are
  // safe: each reads, evaluates and commits its workers' states under those workers' locks,
  // so two calls touching one worker (which a stable routing file never causes: a worker's
  // fixes come from one location shard) are applied one after the other, and the cursors
  // are different keys. With GeofenceOptions::district_shard only fixes that concern this
  // shard are evaluated.
  absl::Status ApplyLocationFixes(const std::vector<common::v1::FeedEvent>& events,
                                  const std::string& consumer_name);

  absl::StatusOr<v1::WorkerState> GetWorkerState(const Principal& p,
                                                 const v1::GetWorkerStateRequest& req);
  absl::StatusOr<v1::ListWorkersInRegionResponse> ListWorkersInRegion(
      const Principal& p, const v1::ListWorkersInRegionRequest& req);

  // Snapshot accessors (for the feed filter and tests).
  std::shared_ptr<const RegionTree> tree() const;

 private:
  GeofenceCore(GeofenceStore* store, GeofenceOptions options, GeofenceMetrics* metrics,
               Clock* clock);
  std::shared_ptr<const KeyPointIndex> key_points() const;
  void SetTree(std::shared_ptr<const RegionTree> tree);
  void SetKeyPoints(std::shared_ptr<const KeyPointIndex> index);
  absl::Status ReloadKeyPoints();
  // Worker -> bound grids, read by every fence evaluation; reloaded after each (rare)
  // binding change instead of scanning the store per worker per batch.
  using OwnGrids = std::map<std::string, std::set<std::string>>;
  std::shared_ptr<const OwnGrids> own_grids() const;
  absl::Status ReloadOwnGrids();
  // Evaluates `fixes` (already validated) and commits; with `cursor`, also sets that
  // consumer cursor in the same commit.
  absl::StatusOr<v1::EvaluateFixesResponse> EvaluateAndCommit(
      const std::vector<const common::v1::Fix*>& fixes,
      const std::optional<std::pair<std::string, uint64_t>>& cursor);

  GeofenceStore* const store_;
  const GeofenceOptions options_;
  GeofenceMetrics* const metrics_;
  Clock* const clock_;

  mutable absl::Mutex snapshot_mu_;
  std::shared_ptr<const RegionTree> tree_ ABSL_GUARDED_BY(snapshot_mu_);
  std::shared_ptr<const KeyPointIndex> key_points_ ABSL_GUARDED_BY(snapshot_mu_);
  std::shared_ptr<const OwnGrids> own_grids_ ABSL_GUARDED_BY(snapshot_mu_);

  // Serialises region, binding and key-point mutations (rare, administrative), so that
  // checks like "region has no bindings" hold until the commit.
  absl::Mutex admin_mu_;
  // Fence evaluation locks the stripes of the workers in a request, in index order.
  static constexpr size_t kWorkerStripes = 64;
  std::array<absl::Mutex, kWorkerStripes> worker_mu_;
};

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_CORE_H_
