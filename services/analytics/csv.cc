#include "services/analytics/csv.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::analytics {

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    std::string f = fields[i];
    // Numbers may start with '-': only text fields are defused.
    const bool numeric = !f.empty() && f.find_first_not_of("0123456789.-") == std::string::npos;
    if (!f.empty() && !numeric && (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@')) {
      f.insert(f.begin(), '\'');
    }
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

std::string SeriesCsv(v1::Metric metric, const v1::QuerySeriesResponse& series) {
  std::string out = CsvLine({"metric", "group", "period_start", "value"});
  const std::string name = v1::Metric_Name(metric);
  for (const v1::Series& s : series.series()) {
    for (const v1::SeriesPoint& pt : s.points()) {
      out += CsvLine({name, s.group(),
                      absl::FormatTime(absl::RFC3339_sec, service::FromProto(pt.period_start()),
                                       absl::FixedTimeZone(8 * 3600)),
                      absl::StrCat(pt.value())});
    }
  }
  return out;
}

std::string AssessmentCsv(const std::vector<v1::AssessmentRow>& rows) {
  std::string out = CsvLine({"rank", "worker_id", "grid_id", "score", "working_days", "distance_km",
                             "own_grid_hours", "coverage_avg", "check_ins", "check_ins_required",
                             "inspections_assigned", "inspections_on_time", "incidents_reported",
                             "incidents_confirmed", "verifications_assigned", "verifications_done",
                             "response_avg_s"});
  for (const v1::AssessmentRow& r : rows) {
    const v1::WorkerFigures& f = r.figures();
    out += CsvLine(
        {absl::StrCat(r.rank()), r.worker_id(), r.grid_id(), absl::StrFormat("%.2f", r.score()),
         absl::StrCat(f.working_days()), absl::StrFormat("%.3f", f.distance_km()),
         absl::StrFormat("%.2f", f.own_grid_hours()), absl::StrFormat("%.4f", f.coverage_avg()),
         absl::StrCat(f.check_ins()), absl::StrFormat("%.2f", f.check_ins_required()),
         absl::StrCat(f.inspections_assigned()), absl::StrCat(f.inspections_on_time()),
         absl::StrCat(f.incidents_reported()), absl::StrCat(f.incidents_confirmed()),
         absl::StrCat(f.verifications_assigned()), absl::StrCat(f.verifications_done()),
         absl::StrCat(f.response_avg().seconds())});
  }
  return out;
}

}  // namespace gridwork::analytics
