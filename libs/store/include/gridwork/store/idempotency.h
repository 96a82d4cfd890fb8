// Idempotency records: the first answer to a mutation, keyed by (scope, request_id).
//
// DESIGN.md section 4: a retry with the same request id returns the first answer; a reuse with a
// different payload is rejected. A service does this in two steps:
//   1. fast path: Db::LookupIdempotency(scope, id) before doing any work; if found, compare
//      fingerprints and replay `response` (or reject);
//   2. commit: WriteRequest::RecordIdempotency(...) with the state change. Db::Commit re-checks
//      under its commit queue, so two concurrent first attempts cannot both succeed: the loser
//      gets ALREADY_EXISTS carrying the winner's record (IdempotencyRecordFromStatus) if the
//      fingerprints match, or FAILED_PRECONDITION ("request_id ... was already used with a
//      different payload") if they differ.
//
// Thread safety: plain values and pure functions.
#ifndef GRIDWORK_STORE_IDEMPOTENCY_H_
#define GRIDWORK_STORE_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridwork::store {

struct IdempotencyRecord {
  // Namespace of the request id, typically the RPC method, e.g. "geofence.ImportRegions".
  std::string scope;
  // The caller's idempotency key.
  std::string request_id;
  // Caller-defined digest of the request payload (e.g. SHA-256 of the serialized request
  // without the request id). Compared bytewise.
  std::string fingerprint;
  // The serialized first response, replayed to retries.
  std::string response;
  // Commit time of the first request (set by Db::Commit).
  absl::Time created;
};

// If `status` is the ALREADY_EXISTS returned by Db::Commit for a repeated request id, the
// stored record of the first request; otherwise nullopt.
std::optional<IdempotencyRecord> IdempotencyRecordFromStatus(const absl::Status& status);

// The message used (in FAILED_PRECONDITION) when a request id is reused with a different
// payload. Exposed so services can return the same text from their fast path.
std::string IdempotencyMismatchMessage(const IdempotencyRecord& stored);

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_IDEMPOTENCY_H_
