#include "layout.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "gridwork/store/key_codec.h"

namespace gridwork::store::layout {

std::string EventKey(uint64_t sequence) { return EncodeFixed64BE(sequence); }

bool ParseEventKey(absl::string_view key, uint64_t* sequence) {
  return DecodeFixed64BE(key, sequence);
}

std::string IdempotencyKey(absl::string_view scope, absl::string_view request_id) {
  return KeyBuilder().String(scope).String(request_id).Build();
}

std::string EncodeIdempotencyValue(const IdempotencyRecord& r) {
  return EncodeIdempotencyValueHead(r.created) +
         EncodeIdempotencyValueTail(r.fingerprint, r.response);
}

std::string EncodeIdempotencyValueHead(absl::Time created) {
  std::string v(1, kIdempotencyVersion);
  PutOrderedInt64(&v, absl::ToUnixMicros(created));
  return v;
}

std::string EncodeIdempotencyValueTail(absl::string_view fingerprint, absl::string_view response) {
  std::string v;
  v.reserve(fingerprint.size() + response.size() + 4);
  PutStringComponent(&v, fingerprint);
  v.append(response.data(), response.size());
  return v;
}

bool DecodeIdempotency(absl::string_view key, absl::string_view value, IdempotencyRecord* r) {
  KeyReader k(key);
  if (!k.String(&r->scope) || !k.String(&r->request_id) || !k.done()) return false;
  if (value.empty() || value[0] != kIdempotencyVersion) return false;
  value.remove_prefix(1);
  int64_t micros;
  if (!GetOrderedInt64(&value, &micros)) return false;
  if (!GetStringComponent(&value, &r->fingerprint)) return false;
  r->created = absl::FromUnixMicros(micros);
  r->response = std::string(value);
  return true;
}

std::string DeadLetterPrefix(absl::string_view consumer) {
  return KeyBuilder().String(consumer).Build();
}

std::string DeadLetterKey(absl::string_view consumer, uint64_t sequence) {
  return KeyBuilder().String(consumer).Uint64(sequence).Build();
}

std::string EncodeDeadLetterValue(absl::string_view error, absl::string_view event_bytes) {
  std::string v(1, kDeadLetterVersion);
  PutStringComponent(&v, error);
  v.append(event_bytes.data(), event_bytes.size());
  return v;
}

bool DecodeDeadLetter(absl::string_view key, absl::string_view value, uint64_t* sequence,
                      std::string* error, std::string* event_bytes) {
  KeyReader k(key);
  std::string consumer;
  if (!k.String(&consumer) || !k.Uint64(sequence) || !k.done()) return false;
  if (value.empty() || value[0] != kDeadLetterVersion) return false;
  value.remove_prefix(1);
  if (!GetStringComponent(&value, error)) return false;
  *event_bytes = std::string(value);
  return true;
}

}  // namespace gridwork::store::layout

namespace gridwork::store {
namespace {
constexpr absl::string_view kRecordPayloadUrl =
    "type.gridwork.dev/gridwork.store.IdempotencyRecord";
}  // namespace

// Declared in idempotency.h. The payload is the record's key followed by its value.
std::optional<IdempotencyRecord> IdempotencyRecordFromStatus(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kAlreadyExists) return std::nullopt;
  auto payload = status.GetPayload(kRecordPayloadUrl);
  if (!payload) return std::nullopt;
  std::string bytes(*payload);
  absl::string_view rest(bytes);
  IdempotencyRecord r;
  std::string scope, id;
  if (!GetStringComponent(&rest, &scope) || !GetStringComponent(&rest, &id)) return std::nullopt;
  if (!layout::DecodeIdempotency(layout::IdempotencyKey(scope, id), rest, &r)) {
    return std::nullopt;
  }
  return r;
}

// Internal (declared in db_rep.h): ALREADY_EXISTS carrying `r`.
absl::Status AlreadyExistsWithRecord(const IdempotencyRecord& r) {
  absl::Status s = absl::AlreadyExistsError(
      absl::StrCat("request_id \"", r.request_id, "\" in scope \"", r.scope,
                   "\" was already committed; replay the stored response"));
  s.SetPayload(kRecordPayloadUrl,
               absl::Cord(absl::StrCat(layout::IdempotencyKey(r.scope, r.request_id),
                                       layout::EncodeIdempotencyValue(r))));
  return s;
}

std::string IdempotencyMismatchMessage(const IdempotencyRecord& stored) {
  return absl::StrCat("request_id \"", stored.request_id, "\" in scope \"", stored.scope,
                      "\" was already used with a different payload at ",
                      absl::FormatTime(absl::RFC3339_full, stored.created, absl::UTCTimeZone()),
                      "; use a new request_id for a new request");
}

}  // namespace gridwork::store
