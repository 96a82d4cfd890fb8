#include "services/analytics/china_time.h"

#include <cmath>

namespace gridwork::analytics {
namespace {

constexpr int64_t kOffsetS = 8 * 3600;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

absl::TimeZone China() { return absl::FixedTimeZone(static_cast<int>(kOffsetS)); }

}  // namespace

int64_t HourIndex(absl::Time t) { return FloorDiv(absl::ToUnixSeconds(t), 3600); }
int64_t HourIndexOfMillis(int64_t unix_ms) { return FloorDiv(unix_ms, 3600 * 1000); }
absl::Time HourStart(int64_t hour) { return absl::FromUnixSeconds(hour * 3600); }
int32_t ChinaDay(absl::Time t) {
  return static_cast<int32_t>(FloorDiv(absl::ToUnixSeconds(t) + kOffsetS, 86400));
}
int32_t ChinaDayOfMillis(int64_t unix_ms) {
  return static_cast<int32_t>(FloorDiv(FloorDiv(unix_ms, 1000) + kOffsetS, 86400));
}
int HourOfChinaDay(int64_t hour) { return static_cast<int>(((hour + 8) % 24 + 24) % 24); }
int64_t DayFirstHour(int32_t day) { return int64_t{day} * 24 - 8; }

absl::Time PeriodStart(Period kind, absl::Time t) {
  const absl::TimeZone tz = China();
  const absl::CivilSecond cs = absl::ToCivilSecond(t, tz);
  switch (kind) {
    case Period::kHour:
      return HourStart(HourIndex(t));
    case Period::kDay:
      return absl::FromCivil(absl::CivilDay(cs), tz);
    case Period::kWeek: {
      absl::CivilDay d(cs);
      while (absl::GetWeekday(d) != absl::Weekday::monday) --d;
      return absl::FromCivil(d, tz);
    }
    case Period::kMonth:
      return absl::FromCivil(absl::CivilMonth(cs), tz);
    case Period::kQuarter: {
      const absl::CivilMonth m(cs);
      const int first = ((m.month() - 1) / 3) * 3 + 1;
      return absl::FromCivil(absl::CivilMonth(m.year(), first), tz);
    }
  }
  return t;
}

absl::Time NextPeriodStart(Period kind, absl::Time start) {
  const absl::TimeZone tz = China();
  const absl::CivilSecond cs = absl::ToCivilSecond(start, tz);
  switch (kind) {
    case Period::kHour:
      return start + absl::Hours(1);
    case Period::kDay:
      return absl::FromCivil(absl::CivilDay(cs) + 1, tz);
    case Period::kWeek:
      return absl::FromCivil(absl::CivilDay(cs) + 7, tz);
    case Period::kMonth:
      return absl::FromCivil(absl::CivilMonth(cs) + 1, tz);
    case Period::kQuarter:
      return absl::FromCivil(absl::CivilMonth(cs) + 3, tz);
  }
  return start;
}

}  // namespace gridwork::analytics
