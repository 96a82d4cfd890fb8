// Sessions and tokens: Authenticate, Login, Refresh, Logout, Revoke, WhoAmI, ChangePassword.
#include "services/gateway/identity_core.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/time_convert.h"
#include "services/gateway/password_hash.h"

namespace gridwork::gateway {

using service::FromProto;
using service::ToProto;

IdentityCore::IdentityCore(IdentityStore* store, const TokenCodec* tokens, LoginThrottle* throttle,
                           Notifier* notifier, IdentityOptions options, Clock* clock)
    : store_(store),
      tokens_(tokens),
      throttle_(throttle),
      notifier_(notifier),
      options_(options),
      clock_(clock) {}

absl::StatusOr<Caller> IdentityCore::Authenticate(absl::string_view access_token,
                                                  const std::string& peer) const {
  GW_ASSIGN_OR_RETURN(v1::TokenClaims claims, tokens_->Verify(access_token));
  absl::StatusOr<v1::SessionRecord> s = store_->GetSession(claims.sid());
  if (!s.ok() && !absl::IsNotFound(s.status())) return s.status();
  if (!s.ok() || s->revoked() || s->username() != claims.sub()) {
    return absl::UnauthenticatedError("session has ended (logged out or revoked); sign in again");
  }
  Caller c;
  c.principal.set_subject(claims.sub());
  c.principal.set_role(claims.role());
  c.principal.set_region_scope(claims.scope());
  c.principal.set_department(claims.dept());
  c.principal.mutable_expires_at()->set_seconds(claims.exp());
  c.session_id = claims.sid();
  c.peer = peer;
  return c;
}

v1::AuditRecord IdentityCore::AuditOf(const Caller& c, absl::string_view method,
                                      absl::string_view target) const {
  v1::AuditRecord a;
  *a.mutable_time() = ToProto(clock_->Now());
  a.set_subject(c.principal.subject());
  a.set_role(c.principal.role());
  a.set_method(std::string(method));
  a.set_peer(c.peer);
  a.set_code("OK");
  a.set_session_id(c.session_id);
  a.set_target(std::string(target));
  return a;
}

absl::Status IdentityCore::RecordAudit(const Caller& c, const std::string& method,
                                       const std::string& code, const std::string& target) {
  v1::AuditRecord a = AuditOf(c, method, target);
  a.set_code(code);
  store::WriteRequest w;
  store_->PutAudit(w, a);
  return store_->db()->Commit(std::move(w)).status();
}

v1::TokenPair IdentityCore::IssueTokens(store::WriteRequest& w, const v1::User& u,
                                        v1::SessionRecord s) {
  absl::Time now = clock_->Now();
  absl::Time access_exp = now + options_.access_ttl;
  v1::TokenClaims claims;
  claims.set_sub(u.username());
  claims.set_role(u.role());
  claims.set_scope(u.region_scope());
  claims.set_dept(u.department());
  claims.set_sid(s.session_id());
  claims.set_iat(static_cast<uint32_t>(absl::ToUnixSeconds(now)));
  claims.set_exp(static_cast<uint32_t>(absl::ToUnixSeconds(access_exp)));

  std::string refresh = absl::StrCat("rt-", absl::BytesToHexString(RandomBytes(32)));
  std::string refresh_hash = Sha256Hex(refresh);
  s.set_refresh_hash(refresh_hash);
  store_->PutSession(w, s);
  v1::RefreshIndexRecord idx;
  idx.set_session_id(s.session_id());
  idx.set_username(u.username());
  idx.set_current(true);
  store_->PutRefresh(w, refresh_hash, idx);

  v1::TokenPair pair;
  pair.set_access_token(tokens_->Sign(claims));
  *pair.mutable_access_expires_at() = ToProto(absl::FromUnixSeconds(claims.exp()));
  pair.set_refresh_token(refresh);
  *pair.mutable_refresh_expires_at() = s.refresh_expires_at();
  pair.set_session_id(s.session_id());
  *pair.mutable_user() = u;
  return pair;
}

v1::TokenPair IdentityCore::OpenSession(store::WriteRequest& w, const v1::User& u,
                                        const std::string& peer) {
  v1::SessionRecord s;
  s.set_session_id(NewId("s"));
  s.set_username(u.username());
  *s.mutable_created_at() = ToProto(clock_->Now());
  *s.mutable_refresh_expires_at() = ToProto(clock_->Now() + options_.refresh_ttl);
  s.set_peer(peer);
  return IssueTokens(w, u, std::move(s));
}

absl::StatusOr<v1::TokenPair> IdentityCore::Login(const std::string& username,
                                                  const std::string& password,
                                                  const std::string& peer) {
  GW_RETURN_IF_ERROR(throttle_->Check(username, peer));
  absl::StatusOr<v1::UserRecord> u = store_->GetUser(username);
  if (!u.ok() && !absl::IsNotFound(u.status())) return u.status();
  bool good = false;
  if (u.ok()) {
    good = VerifyPassword(password, u->credential()) && !u->user().disabled();
  } else {
    BurnEquivalentHash(password, options_.pbkdf2_iterations);
  }
  Caller who;
  who.principal.set_subject(username);
  who.peer = peer;
  if (!good) {
    throttle_->RecordFailure(username, peer);
    v1::AuditRecord a = AuditOf(who, "Login", username);
    a.set_code("UNAUTHENTICATED");
    store::WriteRequest w;
    store_->PutAudit(w, a);
    (void)store_->db()->Commit(std::move(w));
    return absl::UnauthenticatedError("unknown user, wrong password or disabled account");
  }
  throttle_->RecordSuccess(username);
  store::WriteRequest w;
  v1::TokenPair pair = OpenSession(w, u->user(), peer);
  who.principal.set_role(u->user().role());
  who.session_id = pair.session_id();
  store_->PutAudit(w, AuditOf(who, "Login", username));
  GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(w)).status());
  return pair;
}

