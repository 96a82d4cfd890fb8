// Histograms of stage handling times (work orders): fixed bucket bounds so that histograms of
// different hours, regions and departments merge by adding bucket counts. The p90 reported is
// the upper bound of the bucket holding the 90th percentile (an over-estimate by at most one
// bucket width; the average is exact from the sum).
#ifndef GRIDWORK_SERVICES_ANALYTICS_STAGE_HISTOGRAM_H_
#define GRIDWORK_SERVICES_ANALYTICS_STAGE_HISTOGRAM_H_

#include <array>
#include <cstdint>

#include "gridwork/analytics/internal/records.pb.h"

namespace gridwork::analytics {

// Upper bounds in seconds (inclusive); a last, open bucket holds everything longer.
inline constexpr std::array<int64_t, 16> kStageBucketBoundsS = {
    60,    300,   900,    1800,   3600,   7200,   14400,   28800,
    43200, 86400, 172800, 259200, 432000, 604800, 1209600, 2592000};
inline constexpr int kStageBuckets = static_cast<int>(kStageBucketBoundsS.size()) + 1;

// Adds one duration (negative durations count as 0).
void AddStageSample(double seconds, internal::StageHistogram* h);
// Adds every bucket of `from` into `into`.
void MergeStageHistogram(const internal::StageHistogram& from, internal::StageHistogram* into);
// Upper bound (s) of the bucket holding quantile q in (0, 1]; for the open bucket, the
// largest bound. 0 for an empty histogram.
double StageQuantileUpperBound(const internal::StageHistogram& h, double q);

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_STAGE_HISTOGRAM_H_
