// The location service's logic, independent of gRPC: ingest (filters, CRS conversion,
// idempotent storage in chunks, feed events), tracks, day summaries, last positions, online
// state, nearby workers, and the effect of geofence's fence events (current grid).
//
// Thread safety: all methods may be called concurrently. Ingest locks only the stripes of
// the worker it writes; last positions live in memory under positions_mu_ and are written
// through to the store in the same commit as the fixes.
#ifndef GRIDWORK_SERVICES_LOCATION_LOCATION_CORE_H_
#define GRIDWORK_SERVICES_LOCATION_LOCATION_CORE_H_

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/common/v1/feed.pb.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/core/clock.h"
#include "gridwork/location/v1/location.pb.h"
#include "services/location/ingest_filter.h"
#include "services/location/location_metrics.h"
#include "services/location/location_store.h"

namespace gridwork::location {

using common::v1::Principal;

struct LocationOptions {
  FilterOptions filters;
  // A worker is online with a fix newer than now - online_window.
  absl::Duration online_window = absl::Minutes(5);
  int max_fixes_per_batch = 1000;
};

class LocationCore {
 public:
  // Loads last positions and grids from `store`. Pointers are not owned and must outlive
  // the core; `metrics` may be null.
  static absl::StatusOr<std::unique_ptr<LocationCore>> Create(LocationStore* store,
                                                              LocationOptions options,
                                                              LocationMetrics* metrics,
                                                              Clock* clock = Clock::Real());
  LocationCore(const LocationCore&) = delete;
  LocationCore& operator=(const LocationCore&) = delete;

  // Contracts: the rpc comments of location.proto. Returns after the batch is durable.
  absl::StatusOr<v1::BatchAck> Ingest(const Principal& p, const v1::FixBatch& batch);
  absl::StatusOr<v1::GetTrackResponse> GetTrack(const Principal& p, const v1::GetTrackRequest& req);
  absl::StatusOr<v1::ListRawFixesResponse> ListRawFixes(const Principal& p,
                                                        const v1::ListRawFixesRequest& req);
  absl::StatusOr<v1::DaySummary> GetDaySummary(const Principal& p,
                                               const v1::GetDaySummaryRequest& req);
  absl::StatusOr<v1::GetLastPositionsResponse> GetLastPositions(
      const Principal& p, const v1::GetLastPositionsRequest& req);
  absl::StatusOr<v1::CountOnlineResponse> CountOnline(const Principal& p,
                                                      const v1::CountOnlineRequest& req);
  absl::StatusOr<v1::FindNearbyWorkersResponse> FindNearbyWorkers(
      const Principal& p, const v1::FindNearbyWorkersRequest& req);

  // Feed consumer effect for a geofence FenceEvent: records the worker's current grid in
  // `write` (committed by the consumer with its cursor) and, after commit, in memory via
  // CommitGrids. ENTER_GRID sets the grid; EXIT_GRID clears it only if it is still the
  // exited grid (as of `grid_updates`, this batch's earlier updates, else memory), so the
  // events of several geofence shards give the same grid in either order. Other event types
  // are ignored.
  // REQUIRES: calls and CommitGrids of all geofence consumers are serialised with their
  // commits (store::SerialCommit), so memory shows every committed grid.
  absl::Status ApplyGeofenceEvent(const common::v1::FeedEvent& event, store::WriteRequest& write,
                                  std::vector<std::pair<std::string, std::string>>* grid_updates);
  void CommitGrids(const std::vector<std::pair<std::string, std::string>>& grid_updates);

 private:
  LocationCore(LocationStore* store, LocationOptions options, LocationMetrics* metrics,
               Clock* clock);
  absl::StatusOr<std::string> ResolveWorker(const Principal& p, const std::string& worker_id,
                                            bool writing) const;
  absl::Status CheckReadable(const Principal& p, const std::string& worker_id) const;
  v1::WorkerPosition PositionOf(const std::string& worker) const
      ABSL_SHARED_LOCKS_REQUIRED(positions_mu_);
  void IndexPosition(const std::string& worker, const v1::WorkerPosition* old_pos,
                     const v1::WorkerPosition& pos) ABSL_EXCLUSIVE_LOCKS_REQUIRED(positions_mu_);

  LocationStore* const store_;
  const LocationOptions options_;
  LocationMetrics* const metrics_;
  Clock* const clock_;

  static constexpr size_t kWorkerStripes = 256;
  std::array<absl::Mutex, kWorkerStripes> worker_mu_;

  mutable absl::Mutex positions_mu_;
  absl::flat_hash_map<std::string, v1::WorkerPosition> last_ ABSL_GUARDED_BY(positions_mu_);
  absl::flat_hash_map<std::string, std::string> grid_ ABSL_GUARDED_BY(positions_mu_);
  // Spatial hash of last positions: cell (0.01° ≈ 1 km) -> workers.
  absl::flat_hash_map<int64_t, absl::flat_hash_set<std::string>> cells_
      ABSL_GUARDED_BY(positions_mu_);
};

}  // namespace gridwork::location

#endif  // GRIDWORK_SERVICES_LOCATION_LOCATION_CORE_H_
