// Expansion of recurring inspection schedules into occurrence times. Pure: the schedule
// loop and the tests pass the time window explicitly.
//
// Occurrences keep the first occurrence's wall-clock time in China Standard Time (UTC+8, no
// daylight saving): daily and weekly every `interval` × 1 or 7 days; monthly on the same day
// of month, clamped to the month's last day (a schedule starting on the 31st runs on Feb 28/29,
// then back on the 31st in March).
#ifndef GRIDWORK_SERVICES_INSPECTION_RECURRENCE_H_
#define GRIDWORK_SERVICES_INSPECTION_RECURRENCE_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gridwork/inspection/v1/inspection.pb.h"

namespace gridwork::inspection {

// INVALID_ARGUMENT naming the field: frequency set, interval 0 (= 1) to 366, start set,
// due_within in (0, 92 days].
absl::Status ValidateRecurrence(const v1::Recurrence& r);

// The occurrences t with after < t <= until, in order, at most `max_count`.
// REQUIRES: ValidateRecurrence(r).ok().
std::vector<absl::Time> Occurrences(const v1::Recurrence& r, absl::Time after, absl::Time until,
                                    size_t max_count = 1000);

}  // namespace gridwork::inspection

#endif  // GRIDWORK_SERVICES_INSPECTION_RECURRENCE_H_
