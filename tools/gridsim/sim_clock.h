// The simulated day's clock. The day is replayed `speed` times faster than real time and
// ends no later than now, so every device time it produces is in the past (the location
// service rejects fixes from the future): sim(t) = min(sim_start + speed * (t - real_start), t).
// Once the simulated time has caught up with real time it runs at real speed.
#ifndef GRIDWORK_TOOLS_GRIDSIM_SIM_CLOCK_H_
#define GRIDWORK_TOOLS_GRIDSIM_SIM_CLOCK_H_

#include <algorithm>

#include "absl/time/time.h"

namespace gridwork::gridsim {

class SimClock {
 public:
  SimClock(absl::Time real_start, absl::Time sim_start, double speed)
      : real_start_(real_start), sim_start_(sim_start), speed_(speed) {}

  // Simulated time at real time `real`.
  absl::Time At(absl::Time real) const {
    absl::Time s = sim_start_ + (real - real_start_) * speed_;
    return std::max(sim_start_, std::min(s, real));
  }
  absl::Time Now() const { return At(absl::Now()); }
  // Seconds of the simulated day at real time `real`.
  double DaySeconds(absl::Time real) const { return absl::ToDoubleSeconds(At(real) - sim_start_); }
  absl::Time sim_start() const { return sim_start_; }
  double speed() const { return speed_; }

 private:
  absl::Time real_start_;
  absl::Time sim_start_;
  double speed_;
};

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_SIM_CLOCK_H_
