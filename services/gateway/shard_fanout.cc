#include "services/gateway/shard_fanout.h"

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/blocking_counter.h"
#include "google/protobuf/descriptor.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/inspection/v1/inspection.pb.h"
#include "gridwork/service/time_convert.h"
#include "services/gateway/byte_buffers.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/shard_merge.h"

namespace gridwork::gateway {
namespace {

namespace pb = google::protobuf;
namespace gv1 = geofence::v1;
namespace lv1 = location::v1;
namespace wv1 = workorder::v1;

constexpr char kLocate[] = "/gridwork.geofence.v1.GeofenceService/Locate";
constexpr char kBatchLocate[] = "/gridwork.geofence.v1.GeofenceService/BatchLocate";
constexpr char kImportRegions[] = "/gridwork.geofence.v1.GeofenceService/ImportRegions";
constexpr char kCountOnline[] = "/gridwork.location.v1.LocationService/CountOnline";
constexpr char kFindNearby[] = "/gridwork.location.v1.LocationService/FindNearbyWorkers";
constexpr char kCountOrders[] = "/gridwork.workorder.v1.WorkOrderService/CountOrders";
constexpr char kGetCockpit[] = "/gridwork.analytics.v1.AnalyticsService/GetCockpit";
constexpr char kGetHeatmap[] = "/gridwork.analytics.v1.AnalyticsService/GetHeatmap";
constexpr char kListSurges[] = "/gridwork.analytics.v1.AnalyticsService/ListSurges";
constexpr char kQuerySeries[] = "/gridwork.analytics.v1.AnalyticsService/QuerySeries";
constexpr char kGetOrderStats[] = "/gridwork.analytics.v1.AnalyticsService/GetOrderStats";
constexpr char kGetInspectionStats[] = "/gridwork.analytics.v1.AnalyticsService/GetInspectionStats";
constexpr char kListAssessment[] = "/gridwork.analytics.v1.AnalyticsService/ListAssessment";

// Unary calls merged over every shard (not lists) for unscoped callers without a region.
bool MergedUnary(const std::string& m) {
  return m == kCountOrders || m == kGetCockpit || m == kGetHeatmap || m == kListSurges ||
         m == kQuerySeries || m == kGetOrderStats || m == kGetInspectionStats;
}

// Methods routed by a position field: method -> field path (dots reach into message fields).
const std::map<std::string, std::string>& PositionMethods() {
  static const auto* m = new std::map<std::string, std::string>{
      {"/gridwork.workorder.v1.WorkOrderService/CreateOrder", "position"},
      {"/gridwork.workorder.v1.WorkOrderService/SuggestDuplicates", "position"},
      {"/gridwork.workorder.v1.WorkOrderService/UploadPhoto", "capture_position"},
      {"/gridwork.geofence.v1.GeofenceService/PutKeyPoint", "key_point.position"},
      {"/gridwork.inspection.v1.InspectionService/RegisterSubject", "subject.position"},
  };
  return *m;
}

// The message at `path` ("subject.position") in `m`, or nullptr if a field on the way is
// unset or not a singular message.
const pb::Message* MessageAt(const pb::Message& m, absl::string_view path) {
  const pb::Message* at = &m;
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    const pb::FieldDescriptor* f = at->GetDescriptor()->FindFieldByName(std::string(name));
    if (f == nullptr || f->is_repeated() || f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE ||
        !at->GetReflection()->HasField(*at, f)) {
      return nullptr;
    }
    at = &at->GetReflection()->GetMessage(*at, f);
  }
  return at;
}

// Catalogue writes every district shard applies alike (kBroadcast).
const std::set<std::string>& BroadcastMethods() {
  static const auto* m = new std::set<std::string>{
      "/gridwork.workorder.v1.WorkOrderService/UpsertCategory",
      "/gridwork.workorder.v1.WorkOrderService/UpsertDispatchRule",
      "/gridwork.workorder.v1.WorkOrderService/DeleteDispatchRule",
      "/gridwork.inspection.v1.InspectionService/UpsertDepartment",
      "/gridwork.inspection.v1.InspectionService/CreateChecklistDraft",
      "/gridwork.inspection.v1.InspectionService/UpdateChecklistDraft",
      "/gridwork.inspection.v1.InspectionService/PublishChecklist",
      // Scores of shards rank together only under one config (MergeAssessmentPage).
      "/gridwork.analytics.v1.AnalyticsService/SetAssessmentConfig",
  };
  return *m;
}

bool TaskLess(const pb::Message& a, const pb::Message& b) {
  const auto& x = static_cast<const inspection::v1::Task&>(a);
  const auto& y = static_cast<const inspection::v1::Task&>(b);
  if (x.due_at().seconds() != y.due_at().seconds()) {
    return x.due_at().seconds() < y.due_at().seconds();
  }
  return x.id() < y.id();
}

bool RegionLess(const pb::Message& a, const pb::Message& b) {
  return static_cast<const gv1::Region&>(a).id() < static_cast<const gv1::Region&>(b).id();
}

// Lists merged for unscoped callers without a region (page sizes as the services clamp).
const std::map<std::string, ListSpec>& MergedLists() {
  static const auto* m = new std::map<std::string, ListSpec>{
      // Without parent_id: the districts (or, recursive, every region) of the city, by id.
      {"/gridwork.geofence.v1.GeofenceService/ListRegions", {100, 1000, RegionLess}},
      {"/gridwork.workorder.v1.WorkOrderService/ListOrders", {50, 500, OrderListLess}},
      {"/gridwork.inspection.v1.InspectionService/ListTasks", {100, 1000, TaskLess}},
      {"/gridwork.inspection.v1.InspectionService/ListSubjects", {100, 1000, nullptr}},
      {"/gridwork.analytics.v1.AnalyticsService/ListLiveWorkers", {500, 5000, nullptr}},
      {"/gridwork.analytics.v1.AnalyticsService/GetCoverage", {200, 2000, nullptr}},
      {kListAssessment, AssessmentListSpec()},
  };
  return *m;
}

std::atomic<int> plans_in_flight{0};

struct Outgoing {
  ShardRouter::Target target;
  std::string bytes;
};

// Sends each request to its shard in parallel, as `as`, bounded by the call's deadline, and
// waits for all answers (in the order of `out`).
std::vector<ShardAnswer> CallShards(const FanOutCall& call, absl::string_view method,
                                    const rpc::Principal& as, const std::vector<Outgoing>& out) {
  const size_t n = out.size();
  std::vector<ShardAnswer> answers(n);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts(n);
  std::vector<grpc::ByteBuffer> requests(n), responses(n);
  absl::BlockingCounter pending(static_cast<int>(n));
  const std::string m(method);
  for (size_t i = 0; i < n; ++i) {
    answers[i].shard = out[i].target.shard;
    contexts[i] = std::make_unique<grpc::ClientContext>();
    contexts[i]->set_deadline(call.deadline);
    call.principals->Attach(as, contexts[i].get());
    requests[i] = BufferOf(out[i].bytes);
    if (call.cancel != nullptr && !call.cancel->Add(contexts[i].get())) {
      answers[i].status = grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
      pending.DecrementCount();
      continue;
    }
    out[i].target.stub->UnaryCall(contexts[i].get(), m, grpc::StubOptions(), &requests[i],
                                  &responses[i], [&answers, &pending, i](grpc::Status s) {
                                    answers[i].status = std::move(s);
                                    pending.DecrementCount();
                                  });
  }
  pending.Wait();
  for (size_t i = 0; i < n; ++i) {
    if (call.cancel != nullptr) call.cancel->Remove(contexts[i].get());
    if (answers[i].status.ok()) answers[i].response = BytesOf(responses[i]);
  }
  return answers;
}

std::vector<Outgoing> Same(const std::vector<ShardRouter::Target>& targets,
                           const std::string& bytes) {
  std::vector<Outgoing> out;
  for (const auto& t : targets) out.push_back({t, bytes});
  return out;
}

std::string ShardNames(const std::vector<ShardAnswer>& answers) {
  std::vector<std::string> names;
  for (const ShardAnswer& a : answers) names.push_back(a.shard);
  return absl::StrJoin(names, ",");
}

template <typename T>
absl::StatusOr<std::vector<T>> ParseAll(const std::vector<ShardAnswer>& answers) {
  std::vector<T> out(answers.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    if (!out[i].ParseFromString(answers[i].response)) {
      return absl::InternalError(
          absl::StrCat("shard ", answers[i].shard, " answered a message that does not parse"));
    }
  }
  return out;
}

grpc::Status FromAbsl(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

rpc::Principal RouterPrincipal() {
  rpc::Principal p;
  p.set_subject("gateway-router");
  p.set_role(common::v1::ROLE_SERVICE);
  *p.mutable_expires_at() = service::ToProto(absl::Now() + absl::Minutes(1));
  return p;
}

// kLookup: the default shard, then the others on NOT_FOUND.
grpc::Status RunLookup(const FanOutCall& call, std::string* response, std::string* shards) {
  absl::StatusOr<ShardRouter::Target> first = call.router->RouteDefault(call.upstream, call.caller);
  if (!first.ok()) return FromAbsl(first.status());
  std::vector<ShardAnswer> answers =
      CallShards(call, call.method, call.caller, {{*first, call.request_bytes}});
  if (answers[0].status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return RunLookupRest(call, first->shard, answers[0].status, response, shards);
  }
  *shards = first->shard;
  if (answers[0].status.ok()) *response = std::move(answers[0].response);
  return answers[0].status;
}

// The district of `position` by the geofence shards (empty: found nowhere).
absl::StatusOr<std::string> LocateDistrict(const FanOutCall& call, const pb::Message& position) {
  gv1::LocateRequest req;
  req.mutable_position()->CopyFrom(position);
  std::vector<ShardAnswer> answers =
      CallShards(call, kLocate, RouterPrincipal(),
                 Same(call.router->All(Upstream::kGeofence), req.SerializeAsString()));
  for (const ShardAnswer& a : answers) {
    gv1::LocateResponse r;
    if (a.status.ok() && r.ParseFromString(a.response) && r.found()) {
      const std::string& id = r.path_size() > 0 ? r.path(0).id() : r.region().id();
      return std::string(DistrictOf(id));
    }
  }
  grpc::Status failed = FanOutStatus("geofence", answers);
  if (!failed.ok()) {
    return absl::Status(
        static_cast<absl::StatusCode>(failed.error_code()),
        absl::StrCat("cannot tell the district of the position: ", failed.error_message()));
  }
  return std::string();
}

grpc::Status RunPosition(const FanOutCall& call, std::string* response, std::string* shards) {
  const pb::Message& req = *call.request;
  auto it = PositionMethods().find(call.method);
  const pb::Message* position =
      it == PositionMethods().end() ? nullptr : MessageAt(req, it->second);
  std::string district;
  if (position != nullptr && call.router->Routes(Upstream::kGeofence)) {
    absl::StatusOr<std::string> d = LocateDistrict(call, *position);
    if (!d.ok()) return FromAbsl(d.status());
    district = *d;
  }
  absl::StatusOr<ShardRouter::Target> target =
      district.empty() ? call.router->RouteDefault(call.upstream, call.caller)
                       : call.router->ForDistrictCode(call.upstream, district);
  if (!target.ok()) return FromAbsl(target.status());
  std::vector<ShardAnswer> answers =
      CallShards(call, call.method, call.caller, {{*target, call.request_bytes}});
  *shards = target->shard;
  if (!answers[0].status.ok()) return answers[0].status;
  *response = std::move(answers[0].response);
  return grpc::Status::OK;
}

grpc::Status RunImport(const FanOutCall& call, std::string* response, std::string* shards) {
  const auto& req = static_cast<const gv1::ImportRegionsRequest&>(*call.request);
  absl::StatusOr<std::set<std::string>> districts = ImportDistricts(req.geojson());
  std::map<std::string, std::vector<std::string>> by_shard;
  ShardRouter::Target target;
  if (districts.ok()) {
    for (const std::string& d : *districts) {
      absl::StatusOr<ShardRouter::Target> t = call.router->ForDistrictCode(call.upstream, d);
      if (!t.ok()) return FromAbsl(t.status());
      by_shard[t->shard].push_back(d);
      target = *t;
    }
  }
  if (by_shard.size() > 1) {
    std::vector<std::string> parts;
    for (const auto& [shard, ds] : by_shard) {
      parts.push_back(absl::StrCat(shard, ": ", absl::StrJoin(ds, ", ")));
    }
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("the file holds districts of several geofence shards (",
                     absl::StrJoin(parts, "; "),
                     "); an import is atomic on one shard, so import each shard's districts "
                     "as a file of its own"));
  }
  if (by_shard.empty()) {  // unparsable or no ids: geofence says what is wrong
    absl::StatusOr<ShardRouter::Target> t = call.router->RouteDefault(call.upstream, call.caller);
    if (!t.ok()) return FromAbsl(t.status());
    target = *t;
  }
  std::vector<ShardAnswer> answers =
      CallShards(call, call.method, call.caller, {{target, call.request_bytes}});
  *shards = target.shard;
  if (!answers[0].status.ok()) return answers[0].status;
  *response = std::move(answers[0].response);
  return grpc::Status::OK;
}

// kBroadcast: the same request to every shard; all must accept it.
grpc::Status RunBroadcast(const FanOutCall& call, std::string* response, std::string* shards) {
  std::vector<ShardAnswer> answers = CallShards(
      call, call.method, call.caller, Same(call.router->All(call.upstream), call.request_bytes));
  for (const ShardAnswer& a : answers) {
    // A shard's own refusal (bad input, stale version, denied) is the caller's answer; the
    // shards that accepted keep the write and replay it on a retry with the same request id.
    const grpc::StatusCode code = a.status.error_code();
    if (!a.status.ok() && code != grpc::StatusCode::UNAVAILABLE &&
        code != grpc::StatusCode::DEADLINE_EXCEEDED && code != grpc::StatusCode::CANCELLED) {
      return grpc::Status(code, absl::StrCat(UpstreamName(call.upstream), " shard ", a.shard, ": ",
                                             a.status.error_message()));
    }
  }
  grpc::Status failed = FanOutStatus(UpstreamName(call.upstream), answers);
  if (!failed.ok()) return failed;
  *response = std::move(answers.front().response);
  *shards = ShardNames(answers);
  return grpc::Status::OK;
}

grpc::Status RunList(const FanOutCall& call, const ListSpec& spec, std::string* response,
                     std::string* shards) {
  const pb::Message& req = *call.request;
  const pb::Descriptor* d = req.GetDescriptor();
  const pb::Reflection* r = req.GetReflection();
  const pb::FieldDescriptor* size_f = d->FindFieldByName("page_size");
  const pb::FieldDescriptor* token_f = d->FindFieldByName("page_token");
  const int requested = r->GetInt32(req, size_f);
  if (requested < 0) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_size < 0");
  const std::string fingerprint = QueryFingerprint(req);
  std::vector<ShardRouter::Target> targets = call.router->All(call.upstream);
  std::vector<std::string> ids;
  for (const auto& t : targets) ids.push_back(t.shard);
  std::string extra;
  absl::StatusOr<std::vector<ShardCursor>> cursors =
      DecodeMergedToken(r->GetString(req, token_f), fingerprint, ids, &extra);
  if (!cursors.ok()) return FromAbsl(cursors.status());
  std::vector<Outgoing> out;
  std::vector<int> index;  // out[k] is shard index[k]
  for (size_t i = 0; i < targets.size(); ++i) {
    const ShardCursor& c = (*cursors)[i];
    if (c.done) continue;
    std::unique_ptr<pb::Message> shard_req(req.New());
    shard_req->CopyFrom(req);
    shard_req->GetReflection()->SetInt32(shard_req.get(), size_f,
                                         ShardPageSize(spec, requested, c));
    shard_req->GetReflection()->SetString(shard_req.get(), token_f, c.token);
    out.push_back({targets[i], shard_req->SerializeAsString()});
    index.push_back(static_cast<int>(i));
  }
  std::vector<ShardAnswer> answers = CallShards(call, call.method, call.caller, out);
  grpc::Status failed = FanOutStatus(UpstreamName(call.upstream), answers);
  if (!failed.ok()) return failed;
  const pb::MethodDescriptor* m = FindMethod(call.method);
  const pb::Message* proto =
      pb::MessageFactory::generated_factory()->GetPrototype(m->output_type());
  std::vector<std::unique_ptr<pb::Message>> parsed;
  std::vector<const pb::Message*> pages(targets.size(), nullptr);
  for (size_t k = 0; k < answers.size(); ++k) {
    parsed.emplace_back(proto->New());
    if (!parsed.back()->ParseFromString(answers[k].response)) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          absl::StrCat("shard ", answers[k].shard, " answered garbage"));
    }
    pages[index[k]] = parsed.back().get();
  }
  std::unique_ptr<pb::Message> merged(proto->New());
  absl::Status s =
      call.method == kListAssessment
          ? MergeAssessmentPage(requested, fingerprint, *cursors, extra, pages,
                                static_cast<analytics::v1::ListAssessmentResponse*>(merged.get()))
          : MergeListPage(spec, requested, fingerprint, *cursors, pages, merged.get());
  if (!s.ok()) return FromAbsl(s);
  *response = merged->SerializeAsString();
  *shards = ShardNames(answers);
  return grpc::Status::OK;
}

