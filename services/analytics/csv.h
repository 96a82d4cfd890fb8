// Analytics' CSV export format, in its own small library (gridwork_analytics_csv) because the
// gateway writes the same text when it merges a city's export from every analytics shard.
//
// RFC 4180 CSV lines: fields with a comma, quote, CR or LF are quoted, quotes doubled; every
// line ends with CRLF. A field starting with = + - @ is prefixed with ' so that spreadsheet
// programs do not evaluate it (CSV injection).
#ifndef GRIDWORK_SERVICES_ANALYTICS_CSV_H_
#define GRIDWORK_SERVICES_ANALYTICS_CSV_H_

#include <string>
#include <vector>

#include "gridwork/analytics/v1/analytics.pb.h"

namespace gridwork::analytics {

std::string CsvLine(const std::vector<std::string>& fields);

// ExportSeriesCsv's text: a header line, then one line per point (metric, group, period
// start in UTC+8 as RFC 3339 seconds, value).
std::string SeriesCsv(v1::Metric metric, const v1::QuerySeriesResponse& series);

// ExportAssessmentCsv's text: a header line, then one line per row in the given order.
std::string AssessmentCsv(const std::vector<v1::AssessmentRow>& rows);

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_CSV_H_
