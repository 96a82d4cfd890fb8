// gridctl's work-order commands (catalog-load, orders, order-counts, order-report, order,
// order-history, order-act, order-verify).
#ifndef GRIDWORK_TOOLS_GRIDCTL_WORKORDER_COMMANDS_H_
#define GRIDWORK_TOOLS_GRIDCTL_WORKORDER_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/gridctl/client.h"

namespace gridwork::gridctl {

// Arguments of order-act beyond the positional ones.
struct WorkOrderOptions {
  std::string department;  // DISPATCH: target department (empty = category default)
  std::string verifier;    // ASSIGN_VERIFICATION: the grid worker who verifies
  // catalog-load: every SLA duration is divided by this (>= 1). A simulated day that runs
  // N times faster than real time (gridsim --speed=N) meets deadlines on its own clock only
  // when the SLAs shrink by the same N; 1 loads the file as written.
  double sla_compression = 1;
};

// Runs `command` with `args` if it is a work-order command and returns its exit code;
// nullopt if `command` is not one of them (or has the wrong number of arguments).
std::optional<int> RunWorkOrderCommand(Client& c, const std::string& command,
                                       const std::vector<std::string>& args,
                                       const WorkOrderOptions& act);

// Brings the service's catalogue in line with `catalog`: creates what is missing, updates
// what differs (with the stored version), leaves equal entries alone — so loading the same
// file twice changes nothing. Parents are created before children. Returns the exit code.
int LoadCatalog(Client& c, const workorder::v1::Catalog& catalog);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_WORKORDER_COMMANDS_H_
