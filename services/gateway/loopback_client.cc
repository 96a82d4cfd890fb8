#include "services/gateway/loopback_client.h"

#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>

#include <chrono>
#include <vector>

#include "gridwork/rpc/client.h"
#include "services/gateway/byte_buffers.h"

namespace gridwork::gateway {
namespace {}  // namespace

LoopbackClient::LoopbackClient(const std::string& grpc_target, const PeerForwarding* peers)
    : peers_(peers) {
  rpc::ChannelOptions options;
  options.max_send_message_bytes = 64 << 20;
  options.retry_unavailable = false;
  channel_ = rpc::MakeChannel(grpc_target, options);
}

void LoopbackClient::Prepare(const LoopbackCall& call, grpc::ClientContext* ctx) const {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(call.timeout)));
  if (!call.bearer.empty()) ctx->AddMetadata(kAuthorizationHeader, "Bearer " + call.bearer);
  if (!call.upstream.empty()) ctx->AddMetadata(kUpstreamHeader, call.upstream);
  peers_->Attach(call.peer, ctx);
}

grpc::Status LoopbackClient::Unary(const LoopbackCall& call, const std::string& request,
                                   std::string* response) {
  grpc::ClientContext ctx;
  Prepare(call, &ctx);
  grpc::ByteBuffer out;
  grpc::Status s = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel_.get(),
      grpc::internal::RpcMethod(call.method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC), &ctx,
      BufferOf(request), &out);
  if (s.ok()) *response = BytesOf(out);
  return s;
}

grpc::Status LoopbackClient::ServerStream(
    const LoopbackCall& call, const std::string& request,
    const std::function<bool(const std::string&)>& on_message) {
  grpc::ClientContext ctx;
  Prepare(call, &ctx);
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
          channel_.get(),
          grpc::internal::RpcMethod(call.method.c_str(),
                                    grpc::internal::RpcMethod::SERVER_STREAMING),
          &ctx, BufferOf(request)));
  grpc::ByteBuffer msg;
  while (reader->Read(&msg)) {
    if (!on_message(BytesOf(msg))) {
      ctx.TryCancel();
      break;
    }
  }
  return reader->Finish();
}

}  // namespace gridwork::gateway
