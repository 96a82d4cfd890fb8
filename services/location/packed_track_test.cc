#include "services/location/packed_track.h"

#include <catch2/catch.hpp>
#include <limits>
#include <random>

namespace gridwork::location {
namespace {

// A worker-day: a fix every ~15 s, walking, some speeds unknown.
std::vector<TrackSample> Day(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<TrackSample> out;
  TrackSample s{1795000000000, 347500000, 1136500000, 80, 140};
  for (int i = 0; i < 5760; ++i) {
    s.time_ms += 15000 + static_cast<int>(rng() % 200);
    s.lat_e7 += static_cast<int>(rng() % 301) - 150;
    s.lng_e7 += static_cast<int>(rng() % 301) - 150;
    s.accuracy_dm = 50 + rng() % 100;
    s.speed_cms = i % 7 == 0 ? -1 : static_cast<int32_t>(rng() % 300);
    out.push_back(s);
  }
  return out;
}

TEST_CASE("packed track: round trip of a worker-day, smaller than TrackPoints") {
  const std::vector<TrackSample> day = Day(7);
  v1::PackedTrack packed;
  PackTrack(day, &packed);
  // Through the wire format, as a client sees it.
  v1::PackedTrack parsed;
  REQUIRE(parsed.ParseFromString(packed.SerializeAsString()));
  absl::StatusOr<std::vector<TrackSample>> back = UnpackTrack(parsed);
  REQUIRE(back.ok());
  REQUIRE(*back == day);

  v1::GetTrackResponse points;
  for (const TrackSample& s : day) *points.add_points() = ToTrackPoint(s);
  const size_t packed_bytes = packed.ByteSizeLong(), point_bytes = points.ByteSizeLong();
  INFO("packed " << packed_bytes << " B, TrackPoints " << point_bytes << " B");
  REQUIRE(packed_bytes * 2 < point_bytes);
}

TEST_CASE("packed track: extremes, unsorted and negative times survive the round trip") {
  std::vector<TrackSample> odd = {
      {0, 0, 0, 0, -1},
      {-86400001, -900000000, -1800000000, std::numeric_limits<uint32_t>::max(), 0},
      {253402300799999, 900000000, 1800000000, 1, std::numeric_limits<int32_t>::max()},
      {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
       std::numeric_limits<int64_t>::min(), 5, std::numeric_limits<int32_t>::min()},
      {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), 0, 5, 7},
  };
  v1::PackedTrack packed;
  PackTrack(odd, &packed);
  absl::StatusOr<std::vector<TrackSample>> back = UnpackTrack(packed);
  REQUIRE(back.ok());
  REQUIRE(*back == odd);

  PackTrack({}, &packed);  // replaces
  REQUIRE(packed.time_ms_size() == 0);
  back = UnpackTrack(packed);
  REQUIRE(back.ok());
  REQUIRE(back->empty());
}

TEST_CASE("packed track: arrays of different lengths are refused, not read past") {
  v1::PackedTrack packed;
  PackTrack(Day(3), &packed);
  packed.mutable_speed_cms()->RemoveLast();
  absl::StatusOr<std::vector<TrackSample>> back = UnpackTrack(packed);
  REQUIRE(back.status().code() == absl::StatusCode::kInvalidArgument);
  v1::PackedTrack only_times;
  only_times.add_time_ms(5);
  REQUIRE(UnpackTrack(only_times).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("packed track: a sample's TrackPoint carries the same values") {
  const TrackSample s{1795000012345, 347512345, -1136512345, 123, 456};
  const v1::TrackPoint t = ToTrackPoint(s);
  REQUIRE(t.device_time().seconds() == 1795000012);
  REQUIRE(t.device_time().nanos() == 345000000);
  REQUIRE(t.position().lat() == Approx(34.7512345).epsilon(1e-12));
  REQUIRE(t.position().lng() == Approx(-113.6512345).epsilon(1e-12));
  REQUIRE(t.accuracy_m() == Approx(12.3));
  REQUIRE(t.speed_mps() == Approx(4.56));
  const v1::TrackPoint before_epoch = ToTrackPoint({-1, 0, 0, 0, -1});
  REQUIRE(before_epoch.device_time().seconds() == -1);
  REQUIRE(before_epoch.device_time().nanos() == 999000000);
  REQUIRE(before_epoch.speed_mps() == -1);
}

}  // namespace
}  // namespace gridwork::location
