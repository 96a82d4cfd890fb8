// Worker assessment (考核): figures summed from daily aggregates, combined by configurable
// weights into a 0..100 score with a visible breakdown, ranked within a region scope.
//
// Each component scores 0..1 (capped at 1):
//   patrol_distance  distance_km / (target_distance_km × working_days)
//   own_grid_time    own_grid_hours / (target_own_grid_hours × working_days)
//   coverage         coverage_avg / target_coverage
//   check_ins        check_ins / check_ins_required            (1 when nothing is required)
//   inspections      inspections_on_time / inspections_assigned  (1 when none assigned)
//   incidents        incidents_confirmed / (target_incidents × working_days)
//   verifications    verifications_done / verifications_assigned (1 when none assigned)
//   response         2 - response_avg / target_response, in [0, 1] (1 when none done)
// score = 100 × Σ weight × value / Σ weight over components with weight > 0.
// A target of 0 makes its component 1. A working day is a day with at least one fix.
#ifndef GRIDWORK_SERVICES_ANALYTICS_ASSESSMENT_H_
#define GRIDWORK_SERVICES_ANALYTICS_ASSESSMENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "services/analytics/analytics_store.h"
#include "services/analytics/live_state.h"

namespace gridwork::analytics {

// The score and breakdown of `figures` under `config` (pure).
v1::AssessmentRow ScoreWorker(const v1::WorkerFigures& figures, const v1::AssessmentConfig& config);

// INVALID_ARGUMENT if a weight or target is negative or not finite, or all weights are 0.
absl::Status ValidateAssessmentConfig(const v1::AssessmentConfig& config);

// Every worker bound in `scope` with their figures over China days [first_day, last_day],
// scored, sorted best first and ranked (ties share a rank).
absl::StatusOr<std::vector<v1::AssessmentRow>> RankWorkers(const AnalyticsStore& store,
                                                           const LiveState& live,
                                                           const std::string& scope,
                                                           int32_t first_day, int32_t last_day,
                                                           const v1::AssessmentConfig& config);

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_ASSESSMENT_H_
