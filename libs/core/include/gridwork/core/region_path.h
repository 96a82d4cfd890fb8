// Region ids are materialised paths ("410105/s03/c07/g02", DESIGN.md section 4), so "is X
// inside region R" is a prefix test — at a path-segment boundary.
#ifndef GRIDWORK_CORE_REGION_PATH_H_
#define GRIDWORK_CORE_REGION_PATH_H_

#include "absl/strings/string_view.h"

namespace gridwork {

// True iff `path` equals `root` or lies below it: "410105/s01" contains "410105/s01/c02" but
// not "410105/s010". An empty root contains every path.
inline bool PathWithin(absl::string_view path, absl::string_view root) {
  if (root.empty()) return true;
  if (path.size() < root.size() || path.substr(0, root.size()) != root) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

}  // namespace gridwork

#endif  // GRIDWORK_CORE_REGION_PATH_H_
