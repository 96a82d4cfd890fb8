// absl::Status <-> grpc::Status. The numeric codes are identical; only messages are carried.
// Cores return absl::Status; only *_service.cc files convert (STYLE.md, "Errors").
#ifndef GRIDWORK_RPC_STATUS_CONVERT_H_
#define GRIDWORK_RPC_STATUS_CONVERT_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace gridwork::rpc {

grpc::Status ToGrpcStatus(const absl::Status& s);
absl::Status ToAbslStatus(const grpc::Status& s);

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_STATUS_CONVERT_H_
