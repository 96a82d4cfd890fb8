// RFC 4180 CSV lines: fields with a comma, quote, CR or LF are quoted, quotes doubled; every
// line ends with CRLF. A field starting with = + - @ is prefixed with ' so that spreadsheet
// programs do not evaluate it (CSV injection).
#ifndef GRIDWORK_SERVICES_ANALYTICS_CSV_H_
#define GRIDWORK_SERVICES_ANALYTICS_CSV_H_

#include <string>
#include <vector>

namespace gridwork::analytics {

std::string CsvLine(const std::vector<std::string>& fields);

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_CSV_H_
