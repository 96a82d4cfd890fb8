// The body every unary RPC handler shares: authenticate the caller, run the core method,
// convert its status, and never let an exception escape into gRPC (a bug on hostile input
// becomes INTERNAL for that call, logged, instead of a crashed service). Outgoing calls the
// core makes meanwhile (rpc::NewCallContext) are capped at the caller's deadline.
//
//   grpc::Status Locate(grpc::ServerContext* ctx, const LocateRequest* req,
//                       LocateResponse* resp) override {
//     return rpc::HandleUnary(codec_, ctx, *req, resp,
//                             [&](const Principal& p) { return core_->Locate(p, *req); });
//   }
#ifndef GRIDWORK_RPC_HANDLER_H_
#define GRIDWORK_RPC_HANDLER_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <exception>

#include "absl/time/time.h"
#include "gridwork/core/log.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/status_convert.h"

namespace gridwork::rpc {

// The caller's deadline of `ctx` (InfiniteFuture if it set none).
inline absl::Time CallerDeadline(const grpc::ServerContextBase& ctx) {
  const auto d = ctx.deadline();
  if (d >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 50)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(d);
}

// Logs server-side failures (INTERNAL, DATA_LOSS, UNKNOWN) with the method name.
void LogServerError(const grpc::ServerContextBase& ctx, const absl::Status& status);

template <typename Request, typename Response, typename Fn>
grpc::Status HandleUnary(const PrincipalCodec& codec, grpc::ServerContextBase* ctx,
                         const Request& request, Response* response, Fn&& fn) {
  absl::StatusOr<Principal> principal = codec.Authenticate(*ctx);
  if (!principal.ok()) return ToGrpcStatus(principal.status());
  // Outgoing calls made for this one end when its caller's deadline does (client.h).
  IncomingDeadlineScope deadline_scope(CallerDeadline(*ctx));
  try {
    auto result = fn(*principal);
    if (!result.ok()) {
      LogServerError(*ctx, result.status());
      return ToGrpcStatus(result.status());
    }
    *response = *std::move(result);
    return grpc::Status::OK;
  } catch (const std::exception& e) {
    absl::Status s =
        absl::InternalError(std::string("internal error while handling the request: ") + e.what());
    LogServerError(*ctx, s);
    return ToGrpcStatus(s);
  }
}

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_HANDLER_H_
