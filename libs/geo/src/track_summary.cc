#include "gridwork/geo/track_summary.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "gridwork/geo/distance.h"

namespace gridwork::geo {
namespace {

// Finds the stops (see the header). For each fix, `stop_of` gets the index of its stop or -1;
// for each stop, `chords` gets the distance from its first to its last fix, metres.
std::vector<TrackStop> FindStops(const std::vector<TrackPoint>& track,
                                 const SummaryOptions& options, std::vector<int>& stop_of,
                                 std::vector<double>& chords) {
  std::vector<TrackStop> stops;
  const size_t n = track.size();
  stop_of.assign(n, -1);
  chords.clear();
  size_t i = 0;
  while (i < n) {
    const Point anchor = track[i].point();
    size_t j = i + 1;  // the run is [i, j)
    while (j < n && track[j].t_ms - track[j - 1].t_ms < options.gap_min_duration_ms &&
           HaversineMeters(anchor, track[j].point()) <= options.stop_radius_m) {
      ++j;
    }
    if (track[j - 1].t_ms - track[i].t_ms < options.stop_min_duration_ms) {
      ++i;
      continue;
    }
    // Centroid as the mean offset from the anchor (longitudes folded, so a stop on the
    // antimeridian does not average to the other side of the Earth).
    double sum_dlng = 0, sum_dlat = 0;
    for (size_t k = i; k < j; ++k) {
      double dlng = track[k].lng - track[i].lng;
      if (dlng > 180) dlng -= 360;
      if (dlng < -180) dlng += 360;
      sum_dlng += dlng;
      sum_dlat += track[k].lat - track[i].lat;
      stop_of[k] = static_cast<int>(stops.size());
    }
    const double count = static_cast<double>(j - i);
    double lng = track[i].lng + sum_dlng / count;
    if (lng > 180) lng -= 360;
    if (lng < -180) lng += 360;
    stops.push_back(TrackStop{track[i].t_ms, track[j - 1].t_ms, lng,
                              track[i].lat + sum_dlat / count, static_cast<int>(j - i)});
    chords.push_back(HaversineMeters(anchor, track[j - 1].point()));
    i = j;
  }
  return stops;
}

// Silent intervals of at least gap_min_duration_ms inside the window (see the header).
std::vector<TrackGap> FindGaps(const std::vector<TrackPoint>& track,
                               const SummaryOptions& options) {
  std::vector<TrackGap> gaps;
  std::optional<int64_t> window_start = options.shift_start_ms;
  std::optional<int64_t> window_end = options.shift_end_ms;
  if (!track.empty()) {
    if (!window_start) window_start = track.front().t_ms;
    if (!window_end) window_end = track.back().t_ms;
  }
  if (!window_start || !window_end || *window_end <= *window_start) return gaps;

  auto add = [&](int64_t start, int64_t end) {
    if (end - start > 0 && end - start >= options.gap_min_duration_ms) {
      gaps.push_back(TrackGap{start, end});
    }
  };
  int64_t cursor = *window_start;  // the last moment known not to be silent
  for (const TrackPoint& fix : track) {
    if (cursor >= *window_end) break;
    if (fix.t_ms > cursor) add(cursor, std::min(fix.t_ms, *window_end));
    cursor = std::max(cursor, fix.t_ms);
  }
  if (cursor < *window_end) add(cursor, *window_end);
  return gaps;
}

}  // namespace

absl::Status ValidateSummaryOptions(const SummaryOptions& options) {
  if (options.stop_min_duration_ms < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("stop_min_duration_ms must be >= 0, got ", options.stop_min_duration_ms));
  }
  if (!(options.stop_radius_m >= 0) || !std::isfinite(options.stop_radius_m)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stop_radius_m must be a finite number >= 0, got ", options.stop_radius_m));
  }
  if (options.gap_min_duration_ms <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("gap_min_duration_ms must be > 0, got ", options.gap_min_duration_ms));
  }
  if (!(options.moving_speed_threshold_mps >= 0) ||
      !std::isfinite(options.moving_speed_threshold_mps)) {
    return absl::InvalidArgumentError(
        absl::StrCat("moving_speed_threshold_mps must be a finite number >= 0, got ",
                     options.moving_speed_threshold_mps));
  }
  if (options.shift_start_ms && options.shift_end_ms &&
      *options.shift_end_ms < *options.shift_start_ms) {
    return absl::InvalidArgumentError(absl::StrCat("shift_end_ms (", *options.shift_end_ms,
                                                   ") is before shift_start_ms (",
                                                   *options.shift_start_ms, ")"));
  }
  return absl::OkStatus();
}

TrackSummary Summarize(const std::vector<TrackPoint>& input, const SummaryOptions& options) {
  const auto by_time = [](const TrackPoint& a, const TrackPoint& b) { return a.t_ms < b.t_ms; };
  std::vector<TrackPoint> sorted;
  const std::vector<TrackPoint>* track = &input;
  if (!std::is_sorted(input.begin(), input.end(), by_time)) {
    sorted = input;
    std::stable_sort(sorted.begin(), sorted.end(), by_time);
    track = &sorted;
  }
  const std::vector<TrackPoint>& fixes = *track;

  TrackSummary summary;
  std::vector<int> stop_of;
  std::vector<double> chords;
  summary.stops = FindStops(fixes, options, stop_of, chords);
  summary.gaps = FindGaps(fixes, options);

  // A stop contributes the straight line from its first to its last fix, not its jitter.
  for (double chord : chords) summary.distance_m += chord;
  for (size_t k = 1; k < fixes.size(); ++k) {
    const TrackPoint& a = fixes[k - 1];
    const TrackPoint& b = fixes[k];
    const int64_t dt = b.t_ms - a.t_ms;
    if (dt >= options.gap_min_duration_ms) continue;                // across a gap: unknown path
    if (stop_of[k] >= 0 && stop_of[k] == stop_of[k - 1]) continue;  // inside a stop
    const double d = HaversineMeters(a.point(), b.point());
    summary.distance_m += d;
    if (dt > 0 && d >= options.moving_speed_threshold_mps * (static_cast<double>(dt) / 1000)) {
      summary.moving_time_ms += dt;
    }
  }
  return summary;
}

}  // namespace gridwork::geo
