#include "gridwork/store/write_request.h"

#include "gridwork/common/v1/feed.pb.h"
#include "layout.h"

namespace gridwork::store {

void WriteRequest::Put(const FamilyHandle& family, absl::string_view key, absl::string_view value) {
  ops_.push_back(Op{OpKind::kPut, family, std::string(key), std::string(value)});
}

void WriteRequest::Delete(const FamilyHandle& family, absl::string_view key) {
  ops_.push_back(Op{OpKind::kDelete, family, std::string(key), std::string()});
}

void WriteRequest::AppendEvent(const google::protobuf::Message& payload,
                               absl::string_view region_path) {
  common::v1::FeedEvent tail;
  tail.set_region_path(std::string(region_path));
  tail.mutable_payload()->PackFrom(payload);
  events_.push_back(Event{tail.SerializeAsString()});
}

void WriteRequest::RecordIdempotency(absl::string_view scope, absl::string_view request_id,
                                     absl::string_view payload_fingerprint,
                                     absl::string_view response_bytes) {
  idempotency_.push_back(
      Idempotency{layout::IdempotencyKey(scope, request_id), std::string(request_id),
                  std::string(payload_fingerprint),
                  layout::EncodeIdempotencyValueTail(payload_fingerprint, response_bytes)});
}

void WriteRequest::SetCursor(absl::string_view consumer_name, uint64_t sequence) {
  cursors_.push_back(Cursor{std::string(consumer_name), sequence});
}

}  // namespace gridwork::store
