// A worker's day from a track: distance walked, time moving, where they stopped, and when
// their phone was silent.
//
//   SummaryOptions options;
//   options.shift_start_ms = shift_start;  // gaps are counted inside the shift only
//   options.shift_end_ms = shift_end;
//   TrackSummary day = Summarize(fixes, options);
//
// Definitions (docs/geo.md, "Day summary"):
//  * A gap is a silent interval of at least gap_min_duration_ms inside the window: between two
//    consecutive fixes, from the window start to the first fix, or from the last fix to the
//    window end. The window is [shift_start_ms, shift_end_ms]; a bound that is not set is the
//    time of the first / last fix. Gaps are clipped to the window.
//  * A stop is a maximal run of consecutive fixes, all within stop_radius_m of the run's FIRST
//    fix (the classic stay-point rule, anchored — not a running centroid, so a slow drift cannot
//    grow a stop without bound), with no gap between consecutive fixes of the run, lasting at
//    least stop_min_duration_ms from its first to its last fix. Runs are found greedily from the
//    start of the track. Because the rule is a radius, the fixes of the first stop_radius_m of
//    leaving (or arriving) belong to the stop.
//  * distance_m sums the haversine distances between consecutive fixes, except (1) segments
//    whose fixes are gap_min_duration_ms or more apart (where the worker went is unknown), and
//    (2) inside a stop, where GPS jitter would add tens of metres a minute: a stop contributes
//    only the straight-line distance from its first to its last fix.
//  * moving_time_ms sums the durations of the counted segments outside stops whose speed is at
//    least moving_speed_threshold_mps.
#ifndef GRIDWORK_GEO_TRACK_SUMMARY_H_
#define GRIDWORK_GEO_TRACK_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "gridwork/geo/simplify.h"  // TrackPoint

namespace gridwork::geo {

// Parameters of Summarize. The defaults suit grid workers on foot or by bicycle.
struct SummaryOptions {
  // A stop lasts at least this long (ms, ≥ 0) from its first to its last fix. Default 5 min.
  int64_t stop_min_duration_ms = 5 * 60 * 1000;
  // Every fix of a stop is within this distance of the stop's first fix (metres, ≥ 0).
  double stop_radius_m = 50;
  // A silence this long (ms, > 0) is a gap. Default 10 min.
  int64_t gap_min_duration_ms = 10 * 60 * 1000;
  // The shift, ms since the Unix epoch (UTC). Only gaps depend on it; unset bounds default to
  // the first / last fix. REQUIRES: shift_start_ms ≤ shift_end_ms when both are set.
  std::optional<int64_t> shift_start_ms;
  std::optional<int64_t> shift_end_ms;
  // A segment at this speed or faster (m/s, ≥ 0) counts as moving time. Default 0.5 m/s.
  double moving_speed_threshold_mps = 0.5;
};

// A place where the worker stayed.
struct TrackStop {
  int64_t start_ms = 0;  // time of the stop's first fix
  int64_t end_ms = 0;    // time of the stop's last fix
  double lng = 0;        // centroid (mean of the fixes), WGS-84 degrees
  double lat = 0;
  int fix_count = 0;  // fixes in the stop, ≥ 2 unless stop_min_duration_ms is 0
};

// A silent interval [start_ms, end_ms] (ms since the Unix epoch), inside the window.
struct TrackGap {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

// The result of Summarize. A value type; copy freely.
struct TrackSummary {
  double distance_m = 0;         // metres; no segments across gaps, a stop counts first-to-last fix
  int64_t moving_time_ms = 0;    // ms
  std::vector<TrackStop> stops;  // in time order, disjoint
  std::vector<TrackGap> gaps;    // in time order, disjoint
};

// OK, or InvalidArgument naming the first field out of its range (negative or non-finite
// radius, duration or speed; gap_min_duration_ms ≤ 0; shift_end_ms < shift_start_ms).
absl::Status ValidateSummaryOptions(const SummaryOptions& options);

// Summarises a track (see the definitions at the top of this file).
//
// `track` should be sorted by t_ms (the location service stores it so); if it is not, a sorted
// copy is used (stable: fixes with equal times keep their order). Fixes with equal times are
// allowed: their distance counts, their time (0) does not. Fixes outside the shift window still
// count for distance, stops and moving time — pass only the fixes of the period to summarise.
// An empty track with a shift is one gap covering the whole shift (if it is long enough).
// REQUIRES: ValidateSummaryOptions(options).ok() (otherwise the result is meaningless, but the
// call still returns); finite coordinates (a NaN makes distance_m NaN).
// Complexity: O(n·k) time, k = the most fixes within stop_radius_m of a fix and shorter than
// stop_min_duration_ms after it (small in practice), plus O(n log n) if unsorted; O(n) memory.
// Thread-safe (pure).
TrackSummary Summarize(const std::vector<TrackPoint>& track, const SummaryOptions& options);

}  // namespace gridwork::geo

#endif  // GRIDWORK_GEO_TRACK_SUMMARY_H_
