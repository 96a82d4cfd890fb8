#include "tools/gridctl/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace gridwork::gridctl {

Progress::Progress(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      tty_(isatty(STDERR_FILENO) == 1),
      start_(absl::Now()) {
  absl::MutexLock l(&mu_);
  last_line_ = start_;
}

Progress::~Progress() { Done(); }

void Progress::Update(int64_t done) {
  absl::MutexLock l(&mu_);
  done_ = done;
  Draw(false);
}

void Progress::Ticking() {
  if (ticker_.joinable()) return;
  ticker_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(absl::Seconds(1))) {
      absl::MutexLock l(&mu_);
      Draw(false);
    }
  });
}

void Progress::Done() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (ticker_.joinable()) ticker_.join();
  absl::MutexLock l(&mu_);
  if (finished_) return;
  finished_ = true;
  Draw(true);
}

void Progress::Draw(bool final) {
  const absl::Time now = absl::Now();
  const double secs = absl::ToDoubleSeconds(now - start_);
  std::string line;
  if (total_ > 0) {
    const double f = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    const int filled = static_cast<int>(f * 30);
    line = absl::StrFormat("%s [%s%s] %3.0f%% %d/%d %s %.0fs", label_, std::string(filled, '#'),
                           std::string(30 - filled, ' '), 100 * f, done_, total_, unit_, secs);
  } else if (unit_.empty()) {
    line = absl::StrFormat("%s: %.0fs", label_, secs);
  } else {
    line = absl::StrFormat("%s: %d %s %.0fs", label_, done_, unit_, secs);
  }
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  } else if (final || now - last_line_ >= absl::Seconds(5)) {
    std::fprintf(stderr, "%s%s\n", line.c_str(), final ? " done" : "");
    last_line_ = now;
  }
  std::fflush(stderr);
}

}  // namespace gridwork::gridctl
