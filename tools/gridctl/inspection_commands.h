// gridctl's inspection commands (inspection-load-catalog, checklists, subjects,
// subject-register, tasks, task-assign).
#ifndef GRIDWORK_TOOLS_GRIDCTL_INSPECTION_COMMANDS_H_
#define GRIDWORK_TOOLS_GRIDCTL_INSPECTION_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/gridctl/client.h"

namespace gridwork::gridctl {

// Runs `command` with `args` if it is an inspection command and returns its exit code;
// nullopt otherwise.
std::optional<int> RunInspectionCommand(Client& c, const std::string& command,
                                        const std::vector<std::string>& args);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_INSPECTION_COMMANDS_H_
