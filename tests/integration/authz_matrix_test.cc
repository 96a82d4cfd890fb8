// The complete role x method x scope matrix (issue 7): every method of every gridwork.*
// service (authz_matrix_table.cc), called through the real gateway over gRPC and over HTTP by
// each of eleven callers against targets in their own, a child, the parent and a sibling
// region (objects: inside their scope and in the sibling region), with all six services
// running as real processes. Asserts per call:
//   - a caller the row does not list is refused with PERMISSION_DENIED, the one uniform
//     message (gateway::kDeniedMessage) and no response message (streams: none before the
//     refusal); over HTTP 403 with the same message;
//   - an allowed call in scope succeeds or fails with one of the row's non-authorisation
//     codes;
//   - an out-of-scope call is refused the same way, or (rows marked `list`) answers with
//     nothing from outside the caller's scope: every region path in every response message
//     must lie inside the caller's scope or be one of its ancestors.
// A mismatch is collected, not fatal, so one run lists every gap; the test fails if any.
#include "tests/integration/authz_matrix.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "gridwork/gateway/v1/gateway.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "services/gateway/call_gate.h"
#include "services/gateway/http_types.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/method_policy.h"
#include "tests/integration/core_services.h"
#include "tests/integration/gateway_http_client.h"

namespace gridwork::testing {
namespace {

namespace pb = google::protobuf;
namespace gv1 = geofence::v1;
namespace wv1 = workorder::v1;
namespace iv1 = inspection::v1;
namespace idv1 = gateway::v1;
using common::v1::Role;

const char kTokenKey[] = "authz-matrix-token-key-0123456789abcdef";
const char kAdminPassword[] = "admin-password-1";

// The grids objects live in (squares, lng x lat), and their tree.
struct Grid {
  const char* path;
  double lng0, lng1;
};
const Grid kA{"410105/s01/c01/g01", 113.600, 113.6125};  // the scoped callers' own grid
const Grid kB{"410105/s01/c01/g02", 113.6125, 113.625};  // sibling grid
const Grid kC{"410105/s01/c02/g01", 113.625, 113.650};   // sibling community's grid
const Grid kD{"410105/s02/c01/g01", 113.650, 113.700};   // sibling street's grid
const Grid kE{"410102/s01/c01/g01", 113.500, 113.600};   // sibling district's grid
constexpr double kLat0 = 34.70, kLat1 = 34.80;

std::string Square(const std::string& id, const std::string& level, double lng0, double lng1) {
  return absl::StrCat(R"({"type":"Feature","properties":{"id":")", id, R"(","level":")", level,
                      R"(","name":")", id, R"("},"geometry":{"type":"Polygon","coordinates":[[[)",
                      lng0, ",", kLat0, "],[", lng1, ",", kLat0, "],[", lng1, ",", kLat1, "],[",
                      lng0, ",", kLat1, "],[", lng0, ",", kLat0, "]]]}}");
}

std::string Tree() {
  std::vector<std::string> f = {
      Square("410105", "district", 113.60, 113.70),
      Square("410105/s01", "street", 113.60, 113.65),
      Square("410105/s02", "street", 113.65, 113.70),
      Square("410105/s01/c01", "community", 113.60, 113.625),
      Square("410105/s01/c02", "community", 113.625, 113.65),
      Square("410105/s02/c01", "community", 113.65, 113.70),
      Square(kA.path, "grid", kA.lng0, kA.lng1),
      Square(kB.path, "grid", kB.lng0, kB.lng1),
      Square(kC.path, "grid", kC.lng0, kC.lng1),
      Square(kD.path, "grid", kD.lng0, kD.lng1),
      Square("410102", "district", 113.50, 113.60),
      Square("410102/s01", "street", 113.50, 113.60),
      Square("410102/s01/c01", "community", 113.50, 113.60),
      Square(kE.path, "grid", kE.lng0, kE.lng1),
  };
  return absl::StrCat(R"({"type":"FeatureCollection","features":[)", absl::StrJoin(f, ","), "]}");
}

common::v1::LatLng Center(const Grid& g) {
  common::v1::LatLng p;
  p.set_lat((kLat0 + kLat1) / 2);
  p.set_lng((g.lng0 + g.lng1) / 2);
  return p;
}

struct CallerSpec {
  Role role;
  std::string scope;
  std::string department;
};

CallerSpec SpecOf(Caller c) {
  switch (c) {
    case kAdmin:
      return {common::v1::ROLE_ADMIN, "", ""};
    case kCommand:
      return {common::v1::ROLE_DISTRICT_COMMAND, "410105", ""};
    case kStreet:
      return {common::v1::ROLE_STREET_MANAGER, "410105/s01", ""};
    case kStation:
      return {common::v1::ROLE_COMMUNITY_STATION, "410105/s01/c01", ""};
    case kLeader:
      return {common::v1::ROLE_GRID_LEADER, kA.path, ""};
    case kWorker:
      return {common::v1::ROLE_GRID_WORKER, kA.path, ""};
    case kHandlerOwn:
      return {common::v1::ROLE_DEPARTMENT_HANDLER, "", "urban-management"};
    case kHandlerOther:
      return {common::v1::ROLE_DEPARTMENT_HANDLER, "", "water"};
    case kResidentOwn:
      return {common::v1::ROLE_RESIDENT, "", ""};
    case kResidentOther:
      return {common::v1::ROLE_RESIDENT, "", ""};
    case kViewer:
      return {common::v1::ROLE_VIEWER, "410105/s01/c01", ""};
    default:
      return {};
  }
}

// Where a caller's targets are: "own", "child", "parent", "sibling" region paths (empty =
// this relation does not exist at that level) and the sibling grid for objects.
struct Relations {
  std::string own, child, parent, sibling;
  const Grid* sibling_grid;
};

Relations RelationsOf(Caller c) {
  const std::string scope = SpecOf(c).scope;
  if (scope == "410105") return {"410105", "410105/s01", "", "410102", &kE};
  if (scope == "410105/s01") return {scope, "410105/s01/c01", "410105", "410105/s02", &kD};
  if (scope == "410105/s01/c01") {
    return {scope, kA.path, "410105/s01", "410105/s01/c02", &kC};
  }
  if (scope == kA.path) return {scope, "", "410105/s01/c01", kB.path, &kB};
  // Unscoped callers (admin, handlers, residents): the station's relations.
  return {"410105/s01/c01", kA.path, "410105/s01", "410105/s01/c02", &kC};
}

// What a call must show.
enum class Expect { kAllowed, kDenied, kDeniedOrFiltered, kAny };

struct Call {
  std::string target_label;  // "own", "sibling", ...
  std::string target;        // substituted for {T}
  Expect expect;
};

struct Outcome {
  grpc::Status status;
  std::vector<std::string> messages;  // response messages as bytes
};

// One call over gRPC as a bidi stream of raw bytes (covers unary, server and bidi streaming
// alike on the wire): writes `request`, half-closes, reads up to 3 messages (then cancels,
// for endless streams) until the status.
class RawCall : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  RawCall(grpc::GenericStub* stub, grpc::ClientContext* ctx, const std::string& method,
          const std::string& request) {
    grpc::Slice slice(request);
    request_ = grpc::ByteBuffer(&slice, 1);
    stub->PrepareBidiStreamingCall(ctx, method, grpc::StubOptions(), this);
    ctx_ = ctx;
    StartWrite(&request_);
    StartRead(&in_);
    StartCall();
  }
  void OnWriteDone(bool ok) override {
    if (ok) StartWritesDone();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (in_.Dump(&slices).ok()) {
      for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    out_.messages.push_back(std::move(bytes));
    if (out_.messages.size() >= 3) {
      ctx_->TryCancel();
      return;
    }
    StartRead(&in_);
  }
  void OnDone(const grpc::Status& s) override {
    out_.status = s;
    done_.set_value();
  }
  Outcome Wait() {
    done_.get_future().wait();
    return out_;
  }

 private:
  grpc::ClientContext* ctx_;
  grpc::ByteBuffer request_, in_;
  Outcome out_;
  std::promise<void> done_;
};

bool IsStreaming(const pb::MethodDescriptor* m) {
  return m->server_streaming() || m->client_streaming();
}

// Region paths in a JSON text ("410105/s01/..." and "410102..." strings).
std::vector<std::string> RegionPaths(const std::string& json) {
  static const std::regex re(R"re("(4101\d\d(?:/[A-Za-z0-9_-]+)*)")re");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

bool WithinOrAbove(const std::string& path, const std::string& scope) {
  auto prefix_at_boundary = [](const std::string& p, const std::string& s) {
    return p == s || (absl::StartsWith(p, s) && p.size() > s.size() && p[s.size()] == '/');
  };
  return scope.empty() || prefix_at_boundary(path, scope) || prefix_at_boundary(scope, path);
}

struct Stack : CoreServices {
  TempDir inspection_dir, analytics_dir, gateway_dir;
  const std::string inspection_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string analytics_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const int http_port = PickFreePort();
  ServiceProcess inspection{
      "gridwork-inspection",
      {"--data_dir=" + inspection_dir.path(), "--sync=false", "--grpc_addr=" + inspection_addr,
       "--geofence_addr=" + geofence_addr, "--location_addr=" + location_addr,
       "--workorder_addr=" + workorder_addr},
      {KeyEnv()}};
  ServiceProcess analytics{
      "gridwork-analytics",
      {"--data_dir=" + analytics_dir.path(), "--sync=false", "--grpc_addr=" + analytics_addr,
       "--location_addr=" + location_addr, "--geofence_addr=" + geofence_addr,
       "--workorder_addr=" + workorder_addr, "--inspection_addr=" + inspection_addr,
       "--stream_deadline=5s"},
      {KeyEnv()}};
  std::unique_ptr<ServiceProcess> gateway;
  std::shared_ptr<grpc::Channel> gw;
  std::unique_ptr<grpc::GenericStub> generic;
  std::map<Caller, std::string> tokens;
  // Objects: kind -> grid path (or "resident-own"/"resident-other"/"water") -> id.
  std::map<Target, std::map<std::string, std::string>> objects;
  int next_rid = 0;

  Stack() {
    StartCore();
    for (ServiceProcess* p : {&inspection, &analytics}) {
      auto s = p->Start();
      INFO(s.message());
      REQUIRE(s.ok());
    }
    Seed();
    gateway = std::make_unique<ServiceProcess>(
        "gridwork-gateway",
        std::vector<std::string>{
            "--data_dir=" + gateway_dir.path(), "--sync=false", "--pbkdf2_iterations=1000",
            absl::StrCat("--http_addr=127.0.0.1:", http_port), "--geofence_addr=" + geofence_addr,
            "--location_addr=" + location_addr, "--workorder_addr=" + workorder_addr,
            "--inspection_addr=" + inspection_addr, "--analytics_addr=" + analytics_addr,
            "--rate_limit_scale=1000", "--login_max_failures_per_user=1000",
            "--login_max_failures_per_peer=100000", "--web_root=/nonexistent"},
        std::vector<std::string>{KeyEnv(), std::string("GRIDWORK_TOKEN_KEY=") + kTokenKey,
                                 std::string("GRIDWORK_ADMIN_PASSWORD=") + kAdminPassword});
    auto started = gateway->Start();
    INFO(started.message());
    REQUIRE(started.ok());
    gw = rpc::MakeChannel(gateway->grpc_target());
    generic = std::make_unique<grpc::GenericStub>(gw);
    tokens[kAdmin] = Login("admin", kAdminPassword);
    for (int c = kAdmin + 1; c < kCallerCount; ++c) AddUser(static_cast<Caller>(c));
  }

  static std::string PasswordOf(Caller c) {
    return c == kAdmin ? kAdminPassword : absl::StrCat("password-", CallerName(c));
  }
  static std::string UserOf(Caller c) { return c == kAdmin ? "admin" : CallerName(c); }

  std::string Login(const std::string& user, const std::string& password) {
    auto identity = idv1::Identity::NewStub(gw);
    idv1::LoginRequest req;
    req.set_username(user);
    req.set_password(password);
    idv1::TokenPair pair;
    grpc::ClientContext ctx;
    grpc::Status s = identity->Login(&ctx, req, &pair);
    INFO(user << ": " << s.error_message());
    REQUIRE(s.ok());
    return pair.access_token();
  }

  void AddUser(Caller c) {
    auto identity = idv1::Identity::NewStub(gw);
    CallerSpec spec = SpecOf(c);
    idv1::CreateUserRequest req;
    req.set_request_id(absl::StrCat("create-", CallerName(c)));
    req.mutable_user()->set_username(CallerName(c));
    req.mutable_user()->set_role(spec.role);
    req.mutable_user()->set_region_scope(spec.scope);
    req.mutable_user()->set_department(spec.department);
    req.set_password(PasswordOf(c));
    idv1::User u;
    auto ctx = rpc::NewCallContext(absl::Seconds(10));
    ctx->AddMetadata("authorization", "Bearer " + tokens.at(kAdmin));
    grpc::Status s = identity->CreateUser(ctx.get(), req, &u);
    INFO(CallerName(c) << ": " << s.error_message());
    REQUIRE(s.ok());
    tokens[c] = Login(CallerName(c), PasswordOf(c));
  }

  // Regions, categories, orders, key points, bound workers with a fix each, subjects;
  // written straight to the services with signed principals.
  void Seed() {
    auto admin = [] { return As(MakePrincipal(common::v1::ROLE_ADMIN, "", "seed")); };
    gv1::ImportRegionsRequest import;
    import.set_request_id("tree");
    import.set_geojson(Tree());
    gv1::ImportRegionsResponse imported;
    grpc::Status s = geo->ImportRegions(admin().get(), import, &imported);
    INFO(s.error_message() << " " << imported.DebugString());
    REQUIRE(s.ok());
    REQUIRE(imported.issues_size() == 0);
    for (auto [id, dept] : {std::pair{"garbage", "urban-management"}, {"water-leak", "water"}}) {
      wv1::UpsertCategoryRequest cat;
      cat.set_request_id(absl::StrCat("cat-", id));
      cat.mutable_category()->set_id(id);
      cat.mutable_category()->set_name(id);
      cat.mutable_category()->set_default_department(dept);
      cat.mutable_category()->set_severity(wv1::SEVERITY_MEDIUM);
      wv1::Category out;
      s = wo->UpsertCategory(admin().get(), cat, &out);
      INFO(s.error_message());
      REQUIRE(s.ok());
    }
    // Route each category to its department, so that handlers have orders of their own.
    for (auto [category, dept] :
         {std::pair{"garbage", "urban-management"}, {"water-leak", "water"}}) {
      wv1::UpsertDispatchRuleRequest rule;
      rule.set_request_id(absl::StrCat("rule-", category));
      rule.mutable_rule()->set_id(absl::StrCat("rule-", category));
      rule.mutable_rule()->set_category_prefix(category);
      rule.mutable_rule()->set_department(dept);
      wv1::DispatchRule out;
      s = wo->UpsertDispatchRule(admin().get(), rule, &out);
      INFO(s.error_message());
      REQUIRE(s.ok());
    }
    auto order = [&](const Grid& g, const char* category, const common::v1::Principal& by) {
      wv1::CreateOrderRequest req;
      req.set_request_id(absl::StrCat("order-", ++next_rid));
      req.set_category_id(category);
      *req.mutable_position() = Center(g);
      req.set_description("seed");
      wv1::CreateOrderResponse out;
      grpc::Status st = wo->CreateOrder(As(by).get(), req, &out);
      INFO(st.error_message());
      REQUIRE(st.ok());
      return out.order().id();
    };
    const auto seeder = MakePrincipal(common::v1::ROLE_ADMIN, "", "seed");
    for (const Grid* g : {&kA, &kB, &kC, &kD, &kE}) {
      objects[Target::kOrder][g->path] = order(*g, "garbage", seeder);
    }
    objects[Target::kOrder]["water"] = order(kA, "water-leak", seeder);
    objects[Target::kOrder]["resident-own"] =
        order(kA, "garbage", MakePrincipal(common::v1::ROLE_RESIDENT, "", "resident-own"));
    objects[Target::kOrder]["resident-other"] =
        order(kA, "garbage", MakePrincipal(common::v1::ROLE_RESIDENT, "", "resident-other"));

    auto insp = iv1::InspectionService::NewStub(rpc::MakeChannel(inspection_addr));
    // A draft checklist of urban-management (version 1), for the catalogue rows.
    iv1::CreateChecklistDraftRequest draft;
    draft.set_request_id("draft-fixture");
    iv1::ChecklistVersion* cl = draft.mutable_checklist();
    cl->set_template_id("urban-management.fixture");
    cl->set_department("urban-management");
    cl->set_name("fixture");
    cl->add_subject_types(iv1::SUBJECT_TYPE_SHOP);
    iv1::ChecklistItem* item = cl->add_items();
    item->set_code("UM-01");
    item->set_text("clean frontage");
    item->set_answer_type(iv1::ANSWER_TYPE_CHECK);
    iv1::ChecklistVersion draft_out;
    s = insp->CreateChecklistDraft(admin().get(), draft, &draft_out);
    INFO(s.error_message());
    REQUIRE(s.ok());
    const std::map<const Grid*, std::string> workers = {
        {&kA, "worker-g01"}, {&kB, "w-g02"}, {&kC, "w-c02"}, {&kD, "w-s02"}, {&kE, "w-410102"}};
    for (const Grid* g : {&kA, &kB, &kC, &kD, &kE}) {
      gv1::PutKeyPointRequest kp;
      kp.set_request_id(absl::StrCat("kp-", g->path));
      kp.mutable_key_point()->set_name("venue");
      kp.mutable_key_point()->set_kind(gv1::KEY_POINT_KIND_SMALL_VENUE);
      *kp.mutable_key_point()->mutable_position() = Center(*g);
      kp.mutable_key_point()->set_radius_m(30);
      kp.mutable_key_point()->set_grid_id(g->path);
      gv1::KeyPoint kp_out;
      s = geo->PutKeyPoint(admin().get(), kp, &kp_out);
      INFO(s.error_message());
      REQUIRE(s.ok());
      objects[Target::kKeyPoint][g->path] = kp_out.id();

      const std::string& worker = workers.at(g);
      gv1::BindWorkerRequest bind;
      bind.set_request_id(absl::StrCat("bind-", worker));
      bind.set_worker_id(worker);
      bind.set_grid_id(g->path);
      bind.set_role(gv1::BINDING_ROLE_WORKER);
      gv1::Binding b;
      s = geo->BindWorker(admin().get(), bind, &b);
      INFO(s.error_message());
      REQUIRE(s.ok());
      objects[Target::kWorker][g->path] = worker;
      location::v1::FixBatch batch;
      batch.set_worker_id(worker);
      batch.set_device_id("dev-" + worker);
      auto* fix = batch.add_fixes();
      fix->set_sequence(1);
      *fix->mutable_device_time() = service::ToProto(absl::Now() - absl::Minutes(1));
      *fix->mutable_position() = Center(*g);
      fix->set_accuracy_m(5);
      location::v1::BatchAck ack;
      s = loc->IngestFixes(As(MakePrincipal(common::v1::ROLE_GRID_WORKER, g->path, worker)).get(),
                           batch, &ack);
      INFO(s.error_message());
      REQUIRE(s.ok());

      iv1::RegisterSubjectRequest sub;
      sub.set_request_id(absl::StrCat("subject-", g->path));
      sub.mutable_subject()->set_type(iv1::SUBJECT_TYPE_SHOP);
      sub.mutable_subject()->set_name(absl::StrCat("shop ", g->path));
      *sub.mutable_subject()->mutable_position() = Center(*g);
      iv1::Subject subject;
      s = insp->RegisterSubject(admin().get(), sub, &subject);
      INFO(s.error_message());
      REQUIRE(s.ok());
      objects[Target::kSubject][g->path] = subject.id();
    }
  }

  // The calls of `row` for caller `c`: targets and what each must show.
  std::vector<Call> CallsFor(const MatrixRow& row, Caller c) {
    const bool gate_passes = (row.callers & Bit(c)) != 0;
    const Expect denied = gate_passes && row.list ? Expect::kDeniedOrFiltered : Expect::kDenied;
    if (!gate_passes) {
      // The role gate refuses before any target matters: one call on the own target.
      Relations r = RelationsOf(c);
      std::string t = row.target == Target::kRegion ? r.own
                      : row.target == Target::kGrid ? kA.path
                      : row.target == Target::kNone ? ""
                                                    : objects[row.target][kA.path];
      return {{"any", t, Expect::kDenied}};
    }
    const CallerSpec spec = SpecOf(c);
    const bool scoped = !spec.scope.empty();
    Relations r = RelationsOf(c);
    std::vector<Call> calls;
    switch (row.target) {
      case Target::kNone:
        calls.push_back({"none", "", Expect::kAllowed});
        break;
      case Target::kRegion:
        calls.push_back({"own", r.own, scoped || c == kAdmin ? Expect::kAllowed : Expect::kAny});
        if (!r.child.empty()) {
          calls.push_back(
              {"child", r.child, scoped || c == kAdmin ? Expect::kAllowed : Expect::kAny});
        }
        if (!r.parent.empty()) {
          calls.push_back({"parent", r.parent,
                           c == kAdmin || (scoped && row.ancestors) ? Expect::kAllowed
                           : scoped                                 ? denied
                                                                    : Expect::kAny});
        }
        calls.push_back({"sibling", r.sibling,
                         c == kAdmin ? Expect::kAllowed
                         : scoped    ? denied
                                     : Expect::kAny});
        break;
      case Target::kGrid:
        calls.push_back({"own", kA.path, scoped || c == kAdmin ? Expect::kAllowed : Expect::kAny});
        calls.push_back({"sibling", r.sibling_grid->path,
                         c == kAdmin ? Expect::kAllowed
                         : scoped    ? denied
                                     : Expect::kAny});
        break;
      case Target::kOrder:
        if (c == kHandlerOwn || c == kHandlerOther) {
          const bool urban = c == kHandlerOwn;
          calls.push_back({"own-department", objects[Target::kOrder][urban ? kA.path : "water"],
                           Expect::kAllowed});
          calls.push_back(
              {"other-department", objects[Target::kOrder][urban ? "water" : kA.path], denied});
          break;
        }
        if (c == kResidentOwn || c == kResidentOther) {
          const bool own = c == kResidentOwn;
          calls.push_back({"own-report",
                           objects[Target::kOrder][own ? "resident-own" : "resident-other"],
                           Expect::kAllowed});
          calls.push_back({"other-report",
                           objects[Target::kOrder][own ? "resident-other" : "resident-own"],
                           denied});
          calls.push_back({"not-reported", objects[Target::kOrder][kA.path], denied});
          break;
        }
        [[fallthrough]];
      default:
        calls.push_back({"own", objects[row.target][kA.path],
                         scoped || c == kAdmin ? Expect::kAllowed : Expect::kAny});
        calls.push_back({"sibling", objects[row.target][r.sibling_grid->path],
                         c == kAdmin ? Expect::kAllowed
                         : scoped    ? denied
                                     : Expect::kAny});
        break;
    }
    return calls;
  }

  std::string Fill(const MatrixRow& row, const std::string& target) {
    const absl::Time now = absl::Now();
    auto rfc3339 = [](absl::Time t) {
      return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
    };
    // {PT}: the centre of the target grid (kGrid rows place objects by position).
    std::string point = "null";
    for (const Grid* g : {&kA, &kB, &kC, &kD, &kE}) {
      if (target == g->path) {
        common::v1::LatLng c = Center(*g);
        point = absl::StrCat(R"({"lat":)", c.lat(), R"(,"lng":)", c.lng(), "}");
      }
    }
    return absl::StrReplaceAll(row.request_json, {{"{T}", target},
                                                  {"{PT}", point},
                                                  {"{RID}", absl::StrCat("m", ++next_rid)},
                                                  {"{FROM}", rfc3339(now - absl::Hours(12))},
                                                  {"{TO}", rfc3339(now + absl::Hours(1))}});
  }

  std::string TokenFor(const MatrixRow& row, Caller c) {
    // Logout ends the session of its token: give it a session of its own.
    if (absl::EndsWith(row.method, "/Logout")) return Login(UserOf(c), PasswordOf(c));
    return tokens.at(c);
  }
};

// The flat fields of a stream row's JSON as a query string (stream templates are flat).
std::string QueryOf(const std::string& json) {
  static const std::regex re(R"re("(\w+)":"?([^",}]*)"?)re");
  std::string q;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), re); it != std::sregex_iterator();
       ++it) {
    absl::StrAppend(&q, q.empty() ? "" : "&", (*it)[1].str(), "=", (*it)[2].str());
  }
  return q;
}

// "/pkg.Svc/Method" of every rpc in proto/gridwork/**/*.proto.
std::set<std::string> ProtoSourceMethods() {
  std::set<std::string> out;
  const std::regex package_re(R"(^\s*package\s+([\w.]+)\s*;)");
  const std::regex service_re(R"(^\s*service\s+(\w+))");
  const std::regex rpc_re(R"(^\s*rpc\s+(\w+)\s*\()");
  for (const auto& e : std::filesystem::recursive_directory_iterator(
           std::string(GRIDWORK_SOURCE_DIR) + "/proto/gridwork")) {
    if (e.path().extension() != ".proto") continue;
    std::ifstream in(e.path());
    std::string line, package, service;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, package_re)) package = m[1];
      if (std::regex_search(line, m, service_re)) service = m[1];
      if (std::regex_search(line, m, rpc_re)) {
        out.insert(absl::StrCat("/", package, ".", service, "/", m[1].str()));
      }
    }
  }
  return out;
}

