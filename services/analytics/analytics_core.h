// AnalyticsCore: who may see which figures (roles and region scope) and the mutations
// (assessment config, rebuild). Every read goes through ResolveScope, so a request for a region
// outside the caller's scope is PERMISSION_DENIED before anything is read.
//
// Roles (DESIGN.md section 1):
//   admin, district command, street manager, community station, grid leader, viewer, service:
//       every figure inside their region scope
//   grid worker: their own assessment row and the coverage of their scope only
//   department handler: work-order figures of their own department only
//   resident: nothing
//
// Thread safety: all methods are thread-safe.
#ifndef GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_CORE_H_
#define GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_CORE_H_

#include <atomic>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/rpc/principal.h"
#include "services/analytics/analytics_store.h"
#include "services/analytics/consumers.h"
#include "services/analytics/live_state.h"
#include "services/analytics/queries.h"

namespace gridwork::analytics {

using rpc::Principal;

class AnalyticsCore {
 public:
  // None owned; all must outlive the core. `consumers` may be null (tests without feeds).
  AnalyticsCore(AnalyticsStore* store, LiveState* live, Queries* queries, ConsumerSet* consumers);

  // The effective scope of a read: `requested` (or the caller's own scope when empty), which
  // must lie within the caller's scope. PERMISSION_DENIED for roles without access.
  absl::StatusOr<std::string> ReadScope(const Principal& p, const std::string& requested) const;

  absl::StatusOr<v1::Cockpit> GetCockpit(const Principal& p, const v1::GetCockpitRequest& r) const;
  absl::StatusOr<v1::ListLiveWorkersResponse> ListLiveWorkers(
      const Principal& p, const v1::ListLiveWorkersRequest& r) const;
  absl::StatusOr<v1::GetCoverageResponse> GetCoverage(const Principal& p,
                                                      const v1::GetCoverageRequest& r) const;
  absl::StatusOr<v1::GetHeatmapResponse> GetHeatmap(const Principal& p,
                                                    const v1::GetHeatmapRequest& r) const;
  absl::StatusOr<v1::ListSurgesResponse> ListSurges(const Principal& p,
                                                    const v1::ListSurgesRequest& r) const;
  absl::StatusOr<v1::QuerySeriesResponse> QuerySeries(const Principal& p,
                                                      const v1::QuerySeriesRequest& r) const;
  absl::StatusOr<std::string> SeriesCsv(const Principal& p, const v1::QuerySeriesRequest& r) const;
  absl::StatusOr<v1::GetOrderStatsResponse> GetOrderStats(const Principal& p,
                                                          const v1::GetOrderStatsRequest& r) const;
  absl::StatusOr<v1::GetInspectionStatsResponse> GetInspectionStats(
      const Principal& p, const v1::GetInspectionStatsRequest& r) const;
  absl::StatusOr<v1::ListAssessmentResponse> ListAssessment(
      const Principal& p, const v1::ListAssessmentRequest& r) const;
  absl::StatusOr<std::string> AssessmentCsvExport(const Principal& p,
                                                  const v1::ListAssessmentRequest& r) const;
  absl::StatusOr<v1::AssessmentConfig> GetAssessmentConfig(
      const Principal& p, const v1::GetAssessmentConfigRequest& r) const;
  absl::StatusOr<v1::AssessmentConfig> SetAssessmentConfig(const Principal& p,
                                                           const v1::SetAssessmentConfigRequest& r);
  absl::StatusOr<v1::RebuildStatus> Rebuild(const Principal& p, const v1::RebuildRequest& r);
  absl::StatusOr<v1::RebuildStatus> GetRebuildStatus(const Principal& p,
                                                     const v1::GetRebuildStatusRequest& r) const;
  absl::StatusOr<v1::AggregateDigest> GetAggregateDigest(
      const Principal& p, const v1::GetAggregateDigestRequest& r) const;

  // Finishes a rebuild that a crash interrupted (the marker is still set). Call at startup,
  // before the consumers start.
  absl::Status ResumeInterruptedRebuild();

  const LiveState& live() const { return *live_; }

 private:
  absl::StatusOr<std::vector<v1::AssessmentRow>> Ranked(const Principal& p,
                                                        const v1::ListAssessmentRequest& r) const;
  // Drops cursors and aggregates (consumers stopped). Leaves no marker on success.
  absl::Status DropEverything();

  AnalyticsStore* store_;
  LiveState* live_;
  Queries* queries_;
  ConsumerSet* consumers_;
  absl::Mutex config_mu_;  // serialises SetAssessmentConfig's read-check-write
  mutable absl::Mutex rebuild_mu_;
  absl::Time rebuild_started_ ABSL_GUARDED_BY(rebuild_mu_) = absl::InfinitePast();
  int32_t rebuilds_ ABSL_GUARDED_BY(rebuild_mu_) = 0;
};

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_CORE_H_
