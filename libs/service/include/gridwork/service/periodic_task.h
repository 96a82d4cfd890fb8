// Runs a function now and then every `period` on its own thread until Stop() (or
// destruction). The function's failures are its own to log; a slow run delays the next one
// (runs never overlap). Stop() waits for a run in progress to finish.
//
//   PeriodicTask timers(absl::Seconds(1), [&] { core.RunDueTimers(); });
#ifndef GRIDWORK_SERVICE_PERIODIC_TASK_H_
#define GRIDWORK_SERVICE_PERIODIC_TASK_H_

#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace gridwork::service {

class PeriodicTask {
 public:
  PeriodicTask(absl::Duration period, std::function<void()> fn);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;
  void Stop();

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_PERIODIC_TASK_H_
