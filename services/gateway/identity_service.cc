#include "services/gateway/identity_service.h"

#include "absl/strings/str_cat.h"
#include "gridwork/rpc/status_convert.h"
#include "services/gateway/proxy_service.h"

namespace gridwork::gateway {
namespace {

// Assigns a StatusOr's value to *out and returns its status.
template <typename T>
absl::Status Put(absl::StatusOr<T> r, T* out) {
  if (!r.ok()) return r.status();
  *out = *std::move(r);
  return absl::OkStatus();
}

}  // namespace

grpc::Status IdentityServiceImpl::Run(grpc::ServerContext* ctx, const char* name,
                                      const std::function<absl::Status(const Caller&)>& body) {
  absl::Time start = absl::Now();
  std::string method = absl::StrCat("/gridwork.gateway.v1.Identity/", name);
  std::string peer = peers_->CallerPeer(*ctx);
  absl::StatusOr<Admission> a = gate_->Admit(method, BearerToken(*ctx), peer);
  absl::Status s = a.ok() ? body(a->caller) : a.status();
  LogAccess("grpc", a.ok() ? a->caller.principal.subject() : "", method, peer,
            static_cast<int>(s.code()), absl::Now() - start);
  return rpc::ToGrpcStatus(s);
}

grpc::Status IdentityServiceImpl::Login(grpc::ServerContext* ctx, const v1::LoginRequest* req,
                                        v1::TokenPair* resp) {
  return Run(ctx, "Login", [&](const Caller& c) {
    return Put(core_->Login(req->username(), req->password(), c.peer), resp);
  });
}

grpc::Status IdentityServiceImpl::Refresh(grpc::ServerContext* ctx, const v1::RefreshRequest* req,
                                          v1::TokenPair* resp) {
  return Run(ctx, "Refresh", [&](const Caller& c) {
    return Put(core_->Refresh(req->refresh_token(), c.peer), resp);
  });
}

grpc::Status IdentityServiceImpl::Logout(grpc::ServerContext* ctx, const v1::LogoutRequest*,
                                         v1::LogoutResponse*) {
  return Run(ctx, "Logout", [&](const Caller& c) { return core_->Logout(c); });
}

grpc::Status IdentityServiceImpl::Revoke(grpc::ServerContext* ctx, const v1::RevokeRequest* req,
                                         v1::RevokeResponse* resp) {
  return Run(ctx, "Revoke", [&](const Caller& c) { return Put(core_->Revoke(c, *req), resp); });
}

grpc::Status IdentityServiceImpl::WhoAmI(grpc::ServerContext* ctx, const v1::WhoAmIRequest*,
                                         v1::WhoAmIResponse* resp) {
  return Run(ctx, "WhoAmI", [&](const Caller& c) { return Put(core_->WhoAmI(c), resp); });
}

grpc::Status IdentityServiceImpl::ChangePassword(grpc::ServerContext* ctx,
                                                 const v1::ChangePasswordRequest* req,
                                                 v1::ChangePasswordResponse*) {
  return Run(ctx, "ChangePassword",
             [&](const Caller& c) { return core_->ChangePassword(c, *req); });
}

grpc::Status IdentityServiceImpl::CreateUser(grpc::ServerContext* ctx,
                                             const v1::CreateUserRequest* req, v1::User* resp) {
  return Run(ctx, "CreateUser",
             [&](const Caller& c) { return Put(core_->CreateUser(c, *req), resp); });
}

grpc::Status IdentityServiceImpl::ListUsers(grpc::ServerContext* ctx,
                                            const v1::ListUsersRequest* req,
                                            v1::ListUsersResponse* resp) {
  return Run(ctx, "ListUsers",
             [&](const Caller& c) { return Put(core_->ListUsers(c, *req), resp); });
}

grpc::Status IdentityServiceImpl::SetUserRole(grpc::ServerContext* ctx,
                                              const v1::SetUserRoleRequest* req, v1::User* resp) {
  return Run(ctx, "SetUserRole",
             [&](const Caller& c) { return Put(core_->SetUserRole(c, *req), resp); });
}

grpc::Status IdentityServiceImpl::DisableUser(grpc::ServerContext* ctx,
                                              const v1::DisableUserRequest* req, v1::User* resp) {
  return Run(ctx, "DisableUser",
             [&](const Caller& c) { return Put(core_->DisableUser(c, *req), resp); });
}

grpc::Status IdentityServiceImpl::CreateApiClient(grpc::ServerContext* ctx,
                                                  const v1::CreateApiClientRequest* req,
                                                  v1::CreateApiClientResponse* resp) {
  return Run(ctx, "CreateApiClient",
             [&](const Caller& c) { return Put(core_->CreateApiClient(c, *req), resp); });
}

grpc::Status IdentityServiceImpl::RegisterResident(grpc::ServerContext* ctx,
                                                   const v1::RegisterResidentRequest* req,
                                                   v1::RegisterResidentResponse* resp) {
  return Run(ctx, "RegisterResident",
             [&](const Caller& c) { return Put(core_->RegisterResident(*req, c.peer), resp); });
}

grpc::Status IdentityServiceImpl::VerifyResident(grpc::ServerContext* ctx,
                                                 const v1::VerifyResidentRequest* req,
                                                 v1::TokenPair* resp) {
  return Run(ctx, "VerifyResident",
             [&](const Caller& c) { return Put(core_->VerifyResident(*req, c.peer), resp); });
}

grpc::Status IdentityServiceImpl::BindDevice(grpc::ServerContext* ctx,
                                             const v1::BindDeviceRequest* req, v1::Device* resp) {
  return Run(ctx, "BindDevice",
             [&](const Caller& c) { return Put(core_->BindDevice(c, *req), resp); });
}

grpc::Status IdentityServiceImpl::ListAudit(grpc::ServerContext* ctx,
                                            const v1::ListAuditRequest* req,
                                            v1::ListAuditResponse* resp) {
  return Run(ctx, "ListAudit",
             [&](const Caller& c) { return Put(core_->ListAudit(c, *req), resp); });
}

}  // namespace gridwork::gateway
