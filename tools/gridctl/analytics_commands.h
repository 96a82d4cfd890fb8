// gridctl's analytics commands: cockpit (a one-screen summary), assessment (the ranked
// scores), order-stats, series-csv (a metric as CSV on stdout).
#ifndef GRIDWORK_TOOLS_GRIDCTL_ANALYTICS_COMMANDS_H_
#define GRIDWORK_TOOLS_GRIDCTL_ANALYTICS_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/gridctl/client.h"

namespace gridwork::gridctl {

// Runs `command` with `args` if it is an analytics command and returns its exit code;
// nullopt otherwise.
std::optional<int> RunAnalyticsCommand(Client& c, const std::string& command,
                                       const std::vector<std::string>& args);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_ANALYTICS_COMMANDS_H_
