#include "tools/gridsim/schedule.h"

#include <algorithm>
#include <map>

#include "demo_geography/random.h"

namespace gridwork::gridsim {
namespace {

using demo_geography::MixSeed;
using demo_geography::Rng;

uint64_t Salt(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

DaySchedule BuildDaySchedule(const DemoCity& city, const std::vector<DemoRegion>& regions,
                             const std::vector<std::string>& patrol_categories,
                             const std::vector<std::string>& resident_categories,
                             const DayOptions& o) {
  DaySchedule day;
  std::map<std::string, const DemoRegion*> by_id;
  for (const DemoRegion& r : regions) by_id[r.id] = &r;

  // Grid workers (bound as WORKER), shuffled by the seed, the first N simulated.
  std::vector<const DemoUser*> all;
  for (const DemoBinding& b : city.bindings)
    if (b.role == geofence::v1::BINDING_ROLE_WORKER) all.push_back(city.Find(b.worker));
  Rng shuffle(MixSeed(o.seed, 0x73687566));
  for (size_t i = all.size(); i > 1; --i) std::swap(all[i - 1], all[shuffle.Below(i)]);
  if (o.workers > 0 && static_cast<size_t>(o.workers) < all.size()) all.resize(o.workers);
  std::sort(all.begin(), all.end(),
            [](const DemoUser* a, const DemoUser* b) { return a->username < b->username; });

  for (const DemoUser* u : all) {
    auto g = by_id.find(u->home);
    if (g == by_id.end()) continue;
    WorkerPlan plan;
    plan.user = u;
    plan.grid = g->second;
    plan.seed = MixSeed(o.seed, Salt(u->username));
    Rng rng(plan.seed);
    std::vector<Stop> stops;
    for (size_t i = 0; i < city.key_points.size(); ++i) {
      const DemoKeyPoint& kp = city.key_points[i];
      if (kp.grid == u->home) stops.push_back({kp.position, 90 + 90 * rng.Uniform(), -1});
    }
    std::vector<int> subject_stops;
    for (size_t i = 0; i < city.subjects.size(); ++i) {
      if (city.subjects[i].grid != u->home) continue;
      stops.push_back({city.subjects[i].position, 300 + 300 * rng.Uniform(), static_cast<int>(i)});
    }
    PatrolOptions po;
    po.start_s = 600 * rng.Uniform();  // shifts start within ten minutes of the day's start
    po.end_s = o.day_s + o.overtime_s - 600 * rng.Uniform();
    po.speed_mps = 1.0 + 0.5 * rng.Uniform();
    plan.path = PlanPatrol(plan.grid->shape, stops, po, plan.seed);

    // Inspections: at the first visit of each subject stop (when the draw says so), made
    // just before leaving.
    std::map<int, bool> inspected;
    for (const Visit& v : plan.path.visits()) {
      if (v.tag < 0 || inspected[v.tag]) continue;
      inspected[v.tag] = true;
      if (rng.Uniform() >= o.inspect_prob) continue;
      DayEvent e;
      e.t = v.leave_s - 30;
      e.kind = EventKind::kInspect;
      e.actor = u->username;
      e.subject = v.tag;
      e.where = city.subjects[v.tag].position;
      e.seed = MixSeed(plan.seed, 0x1000 + v.tag);
      day.events.push_back(e);
    }
    // Incidents: a Poisson-ish count, at random times on the path (not in a drift).
    if (!patrol_categories.empty()) {
      int n = static_cast<int>(o.incidents_per_worker);
      if (rng.Uniform() < o.incidents_per_worker - n) ++n;
      for (int i = 0; i < n; ++i) {
        double t = plan.path.start_s() + rng.Uniform() * (plan.path.end_s() - plan.path.start_s());
        if (plan.path.InDrift(t)) continue;
        DayEvent e;
        e.t = t;
        e.kind = EventKind::kIncident;
        e.actor = u->username;
        e.where = plan.path.At(t);
        e.category = patrol_categories[rng.Below(patrol_categories.size())];
        e.seed = MixSeed(plan.seed, 0x2000 + i);
        day.events.push_back(e);
      }
    }
    day.workers.push_back(std::move(plan));
  }

  // Residents: reports at a random spot of a grid of their community.
  if (!resident_categories.empty()) {
    for (const DemoUser& u : city.users) {
      if (u.role != common::v1::ROLE_RESIDENT) continue;
      Rng rng(MixSeed(o.seed, Salt(u.username)));
      std::vector<const DemoRegion*> grids;
      for (const auto& [id, r] : by_id)
        if (r->parent == u.home && r->level == common::v1::REGION_LEVEL_GRID) grids.push_back(r);
      if (grids.empty()) continue;
      int n = static_cast<int>(o.resident_reports_per_community);
      if (rng.Uniform() < o.resident_reports_per_community - n) ++n;
      for (int i = 0; i < n; ++i) {
        DayEvent e;
        e.t = rng.Uniform() * o.day_s;
        e.kind = EventKind::kResidentReport;
        e.actor = u.username;
        const DemoRegion* g = grids[rng.Below(grids.size())];
        e.where = PointInside(g->shape, kInsetM, rng.Next());
        e.category = resident_categories[rng.Below(resident_categories.size())];
        e.seed = MixSeed(o.seed, Salt(u.username) + i);
        day.events.push_back(e);
      }
    }
  }
  // A patrol's last leg may end after the day; what would happen then does not happen.
  day.events.erase(std::remove_if(day.events.begin(), day.events.end(),
                                  [&](const DayEvent& e) { return e.t > o.day_s + o.overtime_s; }),
                   day.events.end());
  std::sort(day.events.begin(), day.events.end(), [](const DayEvent& a, const DayEvent& b) {
    return a.t != b.t ? a.t < b.t : a.actor < b.actor;
  });
  return day;
}

}  // namespace gridwork::gridsim
