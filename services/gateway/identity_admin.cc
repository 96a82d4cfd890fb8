// Account administration (admin only): users, API clients, tracker devices, the audit trail;
// and residents' self-registration (unauthenticated).
#include <cctype>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/gateway/identity_core.h"
#include "services/gateway/password_hash.h"

namespace gridwork::gateway {
namespace {

using common::v1::ROLE_ADMIN;
using service::FromProto;
using service::ToProto;

absl::Status CheckUsername(const std::string& name) {
  if (name.size() < 3 || name.size() > 64) {
    return absl::InvalidArgumentError("username must be 3-64 characters");
  }
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '@' &&
        ch != '+' && ch != '-') {
      return absl::InvalidArgumentError("username may contain only letters, digits and ._@+-");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRoleScope(common::v1::Role role, const std::string& department) {
  if (role == common::v1::ROLE_UNSPECIFIED || !common::v1::Role_IsValid(role)) {
    return absl::InvalidArgumentError("role is required");
  }
  if (role == common::v1::ROLE_DEPARTMENT_HANDLER && department.empty()) {
    return absl::InvalidArgumentError("a department handler needs a department");
  }
  return absl::OkStatus();
}

absl::Status CheckPhone(const std::string& phone) {
  bool ok = phone.size() >= 7 && phone.size() <= 16 && phone[0] == '+';
  for (size_t i = 1; ok && i < phone.size(); ++i)
    ok = std::isdigit(static_cast<unsigned char>(phone[i]));
  if (!ok) return absl::InvalidArgumentError("phone must be '+' and 6-15 digits");
  return absl::OkStatus();
}

constexpr int kMaxCodesPerWindow = 3;
constexpr int kMaxCodeAttempts = 5;

}  // namespace

std::string MaskPhone(const std::string& phone) {
  if (phone.size() <= 7) return "***";
  return absl::StrCat(phone.substr(0, 4), std::string(phone.size() - 7, '*'),
                      phone.substr(phone.size() - 3));
}

absl::Status IdentityCore::EnsureBootstrapAdmin(const std::string& username,
                                                const std::string& password) {
  GW_ASSIGN_OR_RETURN(std::vector<v1::UserRecord> any, store_->ListUsers("", 1));
  if (!any.empty()) return absl::OkStatus();
  GW_RETURN_IF_ERROR(CheckUsername(username));
  if (password.size() < 8) {
    return absl::InvalidArgumentError("bootstrap admin password must be at least 8 characters");
  }
  v1::UserRecord u;
  u.mutable_user()->set_username(username);
  u.mutable_user()->set_display_name("Administrator");
  u.mutable_user()->set_role(ROLE_ADMIN);
  u.mutable_user()->set_kind(v1::ACCOUNT_KIND_USER);
  *u.mutable_user()->mutable_created_at() = ToProto(clock_->Now());
  *u.mutable_credential() = HashPassword(password, options_.pbkdf2_iterations);
  store::WriteRequest w;
  store_->PutUser(w, u);
  Caller system;
  system.principal.set_subject("gateway");
  store_->PutAudit(w, AuditOf(system, "BootstrapAdmin", username));
  return store_->db()->Commit(std::move(w)).status();
}

absl::StatusOr<v1::User> IdentityCore::CreateUser(const Caller& c,
                                                  const v1::CreateUserRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(c.principal, {ROLE_ADMIN}));
  GW_RETURN_IF_ERROR(CheckUsername(req.user().username()));
  GW_RETURN_IF_ERROR(CheckRoleScope(req.user().role(), req.user().department()));
  if (req.password().size() < 8) {
    return absl::InvalidArgumentError("password must be at least 8 characters");
  }
  return service::RunIdempotent<v1::User>(
      store_->db(), "gateway.CreateUser", req.request_id(), req,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::User> {
        absl::StatusOr<v1::UserRecord> existing = store_->GetUser(req.user().username());
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat("username ", req.user().username(), " is taken"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        v1::UserRecord u;
        *u.mutable_user() = req.user();
        u.mutable_user()->set_disabled(false);
        u.mutable_user()->set_kind(v1::ACCOUNT_KIND_USER);
        *u.mutable_user()->mutable_created_at() = ToProto(clock_->Now());
        *u.mutable_credential() = HashPassword(req.password(), options_.pbkdf2_iterations);
        store_->PutUser(w, u);
        store_->PutAudit(w, AuditOf(c, "CreateUser", u.user().username()));
        return u.user();
      });
}

absl::StatusOr<v1::ListUsersResponse> IdentityCore::ListUsers(
    const Caller& c, const v1::ListUsersRequest& req) const {
  GW_RETURN_IF_ERROR(rpc::RequireRole(c.principal, {ROLE_ADMIN}));
  GW_ASSIGN_OR_RETURN(int size, rpc::ClampPageSize(req.page_size(), 100, 1000));
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(req.page_token(), 1));
  GW_ASSIGN_OR_RETURN(std::vector<v1::UserRecord> users, store_->ListUsers(after, size + 1));
  v1::ListUsersResponse resp;
  for (int i = 0; i < static_cast<int>(users.size()) && i < size; ++i) {
    v1::User* u = resp.add_users();
    *u = users[i].user();
    if (!u->phone().empty()) u->set_phone(MaskPhone(u->phone()));
  }
  if (static_cast<int>(users.size()) > size) {
    resp.set_next_page_token(rpc::EncodePageToken(users[size - 1].user().username(), 1));
  }
  return resp;
}

absl::StatusOr<v1::User> IdentityCore::SetUserRole(const Caller& c,
                                                   const v1::SetUserRoleRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(c.principal, {ROLE_ADMIN}));
  GW_RETURN_IF_ERROR(CheckRoleScope(req.role(), req.department()));
  return service::RunIdempotent<v1::User>(
      store_->db(), "gateway.SetUserRole", req.request_id(), req,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::User> {
        GW_ASSIGN_OR_RETURN(v1::UserRecord u, store_->GetUser(req.username()));
        u.mutable_user()->set_role(req.role());
        u.mutable_user()->set_region_scope(req.region_scope());
        u.mutable_user()->set_department(req.department());
        store_->PutUser(w, u);
        GW_RETURN_IF_ERROR(RevokeAllSessions(w, req.username()).status());
        store_->PutAudit(w, AuditOf(c, "SetUserRole",
                                    absl::StrCat(req.username(), " -> ", rpc::RoleName(req.role()),
                                                 " scope=", req.region_scope())));
        return u.user();
      });
}

