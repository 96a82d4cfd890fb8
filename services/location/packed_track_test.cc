#include "services/location/packed_track.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
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

namespace gridwork::location {
namespace {

// Hidden ([.bench]): serialize + parse + decode of a worker-day, delta-encoded (what
// PackTrack writes) against the same arrays holding absolute values, and TrackPoints.
TEST_CASE("packed track: encodings compared", "[.bench]") {
  const std::vector<TrackSample> day = Day(11);
  v1::PackedTrack delta, absolute;
  PackTrack(day, &delta);
  for (const TrackSample& s : day) {
    absolute.add_time_ms(s.time_ms);
    absolute.add_lat_e7(s.lat_e7);
    absolute.add_lng_e7(s.lng_e7);
    absolute.add_accuracy_dm(s.accuracy_dm);
    absolute.add_speed_cms(s.speed_cms);
  }
  v1::GetTrackResponse points;
  for (const TrackSample& s : day) *points.add_points() = ToTrackPoint(s);
  auto time = [](auto&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    constexpr int kRounds = 200;
    for (int i = 0; i < kRounds; ++i) f();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
           kRounds;
  };
  size_t sink = 0;
  const double d_us = time([&] {
    v1::PackedTrack p;
    p.ParseFromString(delta.SerializeAsString());
    sink += UnpackTrack(p)->size();
  });
  const double a_us = time([&] {
    v1::PackedTrack p;
    p.ParseFromString(absolute.SerializeAsString());
    std::vector<TrackSample> out(static_cast<size_t>(p.time_ms_size()));
    for (int i = 0; i < p.time_ms_size(); ++i) {
      out[static_cast<size_t>(i)] = {p.time_ms(i), p.lat_e7(i), p.lng_e7(i), p.accuracy_dm(i),
                                     p.speed_cms(i)};
    }
    sink += out.size();
  });
  const double t_us = time([&] {
    v1::GetTrackResponse r;
    r.ParseFromString(points.SerializeAsString());
    sink += static_cast<size_t>(r.points_size());
  });
  std::printf("worker-day of %zu fixes: delta %zu B %.0f us, absolute %zu B %.0f us, TrackPoints %zu B %.0f us (%zu)\n",
              day.size(), delta.ByteSizeLong(), d_us, absolute.ByteSizeLong(), a_us,
              points.ByteSizeLong(), t_us, sink);
}

}  // namespace
}  // namespace gridwork::location
