#include "services/geofence/keys.h"

#include "absl/strings/str_cat.h"

namespace gridwork::geofence::keys {

std::string Pair(absl::string_view a, absl::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size() + 1);
  out.append(a.data(), a.size());
  out.push_back('\0');
  out.append(b.data(), b.size());
  return out;
}

bool SplitPair(absl::string_view key, std::string* a, std::string* b) {
  size_t pos = key.find('\0');
  if (pos == absl::string_view::npos) return false;
  *a = std::string(key.substr(0, pos));
  *b = std::string(key.substr(pos + 1));
  return true;
}

}  // namespace gridwork::geofence::keys
