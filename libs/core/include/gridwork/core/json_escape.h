// Minimal JSON string escaping for hand-written JSON (logs, GeoJSON, CSV-free exports).
#ifndef GRIDWORK_CORE_JSON_ESCAPE_H_
#define GRIDWORK_CORE_JSON_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gridwork {

// Appends `s` to `out` as a quoted JSON string. Control characters are \u-escaped; bytes
// >= 0x80 are copied as they are (input is assumed UTF-8).
void AppendJsonString(absl::string_view s, std::string* out);

}  // namespace gridwork

#endif  // GRIDWORK_CORE_JSON_ESCAPE_H_
