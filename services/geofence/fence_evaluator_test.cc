// Hysteresis, own-grid, late-fix, restart and check-in sequences of the fence evaluator,
// on two hand-made square grids side by side:
//
//   lat 34.01 +-----------+-----------+
//             |  grid A   |  grid B   |     each ~920 m x 1110 m
//   lat 34.00 +-----------+-----------+
//          113.00      113.01      113.02
//
// At this latitude 0.0001 degree of longitude is ~9.2 m.
#include "services/geofence/fence_evaluator.h"

#include <catch2/catch.hpp>

#include "gridwork/geo/distance.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::geofence {
namespace {

using v1::FenceEventKind;

geo::MultiPolygon Square(double lng0, double lat0, double lng1, double lat1) {
  geo::Polygon p;
  p.outer() = {geo::LngLat(lng0, lat0), geo::LngLat(lng0, lat1), geo::LngLat(lng1, lat1),
               geo::LngLat(lng1, lat0), geo::LngLat(lng0, lat0)};
  geo::bg::correct(p);
  return geo::MultiPolygon{p};
}

class HandMadeGeometry : public FenceGeometry {
 public:
  HandMadeGeometry() {
    grids_["A"] = Square(113.00, 34.00, 113.01, 34.01);
    grids_["B"] = Square(113.01, 34.00, 113.02, 34.01);
  }
  std::string LocateGrid(double lng, double lat) const override {
    for (const auto& [id, g] : grids_) {
      if (geo::bg::within(geo::LngLat(lng, lat), g)) return id;
    }
    return "";
  }
  double DistanceToGridBorderM(const std::string& grid, double lng, double lat) const override {
    auto it = grids_.find(grid);
    return it == grids_.end() ? 0 : geo::DistanceToBoundaryMeters(geo::LngLat(lng, lat), it->second);
  }
  std::vector<KeyPointRef> KeyPointsNear(double, double) const override { return kps_; }
  std::optional<KeyPointRef> FindKeyPoint(const std::string& id) const override {
    for (const auto& k : kps_) {
      if (k.id == id) return k;
    }
    return std::nullopt;
  }
  void AddKeyPoint(KeyPointRef k) { kps_.push_back(std::move(k)); }

 private:
  std::map<std::string, geo::MultiPolygon> grids_;
  std::vector<KeyPointRef> kps_;
};

const absl::Time kT0 = absl::FromUnixSeconds(1763884800);  // 2025-11-23 08:00 UTC

common::v1::Fix MakeFix(double lng, double lat, int seconds, double accuracy = 5) {
  static uint64_t seq = 0;
  common::v1::Fix f;
  f.set_worker_id("w1");
  f.set_device_id("d1");
  f.set_sequence(++seq);
  *f.mutable_device_time() = service::ToProto(kT0 + absl::Seconds(seconds));
  f.mutable_position()->set_lng(lng);
  f.mutable_position()->set_lat(lat);
  f.set_accuracy_m(accuracy);
  return f;
}

std::vector<FenceEventKind> Kinds(const FixOutcome& o) {
  std::vector<FenceEventKind> k;
  for (const auto& e : o.events) k.push_back(e.kind());
  return k;
}

struct Run {
  FenceConfig cfg;
  HandMadeGeometry geo;
  std::set<std::string> own = {"A"};
  v1::WorkerState state;
  FixOutcome Apply(const common::v1::Fix& f) { return ApplyFix(cfg, geo, own, f, &state); }
};

constexpr double kMidLat = 34.005;
constexpr double kInA = 113.005;      // centre of A
constexpr double kDeepB = 113.015;    // centre of B
constexpr double kBorder = 113.01;

}  // namespace

TEST_CASE("the first clear fix establishes the state at once") {
  Run r;
  auto o = r.Apply(MakeFix(kInA, kMidLat, 0));
  REQUIRE(Kinds(o) == std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_ENTER_GRID});
  REQUIRE(o.events[0].grid_id() == "A");
  REQUIRE(r.state.current_grid_id() == "A");
  REQUIRE(r.state.in_own_grid());
}

TEST_CASE("a bound worker who starts outside their grid is reported out of it") {
  Run r;
  auto o = r.Apply(MakeFix(kDeepB, kMidLat, 0));
  REQUIRE(Kinds(o) == std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_ENTER_GRID,
                                                  v1::FENCE_EVENT_KIND_LEFT_OWN_GRID});
  REQUIRE_FALSE(r.state.in_own_grid());
}

TEST_CASE("GPS drift across the border changes nothing") {
  Run r;
  r.Apply(MakeFix(kInA, kMidLat, 0));
  // Alternating 3 m inside A and 3 m inside B for ten minutes, accuracy 10 m: every fix's
  // accuracy circle crosses the border.
  for (int i = 1; i <= 40; ++i) {
    double lng = (i % 2 == 0) ? kBorder - 0.00003 : kBorder + 0.00003;
    auto o = r.Apply(MakeFix(lng, kMidLat, i * 15, 10));
    REQUIRE(o.events.empty());
  }
  REQUIRE(r.state.current_grid_id() == "A");
  REQUIRE_FALSE(r.state.has_candidate());
}

