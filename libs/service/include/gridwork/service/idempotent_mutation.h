// The one way a Gridwork service performs a mutation (DESIGN.md section 4):
//
//   return RunIdempotent<v1::Binding>(db, "geofence.BindWorker", req.request_id(), req,
//       [&](store::WriteRequest& write) -> absl::StatusOr<v1::Binding> {
//         ... validate, build the new state into `write`, return the response ...
//       });
//
// 1. request_id must be 1–128 characters (INVALID_ARGUMENT otherwise).
// 2. If (scope, request_id) was recorded: the same payload replays the first response; a
//    different payload fails with FAILED_PRECONDITION. `build` is not called.
// 3. Otherwise `build` fills a WriteRequest and returns the response; the response is
//    recorded with the state change in the same commit. A concurrent duplicate that loses
//    the race gets the winner's response.
// The payload fingerprint is SHA-256 of the deterministic serialisation of `request` with
// its request_id field cleared (so a retry with only a new request id is a new request).
#ifndef GRIDWORK_SERVICE_IDEMPOTENT_MUTATION_H_
#define GRIDWORK_SERVICE_IDEMPOTENT_MUTATION_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "gridwork/store/db.h"

namespace gridwork::service {

// Validates the request id (rule 1).
absl::Status CheckRequestId(absl::string_view request_id);

// SHA-256 of `request` serialised deterministically without its "request_id" field.
std::string RequestFingerprint(const google::protobuf::Message& request);

// When RunIdempotent looks for a recorded answer (rule 2).
enum class ReplayCheck {
  // Before `build`: a replay never builds. The default: building may be costly (a create
  // asks geofence where it is) or may succeed a second time.
  kBeforeBuild,
  // Only after `build` fails. For mutations whose build refuses a replay by itself because it
  // checks a version that the first attempt moved on (a work-order transition): a first
  // attempt, the common case, saves a read. Rule 2 holds either way: a replay whose build
  // succeeds anyway is refused by the commit, which finds the record and answers with the
  // recorded response (or FAILED_PRECONDITION for another payload), writing nothing.
  kAfterFailedBuild,
};

// Type-erased core of RunIdempotent: returns the serialized response. `built_here` (if not
// null) is set to true iff the answer is the one `build` returned and this call committed.
absl::StatusOr<std::string> RunIdempotentBytes(
    store::Db* db, absl::string_view scope, absl::string_view request_id,
    const google::protobuf::Message& request,
    const std::function<absl::StatusOr<std::string>(store::WriteRequest&)>& build,
    bool* built_here = nullptr, ReplayCheck check = ReplayCheck::kBeforeBuild);

// For mutations whose preparation is expensive (e.g. validating a whole city's polygons):
// if (scope, request_id) was already recorded, the replayed response (same payload) or the
// FAILED_PRECONDITION (different payload); nullopt if this is a new request.
absl::StatusOr<std::optional<std::string>> FindRecordedResponse(
    store::Db* db, absl::string_view scope, absl::string_view request_id,
    const google::protobuf::Message& request);

template <typename Response>
absl::StatusOr<std::optional<Response>> FindRecorded(store::Db* db, absl::string_view scope,
                                                     absl::string_view request_id,
                                                     const google::protobuf::Message& request) {
  auto bytes = FindRecordedResponse(db, scope, request_id, request);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Response>();
  Response out;
  if (!out.ParseFromString(**bytes)) {
    return absl::DataLossError("stored idempotent response does not parse");
  }
  return std::optional<Response>(std::move(out));
}

// `built_here` (if not null): as for RunIdempotentBytes — true iff `build` ran and this call's
// commit wrote its result (false for a replayed answer).
template <typename Response>
absl::StatusOr<Response> RunIdempotent(
    store::Db* db, absl::string_view scope, absl::string_view request_id,
    const google::protobuf::Message& request,
    const std::function<absl::StatusOr<Response>(store::WriteRequest&)>& build,
    bool* built_here_out = nullptr, ReplayCheck check = ReplayCheck::kBeforeBuild) {
  // The response this call built, so that the common case (this call's commit won) returns
  // it without parsing it back.
  std::optional<Response> built;
  bool built_here = false;
  absl::StatusOr<std::string> bytes = RunIdempotentBytes(
      db, scope, request_id, request,
      [&](store::WriteRequest& write) -> absl::StatusOr<std::string> {
        absl::StatusOr<Response> r = build(write);
        if (!r.ok()) return r.status();
        std::string serialized = r->SerializeAsString();
        built = *std::move(r);
        return serialized;
      },
      &built_here, check);
  if (built_here_out != nullptr) *built_here_out = built_here;
  if (!bytes.ok()) return bytes.status();
  if (built_here) return *std::move(built);
  Response out;
  if (!out.ParseFromString(*bytes)) {
    return absl::DataLossError("stored idempotent response does not parse");
  }
  return out;
}

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_IDEMPOTENT_MUTATION_H_
