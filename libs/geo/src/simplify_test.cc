#include "gridwork/geo/simplify.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gridwork/geo/distance.h"

namespace gridwork::geo {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Metres per degree of latitude on the sphere of distance.h.
constexpr double kMPerDegLat = kEarthRadiusM * kPi / 180;

// A point `east_m`, `north_m` metres from (113.65, 34.75) in Zhengzhou.
TrackPoint At(double east_m, double north_m, int64_t t_ms = 0) {
  const double lat0 = 34.75;
  return TrackPoint{113.65 + east_m / (kMPerDegLat * std::cos(lat0 * kPi / 180)),
                    lat0 + north_m / kMPerDegLat, t_ms};
}

std::vector<size_t> Iota(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// Random walk of `n` steps of 0–20 m in a direction that turns by up to ±60° per step.
std::vector<TrackPoint> RandomWalk(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> step(0, 20), turn(-kPi / 3, kPi / 3);
  std::vector<TrackPoint> track;
  double x = 0, y = 0, heading = 0;
  for (size_t i = 0; i < n; ++i) {
    track.push_back(At(x, y, static_cast<int64_t>(i) * 5000));
    heading += turn(rng);
    const double s = step(rng);
    x += s * std::cos(heading);
    y += s * std::sin(heading);
  }
  return track;
}

// Checks the Douglas–Peucker guarantee: indices strictly increasing, endpoints kept, and each
// dropped point within `tol` of the segment between its kept neighbours.
void CheckSimplification(const std::vector<TrackPoint>& track, const std::vector<size_t>& kept,
                         double tol) {
  REQUIRE(kept.size() >= 2);
  REQUIRE(kept.size() <= track.size());
  CHECK(kept.front() == 0);
  CHECK(kept.back() == track.size() - 1);
  size_t violations = 0;
  for (size_t k = 1; k < kept.size(); ++k) {
    REQUIRE(kept[k - 1] < kept[k]);
    const Segment s(track[kept[k - 1]].point(), track[kept[k]].point());
    for (size_t i = kept[k - 1] + 1; i < kept[k]; ++i) {
      if (DistanceToSegmentMeters(track[i].point(), s) > tol) ++violations;
    }
  }
  CHECK(violations == 0);
}

TEST_CASE("Simplify: a straight line collapses to its endpoints", "[simplify]") {
  std::vector<TrackPoint> line;
  for (int i = 0; i <= 100; ++i) line.push_back(At(7.0 * i, 3.0 * i, i * 1000));
  CHECK(SimplifyTrack(line, 1.0) == std::vector<size_t>{0, 100});
  // Also for a line along a meridian, and with zero tolerance (points exactly on the chord).
  std::vector<TrackPoint> meridian;
  for (int i = 0; i <= 50; ++i) meridian.push_back(TrackPoint{113.65, 34.70 + i * 0.001, i});
  CHECK(SimplifyTrack(meridian, 0.0) == std::vector<size_t>{0, 50});
}

TEST_CASE("Simplify: a square wiggle keeps exactly its corners", "[simplify]") {
  // Three sides of a 100 m square, a point every 10 m: east, north, west.
  std::vector<TrackPoint> u;
  for (int i = 0; i <= 10; ++i) u.push_back(At(10.0 * i, 0));
  for (int i = 1; i <= 10; ++i) u.push_back(At(100, 10.0 * i));
  for (int i = 1; i <= 10; ++i) u.push_back(At(100 - 10.0 * i, 100));
  CHECK(SimplifyTrack(u, 5.0) == std::vector<size_t>{0, 10, 20, 30});
  // A zigzag with a 3 m amplitude disappears at a 5 m tolerance, stays at 1 m.
  std::vector<TrackPoint> zigzag;
  for (int i = 0; i <= 40; ++i) zigzag.push_back(At(10.0 * i, (i % 2) ? 3.0 : 0.0));
  CHECK(SimplifyTrack(zigzag, 5.0) == std::vector<size_t>{0, 40});
  CHECK(SimplifyTrack(zigzag, 1.0) == Iota(41));
}

TEST_CASE("Simplify: tolerance 0 keeps every non-collinear point", "[simplify]") {
  std::vector<TrackPoint> curve;
  for (int i = 0; i < 200; ++i) curve.push_back(At(10.0 * i, 0.01 * i * i));  // a parabola
  CHECK(SimplifyTrack(curve, 0.0) == Iota(200));
  // Negative and NaN tolerances behave as 0.
  CHECK(SimplifyTrack(curve, -5.0) == Iota(200));
  CHECK(SimplifyTrack(curve, std::numeric_limits<double>::quiet_NaN()) == Iota(200));
}

TEST_CASE("Simplify: empty, one and two points", "[simplify]") {
  CHECK(SimplifyTrack({}, 10.0).empty());
  CHECK(SimplifyTrack({At(0, 0)}, 10.0) == std::vector<size_t>{0});
  CHECK(SimplifyTrack({At(0, 0), At(0, 0)}, 10.0) == std::vector<size_t>{0, 1});
  CHECK(SimplifyTrack({At(0, 0), At(500, 0)}, 10.0) == std::vector<size_t>{0, 1});
  // A closed loop: the chord is a point, so the farthest point is kept.
  const std::vector<TrackPoint> loop{At(0, 0), At(30, 18), At(60, 40), At(0, 0)};
  CHECK(SimplifyTrack(loop, 10.0) == std::vector<size_t>{0, 2, 3});
}

TEST_CASE("Simplify: 5,000-point random walk, every dropped point checked by brute force",
          "[simplify]") {
  const std::vector<TrackPoint> track = RandomWalk(5000, 7);
  for (double tol : {2.0, 10.0, 50.0}) {
    const std::vector<size_t> kept = SimplifyTrack(track, tol);
    INFO("tolerance " << tol << " m kept " << kept.size());
    CheckSimplification(track, kept, tol);
    CHECK(kept.size() < track.size());
    // Brute force: distance to the whole kept polyline, found by trying every kept segment.
    std::vector<bool> is_kept(track.size(), false);
    for (size_t k : kept) is_kept[k] = true;
    size_t far = 0;
    for (size_t i = 0; i < track.size(); ++i) {
      if (is_kept[i]) continue;
      bool near = false;
      for (size_t k = 1; k < kept.size() && !near; ++k) {
        const Segment s(track[kept[k - 1]].point(), track[kept[k]].point());
        near = DistanceToSegmentMeters(track[i].point(), s) <= tol;
      }
      if (!near) ++far;
    }
    CHECK(far == 0);
  }
}

TEST_CASE("Simplify: 100,000-point random walk (explicit stack, no recursion)", "[simplify]") {
  const std::vector<TrackPoint> track = RandomWalk(100000, 11);
  const std::vector<size_t> kept = SimplifyTrack(track, 10.0);
  CheckSimplification(track, kept, 10.0);
  CHECK(kept.size() < track.size() / 2);
  // The largest output: every point of a 100 km parabola is kept at tolerance 0.
  std::vector<TrackPoint> bend;
  for (int i = 0; i < 100000; ++i) bend.push_back(At(1.0 * i, 1e-5 * i * static_cast<double>(i)));
  CHECK(SimplifyTrack(bend, 0.0).size() == 100000);
}

}  // namespace
}  // namespace gridwork::geo
