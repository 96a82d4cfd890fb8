#include "gridwork/geo/track_summary.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "gridwork/geo/distance.h"

namespace gridwork::geo {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMPerDegLat = kEarthRadiusM * kPi / 180;
constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
// 2024-06-03 08:00 Beijing time (00:00 UTC), ms since the epoch: a shift start.
constexpr int64_t kDay = 1717372800000;

// A fix `east_m`, `north_m` metres from (113.65, 34.75) in Zhengzhou at kDay + t_ms.
TrackPoint At(double east_m, double north_m, int64_t t_ms) {
  const double lat0 = 34.75;
  return TrackPoint{113.65 + east_m / (kMPerDegLat * std::cos(lat0 * kPi / 180)),
                    lat0 + north_m / kMPerDegLat, kDay + t_ms};
}

// Walks north from (0, from_m) at `speed` m/s with a fix every `every_ms`, starting at t0_ms,
// until `to_m`; the last fix is exactly at `to_m` (fixes are appended, the first one excluded).
void WalkNorth(std::vector<TrackPoint>& track, double from_m, double to_m, int64_t t0_ms,
               double speed, int64_t every_ms) {
  const double total_ms = (to_m - from_m) / speed * 1000;
  for (int64_t t = every_ms; t < total_ms; t += every_ms) {
    track.push_back(At(0, from_m + speed * static_cast<double>(t) / 1000, t0_ms + t));
  }
  track.push_back(At(0, to_m, t0_ms + static_cast<int64_t>(std::llround(total_ms))));
}

double PathLength(const std::vector<TrackPoint>& track) {
  double d = 0;
  for (size_t k = 1; k < track.size(); ++k)
    d += HaversineMeters(track[k - 1].point(), track[k].point());
  return d;
}

TEST_CASE("Summary: 1 km straight walk at 1.2 m/s", "[track_summary]") {
  std::vector<TrackPoint> track{At(0, 0, 0)};
  WalkNorth(track, 0, 1000, 0, 1.2, 10 * kSec);  // 84 fixes, the last at 833,333 ms
  const TrackSummary s = Summarize(track, SummaryOptions{});
  CHECK(s.distance_m == Approx(1000).epsilon(0.005));
  CHECK(s.moving_time_ms == 833333);
  CHECK(s.stops.empty());
  CHECK(s.gaps.empty());
  // Slower than the moving threshold: no moving time, but the distance still counts (a slow
  // walk of 0.4 m/s does not stay within 50 m for 5 minutes either, so no stop).
  std::vector<TrackPoint> slow{At(0, 0, 0)};
  WalkNorth(slow, 0, 400, 0, 0.4, 20 * kSec);
  const TrackSummary t = Summarize(slow, SummaryOptions{});
  CHECK(t.distance_m == Approx(400).epsilon(0.005));
  CHECK(t.moving_time_ms == 0);
  CHECK(t.stops.empty());
}

TEST_CASE("Summary: a 7-minute stop, then a walk", "[track_summary]") {
  std::vector<TrackPoint> track;
  for (int64_t t = 0; t <= 7 * kMin; t += 30 * kSec) track.push_back(At(0, 0, t));  // 15 fixes
  WalkNorth(track, 0, 360, 7 * kMin, 1.2, 10 * kSec);  // 30 fixes, 12 m apart
  const TrackSummary s = Summarize(track, SummaryOptions{});
  REQUIRE(s.stops.size() == 1);
  const TrackStop& stop = s.stops[0];
  CHECK(stop.start_ms == kDay);
  // The first 4 walking fixes (12…48 m) are within the 50 m radius of the stop's first fix:
  // the stop ends at the last of them, 7 min 40 s.
  CHECK(stop.end_ms == kDay + 7 * kMin + 40 * kSec);
  CHECK(stop.fix_count == 19);
  // Centroid: (15 × 0 + 12 + 24 + 36 + 48) / 19 m north of the spot.
  CHECK(HaversineMeters(LngLat(stop.lng, stop.lat), At(0, 120.0 / 19, 0).point()) < 0.01);
  // All 360 m count: 48 m as the stop's chord, 312 m walked after it.
  CHECK(s.distance_m == Approx(360).epsilon(1e-6));
  CHECK(s.moving_time_ms == 260 * kSec);  // 7:40 → 12:00
  CHECK(s.gaps.empty());

  // 4 minutes are not enough.
  std::vector<TrackPoint> short_stop;
  for (int64_t t = 0; t <= 4 * kMin; t += 30 * kSec) short_stop.push_back(At(0, 0, t));
  WalkNorth(short_stop, 0, 360, 4 * kMin, 1.2, 10 * kSec);
  CHECK(Summarize(short_stop, SummaryOptions{}).stops.empty());
}

TEST_CASE("Summary: standing still 20 minutes with ±10 m GPS jitter", "[track_summary]") {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> jitter(-10, 10);
  std::vector<TrackPoint> track;
  for (int64_t t = 0; t <= 20 * kMin; t += 15 * kSec) {
    track.push_back(At(jitter(rng), jitter(rng), t));  // 81 fixes
  }
  // Summed fix to fix, the jitter alone would be hundreds of metres.
  REQUIRE(PathLength(track) > 500);

  const TrackSummary s = Summarize(track, SummaryOptions{});
  REQUIRE(s.stops.size() == 1);
  CHECK(s.stops[0].start_ms == kDay);
  CHECK(s.stops[0].end_ms == kDay + 20 * kMin);
  CHECK(s.stops[0].fix_count == 81);
  CHECK(HaversineMeters(LngLat(s.stops[0].lng, s.stops[0].lat), At(0, 0, 0).point()) < 3);
  // Jitter inside a stop is not distance: the stop counts only its first-to-last chord.
  CHECK(s.distance_m == Approx(HaversineMeters(track.front().point(), track.back().point())));
  CHECK(s.distance_m < 30);
  CHECK(s.moving_time_ms == 0);
  CHECK(s.gaps.empty());
}

TEST_CASE("Summary: a 15-minute silence inside the shift is one gap", "[track_summary]") {
  std::vector<TrackPoint> track{At(0, 0, 0)};
  WalkNorth(track, 0, 720, 0, 1.2, 10 * kSec);              // 0:00 → 10:00
  track.push_back(At(0, 1220, 25 * kMin));                  // 500 m further, 15 min on
  WalkNorth(track, 1220, 1940, 25 * kMin, 1.2, 10 * kSec);  // 25:00 → 35:00
  SummaryOptions options;
  options.shift_start_ms = kDay;
  options.shift_end_ms = kDay + 35 * kMin;
  const TrackSummary s = Summarize(track, options);
  REQUIRE(s.gaps.size() == 1);
  CHECK(s.gaps[0].start_ms == kDay + 10 * kMin);
  CHECK(s.gaps[0].end_ms == kDay + 25 * kMin);
  // The 500 m jump across the gap is not distance, nor moving time.
  CHECK(s.distance_m == Approx(1440).epsilon(1e-6));
  CHECK(s.moving_time_ms == 20 * kMin);
  CHECK(s.stops.empty());
  // Without a shift the window is first fix → last fix: the same gap.
  REQUIRE(Summarize(track, SummaryOptions{}).gaps.size() == 1);
  // A 9-minute silence is not a gap, and its segment counts.
  std::vector<TrackPoint> short_silence{At(0, 0, 0), At(0, 648, 9 * kMin)};
  const TrackSummary t = Summarize(short_silence, options);
  CHECK(t.distance_m == Approx(648).epsilon(1e-6));
  REQUIRE(t.gaps.size() == 1);  // …but 9:00 → 35:00, the end of the shift, is
  CHECK(t.gaps[0].start_ms == kDay + 9 * kMin);
  CHECK(t.gaps[0].end_ms == kDay + 35 * kMin);
}

TEST_CASE("Summary: gaps at the edges of the shift, clipped to it", "[track_summary]") {
  std::vector<TrackPoint> track{At(0, 0, 30 * kMin)};
  WalkNorth(track, 0, 720, 30 * kMin, 1.2, 10 * kSec);  // 0:30 → 0:40
  SummaryOptions options;
  options.shift_start_ms = kDay;            // 30 minutes before the first fix
  options.shift_end_ms = kDay + 45 * kMin;  // 5 minutes after the last: not a gap
  TrackSummary s = Summarize(track, options);
  REQUIRE(s.gaps.size() == 1);
  CHECK(s.gaps[0].start_ms == kDay);
  CHECK(s.gaps[0].end_ms == kDay + 30 * kMin);

  options.shift_end_ms = kDay + 52 * kMin;  // 12 minutes after the last fix: a gap
  s = Summarize(track, options);
  REQUIRE(s.gaps.size() == 2);
  CHECK(s.gaps[1].start_ms == kDay + 40 * kMin);
  CHECK(s.gaps[1].end_ms == kDay + 52 * kMin);

  // Fixes before and after the shift bound the silences; only the part inside counts.
  std::vector<TrackPoint> around{At(0, 0, -20 * kMin), At(0, 0, 8 * kMin), At(0, 0, 60 * kMin)};
  options.shift_start_ms = kDay;
  options.shift_end_ms = kDay + 30 * kMin;
  s = Summarize(around, options);
  REQUIRE(s.gaps.size() == 1);  // 0:00 → 0:08 is too short; 0:08 → 0:30 is clipped
  CHECK(s.gaps[0].start_ms == kDay + 8 * kMin);
  CHECK(s.gaps[0].end_ms == kDay + 30 * kMin);
}

TEST_CASE("Summary: no fixes", "[track_summary]") {
  SummaryOptions options;
  options.shift_start_ms = kDay;
  options.shift_end_ms = kDay + 8 * 60 * kMin;
  const TrackSummary s = Summarize({}, options);
  REQUIRE(s.gaps.size() == 1);
  CHECK(s.gaps[0].start_ms == kDay);
  CHECK(s.gaps[0].end_ms == kDay + 8 * 60 * kMin);
  CHECK(s.distance_m == 0);
  CHECK(s.moving_time_ms == 0);
  CHECK(s.stops.empty());
  // Without a shift there is no window, hence nothing at all.
  const TrackSummary none = Summarize({}, SummaryOptions{});
  CHECK(none.gaps.empty());
  CHECK(none.stops.empty());
  // One fix: no distance; the shift around it is two gaps.
  const TrackSummary one = Summarize({At(0, 0, 4 * 60 * kMin)}, options);
  CHECK(one.distance_m == 0);
  CHECK(one.gaps.size() == 2);
}

TEST_CASE("Summary: a stop never spans a gap", "[track_summary]") {
  // Sitting still with the phone silent for 30 minutes in the middle.
  std::vector<TrackPoint> track;
  for (int64_t t = 0; t <= 6 * kMin; t += 30 * kSec) track.push_back(At(0, 0, t));
  for (int64_t t = 36 * kMin; t <= 42 * kMin; t += 30 * kSec) track.push_back(At(0, 0, t));
  const TrackSummary s = Summarize(track, SummaryOptions{});
  REQUIRE(s.stops.size() == 2);
  CHECK(s.stops[0].end_ms == kDay + 6 * kMin);
  CHECK(s.stops[1].start_ms == kDay + 36 * kMin);
  REQUIRE(s.gaps.size() == 1);
  CHECK(s.gaps[0].start_ms == kDay + 6 * kMin);
  CHECK(s.gaps[0].end_ms == kDay + 36 * kMin);
}

TEST_CASE("Summary: unsorted input is sorted first", "[track_summary]") {
  std::vector<TrackPoint> track;
  for (int64_t t = 0; t <= 7 * kMin; t += 30 * kSec) track.push_back(At(0, 0, t));
  WalkNorth(track, 0, 360, 7 * kMin, 1.2, 10 * kSec);
  std::vector<TrackPoint> shuffled = track;
  std::mt19937_64 rng(3);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const TrackSummary a = Summarize(track, SummaryOptions{});
  const TrackSummary b = Summarize(shuffled, SummaryOptions{});
  CHECK(a.distance_m == b.distance_m);
  CHECK(a.moving_time_ms == b.moving_time_ms);
  REQUIRE(b.stops.size() == 1);
  CHECK(b.stops[0].end_ms == a.stops[0].end_ms);
}

TEST_CASE("Summary: options are validated", "[track_summary]") {
  CHECK(ValidateSummaryOptions(SummaryOptions{}).ok());
  SummaryOptions o;
  o.stop_radius_m = -1;
  CHECK(ValidateSummaryOptions(o).code() == absl::StatusCode::kInvalidArgument);
  o = SummaryOptions{};
  o.gap_min_duration_ms = 0;
  CHECK(ValidateSummaryOptions(o).code() == absl::StatusCode::kInvalidArgument);
  o = SummaryOptions{};
  o.moving_speed_threshold_mps = std::nan("");
  CHECK(ValidateSummaryOptions(o).code() == absl::StatusCode::kInvalidArgument);
  o = SummaryOptions{};
  o.shift_start_ms = kDay;
  o.shift_end_ms = kDay - 1;
  CHECK(ValidateSummaryOptions(o).code() == absl::StatusCode::kInvalidArgument);
  CHECK(Summarize({At(0, 0, 0)}, o).gaps.empty());  // an inverted shift has no gaps
}

}  // namespace
}  // namespace gridwork::geo
