// The day's event schedule: for every simulated worker a patrol plan (route.h) through the
// key points and subjects of their grid, the inspections they make at subjects, the incidents
// they report along the way, and the residents' reports. Pure and deterministic: the runner
// (day_runner.h) only replays it against the clock.
//
// Times are seconds of the simulated day (0 = the day's start, see DayOptions).
#ifndef GRIDWORK_TOOLS_GRIDSIM_SCHEDULE_H_
#define GRIDWORK_TOOLS_GRIDSIM_SCHEDULE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/gridsim/demo_model.h"
#include "tools/gridsim/route.h"

namespace gridwork::gridsim {

struct DayOptions {
  uint64_t seed = 1;
  double day_s = 9 * 3600;  // length of the working day
  // After the day, the workers go on patrolling (and reporting) this long: gridsim day
  // --linger uses it so that, once the compressed day has caught up with real time, the
  // city stays alive in real time.
  double overtime_s = 0;
  // Workers simulated (the first N of a seeded shuffle of all grid workers); 0 = all.
  int workers = 0;
  double inspect_prob = 0.7;          // per subject stop: an inspection is made
  double incidents_per_worker = 1.5;  // mean patrol reports per worker and day
  double resident_reports_per_community = 1.0;
  // Per checklist item of an inspection: the chance that it fails.
  double item_fail_prob = 0.04;
  FixOptions fixes;
};

enum class EventKind { kInspect, kIncident, kResidentReport };

struct DayEvent {
  double t = 0;
  EventKind kind = EventKind::kIncident;
  std::string actor;  // username
  int subject = -1;   // index into DemoCity::subjects (kInspect)
  geo::Point where;
  std::string category;  // kIncident, kResidentReport
  uint64_t seed = 0;     // per-event stream (answers, descriptions)
};

struct WorkerPlan {
  const DemoUser* user = nullptr;
  const DemoRegion* grid = nullptr;
  PatrolPath path;
  uint64_t seed = 0;
};

struct DaySchedule {
  std::vector<WorkerPlan> workers;
  std::vector<DayEvent> events;  // by time, then actor
};

// Categories: ids of the work-order catalogue to draw patrol and resident reports from
// (empty: no reports). Regions: the tree the city was built from.
DaySchedule BuildDaySchedule(const DemoCity& city, const std::vector<DemoRegion>& regions,
                             const std::vector<std::string>& patrol_categories,
                             const std::vector<std::string>& resident_categories,
                             const DayOptions& options);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_SCHEDULE_H_
