#include "gridwork/service/idempotent_mutation.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gridwork/core/ids.h"
#include "gridwork/store/idempotency.h"

namespace gridwork::service {

absl::Status CheckRequestId(absl::string_view request_id) {
  if (request_id.empty() || request_id.size() > 128) {
    return absl::InvalidArgumentError(
        "request_id must be 1-128 characters; generate one per user action and reuse it on "
        "retries");
  }
  return absl::OkStatus();
}

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const auto* field = copy->GetDescriptor()->FindFieldByName("request_id")) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  return Sha256Hex(bytes);
}

absl::StatusOr<std::optional<std::string>> FindRecordedResponse(
    store::Db* db, absl::string_view scope, absl::string_view request_id,
    const google::protobuf::Message& request) {
  if (absl::Status s = CheckRequestId(request_id); !s.ok()) return s;
  absl::StatusOr<store::IdempotencyRecord> existing = db->LookupIdempotency(scope, request_id);
  if (absl::IsNotFound(existing.status())) return std::optional<std::string>();
  if (!existing.ok()) return existing.status();
  if (existing->fingerprint != RequestFingerprint(request)) {
    return absl::FailedPreconditionError(store::IdempotencyMismatchMessage(*existing));
  }
  return std::optional<std::string>(existing->response);
}

absl::StatusOr<std::string> RunIdempotentBytes(
    store::Db* db, absl::string_view scope, absl::string_view request_id,
    const google::protobuf::Message& request,
    const std::function<absl::StatusOr<std::string>(store::WriteRequest&)>& build) {
  if (absl::Status s = CheckRequestId(request_id); !s.ok()) return s;
  const std::string fingerprint = RequestFingerprint(request);

  auto replay = [&](const store::IdempotencyRecord& rec) -> absl::StatusOr<std::string> {
    if (rec.fingerprint != fingerprint) {
      return absl::FailedPreconditionError(store::IdempotencyMismatchMessage(rec));
    }
    return rec.response;
  };

  absl::StatusOr<store::IdempotencyRecord> existing = db->LookupIdempotency(scope, request_id);
  if (existing.ok()) return replay(*existing);
  if (!absl::IsNotFound(existing.status())) return existing.status();

  store::WriteRequest write;
  absl::StatusOr<std::string> response = build(write);
  if (!response.ok()) return response.status();
  write.RecordIdempotency(scope, request_id, fingerprint, *response);
  absl::StatusOr<store::CommitResult> committed = db->Commit(std::move(write));
  if (committed.ok()) return response;
  if (auto rec = store::IdempotencyRecordFromStatus(committed.status())) return replay(*rec);
  return committed.status();
}

}  // namespace gridwork::service
