// gridwork.admin.v1.StoreAdmin at the gateway (proto/gridwork/admin/v1/store_admin.proto).
// The gateway registers the service itself, so every StoreAdmin call through it lands here
// (the generic proxy never sees it). After the CallGate (bearer token, policy row: admins
// only, rate class bulk):
//   - no "x-gridwork-upstream" header (HTTP: no ?upstream=), or "gateway": a checkpoint of
//     the gateway's own identity store;
//   - "location", "geofence", "workorder", "inspection" or "analytics" (with --routing_file
//     optionally "/<shard>", e.g. "workorder/d1"; else the caller's default shard): forwarded
//     to that service with the caller's signed principal and a deadline (the caller's, capped
//     at the row's), and its answer returned; the service checks the role again.
// Denials carry the gateway's one uniform message; each call is access-logged and audited.
//
// Thread safety: thread-safe; the dependencies must outlive the service.
#ifndef GRIDWORK_SERVICES_GATEWAY_STORE_ADMIN_GATEWAY_H_
#define GRIDWORK_SERVICES_GATEWAY_STORE_ADMIN_GATEWAY_H_

#include "gridwork/admin/v1/store_admin.grpc.pb.h"
#include "gridwork/service/store_admin.h"
#include "services/gateway/proxy_service.h"

namespace gridwork::gateway {

class GatewayStoreAdmin final : public admin::v1::StoreAdmin::Service {
 public:
  // `local` checkpoints the gateway's own store. Not owned.
  GatewayStoreAdmin(ProxyDeps deps, service::StoreCheckpointer* local)
      : deps_(deps), local_(local) {}

  grpc::Status CreateCheckpoint(grpc::ServerContext* ctx,
                                const admin::v1::CreateCheckpointRequest* req,
                                admin::v1::Checkpoint* resp) override;

 private:
  ProxyDeps deps_;
  service::StoreCheckpointer* local_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_STORE_ADMIN_GATEWAY_H_
