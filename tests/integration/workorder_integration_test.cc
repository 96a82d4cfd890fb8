// The real gridwork-workorder binary next to a real gridwork-geofence (which gives every new
// order its region path), each with a temporary RocksDB store, called over real gRPC with
// signed principals of every role: the closed loop and its variants (return, escalation,
// reopen, suspend, cancel as duplicate), the hash-chained history, the refusals with their
// exact status codes, lists and kanban counts, idempotency, the feed's visibility rules,
// health, /metrics, a geofence that hangs or dies and comes back, and VerifyHistory polled
// while an order changes. Processes are killed at the end of a test case unless it checks the
// graceful stop itself (a stop takes seconds per process).
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/small_tree.h"
#include "tests/integration/wait_for.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace wv1 = workorder::v1;
using common::v1::Principal;
using common::v1::ROLE_ADMIN;
using common::v1::ROLE_COMMUNITY_STATION;
using common::v1::ROLE_DEPARTMENT_HANDLER;
using common::v1::ROLE_DISTRICT_COMMAND;
using common::v1::ROLE_GRID_WORKER;
using common::v1::ROLE_RESIDENT;
using common::v1::ROLE_SERVICE;

// ---- Positions in the small region tree (small_tree.h) ---------------------------------------

const common::v1::LatLng kInG01 = At(34.72, 113.61);
const common::v1::LatLng kInG02 = At(34.72, 113.64);
const common::v1::LatLng kNowhere = At(30.0, 100.0);  // outside every region

// ---- Principals -----------------------------------------------------------------------------

Principal Admin() { return MakePrincipal(ROLE_ADMIN, "", "admin"); }
Principal Command() { return MakePrincipal(ROLE_DISTRICT_COMMAND, "410105", "command"); }
Principal Station() {
  return MakePrincipal(ROLE_COMMUNITY_STATION, "410105/s01/c01", "station-c01");
}
Principal Worker(const std::string& who = "wang-wei") {
  return MakePrincipal(ROLE_GRID_WORKER, kG01, who);
}
Principal Handler(const std::string& department = "urban-management",
                  const std::string& who = "zhao-cg") {
  Principal p = MakePrincipal(ROLE_DEPARTMENT_HANDLER, "", who);
  p.set_department(department);
  return p;
}
Principal Resident(const std::string& who = "resident-138") {
  return MakePrincipal(ROLE_RESIDENT, "", who);
}
Principal Service() { return MakePrincipal(ROLE_SERVICE, "", "analytics"); }

std::string Jpeg(const std::string& body) {
  return std::string("\xFF\xD8\xFF\xE0", 4) + body + std::string("\xFF\xD9", 2);
}

std::string Why(const grpc::Status& s) {
  return absl::StrCat("status ", s.error_code(), ": ", s.error_message());
}

// Reads `metric` (full name with labels) from a /metrics body; -1 if absent.
double MetricValue(const std::string& body, const std::string& metric) {
  size_t at = body.find("\n" + metric + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + metric.size() + 2));
}

// ---- The two services -----------------------------------------------------------------------

struct Cluster {
  TempDir geofence_dir;
  TempDir workorder_dir;
  const std::string geofence_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  ServiceProcess geofence{
      "gridwork-geofence",
      {"--data_dir=" + geofence_dir.path(), "--sync=false", "--grpc_addr=" + geofence_addr},
      {KeyEnv()}};
  ServiceProcess workorder{"gridwork-workorder",
                           {"--data_dir=" + workorder_dir.path(), "--sync=false",
                            "--geofence_addr=" + geofence_addr, "--geofence_deadline=1s"},
                           {KeyEnv()}};
  std::unique_ptr<gv1::GeofenceService::Stub> geo;
  std::unique_ptr<wv1::WorkOrderService::Stub> wo;
  int next_request = 0;

  Cluster() {
    StartGeofence();
    gv1::ImportRegionsRequest import;
    import.set_request_id("import-tree");
    import.set_geojson(SmallTree());
    gv1::ImportRegionsResponse imported;
    grpc::Status s = geo->ImportRegions(As(Admin()).get(), import, &imported);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(imported.created() == 5);

    auto started = workorder.Start();
    INFO(started.message());
    REQUIRE(started.ok());
    wo = wv1::WorkOrderService::NewStub(rpc::MakeChannel(workorder.grpc_target()));
    LoadCatalog();
  }

  void StartGeofence() {
    auto started = geofence.Start();
    INFO(started.message());
    REQUIRE(started.ok());
    geo = gv1::GeofenceService::NewStub(rpc::MakeChannel(geofence.grpc_target()));
  }

  std::string Rid(const std::string& what = "req") {
    return absl::StrCat(what, "-", ++next_request);
  }

  void AddCategory(const std::string& id, const std::string& parent, const std::string& name,
                   const std::string& department, bool escalate) {
    wv1::UpsertCategoryRequest req;
    req.set_request_id(Rid("category"));
    wv1::Category* c = req.mutable_category();
    c->set_id(id);
    c->set_parent_id(parent);
    c->set_name(name);
    c->set_default_department(department);
    c->set_severity(wv1::SEVERITY_MEDIUM);
    c->set_escalate_when_overdue(escalate);
    // Hours: no SLA timer fires during the test.
    *c->mutable_sla()->mutable_triage() = service::ToProto(absl::Hours(2));
    *c->mutable_sla()->mutable_accept() = service::ToProto(absl::Hours(4));
    *c->mutable_sla()->mutable_handle() = service::ToProto(absl::Hours(24));
    *c->mutable_sla()->mutable_review() = service::ToProto(absl::Hours(8));
    *c->mutable_sla()->mutable_verify() = service::ToProto(absl::Hours(48));
    c->mutable_sla()->set_due_soon_fraction(0.2);
    wv1::Category out;
    grpc::Status s = wo->UpsertCategory(As(Admin()).get(), req, &out);
    INFO(id << ": " << Why(s));
    REQUIRE(s.ok());
    REQUIRE(out.version() == 1);
  }

  void AddRule(const std::string& id, const std::string& category, const std::string& region,
               const std::string& department) {
    wv1::UpsertDispatchRuleRequest req;
    req.set_request_id(Rid("rule"));
    req.mutable_rule()->set_id(id);
    req.mutable_rule()->set_category_prefix(category);
    req.mutable_rule()->set_region_prefix(region);
    req.mutable_rule()->set_department(department);
    wv1::DispatchRule out;
    grpc::Status s = wo->UpsertDispatchRule(As(Admin()).get(), req, &out);
    INFO(id << ": " << Why(s));
    REQUIRE(s.ok());
  }

