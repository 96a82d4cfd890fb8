// gridctl's kubectl-like commands, NOUN VERB ARGS, in both modes (operator and gateway):
//
//   regions list [PARENT] | import FILE | export [ROOT] | locate LAT LNG
//   workers list REGION
//   bindings list REGION | bindings list --worker WORKER  (as: bindings list worker:W)
//   keypoints list REGION
//   orders list [STATE...] | show ID | history ID | transition ID ACTION [NOTE]
//   inspections list [ASSIGNEE]
//
// Listings honour -o table|json|csv. Each noun answers `--help` (see CommandHelp).
#ifndef GRIDWORK_TOOLS_GRIDCTL_RESOURCE_COMMANDS_H_
#define GRIDWORK_TOOLS_GRIDCTL_RESOURCE_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/gridctl/client.h"
#include "tools/gridctl/output.h"
#include "tools/gridctl/workorder_commands.h"

namespace gridwork::gridctl {

struct ResourceOptions {
  OutputFormat format = OutputFormat::kTable;
  bool validate_only = false;  // regions import
  std::string worker;          // bindings list --worker
  WorkOrderOptions act;        // orders transition
};

// Runs NOUN VERB ARGS if `noun` is one of the nouns above; nullopt otherwise.
std::optional<int> RunResourceCommand(Client& c, const std::string& noun,
                                      const std::vector<std::string>& args,
                                      const ResourceOptions& options);

// The help text of one command or noun ("regions", "login", ...); empty if unknown.
std::string CommandHelp(const std::string& command);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_RESOURCE_COMMANDS_H_
