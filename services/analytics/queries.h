// Read side of analytics: every figure the API returns, for a region scope that the caller
// (AnalyticsCore) has already checked against the principal.
//
// Live figures (cockpit, live workers, today's coverage) read LiveState only, so they cost
// memory scans, never disk; windowed figures (series, stats, heatmap, surges, assessment)
// range-scan the counters family.
//
// Thread safety: all methods are thread-safe.
#ifndef GRIDWORK_SERVICES_ANALYTICS_QUERIES_H_
#define GRIDWORK_SERVICES_ANALYTICS_QUERIES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/core/clock.h"
#include "services/analytics/analytics_store.h"
#include "services/analytics/cells.h"
#include "services/analytics/live_state.h"

namespace gridwork::analytics {

struct QueryOptions {
  absl::Duration online_window = absl::Minutes(5);
  // Surges shown in the cockpit are recomputed at most this often.
  absl::Duration surge_cache_ttl = absl::Seconds(30);
};

class Queries {
 public:
  Queries(const AnalyticsStore* store, const LiveState* live, const CellRaster* raster,
          Clock* clock, QueryOptions options);

  v1::Cockpit Cockpit(const std::string& scope) const;
  absl::StatusOr<v1::ListLiveWorkersResponse> LiveWorkers(
      const std::string& scope, const v1::ListLiveWorkersRequest& r) const;
  absl::StatusOr<v1::GetCoverageResponse> Coverage(const std::string& scope,
                                                   const v1::GetCoverageRequest& r) const;
  absl::StatusOr<v1::GetHeatmapResponse> Heatmap(const std::string& scope,
                                                 const v1::GetHeatmapRequest& r) const;
  absl::StatusOr<v1::ListSurgesResponse> Surges(const std::string& scope,
                                                const v1::ListSurgesRequest& r) const;
  absl::StatusOr<v1::QuerySeriesResponse> Series(const std::string& scope,
                                                 const v1::QuerySeriesRequest& r) const;
  absl::StatusOr<v1::GetOrderStatsResponse> OrderStats(const std::string& scope,
                                                       const v1::GetOrderStatsRequest& r,
                                                       const std::string& only_department) const;
  absl::StatusOr<v1::GetInspectionStatsResponse> InspectionStats(
      const std::string& scope, const v1::GetInspectionStatsRequest& r) const;

  // Visits every stored counter of `metric` with hour in [from_hour, to_hour) whose region
  // lies within `scope`.
  absl::Status ScanCounters(v1::Metric metric, int64_t from_hour, int64_t to_hour,
                            const std::string& scope,
                            const std::function<void(const CounterKey&, int64_t)>& fn) const;

  Clock* clock() const { return clock_; }

 private:
  // Surges of the whole system for today (cached), filtered by the caller.
  std::vector<v1::Surge> CachedSurges() const;

  const AnalyticsStore* store_;
  const LiveState* live_;
  const CellRaster* raster_;
  Clock* clock_;
  const QueryOptions options_;

  mutable absl::Mutex surge_mu_;
  mutable absl::Time surge_at_ ABSL_GUARDED_BY(surge_mu_) = absl::InfinitePast();
  mutable std::vector<v1::Surge> surges_ ABSL_GUARDED_BY(surge_mu_);
};

// The region path of `path` one level below `scope` (the child it belongs to), or `path` if it
// is not deeper. REQUIRES: PathWithin(path, scope).
std::string ChildOf(const std::string& path, const std::string& scope);

// The community-level prefix (district/street/community: the first three path segments) of
// a path, or the path itself if it is shallower.
std::string CommunityOf(const std::string& path);

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_QUERIES_H_
