#include "tools/gridsim/schedule.h"

#include <catch2/catch.hpp>
#include <set>

#include "tools/gridsim/test_city.h"

namespace gridwork::gridsim {
namespace {

TEST_CASE("the day's schedule: N workers on their own grids, events in order and in place",
          "[gridsim]") {
  const auto& regions = testing::ShangjieRegions();
  DemoCity city = BuildDemoCity(regions, testing::TestDepartments(), {});
  DayOptions o;
  o.seed = 3;
  o.workers = 25;
  o.day_s = 4 * 3600;
  o.incidents_per_worker = 2;
  DaySchedule day =
      BuildDaySchedule(city, regions, {"env.garbage", "safety.fire_lane"}, {"env.noise"}, o);
  REQUIRE(day.workers.size() == 25);
  std::set<std::string> names;
  for (const WorkerPlan& w : day.workers) {
    names.insert(w.user->username);
    CHECK(w.user->role == common::v1::ROLE_GRID_WORKER);
    CHECK(w.grid->id == w.user->home);
    CHECK(w.path.start_s() >= 0);
    CHECK(w.path.start_s() <= 600);
    CHECK(w.path.end_s() >= o.day_s - 600);
  }
  CHECK(names.size() == 25);

  int inspections = 0, incidents = 0, residents = 0;
  for (size_t i = 0; i < day.events.size(); ++i) {
    const DayEvent& e = day.events[i];
    if (i > 0) CHECK(day.events[i - 1].t <= e.t);
    CHECK(e.t >= 0);
    CHECK(e.t <= o.day_s);
    const DemoUser* u = city.Find(e.actor);
    REQUIRE(u != nullptr);
    switch (e.kind) {
      case EventKind::kInspect: {
        ++inspections;
        REQUIRE(e.subject >= 0);
        // Made by a worker of the subject's grid, at the subject, while standing there.
        CHECK(city.subjects[e.subject].grid == u->home);
        CHECK(names.count(e.actor));
        break;
      }
      case EventKind::kIncident:
        ++incidents;
        CHECK(u->role == common::v1::ROLE_GRID_WORKER);
        CHECK((e.category == "env.garbage" || e.category == "safety.fire_lane"));
        break;
      case EventKind::kResidentReport:
        ++residents;
        CHECK(u->role == common::v1::ROLE_RESIDENT);
        CHECK(e.category == "env.noise");
        break;
    }
  }
  CHECK(inspections > 0);
  CHECK(incidents >= 25);
  CHECK(residents > 0);

  // Same seed, same day; another seed, other workers or times.
  DaySchedule again =
      BuildDaySchedule(city, regions, {"env.garbage", "safety.fire_lane"}, {"env.noise"}, o);
  REQUIRE(again.events.size() == day.events.size());
  for (size_t i = 0; i < day.events.size(); ++i) {
    CHECK(again.events[i].t == day.events[i].t);
    CHECK(again.events[i].actor == day.events[i].actor);
  }
  o.seed = 4;
  DaySchedule other = BuildDaySchedule(city, regions, {"env.garbage"}, {"env.noise"}, o);
  bool differs = other.events.size() != day.events.size();
  for (size_t i = 0; !differs && i < day.events.size(); ++i)
    differs = other.events[i].t != day.events[i].t;
  CHECK(differs);
}

TEST_CASE("inspections happen during a visit of the subject", "[gridsim]") {
  const auto& regions = testing::ShangjieRegions();
  DemoCity city = BuildDemoCity(regions, testing::TestDepartments(), {});
  DayOptions o;
  o.workers = 10;
  o.inspect_prob = 1.0;
  DaySchedule day = BuildDaySchedule(city, regions, {}, {}, o);
  int checked = 0;
  for (const DayEvent& e : day.events) {
    REQUIRE(e.kind == EventKind::kInspect);
    for (const WorkerPlan& w : day.workers) {
      if (w.user->username != e.actor) continue;
      bool during = false;
      for (const Visit& v : w.path.visits())
        during |= v.tag == e.subject && e.t >= v.arrive_s && e.t <= v.leave_s;
      CHECK(during);
      ++checked;
    }
  }
  CHECK(checked > 0);
}

}  // namespace
}  // namespace gridwork::gridsim