TEST_CASE("standing just outside by less than the margin never exits") {
  Run r;
  r.Apply(MakeFix(kInA, kMidLat, 0));
  // 9 m into B with 3 m accuracy: outside A by less than accuracy + exit margin (3 + 15).
  for (int i = 1; i <= 20; ++i) {
    REQUIRE(r.Apply(MakeFix(kBorder + 0.0001, kMidLat, i * 30, 3)).events.empty());
  }
  REQUIRE(r.state.current_grid_id() == "A");
}

TEST_CASE("a real crossing fires after the dwell, with exit, enter and left-own-grid") {
  Run r;
  r.Apply(MakeFix(kInA, kMidLat, 0));
  REQUIRE(r.Apply(MakeFix(kDeepB, kMidLat, 10)).events.empty());  // candidate B
  REQUIRE(r.state.has_candidate());
  REQUIRE(r.Apply(MakeFix(kDeepB, kMidLat, 25)).events.empty());  // 15 s < 30 s dwell
  auto o = r.Apply(MakeFix(kDeepB, kMidLat, 40));                // 30 s: fires
  REQUIRE(Kinds(o) == std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_EXIT_GRID,
                                                  v1::FENCE_EVENT_KIND_ENTER_GRID,
                                                  v1::FENCE_EVENT_KIND_LEFT_OWN_GRID});
  REQUIRE(o.events[0].grid_id() == "A");
  REQUIRE(o.events[1].grid_id() == "B");
  REQUIRE(service::FromProto(o.events[0].dwell()) == absl::Seconds(30));
  REQUIRE(r.state.current_grid_id() == "B");
  REQUIRE_FALSE(r.state.in_own_grid());

  // And back.
  r.Apply(MakeFix(kInA, kMidLat, 100));
  auto back = r.Apply(MakeFix(kInA, kMidLat, 130));
  REQUIRE(Kinds(back) == std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_EXIT_GRID,
                                                     v1::FENCE_EVENT_KIND_ENTER_GRID,
                                                     v1::FENCE_EVENT_KIND_RETURNED_OWN_GRID});
  REQUIRE(r.state.in_own_grid());
}

TEST_CASE("an excursion shorter than the dwell is forgotten") {
  Run r;
  r.Apply(MakeFix(kInA, kMidLat, 0));
  r.Apply(MakeFix(kDeepB, kMidLat, 10));
  REQUIRE(r.Apply(MakeFix(kInA, kMidLat, 20)).events.empty());  // back: candidate cleared
  REQUIRE_FALSE(r.state.has_candidate());
  REQUIRE(r.Apply(MakeFix(kDeepB, kMidLat, 45)).events.empty());  // new candidate since 45
  REQUIRE(r.Apply(MakeFix(kDeepB, kMidLat, 60)).events.empty());  // only 15 s
  REQUIRE(r.state.current_grid_id() == "A");
}

TEST_CASE("leaving every grid exits without entering") {
  Run r;
  r.Apply(MakeFix(kInA, kMidLat, 0));
  r.Apply(MakeFix(112.99, kMidLat, 10));
  auto o = r.Apply(MakeFix(112.99, kMidLat, 50));
  REQUIRE(Kinds(o) == std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_EXIT_GRID,
                                                  v1::FENCE_EVENT_KIND_LEFT_OWN_GRID});
  REQUIRE(r.state.current_grid_id().empty());
}

TEST_CASE("fixes with poor accuracy never move the worker") {
  Run r;
  r.Apply(MakeFix(kInA, kMidLat, 0));
  for (int i = 1; i < 10; ++i) {
    REQUIRE(r.Apply(MakeFix(kDeepB, kMidLat, i * 30, 150)).events.empty());
  }
  REQUIRE(r.state.current_grid_id() == "A");
  REQUIRE_FALSE(r.state.has_candidate());
}

TEST_CASE("late fixes do not flip the current grid") {
  Run r;
  r.Apply(MakeFix(kInA, kMidLat, 100));
  auto o1 = r.Apply(MakeFix(kDeepB, kMidLat, 20));
  auto o2 = r.Apply(MakeFix(kDeepB, kMidLat, 60));
  REQUIRE(o1.late);
  REQUIRE(o2.late);
  REQUIRE(o1.events.empty());
  REQUIRE(o2.events.empty());
  REQUIRE(r.state.current_grid_id() == "A");
  REQUIRE(service::FromProto(r.state.last_fix_time()) == kT0 + absl::Seconds(100));
}

