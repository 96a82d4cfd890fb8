// LiveState: the in-memory view the cockpit reads — every worker's last position, bindings,
// grid rasters, today's coverage, open orders and the counters of the last two days.
//
// It is derived from the store only: built by Load() at startup and then changed only by
// LiveDelta::Apply after the consumer that prepared the delta committed the same change to the
// store (FeedConsumerOptions::on_committed). So memory never shows an effect the store lacks,
// and a restart rebuilds exactly the same view.
//
// Thread safety: every member function is thread-safe. Readers take the shared lock through
// Read(); consumers prepare deltas without a lock and apply them under the exclusive lock.
#ifndef GRIDWORK_SERVICES_ANALYTICS_LIVE_STATE_H_
#define GRIDWORK_SERVICES_ANALYTICS_LIVE_STATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridwork/analytics/internal/records.pb.h"
#include "services/analytics/analytics_store.h"

namespace gridwork::analytics {

namespace internal = ::gridwork::analytics::internal;

// A grid's raster with a cell -> index lookup (the index is the bit in coverage bitmaps).
struct GridIndex {
  std::string grid_id;
  std::vector<uint64_t> cells;  // ascending
  std::unordered_map<uint64_t, uint32_t> index;

  static std::shared_ptr<const GridIndex> Build(const internal::GridRaster& raster);
  // The cell's bit index, or -1 if the cell is not in the grid.
  int64_t IndexOf(uint64_t cell) const {
    auto it = index.find(cell);
    return it == index.end() ? -1 : static_cast<int64_t>(it->second);
  }
};

struct LiveWorker {
  std::string grid_id;  // first bound grid ("" = unbound)
  double lat = 0;
  double lng = 0;
  int64_t last_fix_ms = 0;  // 0 = no fix yet
  std::string own_grid_id;  // own grid of the last fix ("" = outside)
};

struct OpenOrder {
  int32_t state = 0;
  std::string region_path;
  bool overdue = false;
};

// Changes prepared by one consumer handler call, applied after its commit.
struct LiveDelta {
  // Position updates (grid_id is filled in from the bindings at Apply).
  std::map<std::string, LiveWorker> workers;
  std::map<std::string, std::vector<std::string>> bindings;       // empty vector = unbound
  std::map<std::string, std::shared_ptr<const GridIndex>> grids;  // null = deleted
  std::map<std::pair<int32_t, std::string>, int32_t> coverage;    // (day, grid) -> cells visited
  std::map<std::string, std::optional<internal::KeyPointRule>> key_points;
  std::map<std::string, std::optional<OpenOrder>> orders;
  std::map<std::string, int64_t> counters;  // encoded CounterKey -> delta

  bool empty() const {
    return workers.empty() && bindings.empty() && grids.empty() && coverage.empty() &&
           key_points.empty() && orders.empty() && counters.empty();
  }
};

class LiveState {
 public:
  // The workers bound to one grid (LiveWorker::grid_id), by worker id. The pointers are into
  // View::workers (whose elements never move) and valid while the view is.
  using GridMembers = std::map<std::string, const LiveWorker*>;

  struct View {
    const std::unordered_map<std::string, LiveWorker>& workers;
    // Every worker with a grid_id, by that grid: the bound workers of a region without a walk
    // over all workers (most of whom, phones of unbound staff or load, have no grid).
    const std::unordered_map<std::string, GridMembers>& workers_by_grid;
    const std::unordered_map<std::string, std::vector<std::string>>& bindings;
    const std::unordered_map<std::string, std::shared_ptr<const GridIndex>>& grids;
    const std::map<std::pair<int32_t, std::string>, int32_t>& coverage;
    const std::unordered_map<std::string, internal::KeyPointRule>& key_points;
    const std::unordered_map<std::string, OpenOrder>& orders;
    // Counters of hours >= mirror_from_hour, by encoded CounterKey (sorted: scan by prefix).
    const std::map<std::string, int64_t>& counters;
    int64_t mirror_from_hour;
  };

  // `mirror_hours`: how many hours back from now the counter mirror keeps (>= 48).
  LiveState(Clock* clock, int64_t mirror_hours) : clock_(clock), mirror_hours_(mirror_hours) {}

  // Replaces everything by what `store` holds. Call before consumers start.
  absl::Status Load(const AnalyticsStore& store);
  // Empties everything (Rebuild).
  void Clear();

  void Apply(const LiveDelta& delta);
  // Drops mirrored counters older than the mirror window and coverage of days before
  // yesterday. Call periodically.
  void Prune();

  // Runs `fn` with a consistent view under the shared lock.
  void Read(const std::function<void(const View&)>& fn) const;
  // The grid index of `grid_id` (null if unknown) and a worker's grids, for handlers.
  std::shared_ptr<const GridIndex> Grid(const std::string& grid_id) const;
  std::vector<std::string> BindingsOf(const std::string& worker) const;
  int32_t CoverageOf(int32_t day, const std::string& grid) const;

  // Increases with every Apply; WaitForChange blocks until it exceeds `seen` or `deadline`.
  uint64_t generation() const;
  uint64_t WaitForChange(uint64_t seen, absl::Time deadline) const;

 private:
  int64_t MirrorFromHour() const;
  // Sets a worker's grid_id and keeps workers_by_grid_ in step.
  void SetGrid(const std::string& worker, std::string grid_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void IndexAllGrids() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* clock_;
  const int64_t mirror_hours_;
  mutable absl::Mutex mu_;
  std::unordered_map<std::string, LiveWorker> workers_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, GridMembers> workers_by_grid_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, std::vector<std::string>> bindings_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, std::shared_ptr<const GridIndex>> grids_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<int32_t, std::string>, int32_t> coverage_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, internal::KeyPointRule> key_points_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, OpenOrder> orders_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> counters_ ABSL_GUARDED_BY(mu_);
  int64_t mirror_from_hour_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

// Open = not closed and not cancelled.
bool IsOpenState(int32_t state);

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_LIVE_STATE_H_
