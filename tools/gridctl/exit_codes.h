// gridctl's exit codes: scripts may rely on them (documented in docs/gridctl.md).
//
//   0  ok
//   1  the command ran but reported problems (an import with errors, rejected fixes)
//   2  usage: unknown command or flag, wrong arguments, unreadable input file
//   3  UNAUTHENTICATED: not logged in, session ended or refused credentials
//   4  PERMISSION_DENIED
//   5  NOT_FOUND
//   6  INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE: the request was refused as given
//   7  ALREADY_EXISTS, ABORTED: a conflict (stale version, taken name)
//   8  RESOURCE_EXHAUSTED: throttled or too large; retry later or smaller
//   9  UNAVAILABLE, DEADLINE_EXCEEDED: could not reach the service in time; retry
//   10 any other error (INTERNAL, UNKNOWN, UNIMPLEMENTED, DATA_LOSS, CANCELLED)
// DO NOT CHANGE THESE VALUES: scripts depend on them.
#ifndef GRIDWORK_TOOLS_GRIDCTL_EXIT_CODES_H_
#define GRIDWORK_TOOLS_GRIDCTL_EXIT_CODES_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace gridwork::gridctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnauthenticated = 3;
inline constexpr int kExitPermissionDenied = 4;
inline constexpr int kExitNotFound = 5;
inline constexpr int kExitInvalid = 6;
inline constexpr int kExitConflict = 7;
inline constexpr int kExitExhausted = 8;
inline constexpr int kExitUnavailable = 9;
inline constexpr int kExitOther = 10;

// The exit code of a failed call with `code` (kExitOk for OK).
int ExitCodeFor(grpc::StatusCode code);
inline int ExitCodeFor(const absl::Status& s) {
  return ExitCodeFor(static_cast<grpc::StatusCode>(s.code()));
}

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_EXIT_CODES_H_
