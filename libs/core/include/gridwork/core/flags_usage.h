// Command-line handling shared by every binary: `--help` lists every Gridwork flag (those
// defined in main.cc and in libs/) with its default, then exits.
#ifndef GRIDWORK_CORE_FLAGS_USAGE_H_
#define GRIDWORK_CORE_FLAGS_USAGE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gridwork {

// Sets the usage message, parses argv with absl::ParseCommandLine (exits on --help or a bad
// flag, with a message) and returns the positional arguments (argv[0] first).
std::vector<char*> ParseFlags(int argc, char** argv, absl::string_view usage);

}  // namespace gridwork

#endif  // GRIDWORK_CORE_FLAGS_USAGE_H_
