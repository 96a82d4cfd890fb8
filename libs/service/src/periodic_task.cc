#include "gridwork/service/periodic_task.h"

namespace gridwork::service {

PeriodicTask::PeriodicTask(absl::Duration period, std::function<void()> fn) {
  thread_ = std::thread([this, period, fn = std::move(fn)] {
    do {
      fn();
    } while (!stop_.WaitForNotificationWithTimeout(period));
  });
}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gridwork::service