absl::StatusOr<v1::TokenPair> IdentityCore::Refresh(const std::string& refresh_token,
                                                    const std::string& peer) {
  const auto invalid = [] {
    return absl::UnauthenticatedError("refresh token is unknown, expired or revoked");
  };
  if (refresh_token.empty() || refresh_token.size() > 256) return invalid();
  std::string h = Sha256Hex(refresh_token);
  absl::StatusOr<v1::RefreshIndexRecord> idx = store_->GetRefresh(h);
  if (absl::IsNotFound(idx.status())) return invalid();
  GW_RETURN_IF_ERROR(idx.status());
  GW_ASSIGN_OR_RETURN(v1::SessionRecord s, store_->GetSession(idx->session_id()));
  if (s.revoked()) return invalid();
  if (!idx->current() || s.refresh_hash() != h) {
    // Reuse of a rotated refresh token: someone else may hold the current one.
    s.set_revoked(true);
    store::WriteRequest w;
    store_->PutSession(w, s);
    Caller who;
    who.principal.set_subject(s.username());
    who.peer = peer;
    who.session_id = s.session_id();
    v1::AuditRecord a = AuditOf(who, "Refresh", "refresh token reuse: session revoked");
    a.set_code("UNAUTHENTICATED");
    store_->PutAudit(w, a);
    GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(w)).status());
    log::Warning("refresh token reused; session revoked",
                 {{"user", s.username()}, {"session", s.session_id()}, {"peer", peer}});
    return invalid();
  }
  if (FromProto(s.refresh_expires_at()) <= clock_->Now()) return invalid();
  GW_ASSIGN_OR_RETURN(v1::UserRecord u, store_->GetUser(s.username()));
  if (u.user().disabled()) return invalid();
  store::WriteRequest w;
  v1::RefreshIndexRecord old = *idx;
  old.set_current(false);
  store_->PutRefresh(w, h, old);
  v1::TokenPair pair = IssueTokens(w, u.user(), s);
  GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(w)).status());
  return pair;
}

