#include "gridwork/service/feed_auth.h"

#include "absl/time/clock.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::service {

store::FeedServiceImpl::AuthorizeFn FeedAuthorizer(const rpc::PrincipalCodec* codec) {
  return [codec](grpc::ServerContext* ctx) {
    return rpc::ToGrpcStatus(codec->Authenticate(*ctx).status());
  };
}

store::FeedServiceImpl::VisibleFn FeedScopeFilter(const rpc::PrincipalCodec* codec) {
  return [codec](grpc::ServerContext* ctx, const store::FeedEvent& e) {
    auto p = codec->Authenticate(*ctx);
    if (!p.ok()) return false;
    return e.region_path().empty() ? p->region_scope().empty()
                                   : rpc::InScope(*p, e.region_path());
  };
}

std::function<void(grpc::ClientContext*)> ServicePrincipalMetadata(
    const rpc::PrincipalCodec* codec, std::string service_name) {
  return [codec, service_name](grpc::ClientContext* ctx) {
    rpc::Principal p;
    p.set_subject(service_name);
    p.set_role(common::v1::ROLE_SERVICE);
    *p.mutable_expires_at() = ToProto(absl::Now() + absl::Minutes(10));
    codec->Attach(p, ctx);
  };
}

}  // namespace gridwork::service
