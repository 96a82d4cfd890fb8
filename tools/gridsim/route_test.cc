#include "tools/gridsim/route.h"

#include <catch2/catch.hpp>
#include <set>

#include "gridwork/geo/distance.h"
#include "tools/gridsim/test_city.h"

namespace gridwork::gridsim {
namespace {

// An L-shaped (concave) grid of about 600 m x 600 m with a 300 m x 300 m notch.
geo::MultiPolygon LShape() {
  geo::MultiPolygon mp;
  mp.resize(1);
  auto& ring = mp[0].outer();
  double x0 = 113.60, y0 = 34.70, d = 0.0066, h = 0.0033;  // ~600 m, ~300 m in lng; lat similar
  for (auto [x, y] : std::vector<std::pair<double, double>>{{x0, y0},
                                                            {x0, y0 + 0.0054},
                                                            {x0 + h, y0 + 0.0054},
                                                            {x0 + h, y0 + 0.0027},
                                                            {x0 + d, y0 + 0.0027},
                                                            {x0 + d, y0},
                                                            {x0, y0}}) {
    ring.push_back(geo::Point(x, y));
  }
  geo::bg::correct(mp);
  return mp;
}

void CheckPath(const geo::MultiPolygon& shape, const PatrolPath& path, double speed) {
  const auto& pts = path.points();
  REQUIRE(pts.size() >= 2);
  for (size_t i = 1; i < pts.size(); ++i) {
    double dt = pts[i].t - pts[i - 1].t;
    double d = geo::HaversineMeters(pts[i - 1].p, pts[i].p);
    REQUIRE(dt >= 0);
    if (dt > 0) CHECK(d / dt <= speed * 1.001);
  }
  // Dense check of the walked line: inside except in drift windows.
  for (double t = path.start_s(); t <= path.end_s(); t += 5) {
    if (path.InDrift(t)) continue;
    INFO("t=" << t);
    CHECK(geo::bg::within(path.At(t), shape));
  }
}

TEST_CASE("a patrol on a concave grid stays inside, at walking speed, and visits its stops",
          "[gridsim]") {
  geo::MultiPolygon shape = LShape();
  std::vector<Stop> stops = {
      {geo::Point(113.6010, 34.7010), 120, 0},
      {geo::Point(113.6055, 34.7010), 120, 1},  // reached around the notch
      {geo::Point(113.6015, 34.7045), 120, 2},
  };
  PatrolOptions o;
  o.end_s = 2 * 3600;
  o.speed_mps = 1.3;
  o.drift_per_leg = 0.3;
  PatrolPath path = PlanPatrol(shape, stops, o, 42);
  CheckPath(shape, path, o.speed_mps);
  CHECK(path.end_s() >= o.end_s);
  CHECK(path.end_s() < o.end_s + 3600);
  std::set<int> visited;
  for (const Visit& v : path.visits()) {
    visited.insert(v.tag);
    CHECK(v.leave_s - v.arrive_s == Approx(120));
    // Standing still at the stop for the whole dwell.
    CHECK(geo::HaversineMeters(path.At(v.arrive_s), path.At(v.leave_s)) < 0.01);
    CHECK(geo::HaversineMeters(path.At(v.arrive_s), stops[v.tag].position) < 0.01);
  }
  CHECK(visited == std::set<int>{0, 1, 2});
  // With a drift probability of 0.3 per leg, some drift happened and left the grid.
  REQUIRE(!path.drifts().empty());
  bool outside = false;
  for (const Window& w : path.drifts())
    for (double t = w.from_s; t <= w.to_s; t += 2) outside |= !geo::bg::within(path.At(t), shape);
  CHECK(outside);

  // Deterministic.
  PatrolPath again = PlanPatrol(shape, stops, o, 42);
  REQUIRE(again.points().size() == path.points().size());
  for (size_t i = 0; i < path.points().size(); ++i) {
    CHECK(again.points()[i].t == path.points()[i].t);
  }
}

TEST_CASE("fixes: inside unless drifting, interval-aligned windows, noise, dead zones",
          "[gridsim]") {
  geo::MultiPolygon shape = LShape();
  PatrolOptions o;
  o.end_s = 4 * 3600;
  o.drift_per_leg = 0.2;
  PatrolPath path = PlanPatrol(shape, {{geo::Point(113.6010, 34.7010), 120, 0}}, o, 9);
  FixOptions f;
  f.interval_s = 20;
  f.dead_zones_per_hour = 1.0;
  std::vector<FixSample> all = SampleFixes(path, shape, 0, 1e9, f, 9);
  REQUIRE(all.size() > 500);
  // Windows cut anywhere give the same fixes, none twice, none skipped.
  std::vector<FixSample> pieces;
  for (double t = 0; t < path.end_s() + 100; t += 77) {
    auto part = SampleFixes(path, shape, t, t + 77, f, 9);
    pieces.insert(pieces.end(), part.begin(), part.end());
  }
  REQUIRE(pieces.size() == all.size());
  int offline = 0, moved = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(pieces[i].index == all[i].index);
    CHECK(geo::bg::equals(pieces[i].p, all[i].p));
    if (i > 0) CHECK(all[i].t - all[i - 1].t == Approx(f.interval_s));
    if (!all[i].drift) CHECK(geo::bg::within(all[i].p, shape));
    CHECK(all[i].speed_mps <= o.speed_mps * 1.001);
    offline += all[i].offline;
    moved += geo::HaversineMeters(all[i].p, path.At(all[i].t)) > 0.5;
  }
  CHECK(offline > 0);
  CHECK(offline < static_cast<int>(all.size()));
  CHECK(moved > static_cast<int>(all.size()) / 2);  // noise is applied to most fixes
}

TEST_CASE("patrols on every generated grid of 上街区 stay inside", "[gridsim]") {
  int checked = 0;
  for (const DemoRegion& r : testing::ShangjieRegions()) {
    if (r.level != common::v1::REGION_LEVEL_GRID) continue;
    if (++checked > 40) break;
    INFO(r.id);
    PatrolOptions o;
    o.end_s = 1800;
    o.drift_per_leg = 0;
    PatrolPath path = PlanPatrol(r.shape, {}, o, checked);
    CheckPath(r.shape, path, o.speed_mps);
  }
  CHECK(checked > 40);
}

}  // namespace
}  // namespace gridwork::gridsim
