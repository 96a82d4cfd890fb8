#include "services/inspection/recurrence.h"

#include <algorithm>

#include "absl/time/civil_time.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::inspection {
namespace {

int Interval(const v1::Recurrence& r) { return r.interval() <= 0 ? 1 : r.interval(); }

absl::TimeZone ChinaStandardTime() { return absl::FixedTimeZone(8 * 3600); }

// The k-th monthly occurrence (k = 0 is the start).
absl::Time MonthlyOccurrence(const absl::CivilSecond& start, int64_t k, int interval,
                             absl::TimeZone tz) {
  absl::CivilMonth month = absl::CivilMonth(start) + k * interval;
  absl::CivilDay last_day = absl::CivilDay(absl::CivilMonth(month + 1)) - 1;
  int day = std::min<int>(start.day(), last_day.day());
  absl::CivilSecond at(month.year(), month.month(), day, start.hour(), start.minute(),
                       start.second());
  return absl::FromCivil(at, tz);
}

}  // namespace

absl::Status ValidateRecurrence(const v1::Recurrence& r) {
  if (r.frequency() == v1::Recurrence::FREQUENCY_UNSPECIFIED ||
      !v1::Recurrence::Frequency_IsValid(r.frequency())) {
    return absl::InvalidArgumentError("recurrence.frequency must be DAILY, WEEKLY or MONTHLY");
  }
  if (r.interval() < 0 || r.interval() > 366) {
    return absl::InvalidArgumentError("recurrence.interval must be 1–366 (0 means 1)");
  }
  if (!r.has_start()) return absl::InvalidArgumentError("recurrence.start is required");
  absl::Duration due = service::FromProto(r.due_within());
  if (due <= absl::ZeroDuration() || due > absl::Hours(24 * 92)) {
    return absl::InvalidArgumentError("recurrence.due_within must be in (0, 92 days]");
  }
  return absl::OkStatus();
}

std::vector<absl::Time> Occurrences(const v1::Recurrence& r, absl::Time after, absl::Time until,
                                    size_t max_count) {
  std::vector<absl::Time> out;
  const absl::Time start = service::FromProto(r.start());
  const int interval = Interval(r);
  if (until < start) return out;
  if (r.frequency() == v1::Recurrence::FREQUENCY_MONTHLY) {
    const absl::TimeZone tz = ChinaStandardTime();
    const absl::CivilSecond start_civil = absl::ToCivilSecond(start, tz);
    // Skip whole months before `after` without generating them.
    int64_t k = 0;
    if (after > start) {
      const absl::CivilMonth after_month = absl::CivilMonth(absl::ToCivilSecond(after, tz));
      k = std::max<int64_t>(0, (after_month - absl::CivilMonth(start_civil)) / interval - 1);
    }
    for (; out.size() < max_count; ++k) {
      absl::Time t = MonthlyOccurrence(start_civil, k, interval, tz);
      if (t > until) break;
      if (t > after) out.push_back(t);
    }
    return out;
  }
  const absl::Duration period =
      absl::Hours(24) * (r.frequency() == v1::Recurrence::FREQUENCY_WEEKLY ? 7 : 1) * interval;
  int64_t k = 0;
  if (after >= start) {
    absl::Duration remainder;
    k = absl::IDivDuration(after - start, period, &remainder) + 1;
  }
  for (; out.size() < max_count; ++k) {
    absl::Time t = start + period * k;
    if (t > until) break;
    if (t > after) out.push_back(t);
  }
  return out;
}

}  // namespace gridwork::inspection