absl::StatusOr<v1::User> IdentityCore::DisableUser(const Caller& c,
                                                   const v1::DisableUserRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(c.principal, {ROLE_ADMIN}));
  return service::RunIdempotent<v1::User>(
      store_->db(), "gateway.DisableUser", req.request_id(), req,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::User> {
        GW_ASSIGN_OR_RETURN(v1::UserRecord u, store_->GetUser(req.username()));
        u.mutable_user()->set_disabled(req.disabled());
        store_->PutUser(w, u);
        if (req.disabled()) GW_RETURN_IF_ERROR(RevokeAllSessions(w, req.username()).status());
        store_->PutAudit(w,
                         AuditOf(c, req.disabled() ? "DisableUser" : "EnableUser", req.username()));
        return u.user();
      });
}

absl::StatusOr<v1::CreateApiClientResponse> IdentityCore::CreateApiClient(
    const Caller& c, const v1::CreateApiClientRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(c.principal, {ROLE_ADMIN}));
  GW_RETURN_IF_ERROR(CheckRoleScope(req.role(), req.department()));
  // The secret exists only in this call's answer: the idempotency record keeps the response
  // without it, so a retry returns the client without the secret.
  std::string secret;
  GW_ASSIGN_OR_RETURN(
      v1::CreateApiClientResponse resp,
      service::RunIdempotent<v1::CreateApiClientResponse>(
          store_->db(), "gateway.CreateApiClient", req.request_id(), req,
          [&](store::WriteRequest& w) -> absl::StatusOr<v1::CreateApiClientResponse> {
            secret = absl::StrCat("cs-", absl::BytesToHexString(RandomBytes(24)));
            v1::UserRecord u;
            v1::User* user = u.mutable_user();
            user->set_username(NewId("ac"));
            user->set_display_name(req.display_name());
            user->set_role(req.role());
            user->set_region_scope(req.region_scope());
            user->set_department(req.department());
            user->set_kind(v1::ACCOUNT_KIND_API_CLIENT);
            *user->mutable_created_at() = ToProto(clock_->Now());
            *u.mutable_credential() = HashPassword(secret, options_.pbkdf2_iterations);
            store_->PutUser(w, u);
            store_->PutAudit(w, AuditOf(c, "CreateApiClient", user->username()));
            v1::CreateApiClientResponse r;
            *r.mutable_client() = *user;
            return r;
          }));
  resp.set_client_secret(secret);  // empty on a replay
  return resp;
}

absl::StatusOr<v1::Device> IdentityCore::BindDevice(const Caller& c,
                                                    const v1::BindDeviceRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(c.principal, {ROLE_ADMIN}));
  GW_RETURN_IF_ERROR(service::CheckId(req.device_id(), "device_id"));
  GW_RETURN_IF_ERROR(service::CheckId(req.worker_id(), "worker_id"));
  return service::RunIdempotent<v1::Device>(
      store_->db(), "gateway.BindDevice", req.request_id(), req,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::Device> {
        v1::Device d;
        d.set_device_id(req.device_id());
        d.set_worker_id(req.worker_id());
        *d.mutable_bound_at() = ToProto(clock_->Now());
        store_->PutDevice(w, d);
        store_->PutAudit(w, AuditOf(c, "BindDevice", req.device_id() + " -> " + req.worker_id()));
        return d;
      });
}

