// WriteRequest: everything one mutation changes, committed atomically by Db::Commit.
//
// A request collects state writes (Put/Delete on the service's families), feed events
// (AppendEvent), idempotency records (RecordIdempotency) and consumer cursor moves
// (SetCursor). Db::Commit writes all of it in ONE rocksdb::WriteBatch: after a crash either
// every part is visible or none is.
//
//   WriteRequest req;
//   req.Put(regions, key, value);
//   req.AppendEvent(region_changed_event, "410105/jinshui-01");
//   req.RecordIdempotency("geofence.UpsertRegion", request_id, fingerprint, response_bytes);
//   absl::StatusOr<CommitResult> r = db->Commit(std::move(req));
//
// Operations apply in the order they were added (a later Put to the same key wins).
//
// Thread safety: not thread-safe; build a request on one thread, then hand it to Commit.
#ifndef GRIDWORK_STORE_WRITE_REQUEST_H_
#define GRIDWORK_STORE_WRITE_REQUEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/message.h"
#include "gridwork/store/families.h"

namespace gridwork::store {

class WriteRequest {
 public:
  WriteRequest() = default;
  WriteRequest(WriteRequest&&) = default;
  WriteRequest& operator=(WriteRequest&&) = default;
  WriteRequest(const WriteRequest&) = delete;
  WriteRequest& operator=(const WriteRequest&) = delete;

  // Sets `key` to `value` in `family`. REQUIRES: family is a valid handle of the Db this
  // request is committed to, and not one of the store's own families (events, idempotency,
  // cursors, dead_letters); Commit rejects the request with INVALID_ARGUMENT otherwise.
  void Put(const FamilyHandle& family, absl::string_view key, absl::string_view value);
  // Removes `key` from `family` (no error if absent). Same REQUIRES as Put.
  void Delete(const FamilyHandle& family, absl::string_view key);

  // Appends a feed event whose payload is `payload` (packed into a google.protobuf.Any now, so
  // later changes to `payload` have no effect). Commit assigns its sequence and commit_time
  // and sets source to DbOptions::service_name. Events of one request get consecutive
  // sequences in the order appended. `region_path` may be empty.
  void AppendEvent(const google::protobuf::Message& payload, absl::string_view region_path);

  // Records the first answer to request `request_id` in `scope`. Commit fails the whole
  // request (writing nothing) if the key already exists, see idempotency.h.
  void RecordIdempotency(absl::string_view scope, absl::string_view request_id,
                         absl::string_view payload_fingerprint, absl::string_view response_bytes);

  // Sets consumer `consumer_name`'s cursor (last applied sequence of a peer's feed).
  void SetCursor(absl::string_view consumer_name, uint64_t sequence);

  // True if the request holds no operation at all (Commit then writes nothing).
  bool empty() const {
    return ops_.empty() && events_.empty() && idempotency_.empty() && cursors_.empty() &&
           dead_letters_.empty();
  }
  // Number of events appended so far.
  size_t event_count() const { return events_.size(); }

 private:
  friend class Db;
  friend class FeedConsumer;  // adds dead-letter records

  enum class OpKind { kPut, kDelete };
  struct Op {
    OpKind kind;
    FamilyHandle family;
    std::string key;
    std::string value;
  };
  // What can be encoded before the commit is, on the caller's thread: the commit head, which
  // writes every group alone, only adds what it assigns (sequence, commit time).
  struct Event {
    // FeedEvent fields region_path and payload, serialized. The head prepends sequence,
    // commit_time and source; protobuf parses the concatenation as one message.
    std::string tail;
  };
  struct Idempotency {
    std::string key;  // the idempotency family's key for (scope, request_id)
    std::string request_id;
    std::string fingerprint;
    // The stored value after its version byte and creation time (src/layout.h).
    std::string value_tail;
  };
  struct Cursor {
    std::string consumer;
    uint64_t sequence;
  };
  struct DeadLetter {
    std::string consumer;
    uint64_t sequence;
    std::string error;
    std::string event_bytes;
  };

  std::vector<Op> ops_;
  std::vector<Event> events_;
  std::vector<Idempotency> idempotency_;
  std::vector<Cursor> cursors_;
  std::vector<DeadLetter> dead_letters_;
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_WRITE_REQUEST_H_