  // env.* goes to urban management everywhere, except rubbish in grid g02 (sanitation);
  // facility.* has no rule (manual triage by the community workstation).
  void LoadCatalog() {
    AddCategory("env", "", "市容环境", "urban-management", false);
    AddCategory("env.garbage", "env", "垃圾堆放", "urban-management", false);
    AddCategory("facility", "", "市政设施", "municipal", false);
    AddCategory("facility.manhole", "facility", "井盖缺失", "municipal", true);
    AddRule("r-env", "env", "", "urban-management");
    AddRule("r-g02-garbage", "env.garbage", kG02, "sanitation");
    wv1::ListCategoriesResponse categories;
    REQUIRE(wo->ListCategories(As(Worker()).get(), {}, &categories).ok());
    REQUIRE(categories.categories_size() == 4);
    wv1::ListDispatchRulesResponse rules;
    REQUIRE(wo->ListDispatchRules(As(Station()).get(), {}, &rules).ok());
    REQUIRE(rules.rules_size() == 2);
  }

  grpc::Status TryCreate(const Principal& p, const std::string& category,
                         const common::v1::LatLng& where, wv1::CreateOrderResponse* out,
                         const std::string& request_id = "",
                         const std::vector<std::string>& photos = {}) {
    wv1::CreateOrderRequest req;
    req.set_request_id(request_id.empty() ? Rid("create") : request_id);
    req.set_category_id(category);
    *req.mutable_position() = where;
    req.set_description("路边有一堆建筑垃圾");
    for (const auto& sha : photos) req.add_photos()->set_sha256(sha);
    return wo->CreateOrder(As(p).get(), req, out);
  }

  wv1::WorkOrder Create(const Principal& p, const std::string& category,
                        const common::v1::LatLng& where,
                        const std::vector<std::string>& photos = {}) {
    wv1::CreateOrderResponse resp;
    grpc::Status s = TryCreate(p, category, where, &resp, "", photos);
    INFO(Why(s));
    REQUIRE(s.ok());
    return resp.order();
  }

  using Customize = std::function<void(wv1::TransitionRequest&)>;

  grpc::Status TryAct(const Principal& p, const wv1::WorkOrder& o, wv1::Action a,
                      wv1::WorkOrder* out, const std::string& note = "",
                      const Customize& customize = nullptr) {
    wv1::TransitionRequest req;
    req.set_request_id(Rid("act"));
    req.set_order_id(o.id());
    req.set_expected_version(o.version());
    req.set_action(a);
    req.set_note(note);
    if (customize) customize(req);
    return wo->Transition(As(p).get(), req, out);
  }

  // Applies `a` and checks the version advanced by one.
  wv1::WorkOrder Act(const Principal& p, const wv1::WorkOrder& o, wv1::Action a,
                     const std::string& note = "", const Customize& customize = nullptr) {
    wv1::WorkOrder out;
    grpc::Status s = TryAct(p, o, a, &out, note, customize);
    INFO(wv1::Action_Name(a) << " on " << wv1::State_Name(o.state()) << ": " << Why(s));
    REQUIRE(s.ok());
    REQUIRE(out.version() == o.version() + 1);
    return out;
  }

