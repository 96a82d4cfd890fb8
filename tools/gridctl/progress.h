// Progress of a long command on stderr: a redrawn bar when stderr is a terminal, otherwise a
// plain line at most every 5 s (and one at the end), so logs of scripted runs stay readable.
// Stdout is never touched (it carries the data).
//
//   Progress p("export orders", /*total=*/0);   // 0 = unknown: a counter and elapsed time
//   p.Update(n);  ...  p.Done();
//
// With Ticking(), a background thread redraws every second while one long call runs (a single
// unary call reports nothing on the way).
#ifndef GRIDWORK_TOOLS_GRIDCTL_PROGRESS_H_
#define GRIDWORK_TOOLS_GRIDCTL_PROGRESS_H_

#include <cstdint>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace gridwork::gridctl {

class Progress {
 public:
  // `total` 0 = unknown; `unit` empty = no counter (elapsed time only).
  Progress(std::string label, int64_t total, std::string unit = "items");
  ~Progress();  // Done() if not yet
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(int64_t done);
  // Starts redrawing every second until Done().
  void Ticking();
  void Done();

 private:
  void Draw(bool final) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string label_;
  const int64_t total_;
  const std::string unit_;
  const bool tty_;
  const absl::Time start_;
  absl::Mutex mu_;
  int64_t done_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_line_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Notification stop_;
  std::thread ticker_;
};

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_PROGRESS_H_
