// gRPC adapter of the Identity service (gateway.proto): admission through the same CallGate
// and policy rows as proxied calls (so roles and rate limits are in one table), then the
// IdentityCore. Writes one access-log line per call.
#ifndef GRIDWORK_SERVICES_GATEWAY_IDENTITY_SERVICE_H_
#define GRIDWORK_SERVICES_GATEWAY_IDENTITY_SERVICE_H_

#include <functional>

#include "gridwork/gateway/v1/gateway.grpc.pb.h"
#include "services/gateway/call_gate.h"
#include "services/gateway/identity_core.h"
#include "services/gateway/request_auth.h"

namespace gridwork::gateway {

class IdentityServiceImpl final : public v1::Identity::Service {
 public:
  IdentityServiceImpl(IdentityCore* core, const CallGate* gate, const PeerForwarding* peers)
      : core_(core), gate_(gate), peers_(peers) {}

  grpc::Status Login(grpc::ServerContext* ctx, const v1::LoginRequest* req,
                     v1::TokenPair* resp) override;
  grpc::Status Refresh(grpc::ServerContext* ctx, const v1::RefreshRequest* req,
                       v1::TokenPair* resp) override;
  grpc::Status Logout(grpc::ServerContext* ctx, const v1::LogoutRequest* req,
                      v1::LogoutResponse* resp) override;
  grpc::Status Revoke(grpc::ServerContext* ctx, const v1::RevokeRequest* req,
                      v1::RevokeResponse* resp) override;
  grpc::Status WhoAmI(grpc::ServerContext* ctx, const v1::WhoAmIRequest* req,
                      v1::WhoAmIResponse* resp) override;
  grpc::Status ChangePassword(grpc::ServerContext* ctx, const v1::ChangePasswordRequest* req,
                              v1::ChangePasswordResponse* resp) override;
  grpc::Status CreateUser(grpc::ServerContext* ctx, const v1::CreateUserRequest* req,
                          v1::User* resp) override;
  grpc::Status ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest* req,
                         v1::ListUsersResponse* resp) override;
  grpc::Status SetUserRole(grpc::ServerContext* ctx, const v1::SetUserRoleRequest* req,
                           v1::User* resp) override;
  grpc::Status DisableUser(grpc::ServerContext* ctx, const v1::DisableUserRequest* req,
                           v1::User* resp) override;
  grpc::Status CreateApiClient(grpc::ServerContext* ctx, const v1::CreateApiClientRequest* req,
                               v1::CreateApiClientResponse* resp) override;
  grpc::Status RegisterResident(grpc::ServerContext* ctx, const v1::RegisterResidentRequest* req,
                                v1::RegisterResidentResponse* resp) override;
  grpc::Status VerifyResident(grpc::ServerContext* ctx, const v1::VerifyResidentRequest* req,
                              v1::TokenPair* resp) override;
  grpc::Status BindDevice(grpc::ServerContext* ctx, const v1::BindDeviceRequest* req,
                          v1::Device* resp) override;
  grpc::Status ListAudit(grpc::ServerContext* ctx, const v1::ListAuditRequest* req,
                         v1::ListAuditResponse* resp) override;

 private:
  // Admits the call (method = "/gridwork.gateway.v1.Identity/<name>"), runs `body` with the
  // caller and converts its status; logs the access line.
  grpc::Status Run(grpc::ServerContext* ctx, const char* name,
                   const std::function<absl::Status(const Caller&)>& body);

  IdentityCore* core_;
  const CallGate* gate_;
  const PeerForwarding* peers_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_IDENTITY_SERVICE_H_
