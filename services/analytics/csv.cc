#include "services/analytics/csv.h"

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

}  // namespace gridwork::analytics