template <typename Resp, typename Merge>
grpc::Status RunMerge(const FanOutCall& call, Merge merge, std::string* response,
                      std::string* shards) {
  std::vector<ShardAnswer> answers = CallShards(
      call, call.method, call.caller, Same(call.router->All(call.upstream), call.request_bytes));
  grpc::Status failed = FanOutStatus(UpstreamName(call.upstream), answers);
  if (!failed.ok()) return failed;
  absl::StatusOr<std::vector<Resp>> parts = ParseAll<Resp>(answers);
  if (!parts.ok()) return FromAbsl(parts.status());
  absl::StatusOr<std::string> merged = merge(*parts);
  if (!merged.ok()) return FromAbsl(merged.status());
  *response = *std::move(merged);
  *shards = ShardNames(answers);
  return grpc::Status::OK;
}

grpc::Status RunLocate(const FanOutCall& call, std::string* response, std::string* shards) {
  std::vector<ShardAnswer> answers = CallShards(
      call, call.method, call.caller, Same(call.router->All(call.upstream), call.request_bytes));
  // Districts are disjoint: a shard that finds the point is the answer even if another
  // shard is down; "not found" needs every shard's word.
  for (const ShardAnswer& a : answers) {
    gv1::LocateResponse r;
    if (a.status.ok() && r.ParseFromString(a.response) && r.found()) {
      *response = a.response;
      *shards = a.shard;
      return grpc::Status::OK;
    }
  }
  grpc::Status failed = FanOutStatus("geofence", answers);
  if (!failed.ok()) return failed;
  *response = answers.front().response;
  *shards = ShardNames(answers);
  return grpc::Status::OK;
}

