// Time buckets of the analytics aggregates. Aggregates are stored per UTC hour (hours since
// the Unix epoch); days, weeks (Monday first), months and quarters are calendar periods of
// China Standard Time (UTC+8, no daylight saving), made of whole hours.
#ifndef GRIDWORK_SERVICES_ANALYTICS_CHINA_TIME_H_
#define GRIDWORK_SERVICES_ANALYTICS_CHINA_TIME_H_

#include <cstdint>

#include "absl/time/time.h"

namespace gridwork::analytics {

enum class Period { kHour, kDay, kWeek, kMonth, kQuarter };

// Hours since the epoch of `t` (floor).
int64_t HourIndex(absl::Time t);
int64_t HourIndexOfMillis(int64_t unix_ms);
absl::Time HourStart(int64_t hour);
// China-time day number (days since 1970-01-01 in UTC+8) of `t`.
int32_t ChinaDay(absl::Time t);
int32_t ChinaDayOfMillis(int64_t unix_ms);
// Hour of the China-time day, 0..23.
int HourOfChinaDay(int64_t hour);
// First hour of China-time day `day`.
int64_t DayFirstHour(int32_t day);
// Start of the period of `kind` containing `t`, and the start of the next one.
absl::Time PeriodStart(Period kind, absl::Time t);
absl::Time NextPeriodStart(Period kind, absl::Time period_start);

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_CHINA_TIME_H_
