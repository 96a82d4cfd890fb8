#include "gridwork/rpc/handler.h"

namespace gridwork::rpc {

void LogServerError(const grpc::ServerContextBase& ctx, const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      log::Error("request failed", {{"peer", ctx.peer()},
                                    {"code", absl::StatusCodeToString(status.code())},
                                    {"error", status.message()}});
      break;
    default:
      break;
  }
}

}  // namespace gridwork::rpc