grpc::Status RunFanOut(const FanOutCall& call, std::string* response, std::string* shards) {
  if (call.method == kCountOnline) {
    return RunMerge<lv1::CountOnlineResponse>(
        call,
        [](const std::vector<lv1::CountOnlineResponse>& p) -> absl::StatusOr<std::string> {
          return MergeCountOnline(p).SerializeAsString();
        },
        response, shards);
  }
  if (call.method == kFindNearby) {
    const auto& req = static_cast<const lv1::FindNearbyWorkersRequest&>(*call.request);
    return RunMerge<lv1::FindNearbyWorkersResponse>(
        call,
        [&req](const std::vector<lv1::FindNearbyWorkersResponse>& p)
            -> absl::StatusOr<std::string> { return MergeNearby(req, p).SerializeAsString(); },
        response, shards);
  }
  if (call.method == kCountOrders) {
    return RunMerge<wv1::CountOrdersResponse>(
        call,
        [](const std::vector<wv1::CountOrdersResponse>& p) -> absl::StatusOr<std::string> {
          return MergeCountOrders(p).SerializeAsString();
        },
        response, shards);
  }
  if (call.method == kGetCockpit) {
    return RunMerge<analytics::v1::Cockpit>(
        call,
        [](const std::vector<analytics::v1::Cockpit>& p) -> absl::StatusOr<std::string> {
          return MergeCockpit(p).SerializeAsString();
        },
        response, shards);
  }
  if (call.method == kGetHeatmap) {
    return RunMerge<analytics::v1::GetHeatmapResponse>(
        call,
        [](const std::vector<analytics::v1::GetHeatmapResponse>& p) -> absl::StatusOr<std::string> {
          return MergeHeatmap(p).SerializeAsString();
        },
        response, shards);
  }
  if (call.method == kListSurges) {
    return RunMerge<analytics::v1::ListSurgesResponse>(
        call,
        [](const std::vector<analytics::v1::ListSurgesResponse>& p) -> absl::StatusOr<std::string> {
          return MergeSurges(p).SerializeAsString();
        },
        response, shards);
  }
  if (call.method == kQuerySeries) {
    return RunMerge<analytics::v1::QuerySeriesResponse>(
        call,
        [](const std::vector<analytics::v1::QuerySeriesResponse>& p)
            -> absl::StatusOr<std::string> {
          GW_ASSIGN_OR_RETURN(analytics::v1::QuerySeriesResponse merged, MergeSeries(p));
          return merged.SerializeAsString();
        },
        response, shards);
  }
  if (call.method == kGetOrderStats) {
    return RunMerge<analytics::v1::GetOrderStatsResponse>(
        call,
        [](const std::vector<analytics::v1::GetOrderStatsResponse>& p)
            -> absl::StatusOr<std::string> { return MergeOrderStats(p).SerializeAsString(); },
        response, shards);
  }
  if (call.method == kGetInspectionStats) {
    return RunMerge<analytics::v1::GetInspectionStatsResponse>(
        call,
        [](const std::vector<analytics::v1::GetInspectionStatsResponse>& p)
            -> absl::StatusOr<std::string> { return MergeInspectionStats(p).SerializeAsString(); },
        response, shards);
  }
  if (call.method == kLocate) return RunLocate(call, response, shards);
  if (call.method == kBatchLocate) {
    const int n = static_cast<const gv1::BatchLocateRequest&>(*call.request).positions_size();
    return RunMerge<gv1::BatchLocateResponse>(
        call,
        [n](const std::vector<gv1::BatchLocateResponse>& p) -> absl::StatusOr<std::string> {
          GW_ASSIGN_OR_RETURN(gv1::BatchLocateResponse merged, MergeBatchLocate(n, p));
          return merged.SerializeAsString();
        },
        response, shards);
  }
  auto list = MergedLists().find(call.method);
  if (list != MergedLists().end()) return RunList(call, list->second, response, shards);
  return grpc::Status(grpc::StatusCode::INTERNAL, "no fan-out for " + call.method);
}

}  // namespace

