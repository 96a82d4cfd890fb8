// `gridsim day`: replays the day's schedule (schedule.h) against the running system through
// the gateway — every simulated worker's fixes (with offline backlogs after dead zones), the
// inspections and incident reports, residents' reports — and plays the departments, community
// workstations, the district command centre and the grid leaders on the work orders
// (behaviour.h). Prints a running summary line and a final summary.
#ifndef GRIDWORK_TOOLS_GRIDSIM_DAY_RUNNER_H_
#define GRIDWORK_TOOLS_GRIDSIM_DAY_RUNNER_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/gridsim/behaviour.h"
#include "tools/gridsim/schedule.h"

namespace gridwork::gridsim {

struct DayRunnerOptions {
  std::string gateway = "127.0.0.1:50050";
  std::vector<std::string> districts = {"410105"};
  std::string password_seed = "gridwork-demo";
  uint64_t city_seed = 20240601;  // must match the load-demo run
  double speed = 60;
  DayOptions day;
  BehaviourOptions behaviour;
  int threads = 4;
  absl::Duration tick = absl::Seconds(1);
  // Phones upload their fixes in batches, once per this much simulated time.
  double upload_s = 120;
  absl::Duration summary_every = absl::Seconds(10);
  absl::Duration call_timeout = absl::Seconds(10);
  // After the day: keep playing the people on the open orders (in real time) until stopped.
  bool linger = false;
  // After the day (without linger): keep going until no order has a next step, at most this.
  absl::Duration drain = absl::ZeroDuration();
};

struct DayTotals {
  int64_t fixes_sent = 0, fixes_acked = 0, fixes_rejected = 0, fixes_offline = 0;
  int64_t inspections = 0, inspection_problems = 0, incidents = 0, resident_reports = 0;
  // Inspections stored flagged (presence not VERIFIED on the inspector's track).
  int64_t inspections_flagged = 0;
  int64_t transitions = 0, returned = 0, reopened = 0, closed = 0;
  int64_t errors = 0;
};

// Runs until the day (and drain/linger) is over or *stop becomes true. Returns the totals,
// or an error if the system could not be read or nobody could log in.
absl::StatusOr<DayTotals> RunDay(const DayRunnerOptions& options, const std::atomic<bool>& stop);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_DAY_RUNNER_H_