TEST_CASE("the matrix has a row for every method of the pool, the protos and the policy table",
          "[authz][integration]") {
  std::set<std::string> in_matrix;
  for (const MatrixRow& row : AuthzMatrix()) in_matrix.insert(row.method);
  std::set<std::string> wanted = ProtoSourceMethods();
  REQUIRE(wanted.size() > 60);
  for (const auto& p : gateway::PolicyTable::Default().rows()) wanted.insert(p.method);
  // Every method of every service the linked descriptors know.
  std::set<const pb::ServiceDescriptor*> services;
  for (const std::string& m : wanted) {
    if (const pb::MethodDescriptor* d = gateway::FindMethod(m)) services.insert(d->service());
  }
  for (const pb::ServiceDescriptor* s : services) {
    for (int i = 0; i < s->method_count(); ++i) {
      wanted.insert(absl::StrCat("/", s->full_name(), "/", s->method(i)->name()));
    }
  }
  for (const std::string& m : wanted) {
    INFO("add a row for " << m << " to tests/integration/authz_matrix_table.cc");
    CHECK(in_matrix.count(m) == 1);
  }
  for (const std::string& m : in_matrix) {
    INFO(m << " is in the matrix but no longer a method");
    CHECK(wanted.count(m) == 1);
  }
}