grpc::Status RunLookupRest(const FanOutCall& call, const std::string& first_shard,
                           const grpc::Status& first_status, std::string* response,
                           std::string* shards) {
  std::vector<ShardRouter::Target> rest;
  for (const auto& t : call.router->All(call.upstream)) {
    if (t.shard != first_shard) rest.push_back(t);
  }
  std::vector<ShardAnswer> answers = {ShardAnswer{first_shard, first_status, ""}};
  std::vector<ShardAnswer> more =
      CallShards(call, call.method, call.caller, Same(rest, call.request_bytes));
  answers.insert(answers.end(), more.begin(), more.end());
  int ok = -1;
  grpc::Status s = CombineLookup(UpstreamName(call.upstream), answers, &ok);
  if (ok >= 0) {
    *response = std::move(answers[ok].response);
    *shards = answers[ok].shard;
  }
  return s;
}

bool CancelGroup::Add(grpc::ClientContext* ctx) {
  absl::MutexLock lock(&mu_);
  if (cancelled_) return false;
  live_.insert(ctx);
  return true;
}

void CancelGroup::Remove(grpc::ClientContext* ctx) {
  absl::MutexLock lock(&mu_);
  live_.erase(ctx);
}

void CancelGroup::CancelAll() {
  // TryCancel only flags the call; its completion callback never takes mu_.
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  for (grpc::ClientContext* ctx : live_) ctx->TryCancel();
}

