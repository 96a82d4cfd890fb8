// Quick or long mode of the fault suite, and how figures are printed.
//
// Quick mode (the default, inside `make test`): few rounds, short load. Long mode
// (GRIDWORK_FAULT_LONG=1, tools/reliability.sh): more rounds, longer load, for
// docs/reliability.md. Figures go to stdout as one line each:
//   FIGURE <test> <name> <value> <unit>
// which tools/reliability.sh collects.
#ifndef GRIDWORK_TESTS_RELIABILITY_FAULT_ENV_H_
#define GRIDWORK_TESTS_RELIABILITY_FAULT_ENV_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_format.h"

namespace gridwork::testing {

inline bool LongMode() {
  const char* env = std::getenv("GRIDWORK_FAULT_LONG");
  return env != nullptr && std::string(env) != "0" && std::string(env) != "";
}

// `quick` in quick mode, `long_value` in long mode.
template <typename T>
T Pick(T quick, T long_value) {
  return LongMode() ? long_value : quick;
}

inline void Figure(const std::string& test, const std::string& name, double value,
                   const std::string& unit) {
  std::printf("FIGURE %s %s %s %s\n", test.c_str(), name.c_str(),
              absl::StrFormat("%.6g", value).c_str(), unit.c_str());
  std::fflush(stdout);
}

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_RELIABILITY_FAULT_ENV_H_
