// Unary calls that need more than one shard (docs/operations.md, "Shard"). The proxy asks
// PlanUnary first; a kOne plan is forwarded as before (one shard, fully asynchronous), any
// other plan is run by RunPlan on a thread of its own, which blocks on its shard calls:
//
//   kLookup     a district-keyed call without a region in the request (an object by opaque
//               id: GetOrder, Transition, GetSubject, GetKeyPoint, GetTask, ...): the
//               caller's default shard first; on NOT_FOUND every other shard in parallel.
//               The first OK answer wins (generated ids are 128 random bits, so at most one
//               shard holds an id). A mutation answered NOT_FOUND changed nothing, so asking
//               the next shard is safe.
//   kPosition   CreateOrder, SuggestDuplicates (`position`), UploadPhoto
//               (`capture_position`), PutKeyPoint (`key_point.position`) and
//               RegisterSubject (`subject.position`): the geofence shards Locate the position in
//               parallel (as the gateway's SERVICE principal); the shard that finds it names the
//               district, whose workorder shard gets the call. Found nowhere: the default
//               shard (workorder answers FAILED_PRECONDITION itself).
//   kFanOut     every shard in parallel, answers merged (shard_merge.h): location
//               CountOnline and FindNearbyWorkers (always); geofence Locate and BatchLocate
//               (always); ListOrders, CountOrders, ListTasks, ListSubjects, GetCockpit,
//               ListLiveWorkers, GetCoverage, GetHeatmap, ListSurges, QuerySeries,
//               GetOrderStats, GetInspectionStats, ListAssessment without a region by an
//               unscoped caller (admins, residents, services), lists with a composite page
//               token (ListAssessment's ranks recomputed over every shard's rows).
//   kImport     ImportRegions: the districts of the file's features; all on one shard ->
//               that shard; on several -> INVALID_ARGUMENT naming districts and shards.
//   kBroadcast  catalogue writes that every district shard needs alike (workorder
//               UpsertCategory, UpsertDispatchRule, DeleteDispatchRule; inspection
//               UpsertDepartment, CreateChecklistDraft, UpdateChecklistDraft,
//               PublishChecklist; analytics SetAssessmentConfig): the same request, request id
//               included, to every shard in parallel; the answer is the first shard's once all are
//               OK. A shard's refusal (e.g. ABORTED for a stale version) is the answer, naming the
//               shard; a shard down is UNAVAILABLE naming it. Retrying the same request id is safe:
//               shards that applied it replay their first answer, the others apply it.
//               Catalogue reads go to the caller's default shard (shards hold the same).
//
// Every outgoing call carries the proxied call's deadline and the caller's signed principal.
// A shard that fails makes the whole call fail (FanOutStatus: UNAVAILABLE naming the shard);
// no answer is silently partial.
//
// Thread safety: PlanUnary is pure; RunPlan may run on any thread (it blocks).
#ifndef GRIDWORK_SERVICES_GATEWAY_SHARD_FANOUT_H_
#define GRIDWORK_SERVICES_GATEWAY_SHARD_FANOUT_H_

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"
#include "gridwork/rpc/principal.h"
#include "services/gateway/shard_router.h"

namespace gridwork::gateway {

enum class ShardPlan { kOne, kLookup, kPosition, kFanOut, kImport, kBroadcast };

struct PlannedCall {
  ShardPlan plan = ShardPlan::kOne;
  ShardRouter::Target target;  // kOne: where to send it; kLookup: the shard asked first
};

// The plan for a unary call of `method` ("/pkg.Svc/Method") to sharded upstream `u` with the
// decoded `request`. Errors as ShardRouter::RouteRequest (a kOne plan's routing errors).
// REQUIRES: router.Routes(u).
absl::StatusOr<PlannedCall> PlanUnary(const ShardRouter& router, Upstream u,
                                      absl::string_view method,
                                      const google::protobuf::Message& request,
                                      const rpc::Principal& caller);

// The shard calls in flight for one proxied call, so that a client that goes away cancels
// them (else each runs to its deadline). Thread-safe.
class CancelGroup {
 public:
  // Registers a call about to start; false if the group is already cancelled (do not start
  // it).
  bool Add(grpc::ClientContext* ctx);
  // REQUIRES: the call of `ctx` has completed.
  void Remove(grpc::ClientContext* ctx);
  // Cancels every registered call and every call added later.
  void CancelAll();

 private:
  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::set<grpc::ClientContext*> live_ ABSL_GUARDED_BY(mu_);
};

struct FanOutCall {
  const ShardRouter* router;
  const rpc::PrincipalCodec* principals;
  Upstream upstream;
  std::string method;
  rpc::Principal caller;
  std::chrono::system_clock::time_point deadline;
  const google::protobuf::Message* request;  // decoded
  std::string request_bytes;                 // as received
  CancelGroup* cancel = nullptr;             // may be nullptr
};

// How many plans other than kOne may run at once in one gateway process (each holds a
// thread while its shard calls are in flight); TryStartPlan refuses more.
inline constexpr int kMaxPlansInFlight = 256;
// Takes a slot for one plan; false (answer RESOURCE_EXHAUSTED) when all are taken. Each
// true is paired with one EndPlan.
bool TryStartPlan();
void EndPlan();

// The second half of a kLookup whose first shard (`first_shard`, the plan's target) answered
// NOT_FOUND (`first_status`): asks every other shard in parallel and combines
// (CombineLookup). The proxy sends the first call itself, asynchronously, so a lookup found
// on the default shard costs no thread. Blocks like RunPlan.
grpc::Status RunLookupRest(const FanOutCall& call, const std::string& first_shard,
                           const grpc::Status& first_status, std::string* response,
                           std::string* shards);

// Runs a plan other than kOne; on OK `*response` is the serialized answer and `*shards`
// names the shards that answered it (for the audit record). Blocks until every shard call
// has finished (each is bounded by `deadline`).
grpc::Status RunPlan(const FanOutCall& call, ShardPlan plan, std::string* response,
                     std::string* shards);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_SHARD_FANOUT_H_