TEST_CASE("every method x role x scope through the gateway, over gRPC and HTTP",
          "[authz][integration]") {
  Stack stack;
  std::vector<std::string> failures;
  std::map<std::string, int> tally;  // "allowed", "denied", "filtered", ...
  int calls = 0;
  const absl::Time start = absl::Now();

  std::vector<std::pair<double, std::string>> slow_rows;
  for (const MatrixRow& row : AuthzMatrix()) {
    const absl::Time row_start = absl::Now();
    const pb::MethodDescriptor* m = gateway::FindMethod(row.method);
    REQUIRE(m != nullptr);
    const bool streaming = IsStreaming(m);
    for (int ci = 0; ci < kCallerCount; ++ci) {
      const Caller c = static_cast<Caller>(ci);
      const std::string scope = SpecOf(c).scope;
      for (const Call& call : stack.CallsFor(row, c)) {
        const std::string where =
            absl::StrCat(row.method, row.upstream[0] ? absl::StrCat(" [", row.upstream, "]") : "",
                         " as ", CallerName(c), " on ", call.target_label, " '", call.target, "'");
        auto fail = [&](const std::string& what) {
          failures.push_back(absl::StrCat(where, ": ", what));
        };
        // ---- gRPC ----
        absl::StatusOr<std::string> request =
            gateway::JsonToRequestBytes(m, stack.Fill(row, call.target));
        if (!request.ok()) {
          fail("bad template: " + std::string(request.status().message()));
          continue;
        }
        auto ctx = rpc::NewCallContext(streaming ? absl::Milliseconds(400) : absl::Seconds(20));
        ctx->AddMetadata("authorization", "Bearer " + stack.TokenFor(row, c));
        if (row.upstream[0]) ctx->AddMetadata("x-gridwork-upstream", row.upstream);
        RawCall raw(stack.generic.get(), ctx.get(), row.method, *request);
        Outcome out = raw.Wait();
        ++calls;
        grpc::StatusCode code = out.status.error_code();
        // An endless stream that delivered messages, or none in time, was not refused.
        if (streaming &&
            (code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::DEADLINE_EXCEEDED)) {
          code = grpc::StatusCode::OK;
        }
        const bool refused = code == grpc::StatusCode::PERMISSION_DENIED;
        if (refused) {
          if (out.status.error_message() != gateway::kDeniedMessage) {
            fail("denial with a non-uniform message: " + out.status.error_message());
          }
          if (!out.messages.empty()) fail("a denied call delivered a message first");
        }
        bool leaked = false;
        if (code == grpc::StatusCode::OK && !scope.empty()) {
          for (const std::string& bytes : out.messages) {
            absl::StatusOr<std::string> json = gateway::ResponseBytesToJson(m, bytes);
            if (!json.ok()) continue;
            for (const std::string& path : RegionPaths(*json)) {
              if (!WithinOrAbove(path, scope)) {
                leaked = true;
                fail(absl::StrCat("response carries ", path, ", outside scope ", scope));
                break;
              }
            }
          }
        }
        std::string got = absl::StrCat(code, " ", out.status.error_message());
        switch (call.expect) {
          case Expect::kDenied:
            if (!refused) fail("expected PERMISSION_DENIED, got " + got);
            tally[refused ? "denied" : "WRONG"]++;
            break;
          case Expect::kDeniedOrFiltered:
            if (!refused && code != grpc::StatusCode::OK) {
              bool named = std::find(row.other_codes.begin(), row.other_codes.end(),
                                     static_cast<int>(code)) != row.other_codes.end();
              if (!named) fail("expected PERMISSION_DENIED or a filtered answer, got " + got);
            }
            tally[refused ? "denied" : leaked ? "WRONG" : "filtered"]++;
            break;
          case Expect::kAllowed:
            if (refused) {
              fail("allowed call was refused");
            } else if (code != grpc::StatusCode::OK &&
                       std::find(row.other_codes.begin(), row.other_codes.end(),
                                 static_cast<int>(code)) == row.other_codes.end()) {
              fail("allowed call failed with an unnamed code: " + got);
            }
            tally[refused ? "WRONG" : "allowed"]++;
            break;
          case Expect::kAny:
            tally["unscoped caller"]++;
            break;
        }

        // ---- HTTP: the same call; a refusal must be 403 with the same body ----
        const bool http_stream = m->server_streaming() && !m->client_streaming();
        if (m->client_streaming()) continue;                            // not reachable over HTTP
        if (http_stream && !refused && out.messages.empty()) continue;  // would wait for data
        HttpResult h;
        const std::string token = stack.TokenFor(row, c);
        if (http_stream) {
          std::string q = QueryOf(stack.Fill(row, call.target));
          if (row.upstream[0]) absl::StrAppend(&q, "&upstream=", row.upstream);
          h = HttpCall(stack.http_port, "GET",
                       absl::StrCat("/api", row.method, "/stream?", q, "&access_token=", token), {},
                       "", "\n\n");
        } else {
          std::vector<std::string> headers = {"Authorization: Bearer " + token};
          if (row.upstream[0]) {
            h = HttpCall(stack.http_port, "POST",
                         absl::StrCat("/api", row.method, "?upstream=", row.upstream), headers,
                         stack.Fill(row, call.target));
          } else {
            h = HttpCall(stack.http_port, "POST", absl::StrCat("/api", row.method), headers,
                         stack.Fill(row, call.target));
          }
        }
        ++calls;
        if (refused) {
          if (h.status != 403 || h.body.find(gateway::kDeniedMessage) == std::string::npos) {
            fail(absl::StrCat("over HTTP expected 403 with the uniform message, got ", h.status,
                              " ", h.body.substr(0, 200)));
          }
        } else if (h.status == 403) {
          fail("refused over HTTP but not over gRPC: " + h.body.substr(0, 200));
        } else if (!scope.empty() && h.status == 200) {
          for (const std::string& path : RegionPaths(h.body)) {
            if (!WithinOrAbove(path, scope)) {
              fail(absl::StrCat("HTTP response carries ", path, ", outside scope ", scope));
              break;
            }
          }
        }
      }
    }
    slow_rows.push_back({absl::ToDoubleSeconds(absl::Now() - row_start),
                         absl::StrCat(row.method, " ", row.upstream)});
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::sort(slow_rows.rbegin(), slow_rows.rend());
  for (size_t i = 0; i < slow_rows.size() && i < 5; ++i) {
    std::printf("authz_matrix_test: slowest row %.1f s %s\n", slow_rows[i].first,
                slow_rows[i].second.c_str());
  }
  std::string summary;
  for (const auto& [k, v] : tally) absl::StrAppend(&summary, " ", k, "=", v);
  std::printf("authz_matrix_test: %zu rows, %d calls in %.1f s;%s; %zu failures\n",
              AuthzMatrix().size(), calls, seconds, summary.c_str(), failures.size());
  for (const std::string& f : failures) std::printf("  FAIL %s\n", f.c_str());
  CHECK(failures.empty());
  stack.gateway->Kill();
}

}  // namespace
}  // namespace gridwork::testing