bool TryStartPlan() {
  if (plans_in_flight.fetch_add(1) >= kMaxPlansInFlight) {
    plans_in_flight.fetch_sub(1);
    return false;
  }
  return true;
}

void EndPlan() { plans_in_flight.fetch_sub(1); }

absl::StatusOr<PlannedCall> PlanUnary(const ShardRouter& router, Upstream u,
                                      absl::string_view method, const pb::Message& request,
                                      const rpc::Principal& caller) {
  PlannedCall plan;
  const std::string m(method);
  if (m == kCountOnline || m == kFindNearby || m == kLocate || m == kBatchLocate) {
    plan.plan = ShardPlan::kFanOut;
    return plan;
  }
  if (router.WorkerKeyed(u)) {
    GW_ASSIGN_OR_RETURN(plan.target, router.RouteRequest(u, request, caller));
    return plan;
  }
  if (m == kImportRegions) {
    plan.plan = ShardPlan::kImport;
    return plan;
  }
  if (BroadcastMethods().count(m) > 0 && router.All(u).size() > 1) {
    plan.plan = ShardPlan::kBroadcast;
    return plan;
  }
  if (!DistrictKey(request).empty()) {
    GW_ASSIGN_OR_RETURN(plan.target, router.RouteRequest(u, request, caller));
    return plan;
  }
  if (router.All(u).size() == 1) {  // one shard: nothing to plan
    GW_ASSIGN_OR_RETURN(plan.target, router.RouteDefault(u, caller));
    return plan;
  }
  if (PositionMethods().count(m) > 0) {
    plan.plan = ShardPlan::kPosition;
    return plan;
  }
  if (MergedLists().count(m) > 0 || MergedUnary(m)) {
    // A grid worker's assessment is their own row ranked among the scope's workers by the
    // shard; a merge would rank that one row first, so it stays on the default shard.
    const bool own_row = m == kListAssessment && caller.role() == common::v1::ROLE_GRID_WORKER;
    if (caller.region_scope().empty() && !own_row) {
      plan.plan = ShardPlan::kFanOut;
    } else {  // a scoped caller's list is all on its district's shard
      GW_ASSIGN_OR_RETURN(plan.target, router.RouteDefault(u, caller));
    }
    return plan;
  }
  plan.plan = ShardPlan::kLookup;
  GW_ASSIGN_OR_RETURN(plan.target, router.RouteDefault(u, caller));
  return plan;
}

grpc::Status RunPlan(const FanOutCall& call, ShardPlan plan, std::string* response,
                     std::string* shards) {
  switch (plan) {
    case ShardPlan::kLookup:
      return RunLookup(call, response, shards);
    case ShardPlan::kPosition:
      return RunPosition(call, response, shards);
    case ShardPlan::kFanOut:
      return RunFanOut(call, response, shards);
    case ShardPlan::kImport:
      return RunImport(call, response, shards);
    case ShardPlan::kBroadcast:
      return RunBroadcast(call, response, shards);
    case ShardPlan::kOne:
      break;
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "RunPlan called for a one-shard call");
}

}  // namespace gridwork::gateway