  wv1::WorkOrder Get(const std::string& id, const Principal& p = Admin()) {
    wv1::GetOrderRequest req;
    req.set_order_id(id);
    wv1::WorkOrder out;
    grpc::Status s = wo->GetOrder(As(p).get(), req, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
    return out;
  }

  std::vector<wv1::OrderEvent> History(const std::string& id) {
    wv1::GetHistoryRequest req;
    req.set_order_id(id);
    wv1::GetHistoryResponse resp;
    grpc::Status s = wo->GetHistory(As(Admin()).get(), req, &resp);
    INFO(Why(s));
    REQUIRE(s.ok());
    return {resp.events().begin(), resp.events().end()};
  }

  std::vector<wv1::Action> Actions(const std::string& id) {
    std::vector<wv1::Action> out;
    for (const auto& e : History(id)) out.push_back(e.action());
    return out;
  }

  // The history is intact (VerifyHistory) and a legal path: seq 1..n, each event's version
  // one more than the previous, each from_state the previous to_state, and the order's
  // version/length/head at its end.
  void RequireSoundHistory(const std::string& id) {
    wv1::VerifyHistoryRequest req;
    req.set_order_id(id);
    wv1::VerifyHistoryResponse verdict;
    grpc::Status s = wo->VerifyHistory(As(Admin()).get(), req, &verdict);
    INFO(Why(s));
    REQUIRE(s.ok());
    INFO(verdict.problem());
    REQUIRE(verdict.intact());
    const wv1::WorkOrder order = Get(id);
    const std::vector<wv1::OrderEvent> events = History(id);
    REQUIRE(verdict.length() == events.size());
    REQUIRE(order.history_length() == events.size());
    wv1::State state = wv1::STATE_UNSPECIFIED;
    for (size_t i = 0; i < events.size(); ++i) {
      INFO("event " << i + 1 << " " << wv1::Action_Name(events[i].action()));
      REQUIRE(events[i].seq() == i + 1);
      REQUIRE(events[i].version() == i + 1);
      REQUIRE(events[i].from_state() == state);
      state = events[i].to_state();
    }
    REQUIRE(order.state() == state);
    REQUIRE(order.version() == events.size());
    REQUIRE(order.history_head() == events.back().hash());
  }

  std::string UploadJpeg(const Principal& p, const std::string& body) {
    wv1::UploadPhotoRequest req;
    req.set_content(Jpeg(body));
    *req.mutable_capture_time() = service::ToProto(absl::Now() - absl::Minutes(3));
    wv1::PhotoRecord record;
    grpc::Status s = wo->UploadPhoto(As(p).get(), req, &record);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(record.media_type() == "image/jpeg");
    REQUIRE(record.size_bytes() == static_cast<int64_t>(req.content().size()));
    REQUIRE(record.sha256().size() == 64);
    REQUIRE(record.uploaded_by() == p.subject());
    return record.sha256();
  }

  wv1::CountOrdersResponse Count(const Principal& p, wv1::OrderFilter filter = {}) {
    wv1::CountOrdersRequest req;
    *req.mutable_filter() = std::move(filter);
    wv1::CountOrdersResponse resp;
    grpc::Status s = wo->CountOrders(As(p).get(), req, &resp);
    INFO(Why(s));
    REQUIRE(s.ok());
    return resp;
  }

  std::vector<std::string> ListIds(const Principal& p, wv1::OrderFilter filter = {}) {
    wv1::ListOrdersRequest req;
    *req.mutable_filter() = std::move(filter);
    req.set_page_size(500);
    wv1::ListOrdersResponse resp;
    grpc::Status s = wo->ListOrders(As(p).get(), req, &resp);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(resp.next_page_token().empty());
    std::vector<std::string> ids;
    for (const auto& o : resp.orders()) ids.push_back(o.id());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::string Metrics() { return HttpGet(workorder.metrics_port(), "/metrics"); }

  // SIGTERM to both, each must exit 0. The test's own connections are closed first: a
  // connected idle client holds up a server's drain for seconds.
  void StopAll() {
    wo.reset();
    geo.reset();
    REQUIRE(workorder.Stop() == 0);
    REQUIRE(workorder.Log().find("workorder stopped") != std::string::npos);
    REQUIRE(geofence.Stop() == 0);
  }
};

// The count of each state in a CountOrders answer, checking the columns are every state in
// enum order and add up to the total.
std::map<wv1::State, int64_t> Columns(const wv1::CountOrdersResponse& resp) {
  REQUIRE(resp.columns_size() == wv1::State_MAX);
  std::map<wv1::State, int64_t> out;
  int64_t sum = 0;
  for (int i = 0; i < resp.columns_size(); ++i) {
    REQUIRE(resp.columns(i).state() == i + 1);
    if (resp.columns(i).count() != 0) out[resp.columns(i).state()] = resp.columns(i).count();
    sum += resp.columns(i).count();
  }
  REQUIRE(sum == resp.total());
  return out;
}

// Events from the workorder feed as `p`, from sequence 1, until `done` says the collection is
// complete or 10 s pass (then the caller's check on the collection fails).
std::vector<common::v1::FeedEvent> WatchUntil(
    const std::string& target, const Principal& p,
    const std::function<bool(const std::vector<common::v1::FeedEvent>&)>& done) {
  auto feed = common::v1::Feed::NewStub(rpc::MakeChannel(target));
  common::v1::WatchRequest watch;
  watch.set_from_sequence(1);
  auto ctx = As(p);
  auto reader = feed->Watch(ctx.get(), watch);
  std::vector<common::v1::FeedEvent> events;
  common::v1::FeedEvent ev;
  while (!done(events) && reader->Read(&ev)) events.push_back(ev);
  ctx->TryCancel();
  reader->Finish();
  return events;
}

template <typename Msg>
std::vector<Msg> PayloadsOf(const std::vector<common::v1::FeedEvent>& events) {
  std::vector<Msg> out;
  for (const auto& e : events) {
    Msg m;
    if (e.payload().Is<Msg>() && e.payload().UnpackTo(&m)) out.push_back(m);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "the closed loop over gRPC: report, rule dispatch, handle with a photo, verify, close, "
    "rate",
    "[integration]") {
  Cluster c;
  const std::string before = c.UploadJpeg(Resident(), "before: rubbish on the pavement");
  wv1::CreateOrderResponse created;
  grpc::Status s =
      c.TryCreate(Resident(), "env.garbage", kInG01, &created, "loop-report", {before});
  INFO(Why(s));
  REQUIRE(s.ok());
  wv1::WorkOrder o = created.order();

  // The region path is the one geofence's Locate gives for the position.
  gv1::LocateRequest locate;
  *locate.mutable_position() = kInG01;
  gv1::LocateResponse located;
  REQUIRE(c.geo->Locate(As(Worker()).get(), locate, &located).ok());
  REQUIRE(located.found());
  REQUIRE(o.region_path() == located.region().id());
  REQUIRE(o.region_path() == kG01);

  // Rule dispatch in the same commit as the report.
  REQUIRE(o.state() == wv1::STATE_DISPATCHED);
  REQUIRE(o.version() == 2);
  REQUIRE(o.department() == "urban-management");
  REQUIRE(o.source() == wv1::SOURCE_RESIDENT);
  REQUIRE(o.reporter() == "resident-138");
  REQUIRE(o.stage() == wv1::STAGE_ACCEPT);
  REQUIRE(o.assignee_history_size() == 1);
  REQUIRE(o.assignee_history(0).decided_by() == "rule:r-env");
  REQUIRE(o.photos_size() == 1);
  REQUIRE(o.photos(0).phase() == wv1::PHOTO_PHASE_BEFORE);
  REQUIRE(o.photos(0).sha256() == before);
  // A retry of the report replays the first answer.
  wv1::CreateOrderResponse again;
  REQUIRE(c.TryCreate(Resident(), "env.garbage", kInG01, &again, "loop-report", {before}).ok());
  REQUIRE(again.order().id() == o.id());
  REQUIRE(again.order().version() == 2);

  o = c.Act(Handler(), o, wv1::ACTION_ACCEPT);
  REQUIRE(o.state() == wv1::STATE_ACCEPTED);
  REQUIRE(o.assignee() == "zhao-cg");
  o = c.Act(Handler(), o, wv1::ACTION_START);
  REQUIRE(o.state() == wv1::STATE_PROCESSING);

  const std::string after = c.UploadJpeg(Handler(), "after: pavement swept clean");
  o = c.Act(Handler(), o, wv1::ACTION_HANDLE, "已清运",
            [&](wv1::TransitionRequest& r) { r.add_photos()->set_sha256(after); });
  REQUIRE(o.state() == wv1::STATE_HANDLED);
  REQUIRE(o.photos_size() == 2);
  REQUIRE(o.photos(1).sha256() == after);
  REQUIRE(o.photos(1).phase() == wv1::PHOTO_PHASE_AFTER);
  REQUIRE(o.photos(1).uploaded_by() == "zhao-cg");
  REQUIRE(o.photos(1).has_received_at());

  // A resident reporter has no default verifier: the workstation names one.
  wv1::WorkOrder unchanged;
  REQUIRE(c.TryAct(Station(), o, wv1::ACTION_ASSIGN_VERIFICATION, &unchanged).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
  o = c.Act(Station(), o, wv1::ACTION_ASSIGN_VERIFICATION, "",
            [](wv1::TransitionRequest& r) { r.set_verifier("wang-wei"); });
  REQUIRE(o.state() == wv1::STATE_VERIFYING);
  REQUIRE(o.verifier() == "wang-wei");
  // Only the named verifier (or a grid leader) verifies.
  REQUIRE(c.TryAct(Worker("li-na"), o, wv1::ACTION_VERIFY_SATISFIED, &unchanged).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  o = c.Act(Worker(), o, wv1::ACTION_VERIFY_SATISFIED);
  REQUIRE(o.state() == wv1::STATE_CLOSED);
  REQUIRE(o.has_closed_at());
  REQUIRE(o.stage() == wv1::STAGE_NONE);

  wv1::RateOrderRequest rate;
  rate.set_request_id("loop-rate");
  rate.set_order_id(o.id());
  rate.set_expected_version(o.version());
  rate.set_score(5);
  rate.set_comment("处理很快");
  wv1::WorkOrder rated;
  REQUIRE(c.wo->RateOrder(As(Worker()).get(), rate, &rated).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);  // only the reporter rates
  s = c.wo->RateOrder(As(Resident()).get(), rate, &rated);
  INFO(Why(s));
  REQUIRE(s.ok());
  REQUIRE(rated.version() == 8);
  REQUIRE(rated.state() == wv1::STATE_CLOSED);
  REQUIRE(rated.rating().score() == 5);
  rate.set_request_id("loop-rate-twice");
  rate.set_expected_version(rated.version());
  REQUIRE(c.wo->RateOrder(As(Resident()).get(), rate, &unchanged).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);  // once

  // History: every step in order, by whom, hash-chained.
  const std::vector<wv1::OrderEvent> history = c.History(o.id());
  std::vector<wv1::Action> actions;
  for (const auto& e : history) actions.push_back(e.action());
  REQUIRE(actions == std::vector<wv1::Action>{wv1::ACTION_REPORT, wv1::ACTION_DISPATCH,
                                              wv1::ACTION_ACCEPT, wv1::ACTION_START,
                                              wv1::ACTION_HANDLE, wv1::ACTION_ASSIGN_VERIFICATION,
                                              wv1::ACTION_VERIFY_SATISFIED, wv1::ACTION_RATE});
  REQUIRE(history[0].actor() == "resident-138");
  REQUIRE(history[0].actor_role() == ROLE_RESIDENT);
  REQUIRE(history[0].region_path() == kG01);
  REQUIRE(history[1].actor_role() == ROLE_SERVICE);
  REQUIRE(history[1].decided_by() == "rule:r-env");
  REQUIRE(history[2].actor() == "zhao-cg");
  REQUIRE(history[4].photos_size() == 1);
  REQUIRE(history[4].photos(0).sha256() == after);
  REQUIRE(history[5].actor() == "station-c01");
  REQUIRE(history[5].verifier() == "wang-wei");
  REQUIRE(history[6].actor() == "wang-wei");
  REQUIRE(history[7].actor() == "resident-138");
  c.RequireSoundHistory(o.id());

  // The after-photo is served to whoever sees the order, naming it; not to others.
  wv1::GetPhotoRequest photo_req;
  photo_req.set_sha256(after);
  photo_req.set_order_id(o.id());
  wv1::GetPhotoResponse photo;
  s = c.wo->GetPhoto(As(Resident()).get(), photo_req, &photo);
  INFO(Why(s));
  REQUIRE(s.ok());
  REQUIRE(photo.content() == Jpeg("after: pavement swept clean"));
  REQUIRE(c.wo->GetPhoto(As(Resident("resident-139")).get(), photo_req, &photo).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  photo_req.clear_order_id();
  REQUIRE(c.wo->GetPhoto(As(Resident()).get(), photo_req, &photo).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);

  // Someone else's report (a notification for resident-139), then one more of resident-138's
  // that the workstation cancels: its notification is the last event resident-138 may see.
  const wv1::WorkOrder other = c.Create(Resident("resident-139"), "env.garbage", kInG02);
  REQUIRE(other.department() == "sanitation");  // the more specific rule wins
  REQUIRE(other.assignee_history(0).decided_by() == "rule:r-g02-garbage");
  const wv1::WorkOrder invalid = c.Create(Resident(), "facility.manhole", kInG01);
  REQUIRE(invalid.state() == wv1::STATE_REPORTED);  // no rule: manual triage
  c.Act(Station(), invalid, wv1::ACTION_CANCEL, "现场核实井盖完好");

  // An unscoped service sees every OrderEvent and every Notification, in commit order.
  common::v1::FeedInfo info;
  REQUIRE(common::v1::Feed::NewStub(rpc::MakeChannel(c.workorder.grpc_target()))
              ->GetFeedInfo(As(Service()).get(), {}, &info)
              .ok());
  const auto all = WatchUntil(c.workorder.grpc_target(), Service(), [&](const auto& events) {
    return !events.empty() && events.back().sequence() >= info.last_sequence();
  });
  REQUIRE(!all.empty());
  REQUIRE(all.back().sequence() == info.last_sequence());
  for (size_t i = 0; i < all.size(); ++i) {
    REQUIRE(all[i].sequence() == i + 1);  // nothing hidden from an unscoped service
    REQUIRE(all[i].source() == "workorder");
  }
  std::vector<wv1::Action> fed_actions;
  for (const auto& e : PayloadsOf<wv1::OrderEvent>(all)) {
    if (e.order_id() == o.id()) fed_actions.push_back(e.action());
  }
  REQUIRE(fed_actions == actions);
  REQUIRE(PayloadsOf<wv1::OrderEvent>(all).size() == 8 + 2 + 2);
  REQUIRE(PayloadsOf<wv1::CatalogChanged>(all).size() == 6);
  std::vector<std::pair<std::string, wv1::State>> notices;
  for (const auto& n : PayloadsOf<wv1::Notification>(all)) {
    notices.emplace_back(n.recipient(), n.state());
  }
  REQUIRE(notices ==
          std::vector<std::pair<std::string, wv1::State>>{{"resident-138", wv1::STATE_DISPATCHED},
                                                          {"resident-138", wv1::STATE_HANDLED},
                                                          {"resident-138", wv1::STATE_CLOSED},
                                                          {"resident-139", wv1::STATE_DISPATCHED},
                                                          {"resident-138", wv1::STATE_CANCELLED}});
  for (const auto& e : all) {
    wv1::OrderEvent oe;
    if (e.payload().UnpackTo(&oe)) REQUIRE(e.region_path() == oe.region_path());
  }

  // A resident sees only their own notifications: nothing else arrives before the last one.
  const auto mine = WatchUntil(c.workorder.grpc_target(), Resident(), [](const auto& events) {
    auto n = PayloadsOf<wv1::Notification>(events);
    return !n.empty() && n.back().state() == wv1::STATE_CANCELLED;
  });
  const auto my_notices = PayloadsOf<wv1::Notification>(mine);
  REQUIRE(mine.size() == my_notices.size());  // no OrderEvent, no catalogue change
  std::vector<wv1::State> my_states;
  for (const auto& n : my_notices) {
    REQUIRE(n.recipient() == "resident-138");
    my_states.push_back(n.state());
  }
  REQUIRE(my_states == std::vector<wv1::State>{wv1::STATE_DISPATCHED, wv1::STATE_HANDLED,
                                               wv1::STATE_CLOSED, wv1::STATE_CANCELLED});

  // Health and metrics.
  {
    auto health = grpc::health::v1::Health::NewStub(rpc::MakeChannel(c.workorder.grpc_target()));
    grpc::health::v1::HealthCheckResponse h;
    auto hctx = rpc::NewCallContext(absl::Seconds(5));
    REQUIRE(health->Check(hctx.get(), {}, &h).ok());
    REQUIRE(h.status() == grpc::health::v1::HealthCheckResponse::SERVING);
  }
  const std::string metrics = c.Metrics();
  INFO(metrics);
  for (const char* action :
       {"ACCEPT", "START", "HANDLE", "ASSIGN_VERIFICATION", "VERIFY_SATISFIED", "RATE", "CANCEL"}) {
    REQUIRE(MetricValue(metrics, absl::StrCat(R"(gridwork_workorder_transitions_total{action=")",
                                              action, R"("})")) == 1);
  }
  REQUIRE(MetricValue(metrics,
                      R"(gridwork_workorder_orders_created_total{source="SOURCE_RESIDENT"})") == 3);
  REQUIRE(MetricValue(metrics, "gridwork_workorder_auto_dispatched_total") == 2);
  REQUIRE(MetricValue(metrics, "gridwork_workorder_photos_stored_total") == 2);
  REQUIRE(MetricValue(metrics,
                      R"(gridwork_workorder_transitions_rejected_total{reason="denied"})") == 2);
  // The order cache holds the orders this test created and moved (the gauge is set by the
  // once-a-second timer pass).
  REQUIRE(testing::WaitFor([&] {
    const double cached = MetricValue(c.Metrics(), "gridwork_workorder_cached_orders");
    return cached >= 3 && cached <= 20000;
  }));

  c.StopAll();
}

TEST_CASE("variants: return and manual dispatch, escalation, reopen, suspend, cancel as duplicate",
          "[integration]") {
  Cluster c;
  wv1::WorkOrder unchanged;

  SECTION("mis-routed: the department returns it, the workstation dispatches by hand") {
    wv1::WorkOrder o = c.Create(Worker(), "env.garbage", kInG01);
    REQUIRE(o.department() == "urban-management");
    REQUIRE(c.TryAct(Handler(), o, wv1::ACTION_RETURN, &unchanged).error_code() ==
            grpc::StatusCode::INVALID_ARGUMENT);  // a return needs its reason
    o = c.Act(Handler(), o, wv1::ACTION_RETURN, "属环卫所职责，退回重新派遣");
    REQUIRE(o.state() == wv1::STATE_RETURNED);
    REQUIRE(o.department().empty());
    REQUIRE(o.stage() == wv1::STAGE_TRIAGE);
    o = c.Act(Station(), o, wv1::ACTION_DISPATCH, "",
              [](wv1::TransitionRequest& r) { r.set_department("sanitation"); });
    REQUIRE(o.state() == wv1::STATE_DISPATCHED);
    REQUIRE(o.department() == "sanitation");
    REQUIRE(o.assignee_history(o.assignee_history_size() - 1).decided_by() == "manual:station-c01");
    // The first department no longer sees it; the new one takes it.
    REQUIRE(c.TryAct(Handler(), o, wv1::ACTION_ACCEPT, &unchanged).error_code() ==
            grpc::StatusCode::PERMISSION_DENIED);
    o = c.Act(Handler("sanitation", "qian-hw"), o, wv1::ACTION_ACCEPT);
    REQUIRE(o.assignee() == "qian-hw");
    REQUIRE(c.Actions(o.id()) == std::vector<wv1::Action>{wv1::ACTION_REPORT, wv1::ACTION_DISPATCH,
                                                          wv1::ACTION_RETURN, wv1::ACTION_DISPATCH,
                                                          wv1::ACTION_ACCEPT});
    const auto history = c.History(o.id());
    REQUIRE(history[2].note() == "属环卫所职责，退回重新派遣");
    REQUIRE(history[3].decided_by() == "manual:station-c01");
    c.RequireSoundHistory(o.id());
  }

  SECTION("escalation: community → district command centre → dispatch") {
    wv1::WorkOrder o = c.Create(Worker(), "facility.manhole", kInG02);
    REQUIRE(o.state() == wv1::STATE_REPORTED);
    REQUIRE(o.region_path() == kG02);
    REQUIRE(o.department().empty());
    REQUIRE(o.stage() == wv1::STAGE_TRIAGE);
    o = c.Act(Station(), o, wv1::ACTION_ESCALATE, "涉及燃气管线，需区级协调");
    REQUIRE(o.state() == wv1::STATE_ESCALATED);
    REQUIRE(o.escalation_level() == 1);
    // 查办分离: once escalated, only the district dispatches.
    REQUIRE(c.TryAct(Station(), o, wv1::ACTION_DISPATCH, &unchanged).error_code() ==
            grpc::StatusCode::PERMISSION_DENIED);
    o = c.Act(Command(), o, wv1::ACTION_DISPATCH);
    REQUIRE(o.state() == wv1::STATE_DISPATCHED);
    REQUIRE(o.department() == "municipal");  // the category's default
    REQUIRE(o.assignee_history(0).decided_by() == "manual:command");
    REQUIRE(c.Actions(o.id()) == std::vector<wv1::Action>{wv1::ACTION_REPORT, wv1::ACTION_ESCALATE,
                                                          wv1::ACTION_DISPATCH});
    c.RequireSoundHistory(o.id());
  }

  SECTION("verification unsatisfied reopens to the same department") {
    wv1::WorkOrder o = c.Create(Worker(), "env.garbage", kInG01);
    o = c.Act(Handler(), o, wv1::ACTION_ACCEPT);
    o = c.Act(Handler(), o, wv1::ACTION_START);
    o = c.Act(Handler(), o, wv1::ACTION_HANDLE, "已清运");
    o = c.Act(Station(), o, wv1::ACTION_ASSIGN_VERIFICATION);
    REQUIRE(o.verifier() == "wang-wei");  // the reporting grid worker by default
    REQUIRE(c.TryAct(Worker(), o, wv1::ACTION_VERIFY_UNSATISFIED, &unchanged).error_code() ==
            grpc::StatusCode::INVALID_ARGUMENT);
    o = c.Act(Worker(), o, wv1::ACTION_VERIFY_UNSATISFIED, "仍有残留垃圾");
    REQUIRE(o.state() == wv1::STATE_DISPATCHED);
    REQUIRE(o.department() == "urban-management");
    REQUIRE(o.reopen_count() == 1);
    REQUIRE(o.verifier().empty());
    REQUIRE(o.stage() == wv1::STAGE_ACCEPT);
    o = c.Act(Handler(), o, wv1::ACTION_ACCEPT);
    o = c.Act(Handler(), o, wv1::ACTION_START);
    o = c.Act(Handler(), o, wv1::ACTION_HANDLE, "已彻底清理");
    o = c.Act(Station(), o, wv1::ACTION_ASSIGN_VERIFICATION);
    o = c.Act(Worker(), o, wv1::ACTION_VERIFY_SATISFIED);
    REQUIRE(o.state() == wv1::STATE_CLOSED);
    REQUIRE(o.reopen_count() == 1);
    const auto history = c.History(o.id());
    REQUIRE(history[6].action() == wv1::ACTION_VERIFY_UNSATISFIED);
    REQUIRE(history[6].reopen_count() == 1);
    REQUIRE(history[6].note() == "仍有残留垃圾");
    REQUIRE(history.size() == 12);
    c.RequireSoundHistory(o.id());
  }

  SECTION("suspend stops the clock, resume gives it back") {
    wv1::WorkOrder o = c.Create(Worker(), "env.garbage", kInG01);
    o = c.Act(Handler(), o, wv1::ACTION_ACCEPT);
    const absl::Time deadline = service::FromProto(o.stage_deadline());
    REQUIRE(o.stage() == wv1::STAGE_HANDLE);
    o = c.Act(Handler(), o, wv1::ACTION_SUSPEND, "等待供电部门停电配合");
    REQUIRE(o.state() == wv1::STATE_SUSPENDED);
    REQUIRE(o.suspended_from() == wv1::STATE_ACCEPTED);
    REQUIRE(o.suspend_reason() == "等待供电部门停电配合");
    const absl::Duration left = service::FromProto(o.paused_remaining());
    REQUIRE(left > absl::Hours(23));
    REQUIRE(left <= absl::Hours(24));
    REQUIRE(c.TryAct(Handler(), o, wv1::ACTION_START, &unchanged).error_code() ==
            grpc::StatusCode::FAILED_PRECONDITION);
    o = c.Act(Handler(), o, wv1::ACTION_RESUME);
    REQUIRE(o.state() == wv1::STATE_ACCEPTED);
    REQUIRE(o.stage() == wv1::STAGE_HANDLE);
    REQUIRE(service::FromProto(o.stage_deadline()) >= deadline);  // paused time is given back
    o = c.Act(Handler(), o, wv1::ACTION_START);
    REQUIRE(c.Actions(o.id()) == std::vector<wv1::Action>{wv1::ACTION_REPORT, wv1::ACTION_DISPATCH,
                                                          wv1::ACTION_ACCEPT, wv1::ACTION_SUSPEND,
                                                          wv1::ACTION_RESUME, wv1::ACTION_START});
    c.RequireSoundHistory(o.id());
  }

  SECTION("a duplicate report is cancelled with a link to the original") {
    const wv1::WorkOrder original = c.Create(Worker(), "env.garbage", kInG01);
    wv1::CreateOrderResponse second;
    REQUIRE(c.TryCreate(Worker("li-na"), "env.garbage", At(34.7201, 113.6101), &second).ok());
    REQUIRE(second.possible_duplicates_size() == 1);
    REQUIRE(second.possible_duplicates(0).id() == original.id());
    wv1::WorkOrder dup = second.order();
    REQUIRE(c.TryAct(Station(), dup, wv1::ACTION_CANCEL, &unchanged, "重复上报",
                     [](wv1::TransitionRequest& r) { r.set_duplicate_of("wo-does-not-exist"); })
                .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    REQUIRE(c.TryAct(Station(), dup, wv1::ACTION_CANCEL, &unchanged, "",
                     [&](wv1::TransitionRequest& r) { r.set_duplicate_of(original.id()); })
                .error_code() == grpc::StatusCode::INVALID_ARGUMENT);  // needs the reason
    dup = c.Act(Station(), dup, wv1::ACTION_CANCEL, "重复上报",
                [&](wv1::TransitionRequest& r) { r.set_duplicate_of(original.id()); });
    REQUIRE(dup.state() == wv1::STATE_CANCELLED);
    REQUIRE(dup.duplicate_of() == original.id());
    REQUIRE(dup.cancel_reason() == "重复上报");
    REQUIRE(dup.stage() == wv1::STAGE_NONE);
    const auto history = c.History(dup.id());
    REQUIRE(history.back().action() == wv1::ACTION_CANCEL);
    REQUIRE(history.back().duplicate_of() == original.id());
    REQUIRE(c.Get(original.id()).version() == original.version());  // the original is untouched
    c.RequireSoundHistory(dup.id());
    c.RequireSoundHistory(original.id());
    // Cancelled orders are not offered as duplicates any more; the original still is.
    wv1::SuggestDuplicatesRequest suggest;
    suggest.set_category_id("env.garbage");
    *suggest.mutable_position() = kInG01;
    wv1::SuggestDuplicatesResponse suggested;
    REQUIRE(c.wo->SuggestDuplicates(As(Station()).get(), suggest, &suggested).ok());
    REQUIRE(suggested.orders_size() == 1);
    REQUIRE(suggested.orders(0).id() == original.id());
  }
  // The processes are killed on the way out (graceful stops are checked elsewhere).
}

TEST_CASE("refusals: stale versions, other departments, other residents, outside the city, photos",
          "[integration]") {
  Cluster c;
  const wv1::WorkOrder mine = c.Create(Resident(), "env.garbage", kInG01);
  const wv1::WorkOrder theirs = c.Create(Resident("resident-139"), "env.garbage", kInG02);
  const wv1::WorkOrder patrol = c.Create(Worker(), "facility.manhole", kInG01);
  wv1::WorkOrder out;

  // A stale expected_version is ABORTED and changes nothing.
  wv1::WorkOrder stale = mine;
  stale.set_version(1);
  grpc::Status s = c.TryAct(Handler(), stale, wv1::ACTION_ACCEPT, &out);
  INFO(Why(s));
  REQUIRE(s.error_code() == grpc::StatusCode::ABORTED);
  wv1::WorkOrder now = c.Get(mine.id());
  REQUIRE(now.version() == mine.version());
  REQUIRE(now.state() == wv1::STATE_DISPATCHED);
  REQUIRE(now.history_length() == 2);
  REQUIRE(now.assignee().empty());

  // A handler of another department may not act (nor even see the order).
  REQUIRE(c.TryAct(Handler("water", "sun-sz"), mine, wv1::ACTION_ACCEPT, &out).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  wv1::GetOrderRequest get;
  get.set_order_id(mine.id());
  REQUIRE(c.wo->GetOrder(As(Handler("water", "sun-sz")).get(), get, &out).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  // An action the state does not allow.
  REQUIRE(c.TryAct(Handler(), mine, wv1::ACTION_HANDLE, &out).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
  REQUIRE(c.Get(mine.id()).version() == mine.version());
  c.RequireSoundHistory(mine.id());

  // Residents see their own reports only.
  REQUIRE(c.wo->GetOrder(As(Resident()).get(), get, &out).ok());
  get.set_order_id(theirs.id());
  REQUIRE(c.wo->GetOrder(As(Resident()).get(), get, &out).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  wv1::GetHistoryRequest history_req;
  history_req.set_order_id(theirs.id());
  wv1::GetHistoryResponse history;
  REQUIRE(c.wo->GetHistory(As(Resident()).get(), history_req, &history).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  REQUIRE(c.ListIds(Resident()) == std::vector<std::string>{mine.id()});
  REQUIRE(c.ListIds(Resident("resident-139")) == std::vector<std::string>{theirs.id()});
  wv1::ListOrdersRequest list;
  list.mutable_filter()->set_reporter("resident-139");
  wv1::ListOrdersResponse listed;
  REQUIRE(c.wo->ListOrders(As(Resident()).get(), list, &listed).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);

  // Kanban columns, each caller's view.
  std::map<wv1::State, int64_t> all = Columns(c.Count(Admin()));
  REQUIRE(all ==
          std::map<wv1::State, int64_t>{{wv1::STATE_DISPATCHED, 2}, {wv1::STATE_REPORTED, 1}});
  REQUIRE(Columns(c.Count(Resident())) ==
          std::map<wv1::State, int64_t>{{wv1::STATE_DISPATCHED, 1}});
  REQUIRE(Columns(c.Count(Handler("sanitation", "qian-hw"))) ==
          std::map<wv1::State, int64_t>{{wv1::STATE_DISPATCHED, 1}});
  wv1::OrderFilter g01;
  g01.set_region_prefix(kG01);
  REQUIRE(Columns(c.Count(Station(), g01)) ==
          std::map<wv1::State, int64_t>{{wv1::STATE_DISPATCHED, 1}, {wv1::STATE_REPORTED, 1}});
  c.Act(Station(), patrol, wv1::ACTION_CANCEL, "误报");
  REQUIRE(Columns(c.Count(Station(), g01)) ==
          std::map<wv1::State, int64_t>{{wv1::STATE_DISPATCHED, 1}, {wv1::STATE_CANCELLED, 1}});
  REQUIRE(c.Count(Station(), g01).overdue() == 0);

  // A position outside every region is refused and nothing is stored.
  wv1::CreateOrderResponse created;
  s = c.TryCreate(Worker(), "env.garbage", kNowhere, &created);
  INFO(Why(s));
  REQUIRE(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  REQUIRE(c.Count(Admin()).total() == 3);

  // Photos: over 8 MiB is the service's refusal; over 16 MiB gRPC's, before the service.
  wv1::UploadPhotoRequest upload;
  wv1::PhotoRecord record;
  upload.set_content(Jpeg(std::string(9 << 20, 'x')));
  s = c.wo->UploadPhoto(As(Worker()).get(), upload, &record);
  INFO(Why(s));
  REQUIRE(s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  REQUIRE(s.error_message().find("8 MiB") != std::string::npos);
  {
    rpc::ChannelOptions big;
    big.max_send_message_bytes = 64 << 20;
    auto big_stub =
        wv1::WorkOrderService::NewStub(rpc::MakeChannel(c.workorder.grpc_target(), big));
    upload.set_content(Jpeg(std::string(17 << 20, 'x')));
    s = big_stub->UploadPhoto(As(Worker()).get(), upload, &record);
  }
  INFO(Why(s));
  REQUIRE(s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  REQUIRE(s.error_message().find("8 MiB") == std::string::npos);
  upload.set_content("GIF89a this is not a JPEG or PNG");
  REQUIRE(c.wo->UploadPhoto(As(Worker()).get(), upload, &record).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
  upload.clear_content();
  REQUIRE(c.wo->UploadPhoto(As(Worker()).get(), upload, &record).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
  // A report naming a photo that was never uploaded.
  s = c.TryCreate(Worker(), "env.garbage", kInG01, &created, "", {std::string(64, 'a')});
  REQUIRE(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  REQUIRE(c.Count(Admin()).total() == 3);
  const std::string metrics = c.Metrics();
  REQUIRE(MetricValue(metrics, "gridwork_workorder_photos_stored_total") == 0);
  REQUIRE(MetricValue(metrics,
                      R"(gridwork_workorder_transitions_rejected_total{reason="stale_version"})") ==
          1);

  // Unauthenticated callers get nothing.
  grpc::ClientContext anonymous;
  anonymous.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  get.set_order_id(mine.id());
  REQUIRE(c.wo->GetOrder(&anonymous, get, &out).error_code() == grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE(
    "geofence down or hung: CreateOrder is UNAVAILABLE / DEADLINE_EXCEEDED in time and stores "
    "nothing, the "
    "same request id succeeds once geofence is back",
    "[integration]") {
  Cluster c;
  c.Create(Worker(), "env.garbage", kInG01);

  // No client-side retries: the service's own answer, within its 1 s geofence deadline.
  rpc::ChannelOptions no_retry;
  no_retry.retry_unavailable = false;
  auto stub = wv1::WorkOrderService::NewStub(rpc::MakeChannel(c.workorder.grpc_target(), no_retry));
  wv1::CreateOrderRequest req;
  req.set_category_id("env.garbage");
  *req.mutable_position() = kInG02;
  req.set_description("绿化带内有大量垃圾");
  wv1::CreateOrderResponse resp;
  auto create_timed = [&](const std::string& request_id, absl::Duration* took) {
    req.set_request_id(request_id);
    const absl::Time start = absl::Now();
    grpc::Status s = stub->CreateOrder(As(Worker()).get(), req, &resp);
    *took = absl::Now() - start;
    return s;
  };
  absl::Duration took;

  // Hung (stopped, its connections open): Locate runs into its deadline, and the caller is
  // told so (DEADLINE_EXCEEDED naming geofence) well before its own deadline.
  REQUIRE(kill(c.geofence.pid(), SIGSTOP) == 0);
  grpc::Status s = create_timed("report-while-hung", &took);
  REQUIRE(kill(c.geofence.pid(), SIGCONT) == 0);
  {
    INFO(Why(s) << " after " << took);
    CHECK(s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
    CHECK_THAT(s.error_message(), Catch::Contains("geofence Locate"));
    REQUIRE(took < absl::Seconds(3));
  }
  REQUIRE(c.Count(Admin()).total() == 1);

  // Gone (killed): connections refused.
  c.geo.reset();
  c.geofence.Kill();
  s = create_timed("report-during-outage", &took);
  INFO(Why(s) << " after " << took);
  REQUIRE(s.error_code() == grpc::StatusCode::UNAVAILABLE);
  REQUIRE(took < absl::Seconds(3));
  REQUIRE(c.Count(Admin()).total() == 1);
  REQUIRE(c.ListIds(Worker()).size() == 1);

  // Back on the same address with the same store; the phone retries the same request id
  // until it goes through (the service's channel may still be backing off at first).
  c.StartGeofence();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  do {
    s = stub->CreateOrder(As(Worker()).get(), req, &resp);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (absl::Now() < deadline);
  INFO(Why(s));
  REQUIRE(s.ok());
  REQUIRE(resp.order().region_path() == kG02);
  REQUIRE(resp.order().department() == "sanitation");
  wv1::CreateOrderResponse replay;
  REQUIRE(stub->CreateOrder(As(Worker()).get(), req, &replay).ok());
  REQUIRE(replay.order().id() == resp.order().id());
  REQUIRE(c.Count(Admin()).total() == 2);
  c.RequireSoundHistory(resp.order().id());
  stub.reset();
  c.StopAll();
}

TEST_CASE("SLA timers fire on the service's real clock: due soon, then overdue, counted and listed",
          "[integration]") {
  // The service's real clock has nanoseconds while the timer index keeps milliseconds; with
  // whole-hour SLAs no other test would notice timers that never fire.
  Cluster c;
  wv1::UpsertCategoryRequest upsert;
  upsert.set_request_id(c.Rid("category"));
  wv1::Category* quick = upsert.mutable_category();
  quick->set_id("quick");
  quick->set_name("两秒分拣");
  quick->set_default_department("municipal");
  quick->set_severity(wv1::SEVERITY_HIGH);
  *quick->mutable_sla()->mutable_triage() = service::ToProto(absl::Seconds(2));
  quick->mutable_sla()->set_due_soon_fraction(0.5);
  wv1::Category stored;
  grpc::Status s = c.wo->UpsertCategory(As(Admin()).get(), upsert, &stored);
  INFO(Why(s));
  REQUIRE(s.ok());

  // No rule matches "quick": the order waits for triage, due in 2 s.
  const wv1::WorkOrder reported = c.Create(Worker(), "quick", kInG01);
  REQUIRE(reported.state() == wv1::STATE_REPORTED);
  REQUIRE_FALSE(reported.overdue());
  wv1::WorkOrder now = reported;
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  while (!now.overdue() && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    now = c.Get(reported.id());
  }
  REQUIRE(now.overdue());
  CHECK(now.due_soon());
  CHECK(absl::Now() >= service::FromProto(reported.stage_deadline()));
  CHECK(now.state() == wv1::STATE_REPORTED);  // no escalation configured
  CHECK(c.Count(Admin()).overdue() == 1);
  wv1::OrderFilter overdue_only;
  overdue_only.set_overdue_only(true);
  CHECK(c.ListIds(Admin(), overdue_only) == std::vector<std::string>{reported.id()});
  const std::string metrics = c.Metrics();
  CHECK(MetricValue(metrics, R"(gridwork_workorder_sla_alarms_total{kind="due_soon"})") == 1);
  CHECK(MetricValue(metrics, R"(gridwork_workorder_sla_alarms_total{kind="overdue"})") == 1);
  // The alarms mark the order (a new version) without adding a history event.
  CHECK(c.History(reported.id()).size() == 1);
  CHECK(now.version() == reported.version() + 2);
  c.StopAll();
}

TEST_CASE("lists page through every order once, and request ids replay or refuse a new payload",
          "[integration]") {
  Cluster c;
  std::vector<std::string> resident_ids, all_ids;
  for (int i = 0; i < 3; ++i) {
    resident_ids.push_back(c.Create(Resident(), "env.garbage", At(34.71 + 0.01 * i, 113.61)).id());
  }
  all_ids = resident_ids;
  all_ids.push_back(c.Create(Worker(), "facility.manhole", kInG01).id());  // REPORTED
  all_ids.push_back(c.Create(Worker(), "env.garbage", kInG02).id());       // DISPATCHED
  std::sort(resident_ids.begin(), resident_ids.end());
  std::sort(all_ids.begin(), all_ids.end());

  // Pages of 2 over the state index (admin) and over one reporter's index (the resident).
  auto pages = [&](const Principal& p) {
    wv1::ListOrdersRequest req;
    req.set_page_size(2);
    std::vector<std::string> ids;
    int page_count = 0;
    do {
      wv1::ListOrdersResponse page;
      grpc::Status s = c.wo->ListOrders(As(p).get(), req, &page);
      INFO(Why(s));
      REQUIRE(s.ok());
      REQUIRE(page.orders_size() <= 2);
      for (const auto& o : page.orders()) ids.push_back(o.id());
      req.set_page_token(page.next_page_token());
      REQUIRE(++page_count <= 10);
    } while (!req.page_token().empty());
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  REQUIRE(pages(Admin()) == all_ids);
  REQUIRE(pages(Resident()) == resident_ids);
  wv1::ListOrdersRequest bad;
  bad.set_page_size(-1);
  wv1::ListOrdersResponse listed;
  REQUIRE(c.wo->ListOrders(As(Admin()).get(), bad, &listed).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);

  // The same transition request twice: one event, the same answer; the same request id
  // with another payload: refused, nothing changed.
  wv1::WorkOrder o = c.Get(resident_ids[0]);
  wv1::TransitionRequest req;
  req.set_request_id("accept-once");
  req.set_order_id(o.id());
  req.set_expected_version(o.version());
  req.set_action(wv1::ACTION_ACCEPT);
  wv1::WorkOrder first, second;
  REQUIRE(c.wo->Transition(As(Handler()).get(), req, &first).ok());
  REQUIRE(c.wo->Transition(As(Handler()).get(), req, &second).ok());
  REQUIRE(first.SerializeAsString() == second.SerializeAsString());
  req.set_action(wv1::ACTION_RETURN);
  req.set_note("改主意了");
  REQUIRE(c.wo->Transition(As(Handler()).get(), req, &second).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
  REQUIRE(c.Get(o.id()).version() == first.version());
  REQUIRE(c.Actions(o.id()) ==
          std::vector<wv1::Action>{wv1::ACTION_REPORT, wv1::ACTION_DISPATCH, wv1::ACTION_ACCEPT});
  c.RequireSoundHistory(o.id());
}

TEST_CASE("VerifyHistory says intact while the order keeps changing", "[integration]") {
  // A history that is only growing is intact at every moment: an auditor polling
  // VerifyHistory during normal work must never be told the chain is broken.
  Cluster c;
  wv1::WorkOrder o = c.Create(Worker(), "env.garbage", kInG01);
  o = c.Act(Handler(), o, wv1::ACTION_ACCEPT);
  std::atomic<bool> done{false};
  std::atomic<int> verified{0};
  absl::Mutex mu;
  std::vector<std::string> problems;
  std::vector<std::thread> auditors;
  for (int i = 0; i < 4; ++i) {
    auditors.emplace_back([&] {
      auto stub = wv1::WorkOrderService::NewStub(rpc::MakeChannel(c.workorder.grpc_target()));
      wv1::VerifyHistoryRequest req;
      req.set_order_id(o.id());
      while (!done) {
        wv1::VerifyHistoryResponse verdict;
        grpc::Status s = stub->VerifyHistory(As(Admin()).get(), req, &verdict);
        ++verified;
        if (s.ok() && verdict.intact()) continue;
        absl::MutexLock lock(&mu);
        problems.push_back(
            s.ok() ? absl::StrCat("seq ", verdict.first_bad_seq(), ": ", verdict.problem())
                   : Why(s));
      }
    });
  }
  // 250 suspend/resume pairs by the handler while the auditors keep checking.
  const std::string order_id = o.id();
  for (int i = 0; i < 250; ++i) {
    o = c.Act(Handler(), o, wv1::ACTION_SUSPEND, "等待配合");
    o = c.Act(Handler(), o, wv1::ACTION_RESUME);
  }
  done = true;
  for (auto& t : auditors) t.join();
  INFO(verified.load() << " verifications, " << problems.size() << " said not intact; first: "
                       << (problems.empty() ? "" : problems.front()));
  REQUIRE(verified > 0);
  CHECK(problems.empty());
  c.RequireSoundHistory(order_id);  // at rest it is intact
}

}  // namespace gridwork::testing
