// Column families every Gridwork store has, and the handle type used to name a family.
//
// A service registers its own families with Db::Open (ColumnFamilySpec) and resolves each to a
// FamilyHandle once at startup with Db::Family(name). The families below are created by the
// store itself in every database; their key layouts are in docs/store.md and src/layout.h.
//
// DO NOT CHANGE THESE NAMES: they are the on-disk names of the column families.
//
// Thread safety: constants; a FamilyHandle is an immutable value, safe to copy and share.
#ifndef GRIDWORK_STORE_FAMILIES_H_
#define GRIDWORK_STORE_FAMILIES_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace rocksdb {
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace gridwork::store {

// The transactional outbox: one FeedEvent per committed event, key = 8-byte big-endian
// sequence. Written only by Db::Commit, trimmed only by Db::TrimFeed.
inline constexpr absl::string_view kEventsFamily = "events";
// One record per (scope, request_id) mutation: payload fingerprint, first response, creation
// time. Written only by Db::Commit (WriteRequest::RecordIdempotency).
inline constexpr absl::string_view kIdempotencyFamily = "idempotency";
// Feed consumer cursors: consumer name -> last applied sequence of the peer's feed.
inline constexpr absl::string_view kCursorsFamily = "cursors";
// Store bookkeeping, e.g. the first retained feed sequence after a trim.
inline constexpr absl::string_view kMetaFamily = "meta";
// Feed events a consumer gave up on (poisoned), with the handler's error, per consumer.
inline constexpr absl::string_view kDeadLettersFamily = "dead_letters";

// Names one column family of one open Db. Obtain with Db::Family(); valid until that Db is
// closed. A default-constructed handle is invalid and rejected by every Db operation.
class FamilyHandle {
 public:
  FamilyHandle() = default;
  bool valid() const { return rep_ != nullptr; }
  // Index of the family in the Db's registry (stable for the life of the Db).
  uint32_t index() const { return index_; }

  friend bool operator==(const FamilyHandle& a, const FamilyHandle& b) { return a.rep_ == b.rep_; }

 private:
  friend class Db;
  FamilyHandle(rocksdb::ColumnFamilyHandle* rep, uint32_t index) : rep_(rep), index_(index) {}
  rocksdb::ColumnFamilyHandle* rep_ = nullptr;
  uint32_t index_ = 0;
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_FAMILIES_H_
