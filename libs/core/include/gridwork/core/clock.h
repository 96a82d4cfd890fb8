// Injectable time source. Production code takes a `Clock*` (default Clock::Real()) so that
// tests can drive deadlines, dwell times and SLA timers with a FakeClock instead of sleeping.
//
// Thread safety: Clock::Real() and FakeClock are safe to call from any thread.
#ifndef GRIDWORK_CORE_CLOCK_H_
#define GRIDWORK_CORE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridwork {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current time (UTC instant).
  virtual absl::Time Now() const = 0;
  // The process-wide wall clock. Never null, never destroyed.
  static Clock* Real();
};

// A fake clock for tests: time stands still until Set() or Advance() moves it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000)) : now_(start) {}
  absl::Time Now() const override;
  void Set(absl::Time t);
  void Advance(absl::Duration d);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridwork

#endif  // GRIDWORK_CORE_CLOCK_H_
