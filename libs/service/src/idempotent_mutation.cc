#include "gridwork/service/idempotent_mutation.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
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

namespace {

// `bytes` (a serialised message) without the top-level field `number` (its tags and values).
// A serialiser writes each field's bytes contiguously, so the result is the serialisation of
// the same message with that field cleared, byte for byte.
std::string WithoutTopLevelField(const std::string& bytes, int number) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  std::string out;
  out.reserve(bytes.size());
  for (;;) {
    const int start = in.CurrentPosition();
    const uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) {
      return bytes;  // not reached for bytes the serialiser just wrote
    }
    if (google::protobuf::internal::WireFormatLite::GetTagFieldNumber(tag) != number) {
      out.append(bytes, start, in.CurrentPosition() - start);
    }
  }
  return out;
}

}  // namespace

std::string RequestFingerprint(const google::protobuf::Message& request) {
  // Serialise the request as it is and cut request_id out of the bytes: the same bytes as
  // clearing it on a copy (the fingerprints stored with earlier records stay valid), without
  // copying the message.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  if (const auto* field = request.GetDescriptor()->FindFieldByName("request_id")) {
    bytes = WithoutTopLevelField(bytes, field->number());
  }
  return Sha256Hex(bytes);
}

namespace {

// The first response of a recorded request, or FAILED_PRECONDITION if `fingerprint` differs.
absl::StatusOr<std::string> Replay(const store::IdempotencyRecord& rec,
                                   const std::string& fingerprint) {
  if (rec.fingerprint != fingerprint) {
    return absl::FailedPreconditionError(store::IdempotencyMismatchMessage(rec));
  }
  return rec.response;
}

absl::StatusOr<std::optional<std::string>> FindRecorded(store::Db* db, absl::string_view scope,
                                                        absl::string_view request_id,
                                                        const std::string& fingerprint) {
  absl::StatusOr<store::IdempotencyRecord> existing = db->LookupIdempotency(scope, request_id);
  if (absl::IsNotFound(existing.status())) return std::optional<std::string>();
  if (!existing.ok()) return existing.status();
  absl::StatusOr<std::string> replayed = Replay(*existing, fingerprint);
  if (!replayed.ok()) return replayed.status();
  return std::optional<std::string>(*std::move(replayed));
}

}  // namespace

absl::StatusOr<std::optional<std::string>> FindRecordedResponse(
    store::Db* db, absl::string_view scope, absl::string_view request_id,
    const google::protobuf::Message& request) {
  if (absl::Status s = CheckRequestId(request_id); !s.ok()) return s;
  return FindRecorded(db, scope, request_id, RequestFingerprint(request));
}

absl::StatusOr<std::string> RunIdempotentBytes(
    store::Db* db, absl::string_view scope, absl::string_view request_id,
    const google::protobuf::Message& request,
    const std::function<absl::StatusOr<std::string>(store::WriteRequest&)>& build, bool* built_here,
    ReplayCheck check) {
  if (built_here != nullptr) *built_here = false;
  if (absl::Status s = CheckRequestId(request_id); !s.ok()) return s;
  const std::string fingerprint = RequestFingerprint(request);
  // The recorded answer (or the refusal of another payload) if (scope, request_id) was
  // recorded; nullopt for a new request.
  auto recorded_answer = [&]() -> std::optional<absl::StatusOr<std::string>> {
    absl::StatusOr<std::optional<std::string>> recorded =
        FindRecorded(db, scope, request_id, fingerprint);
    if (!recorded.ok()) return recorded.status();
    if (!recorded->has_value()) return std::nullopt;
    return **std::move(recorded);
  };
  if (check == ReplayCheck::kBeforeBuild) {
    if (auto answer = recorded_answer()) return *std::move(answer);
  }

  store::WriteRequest write;
  absl::StatusOr<std::string> response = build(write);
  if (!response.ok()) {
    // kAfterFailedBuild: a replay fails its build (the version moved on); answer as the first
    // attempt did.
    if (check == ReplayCheck::kAfterFailedBuild) {
      if (auto answer = recorded_answer()) return *std::move(answer);
    }
    return response.status();
  }
  write.RecordIdempotency(scope, request_id, fingerprint, *response);
  absl::StatusOr<store::CommitResult> committed = db->Commit(std::move(write));
  if (committed.ok()) {
    if (built_here != nullptr) *built_here = true;
    return response;
  }
  // A concurrent first attempt won the commit race: answer as it did.
  if (auto rec = store::IdempotencyRecordFromStatus(committed.status())) {
    return Replay(*rec, fingerprint);
  }
  return committed.status();
}

}  // namespace gridwork::service
