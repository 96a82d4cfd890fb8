#include "services/gateway/identity_store.h"

#include <limits>

#include "gridwork/core/ids.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/store/key_codec.h"
#include "gridwork/store/stored_proto.h"

namespace gridwork::gateway {
namespace {

using store::KeyBuilder;

std::string Key(const std::string& s) { return KeyBuilder().String(s).Build(); }

template <typename Msg>
absl::StatusOr<Msg> Read(const store::Db& db, const store::FamilyHandle& f, const std::string& k,
                         absl::string_view what) {
  GW_ASSIGN_OR_RETURN(std::string v, db.Get(f, Key(k)));
  return store::ParseStoredProto<Msg>(v, what);
}

}  // namespace

absl::StatusOr<std::unique_ptr<IdentityStore>> IdentityStore::Open(const std::string& dir,
                                                                   bool sync, Clock* clock) {
  store::DbOptions options;
  options.path = dir;
  options.service_name = "gateway";
  options.sync = sync;
  options.clock = clock;
  GW_ASSIGN_OR_RETURN(
      std::unique_ptr<store::Db> db,
      store::Db::Open(options, {{"users", "username -> UserRecord"},
                                {"sessions", "session id -> SessionRecord"},
                                {"user_sessions", "(username, session id) -> empty"},
                                {"refresh", "sha256(refresh token) -> RefreshIndexRecord"},
                                {"verifications", "phone -> VerificationRecord"},
                                {"devices", "tracker device id -> Device"},
                                {"audit", "(~time, id) -> AuditRecord"}}));
  std::unique_ptr<IdentityStore> s(new IdentityStore());
  GW_ASSIGN_OR_RETURN(s->users_, db->Family("users"));
  GW_ASSIGN_OR_RETURN(s->sessions_, db->Family("sessions"));
  GW_ASSIGN_OR_RETURN(s->user_sessions_, db->Family("user_sessions"));
  GW_ASSIGN_OR_RETURN(s->refresh_, db->Family("refresh"));
  GW_ASSIGN_OR_RETURN(s->verifications_, db->Family("verifications"));
  GW_ASSIGN_OR_RETURN(s->devices_, db->Family("devices"));
  GW_ASSIGN_OR_RETURN(s->audit_, db->Family("audit"));
  s->db_ = std::move(db);
  return s;
}

absl::StatusOr<v1::UserRecord> IdentityStore::GetUser(const std::string& username) const {
  return Read<v1::UserRecord>(*db_, users_, username, "user");
}
absl::StatusOr<v1::SessionRecord> IdentityStore::GetSession(const std::string& sid) const {
  return Read<v1::SessionRecord>(*db_, sessions_, sid, "session");
}
absl::StatusOr<v1::RefreshIndexRecord> IdentityStore::GetRefresh(const std::string& h) const {
  return Read<v1::RefreshIndexRecord>(*db_, refresh_, h, "refresh index");
}
absl::StatusOr<v1::VerificationRecord> IdentityStore::GetVerification(
    const std::string& phone) const {
  return Read<v1::VerificationRecord>(*db_, verifications_, phone, "verification");
}
absl::StatusOr<v1::Device> IdentityStore::GetDevice(const std::string& device_id) const {
  return Read<v1::Device>(*db_, devices_, device_id, "device");
}

absl::StatusOr<std::vector<std::string>> IdentityStore::UserSessions(
    const std::string& username) const {
  std::vector<std::string> out;
  absl::Status st =
      db_->ScanPrefix(user_sessions_, Key(username), [&](absl::string_view key, absl::string_view) {
        store::KeyReader r(key);
        std::string user, sid;
        if (r.String(&user) && r.String(&sid)) out.push_back(sid);
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<v1::UserRecord>> IdentityStore::ListUsers(const std::string& after,
                                                                     int limit) const {
  std::vector<v1::UserRecord> out;
  std::string start = after.empty() ? "" : store::PrefixSuccessor(Key(after));
  absl::Status parse_error;
  absl::Status st = db_->ScanRange(users_, start, "", [&](absl::string_view, absl::string_view v) {
    auto u = store::ParseStoredProto<v1::UserRecord>(v, "user");
    if (!u.ok()) {
      parse_error = u.status();
      return false;
    }
    out.push_back(*std::move(u));
    return static_cast<int>(out.size()) < limit;
  });
  if (!st.ok()) return st;
  if (!parse_error.ok()) return parse_error;
  return out;
}

absl::StatusOr<std::vector<v1::AuditRecord>> IdentityStore::ListAudit(const std::string& after,
                                                                      int limit,
                                                                      std::string* last_key) const {
  std::vector<v1::AuditRecord> out;
  std::string start = after.empty() ? "" : store::PrefixSuccessor(after);
  absl::Status st =
      db_->ScanRange(audit_, start, "", [&](absl::string_view k, absl::string_view v) {
        auto a = store::ParseStoredProto<v1::AuditRecord>(v, "audit record");
        if (a.ok()) {
          out.push_back(*std::move(a));
          *last_key = std::string(k);
        }
        return static_cast<int>(out.size()) < limit;
      });
  if (!st.ok()) return st;
  return out;
}

void IdentityStore::PutUser(store::WriteRequest& w, const v1::UserRecord& u) const {
  w.Put(users_, Key(u.user().username()), u.SerializeAsString());
}
void IdentityStore::PutSession(store::WriteRequest& w, const v1::SessionRecord& s) const {
  w.Put(sessions_, Key(s.session_id()), s.SerializeAsString());
  w.Put(user_sessions_, KeyBuilder().String(s.username()).String(s.session_id()).Build(), "");
}
void IdentityStore::PutRefresh(store::WriteRequest& w, const std::string& h,
                               const v1::RefreshIndexRecord& r) const {
  w.Put(refresh_, Key(h), r.SerializeAsString());
}
void IdentityStore::PutVerification(store::WriteRequest& w, const std::string& phone,
                                    const v1::VerificationRecord& v) const {
  w.Put(verifications_, Key(phone), v.SerializeAsString());
}
void IdentityStore::DeleteVerification(store::WriteRequest& w, const std::string& phone) const {
  w.Delete(verifications_, Key(phone));
}
void IdentityStore::PutDevice(store::WriteRequest& w, const v1::Device& d) const {
  w.Put(devices_, Key(d.device_id()), d.SerializeAsString());
}
void IdentityStore::PutAudit(store::WriteRequest& w, const v1::AuditRecord& a) const {
  int64_t micros = a.time().seconds() * 1000000 + a.time().nanos() / 1000;
  std::string key =
      KeyBuilder()
          .Uint64(std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(micros))
          .String(NewId("a"))
          .Build();
  w.Put(audit_, key, a.SerializeAsString());
}

}  // namespace gridwork::gateway
