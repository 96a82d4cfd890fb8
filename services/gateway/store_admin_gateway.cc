#include "services/gateway/store_admin_gateway.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridwork/core/log.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/metrics_interceptor.h"
#include "gridwork/rpc/status_convert.h"
#include "services/gateway/request_auth.h"

namespace gridwork::gateway {
namespace {

constexpr char kMethod[] = "/gridwork.admin.v1.StoreAdmin/CreateCheckpoint";

}  // namespace

grpc::Status GatewayStoreAdmin::CreateCheckpoint(grpc::ServerContext* ctx,
                                                 const admin::v1::CreateCheckpointRequest* req,
                                                 admin::v1::Checkpoint* resp) {
  const absl::Time start = absl::Now();
  const std::string peer = deps_.peers->CallerPeer(*ctx);
  absl::StatusOr<Admission> a = deps_.gate->Admit(kMethod, BearerToken(*ctx), peer);
  grpc::Status s;
  if (!a.ok()) {
    s = rpc::ToGrpcStatus(a.status());
  } else {
    std::string target = MetadataValue(*ctx, kUpstreamHeader);
    std::string shard;  // "workorder/d1": that shard (with --routing_file)
    if (size_t slash = target.find('/'); slash != std::string::npos) {
      shard = target.substr(slash + 1);
      target.resize(slash);
    }
    Upstream u = Upstream::kSelf;
    std::shared_ptr<grpc::Channel> channel;
    if (!target.empty() && target != "gateway" && !ParseUpstream(target, &u)) {
      s = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       "name the store's service in the x-gridwork-upstream header (gateway, "
                       "location, geofence, workorder, inspection, analytics; optionally "
                       "/<shard>)");
    } else if (u != Upstream::kSelf && deps_.router != nullptr && deps_.router->Routes(u)) {
      absl::StatusOr<ShardRouter::Target> t =
          deps_.router->NamedOrDefault(u, shard, a->caller.principal);
      if (t.ok()) {
        channel = t->channel;
      } else {
        s = rpc::ToGrpcStatus(t.status());
      }
    } else if (!shard.empty()) {
      s = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       absl::StrCat(target, " is not sharded at this gateway"));
    } else if (u != Upstream::kSelf) {
      channel = deps_.upstreams->Channel(u);
      if (!channel) {
        s = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                         absl::StrCat("upstream not configured: ", UpstreamName(u)));
      }
    }
    if (s.ok() && u == Upstream::kSelf) {
      absl::StatusOr<admin::v1::Checkpoint> c = local_->Create(req->name());
      if (c.ok()) *resp = *std::move(c);
      s = rpc::ToGrpcStatus(c.status());
    } else if (s.ok()) {
      rpc::IncomingDeadlineScope scope(absl::FromChrono(ctx->deadline()));
      std::unique_ptr<grpc::ClientContext> cctx = rpc::NewCallContext(a->policy->max_deadline);
      deps_.principals->Attach(a->caller.principal, cctx.get());
      s = admin::v1::StoreAdmin::NewStub(channel)->CreateCheckpoint(cctx.get(), *req, resp);
    }
  }
  s = UniformDenial(std::move(s));
  const std::string user = a.ok() ? a->caller.principal.subject() : "";
  LogAccess("grpc", user, kMethod, peer, s.error_code(), absl::Now() - start);
  if (a.ok()) {
    absl::Status audit = deps_.identity->RecordAudit(
        a->caller, kMethod, rpc::GrpcCodeName(s.error_code()),
        absl::StrCat("name=", req->name(), " upstream=", MetadataValue(*ctx, kUpstreamHeader)));
    if (!audit.ok()) log::Warning("audit write failed", {{"error", audit.message()}});
  }
  return s;
}

}  // namespace gridwork::gateway
