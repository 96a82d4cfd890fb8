// The gateway's RocksDB: users, sessions, refresh-token index, resident verification codes,
// tracker devices and the audit trail. Typed reads; writes go into a store::WriteRequest so a
// mutation, its audit record and its idempotency record commit together.
//
// Families and keys (KeyBuilder string components, key_codec.h). DO NOT CHANGE THESE NAMES
// OR LAYOUTS: they are on disk.
//   users          String(username)                    -> UserRecord
//   sessions       String(session_id)                  -> SessionRecord
//   user_sessions  String(username) String(session_id) -> "" (index for "revoke all")
//   refresh        String(hex SHA-256 of refresh token) -> RefreshIndexRecord
//   verifications  String(phone)                       -> VerificationRecord
//   devices        String(device_id)                   -> Device
//   audit          Uint64(~micros since epoch) String(random id) -> AuditRecord (newest first)
//
// Thread safety: all methods may be called concurrently (store::Db is thread-safe).
#ifndef GRIDWORK_SERVICES_GATEWAY_IDENTITY_STORE_H_
#define GRIDWORK_SERVICES_GATEWAY_IDENTITY_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/gateway/v1/gateway.pb.h"
#include "gridwork/store/db.h"

namespace gridwork::gateway {

class IdentityStore {
 public:
  static absl::StatusOr<std::unique_ptr<IdentityStore>> Open(const std::string& dir, bool sync,
                                                             Clock* clock = Clock::Real());
  IdentityStore(const IdentityStore&) = delete;
  IdentityStore& operator=(const IdentityStore&) = delete;

  store::Db* db() const { return db_.get(); }

  // NOT_FOUND if absent; DATA_LOSS if the record does not parse.
  absl::StatusOr<v1::UserRecord> GetUser(const std::string& username) const;
  absl::StatusOr<v1::SessionRecord> GetSession(const std::string& session_id) const;
  absl::StatusOr<v1::RefreshIndexRecord> GetRefresh(const std::string& refresh_hash) const;
  absl::StatusOr<v1::VerificationRecord> GetVerification(const std::string& phone) const;
  absl::StatusOr<v1::Device> GetDevice(const std::string& device_id) const;
  // Session ids of a user.
  absl::StatusOr<std::vector<std::string>> UserSessions(const std::string& username) const;
  // Up to `limit` users with username > after, in order.
  absl::StatusOr<std::vector<v1::UserRecord>> ListUsers(const std::string& after, int limit) const;
  // Up to `limit` audit records after the key `after` (empty = newest), newest first; sets
  // *last_key to the key of the last returned record.
  absl::StatusOr<std::vector<v1::AuditRecord>> ListAudit(const std::string& after, int limit,
                                                         std::string* last_key) const;

  void PutUser(store::WriteRequest& w, const v1::UserRecord& u) const;
  void PutSession(store::WriteRequest& w, const v1::SessionRecord& s) const;
  void PutRefresh(store::WriteRequest& w, const std::string& refresh_hash,
                  const v1::RefreshIndexRecord& r) const;
  void PutVerification(store::WriteRequest& w, const std::string& phone,
                       const v1::VerificationRecord& v) const;
  void DeleteVerification(store::WriteRequest& w, const std::string& phone) const;
  void PutDevice(store::WriteRequest& w, const v1::Device& d) const;
  void PutAudit(store::WriteRequest& w, const v1::AuditRecord& a) const;

 private:
  IdentityStore() = default;
  std::unique_ptr<store::Db> db_;
  store::FamilyHandle users_, sessions_, user_sessions_, refresh_, verifications_, devices_, audit_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_IDENTITY_STORE_H_
