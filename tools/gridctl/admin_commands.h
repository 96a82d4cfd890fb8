// gridctl's administration commands:
//
//   gridctl checkpoint SERVICE[/SHARD] NAME   online checkpoint of a service's store
//
// Through the gateway (logged in as an admin) SERVICE is gateway, location, geofence,
// workorder, inspection or analytics, optionally with the shard ("workorder/d1") when the
// gateway routes by shard; in operator mode (--principal_key_file, --as_role=ROLE_ADMIN or
// ROLE_SERVICE) it is one of the five services, reached at its --<service>_addr.
#ifndef GRIDWORK_TOOLS_GRIDCTL_ADMIN_COMMANDS_H_
#define GRIDWORK_TOOLS_GRIDCTL_ADMIN_COMMANDS_H_

#include <string>

#include "tools/gridctl/client.h"

namespace gridwork::gridctl {

// Prints the checkpoint (path, feed sequence, size) as JSON; returns the exit code.
int Checkpoint(Client& client, const std::string& target, const std::string& name);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_ADMIN_COMMANDS_H_