TEST_CASE("a restart mid-sequence neither repeats nor loses a transition") {
  std::vector<common::v1::Fix> fixes = {MakeFix(kInA, kMidLat, 0), MakeFix(kDeepB, kMidLat, 10),
                                        MakeFix(kDeepB, kMidLat, 25), MakeFix(kDeepB, kMidLat, 40),
                                        MakeFix(kDeepB, kMidLat, 55)};
  auto run_all = [&](int restart_after) {
    Run r;
    std::vector<FenceEventKind> kinds;
    for (size_t i = 0; i < fixes.size(); ++i) {
      if (static_cast<int>(i) == restart_after) {
        // What the store keeps is the serialised state: reload it into a fresh object.
        v1::WorkerState reloaded;
        REQUIRE(reloaded.ParseFromString(r.state.SerializeAsString()));
        r.state = reloaded;
      }
      for (auto k : Kinds(r.Apply(fixes[i]))) kinds.push_back(k);
    }
    // Re-delivery of the last fix after the restart (at-least-once feed) adds nothing.
    REQUIRE(r.Apply(fixes.back()).events.empty());
    return kinds;
  };
  auto uninterrupted = run_all(-1);
  REQUIRE(uninterrupted.size() == 4);  // enter A; exit A, enter B, left own
  for (int k = 1; k < static_cast<int>(fixes.size()); ++k) {
    REQUIRE(run_all(k) == uninterrupted);
  }
}

TEST_CASE("check-in after the minimum dwell, once per visit") {
  Run r;
  KeyPointRef kp;
  kp.id = "kp-1";
  kp.grid_id = "A";
  kp.lng = kInA;
  kp.lat = kMidLat;
  kp.radius_m = 30;
  kp.min_dwell = absl::Seconds(60);
  r.geo.AddKeyPoint(kp);

  REQUIRE(r.Apply(MakeFix(kInA, kMidLat, 0)).events.size() == 1);  // enter A only
  REQUIRE(r.Apply(MakeFix(kInA + 0.0001, kMidLat, 30)).events.empty());
  auto o = r.Apply(MakeFix(kInA, kMidLat, 70));
  REQUIRE(Kinds(o) == std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_CHECK_IN});
  REQUIRE(o.events[0].key_point_id() == "kp-1");
  REQUIRE(service::FromProto(o.events[0].dwell()) == absl::Seconds(70));
  REQUIRE(r.Apply(MakeFix(kInA, kMidLat, 100)).events.empty());  // same visit

  // Walk away (200 m) and come back: a new visit needs its own dwell.
  REQUIRE(r.Apply(MakeFix(kInA + 0.0022, kMidLat, 130)).events.empty());
  REQUIRE(r.Apply(MakeFix(kInA, kMidLat, 140)).events.empty());
  REQUIRE(r.Apply(MakeFix(kInA, kMidLat, 170)).events.empty());
  REQUIRE(Kinds(r.Apply(MakeFix(kInA, kMidLat, 200))) ==
          std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_CHECK_IN});
}

TEST_CASE("passing by within the radius for less than the dwell is no check-in") {
  Run r;
  KeyPointRef kp{"kp-1", "A", kInA, kMidLat, 30, absl::Seconds(60)};
  r.geo.AddKeyPoint(kp);
  r.Apply(MakeFix(kInA - 0.002, kMidLat, 0));
  REQUIRE(r.Apply(MakeFix(kInA, kMidLat, 20)).events.empty());
  REQUIRE(r.Apply(MakeFix(kInA + 0.002, kMidLat, 40)).events.empty());
  REQUIRE(r.Apply(MakeFix(kInA, kMidLat, 70)).events.empty());  // new visit, 0 s
}

TEST_CASE("an offline backlog arriving late still produces its check-in") {
  Run r;
  KeyPointRef kp{"kp-1", "A", kInA, kMidLat, 30, absl::Seconds(60)};
  r.geo.AddKeyPoint(kp);
  r.Apply(MakeFix(kInA - 0.003, kMidLat, 3600));  // live fix, an hour later
  auto b1 = r.Apply(MakeFix(kInA, kMidLat, 0));
  auto b2 = r.Apply(MakeFix(kInA, kMidLat, 45));
  auto b3 = r.Apply(MakeFix(kInA, kMidLat, 90));
  REQUIRE(b1.late);
  REQUIRE(b1.events.empty());
  REQUIRE(b2.events.empty());
  REQUIRE(Kinds(b3) == std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_CHECK_IN});
  REQUIRE(r.Apply(MakeFix(kInA, kMidLat, 90)).events.empty());  // duplicate
  REQUIRE(r.state.current_grid_id() == "A");
}

TEST_CASE("a worker with no bindings gets no own-grid events") {
  Run r;
  r.own.clear();
  r.Apply(MakeFix(kInA, kMidLat, 0));
  r.Apply(MakeFix(kDeepB, kMidLat, 10));
  auto o = r.Apply(MakeFix(kDeepB, kMidLat, 40));
  REQUIRE(Kinds(o) == std::vector<FenceEventKind>{v1::FENCE_EVENT_KIND_EXIT_GRID,
                                                  v1::FENCE_EVENT_KIND_ENTER_GRID});
}

}  // namespace gridwork::geofence