absl::StatusOr<int> IdentityCore::RevokeAllSessions(store::WriteRequest& w,
                                                    const std::string& username,
                                                    const std::string& except_session) {
  GW_ASSIGN_OR_RETURN(std::vector<std::string> sids, store_->UserSessions(username));
  int revoked = 0;
  for (const std::string& sid : sids) {
    if (sid == except_session) continue;
    absl::StatusOr<v1::SessionRecord> s = store_->GetSession(sid);
    if (!s.ok() || s->revoked()) continue;
    s->set_revoked(true);
    store_->PutSession(w, *s);
    ++revoked;
  }
  return revoked;
}

absl::Status IdentityCore::Logout(const Caller& c) {
  GW_ASSIGN_OR_RETURN(v1::SessionRecord s, store_->GetSession(c.session_id));
  s.set_revoked(true);
  store::WriteRequest w;
  store_->PutSession(w, s);
  store_->PutAudit(w, AuditOf(c, "Logout", c.session_id));
  return store_->db()->Commit(std::move(w)).status();
}

absl::StatusOr<v1::RevokeResponse> IdentityCore::Revoke(const Caller& c,
                                                        const v1::RevokeRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(c.principal, {common::v1::ROLE_ADMIN}));
  if (req.session_id().empty() == req.username().empty()) {
    return absl::InvalidArgumentError("give exactly one of session_id and username");
  }
  return service::RunIdempotent<v1::RevokeResponse>(
      store_->db(), "gateway.Revoke", req.request_id(), req,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::RevokeResponse> {
        v1::RevokeResponse resp;
        if (!req.session_id().empty()) {
          GW_ASSIGN_OR_RETURN(v1::SessionRecord s, store_->GetSession(req.session_id()));
          if (!s.revoked()) resp.set_revoked(1);
          s.set_revoked(true);
          store_->PutSession(w, s);
        } else {
          GW_ASSIGN_OR_RETURN(int n, RevokeAllSessions(w, req.username()));
          resp.set_revoked(n);
        }
        store_->PutAudit(w, AuditOf(c, "Revoke", req.session_id() + req.username()));
        return resp;
      });
}

absl::StatusOr<v1::WhoAmIResponse> IdentityCore::WhoAmI(const Caller& c) const {
  v1::WhoAmIResponse r;
  *r.mutable_principal() = c.principal;
  r.set_session_id(c.session_id);
  absl::StatusOr<v1::UserRecord> u = store_->GetUser(c.principal.subject());
  if (u.ok()) *r.mutable_user() = u->user();
  return r;
}

absl::Status IdentityCore::ChangePassword(const Caller& c, const v1::ChangePasswordRequest& req) {
  if (req.new_password().size() < 8) {
    return absl::InvalidArgumentError("new password must be at least 8 characters");
  }
  return service::RunIdempotent<v1::ChangePasswordResponse>(
             store_->db(), "gateway.ChangePassword", req.request_id(), req,
             [&](store::WriteRequest& w) -> absl::StatusOr<v1::ChangePasswordResponse> {
               GW_ASSIGN_OR_RETURN(v1::UserRecord u, store_->GetUser(c.principal.subject()));
               if (!VerifyPassword(req.old_password(), u.credential())) {
                 return absl::UnauthenticatedError("old password is wrong");
               }
               *u.mutable_credential() =
                   HashPassword(req.new_password(), options_.pbkdf2_iterations);
               store_->PutUser(w, u);
               GW_RETURN_IF_ERROR(RevokeAllSessions(w, u.user().username(), c.session_id).status());
               store_->PutAudit(w, AuditOf(c, "ChangePassword", u.user().username()));
               return v1::ChangePasswordResponse();
             })
      .status();
}

absl::StatusOr<std::string> IdentityCore::DeviceWorker(const std::string& device_id) const {
  GW_ASSIGN_OR_RETURN(v1::Device d, store_->GetDevice(device_id));
  return d.worker_id();
}

}  // namespace gridwork::gateway