absl::StatusOr<v1::ListAuditResponse> IdentityCore::ListAudit(
    const Caller& c, const v1::ListAuditRequest& req) const {
  GW_RETURN_IF_ERROR(rpc::RequireRole(c.principal, {ROLE_ADMIN}));
  GW_ASSIGN_OR_RETURN(int size, rpc::ClampPageSize(req.page_size(), 100, 1000));
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(req.page_token(), 2));
  std::string last;
  GW_ASSIGN_OR_RETURN(std::vector<v1::AuditRecord> recs, store_->ListAudit(after, size, &last));
  v1::ListAuditResponse resp;
  for (auto& r : recs) *resp.add_records() = std::move(r);
  if (static_cast<int>(recs.size()) == size) {
    resp.set_next_page_token(rpc::EncodePageToken(last, 2));
  }
  return resp;
}

absl::StatusOr<v1::RegisterResidentResponse> IdentityCore::RegisterResident(
    const v1::RegisterResidentRequest& req, const std::string& peer) {
  GW_RETURN_IF_ERROR(CheckPhone(req.phone()));
  absl::Time now = clock_->Now();
  v1::VerificationRecord v;
  absl::StatusOr<v1::VerificationRecord> old = store_->GetVerification(req.phone());
  if (old.ok() && now - FromProto(old->window_start()) < options_.code_ttl) {
    if (old->sent_in_window() >= kMaxCodesPerWindow) {
      return absl::ResourceExhaustedError("too many codes for this number; try again later");
    }
    v.set_sent_in_window(old->sent_in_window() + 1);
    *v.mutable_window_start() = old->window_start();
  } else {
    v.set_sent_in_window(1);
    *v.mutable_window_start() = ToProto(now);
  }
  uint32_t n = 0;
  std::string rnd = RandomBytes(4);
  for (char ch : rnd) n = (n << 8) | static_cast<unsigned char>(ch);
  std::string code = absl::StrFormat("%06u", n % 1000000);
  v.set_code_hash(Sha256Hex(req.phone() + ":" + code));
  *v.mutable_expires_at() = ToProto(now + options_.code_ttl);
  GW_RETURN_IF_ERROR(notifier_->SendVerificationCode(req.phone(), code));
  store::WriteRequest w;
  store_->PutVerification(w, req.phone(), v);
  Caller who;
  who.principal.set_subject(req.phone());
  who.peer = peer;
  store_->PutAudit(w, AuditOf(who, "RegisterResident", MaskPhone(req.phone())));
  GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(w)).status());
  v1::RegisterResidentResponse resp;
  *resp.mutable_code_expires_at() = v.expires_at();
  return resp;
}

absl::StatusOr<v1::TokenPair> IdentityCore::VerifyResident(const v1::VerifyResidentRequest& req,
                                                           const std::string& peer) {
  GW_RETURN_IF_ERROR(CheckPhone(req.phone()));
  if (req.password().size() < 8) {
    return absl::InvalidArgumentError("password must be at least 8 characters");
  }
  const auto bad = [] { return absl::UnauthenticatedError("wrong or expired code"); };
  absl::StatusOr<v1::VerificationRecord> v = store_->GetVerification(req.phone());
  if (absl::IsNotFound(v.status())) return bad();
  GW_RETURN_IF_ERROR(v.status());
  if (FromProto(v->expires_at()) <= clock_->Now() || v->attempts() >= kMaxCodeAttempts) {
    return bad();
  }
  std::string got = Sha256Hex(req.phone() + ":" + req.code());
  if (got != v->code_hash()) {  // Hashes of secrets: equal-length hex, no timing signal of value.
    v->set_attempts(v->attempts() + 1);
    store::WriteRequest w;
    store_->PutVerification(w, req.phone(), *v);
    GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(w)).status());
    return bad();
  }
  if (store_->GetUser(req.phone()).ok()) {
    return absl::AlreadyExistsError("this phone number is already registered; sign in");
  }
  v1::UserRecord u;
  v1::User* user = u.mutable_user();
  user->set_username(req.phone());
  user->set_display_name(req.display_name());
  user->set_role(common::v1::ROLE_RESIDENT);
  user->set_kind(v1::ACCOUNT_KIND_USER);
  user->set_phone(req.phone());
  *user->mutable_created_at() = ToProto(clock_->Now());
  *u.mutable_credential() = HashPassword(req.password(), options_.pbkdf2_iterations);
  store::WriteRequest w;
  store_->PutUser(w, u);
  store_->DeleteVerification(w, req.phone());
  v1::TokenPair pair = OpenSession(w, *user, peer);
  Caller who;
  who.principal.set_subject(req.phone());
  who.principal.set_role(common::v1::ROLE_RESIDENT);
  who.peer = peer;
  who.session_id = pair.session_id();
  store_->PutAudit(w, AuditOf(who, "VerifyResident", MaskPhone(req.phone())));
  GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(w)).status());
  return pair;
}

}  // namespace gridwork::gateway
