// WorkOrderCore over a real RocksDB store in a temporary directory, with an injected clock
// and a fake region locator (FakeRegionLocator: fixed longitude bands instead of the geofence
// service, which the integration test uses for real).
#include "services/workorder/workorder_core.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/service/time_convert.h"
#include "gridwork/store/key_codec.h"
#include "services/workorder/history_chain.h"
#include "services/workorder/photo_check.h"
#include "services/workorder/transition_table.h"

namespace gridwork::workorder {
namespace {

using service::ToProto;
using namespace common::v1;  // NOLINT: roles

// Grids by longitude band: [113.60,113.61) c01/g01, [113.61,113.62) c01/g02,
// [113.62,113.63) c02/g01. Latitude 0 simulates the geofence service being down.
class FakeRegionLocator : public RegionLocator {
 public:
  absl::StatusOr<std::string> Locate(const LatLng& p) override {
    if (p.lat() == 0) return absl::UnavailableError("geofence is down (fake)");
    if (p.lng() >= 113.60 && p.lng() < 113.61) return std::string("410105/s01/c01/g01");
    if (p.lng() >= 113.61 && p.lng() < 113.62) return std::string("410105/s01/c01/g02");
    if (p.lng() >= 113.62 && p.lng() < 113.63) return std::string("410105/s01/c02/g01");
    return absl::FailedPreconditionError("outside every region (fake)");
  }
};

Principal As(Role role, std::string subject, std::string scope = "", std::string dept = "") {
  Principal p;
  p.set_subject(std::move(subject));
  p.set_role(role);
  p.set_region_scope(std::move(scope));
  p.set_department(std::move(dept));
  return p;
}

const Principal kAdmin = As(ROLE_ADMIN, "admin");
const Principal kStation = As(ROLE_COMMUNITY_STATION, "station-c01", "410105/s01/c01");
const Principal kCommand = As(ROLE_DISTRICT_COMMAND, "command", "410105");
const Principal kWorker = As(ROLE_GRID_WORKER, "wang-wei", "410105/s01/c01/g01");
const Principal kWorkerC02 = As(ROLE_GRID_WORKER, "li-na", "410105/s01/c02/g01");
const Principal kHandler = As(ROLE_DEPARTMENT_HANDLER, "zhao-cg", "", "urban-management");
const Principal kOtherHandler = As(ROLE_DEPARTMENT_HANDLER, "sun-sz", "", "water");
const Principal kResident = As(ROLE_RESIDENT, "resident-138");
const Principal kOtherResident = As(ROLE_RESIDENT, "resident-139");

LatLng At(double lng, double lat = 34.75) {
  LatLng p;
  p.set_lat(lat);
  p.set_lng(lng);
  return p;
}

std::string Jpeg(const std::string& body) {
  return std::string("\xFF\xD8\xFF\xE0", 4) + body + std::string("\xFF\xD9", 2);
}

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / NewId("workorder-core");
  FakeClock clock{absl::FromUnixSeconds(1763884800)};
  FakeRegionLocator locator;
  std::unique_ptr<WorkOrderStore> store;
  std::unique_ptr<WorkOrderCore> core;
  int next_request = 0;

  Fixture() {
    Open();
    AddCategory("env", "", "市容环境", "urban-management", false);
    AddCategory("env.garbage", "env", "垃圾堆放", "urban-management", true);
    AddCategory("facility", "", "市政设施", "municipal", false);
    AddCategory("facility.manhole", "facility", "井盖缺失", "municipal", true);
    AddRule("r-env", "env", "", "urban-management");
    AddRule("r-c02-garbage", "env.garbage", "410105/s01/c02", "sanitation");
  }
  ~Fixture() {
    core.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  void Open() {
    core.reset();
    store.reset();
    store = *WorkOrderStore::Open(dir.string(), &clock, /*sync=*/false);
    core = *WorkOrderCore::Create(store.get(), &locator, &clock, nullptr);
  }

  std::string Rid() { return absl::StrCat("req-", ++next_request); }

  void AddCategory(std::string id, std::string parent, std::string name, std::string dept,
                   bool escalate) {
    v1::UpsertCategoryRequest req;
    req.set_request_id(Rid());
    auto* c = req.mutable_category();
    c->set_id(id);
    c->set_parent_id(parent);
    c->set_name(name);
    c->set_default_department(dept);
    c->set_severity(v1::SEVERITY_MEDIUM);
    c->set_escalate_when_overdue(escalate);
    *c->mutable_sla()->mutable_triage() = ToProto(absl::Hours(2));
    *c->mutable_sla()->mutable_accept() = ToProto(absl::Hours(1));
    *c->mutable_sla()->mutable_handle() = ToProto(absl::Hours(24));
    *c->mutable_sla()->mutable_verify() = ToProto(absl::Hours(48));
    REQUIRE(core->UpsertCategory(kAdmin, req).ok());
  }

  void AddRule(std::string id, std::string category, std::string region, std::string dept) {
    v1::UpsertDispatchRuleRequest req;
    req.set_request_id(Rid());
    req.mutable_rule()->set_id(id);
    req.mutable_rule()->set_category_prefix(category);
    req.mutable_rule()->set_region_prefix(region);
    req.mutable_rule()->set_department(dept);
    REQUIRE(core->UpsertDispatchRule(kAdmin, req).ok());
  }

  absl::StatusOr<v1::CreateOrderResponse> Report(const Principal& p, const std::string& category,
                                                 LatLng where, std::string rid = "") {
    v1::CreateOrderRequest req;
    req.set_request_id(rid.empty() ? Rid() : rid);
    req.set_category_id(category);
    *req.mutable_position() = where;
    req.set_description("路边有一堆建筑垃圾");
    return core->CreateOrder(p, req);
  }

  absl::StatusOr<v1::WorkOrder> Act(const Principal& p, const v1::WorkOrder& o, v1::Action a,
                                    std::string note = "", std::string dept = "",
                                    std::string verifier = "") {
    v1::TransitionRequest req;
    req.set_request_id(Rid());
    req.set_order_id(o.id());
    req.set_expected_version(o.version());
    req.set_action(a);
    req.set_note(note);
    req.set_department(dept);
    req.set_verifier(verifier);
    return core->Transition(p, req);
  }

  // Feed payloads of type Msg, in order.
  template <typename Msg>
  std::vector<Msg> FeedOf() {
    std::vector<Msg> out;
    auto events = store->db()->ReadEvents(1, 100000);
    REQUIRE(events.ok());
    for (const auto& e : *events) {
      Msg m;
      if (e.payload().UnpackTo(&m)) out.push_back(m);
    }
    return out;
  }
};

TEST_CASE_METHOD(Fixture, "the closed loop: report, rule dispatch, handle, verify, close, rate") {
  auto created = Report(kWorker, "env.garbage", At(113.605));
  REQUIRE(created.ok());
  v1::WorkOrder o = created->order();
  CHECK(o.state() == v1::STATE_DISPATCHED);
  CHECK(o.department() == "urban-management");
  CHECK(o.region_path() == "410105/s01/c01/g01");
  CHECK(o.source() == v1::SOURCE_PATROL);
  REQUIRE(o.assignee_history_size() == 1);
  CHECK(o.assignee_history(0).decided_by() == "rule:r-env");
  CHECK(o.stage() == v1::STAGE_ACCEPT);

  auto a = Act(kHandler, o, v1::ACTION_ACCEPT);
  REQUIRE(a.ok());
  CHECK(a->assignee() == "zhao-cg");
  auto s = Act(kHandler, *a, v1::ACTION_START);
  REQUIRE(s.ok());
  auto h = Act(kHandler, *s, v1::ACTION_HANDLE, "已清运");
  REQUIRE(h.ok());
  CHECK(h->state() == v1::STATE_HANDLED);
  auto v = Act(kStation, *h, v1::ACTION_ASSIGN_VERIFICATION);
  REQUIRE(v.ok());
  CHECK(v->verifier() == "wang-wei");  // the reporting grid worker by default
  CHECK(Act(kWorkerC02, *v, v1::ACTION_VERIFY_SATISFIED).status().code() ==
        absl::StatusCode::kPermissionDenied);
  auto closed = Act(kWorker, *v, v1::ACTION_VERIFY_SATISFIED);
  REQUIRE(closed.ok());
  CHECK(closed->state() == v1::STATE_CLOSED);
  CHECK(closed->has_closed_at());
  CHECK(closed->stage() == v1::STAGE_NONE);

  v1::RateOrderRequest rate;
  rate.set_request_id(Rid());
  rate.set_order_id(o.id());
  rate.set_expected_version(closed->version());
  rate.set_score(5);
  rate.set_comment("处理及时");
  CHECK(core->RateOrder(kHandler, rate).status().code() == absl::StatusCode::kPermissionDenied);
  auto rated = core->RateOrder(kWorker, rate);
  REQUIRE(rated.ok());
  CHECK(rated->rating().score() == 5);
  rate.set_request_id(Rid());
  rate.set_expected_version(rated->version());
  CHECK(core->RateOrder(kWorker, rate).status().code() == absl::StatusCode::kFailedPrecondition);

  v1::GetHistoryRequest hreq;
  hreq.set_order_id(o.id());
  auto history = core->GetHistory(kStation, hreq);
  REQUIRE(history.ok());
  std::vector<v1::Action> actions;
  for (const auto& e : history->events()) actions.push_back(e.action());
  CHECK(actions == std::vector<v1::Action>{v1::ACTION_REPORT, v1::ACTION_DISPATCH,
                                           v1::ACTION_ACCEPT, v1::ACTION_START, v1::ACTION_HANDLE,
                                           v1::ACTION_ASSIGN_VERIFICATION,
                                           v1::ACTION_VERIFY_SATISFIED, v1::ACTION_RATE});
  CHECK(history->events(1).actor_role() == ROLE_SERVICE);
  v1::VerifyHistoryRequest vreq;
  vreq.set_order_id(o.id());
  auto check = core->VerifyHistory(kStation, vreq);
  REQUIRE(check.ok());
  CHECK(check->intact());
  CHECK(check->length() == 8);

  // The reporter was told about dispatch, handling and closing (not about their own actions).
  std::vector<std::string> texts;
  for (const auto& n : FeedOf<v1::Notification>()) {
    CHECK(n.recipient() == "wang-wei");
    texts.push_back(n.text());
  }
  REQUIRE(texts.size() == 2);  // dispatched, handled; closing was the reporter's own action
  CHECK_THAT(texts[0], Catch::Contains("urban-management"));
  CHECK(FeedOf<v1::OrderEvent>().size() == 8);
}

TEST_CASE_METHOD(Fixture, "an order created on a worker's behalf is verified by that worker") {
  v1::CreateOrderRequest req;
  req.set_request_id(Rid());
  req.set_category_id("env.garbage");
  *req.mutable_position() = At(113.605);
  req.set_description("【检查发现】灭火器过期");
  req.set_source(v1::SOURCE_INSPECTION);
  req.set_on_behalf_of("wang-wei");
  req.set_on_behalf_of_role(ROLE_GRID_WORKER);
  auto created = core->CreateOrder(As(ROLE_SERVICE, "inspection"), req);
  REQUIRE(created.ok());
  CHECK(created->order().reporter() == "wang-wei");
  CHECK(created->order().reporter_role() == ROLE_GRID_WORKER);
  auto s = *Act(kHandler, *Act(kHandler, created->order(), v1::ACTION_ACCEPT), v1::ACTION_START);
  auto v = Act(kStation, *Act(kHandler, s, v1::ACTION_HANDLE), v1::ACTION_ASSIGN_VERIFICATION);
  REQUIRE(v.ok());
  CHECK(v->verifier() == "wang-wei");
  // Only a SERVICE may report on someone's behalf: a worker's on_behalf_of is ignored.
  req.set_request_id(Rid());
  auto own = core->CreateOrder(kWorkerC02, req);
  REQUIRE(own.ok());
  CHECK(own->order().reporter() == "li-na");
}

TEST_CASE_METHOD(Fixture, "the most specific dispatch rule wins") {
  auto c02 = Report(kWorkerC02, "env.garbage", At(113.625));
  REQUIRE(c02.ok());
  CHECK(c02->order().department() == "sanitation");
  CHECK(c02->order().assignee_history(0).decided_by() == "rule:r-c02-garbage");
}

TEST_CASE_METHOD(Fixture, "manual triage, return, escalation to the district, re-dispatch") {
  auto created = Report(kResident, "facility.manhole", At(113.615));
  REQUIRE(created.ok());
  v1::WorkOrder o = created->order();
  CHECK(o.state() == v1::STATE_REPORTED);  // no rule for facility: manual triage
  CHECK(o.source() == v1::SOURCE_RESIDENT);
  CHECK(Act(kWorker, o, v1::ACTION_DISPATCH).status().code() ==
        absl::StatusCode::kPermissionDenied);
  auto d = Act(kStation, o, v1::ACTION_DISPATCH, "", "urban-management");
  REQUIRE(d.ok());
  CHECK(d->department() == "urban-management");
  CHECK(d->assignee_history(0).decided_by() == "manual:station-c01");
  CHECK(Act(kOtherHandler, *d, v1::ACTION_ACCEPT).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(Act(kHandler, *d, v1::ACTION_RETURN).status().code() == absl::StatusCode::kInvalidArgument);
  auto r = Act(kHandler, *d, v1::ACTION_RETURN, "井盖属市政，非城管");
  REQUIRE(r.ok());
  CHECK(r->state() == v1::STATE_RETURNED);
  CHECK(r->department().empty());
  auto e = Act(kStation, *r, v1::ACTION_ESCALATE, "权属不清，请区指挥中心协调");
  REQUIRE(e.ok());
  CHECK(e->state() == v1::STATE_ESCALATED);
  CHECK(e->escalation_level() == 1);
  CHECK(Act(kStation, *e, v1::ACTION_DISPATCH, "", "municipal").status().code() ==
        absl::StatusCode::kPermissionDenied);
  auto d2 = Act(kCommand, *e, v1::ACTION_DISPATCH);  // category default: municipal
  REQUIRE(d2.ok());
  CHECK(d2->department() == "municipal");
  CHECK(d2->assignee_history_size() == 3);
}

TEST_CASE_METHOD(Fixture, "verification unsatisfied reopens to the department and counts") {
  auto o = Report(kWorker, "env.garbage", At(113.605))->order();
  auto s = *Act(kHandler, *Act(kHandler, o, v1::ACTION_ACCEPT), v1::ACTION_START);
  auto v = *Act(kStation, *Act(kHandler, s, v1::ACTION_HANDLE), v1::ACTION_ASSIGN_VERIFICATION);
  auto reopened = Act(kWorker, v, v1::ACTION_VERIFY_UNSATISFIED, "垃圾仍在");
  REQUIRE(reopened.ok());
  CHECK(reopened->state() == v1::STATE_DISPATCHED);
  CHECK(reopened->reopen_count() == 1);
  CHECK(reopened->department() == "urban-management");
  CHECK(reopened->verifier().empty());
}

TEST_CASE_METHOD(Fixture, "a stale version is ABORTED and changes nothing") {
  auto o = Report(kWorker, "env.garbage", At(113.605))->order();
  auto accepted = Act(kHandler, o, v1::ACTION_ACCEPT);
  REQUIRE(accepted.ok());
  auto stale = Act(kHandler, o, v1::ACTION_RETURN, "wrong dept");  // still holds version of `o`
  CHECK(stale.status().code() == absl::StatusCode::kAborted);
  v1::GetOrderRequest get;
  get.set_order_id(o.id());
  auto now = core->GetOrder(kHandler, get);
  CHECK(now->version() == accepted->version());
  CHECK(now->state() == v1::STATE_ACCEPTED);
  CHECK(now->history_length() == accepted->history_length());
}

TEST_CASE_METHOD(Fixture, "a transition of an order this store does not hold is NOT_FOUND") {
  // Even with photos that were not uploaded here: with shards, the order and its photos are on
  // another shard, and the gateway asks the next shard only on NOT_FOUND.
  v1::TransitionRequest req;
  req.set_request_id(Rid());
  req.set_order_id("wo-on-another-shard");
  req.set_action(v1::ACTION_HANDLE);
  req.set_expected_version(3);
  req.add_photos()->set_sha256(std::string(64, 'a'));
  CHECK(core->Transition(kAdmin, req).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE_METHOD(Fixture, "create and transition are idempotent by request id") {
  auto first = Report(kWorker, "env.garbage", At(113.605), "phone-req-1");
  auto again = Report(kWorker, "env.garbage", At(113.605), "phone-req-1");
  REQUIRE(again.ok());
  CHECK(again->order().id() == first->order().id());
  CHECK(Report(kWorker, "env.garbage", At(113.606), "phone-req-1").status().code() ==
        absl::StatusCode::kFailedPrecondition);

  v1::TransitionRequest req;
  req.set_request_id("accept-1");
  req.set_order_id(first->order().id());
  req.set_expected_version(first->order().version());
  req.set_action(v1::ACTION_ACCEPT);
  auto t1 = core->Transition(kHandler, req);
  auto t2 = core->Transition(kHandler, req);  // a retry after a lost answer
  REQUIRE(t2.ok());
  CHECK(t2->version() == t1->version());
  CHECK(t2->history_length() == 3);
}

TEST_CASE_METHOD(Fixture,
                 "a request id is per caller: another caller's replay gets nothing of it") {
  auto first = Report(kResident, "env.garbage", At(113.605), "same-req");
  REQUIRE(first.ok());
  // The same request id and payload from another resident is a new report (their own
  // order), never the first caller's order.
  auto other = Report(kOtherResident, "env.garbage", At(113.605), "same-req");
  REQUIRE(other.ok());
  CHECK(other->order().id() != first->order().id());
  CHECK(other->order().reporter() == kOtherResident.subject());
  // A transition replayed by someone who may not see the order is refused, not replayed.
  v1::TransitionRequest req;
  req.set_request_id("accept-same");
  req.set_order_id(first->order().id());
  req.set_expected_version(first->order().version());
  req.set_action(v1::ACTION_ACCEPT);
  REQUIRE(core->Transition(kHandler, req).ok());
  auto replay = core->Transition(kOtherHandler, req);
  CHECK(replay.status().code() == absl::StatusCode::kPermissionDenied);
}

TEST_CASE_METHOD(Fixture, "SLA: due soon, overdue and automatic escalation from the timer index") {
  auto o = Report(kResident, "facility.manhole", At(113.615))->order();  // triage 2 h
  CHECK(core->RunDueTimers().value() == 0);
  clock.Advance(absl::Minutes(95));
  CHECK(core->RunDueTimers().value() == 0);  // due soon at 96 min (20 % of 2 h left)
  clock.Advance(absl::Minutes(1));
  CHECK(core->RunDueTimers().value() == 1);
  v1::GetOrderRequest get;
  get.set_order_id(o.id());
  auto soon = core->GetOrder(kStation, get);
  CHECK(soon->due_soon());
  CHECK_FALSE(soon->overdue());
  clock.Advance(absl::Minutes(24));
  CHECK(core->RunDueTimers().value() == 1);
  auto escalated = core->GetOrder(kStation, get);
  CHECK(escalated->state() == v1::STATE_ESCALATED);  // escalate_when_overdue
  CHECK(escalated->escalation_level() == 1);
  v1::GetHistoryRequest hreq;
  hreq.set_order_id(o.id());
  auto history = core->GetHistory(kStation, hreq);
  CHECK(history->events().rbegin()->action() == v1::ACTION_OVERDUE_ESCALATE);
  CHECK(history->events().rbegin()->decided_by() == "sla:overdue");
  auto alarms = FeedOf<v1::SlaAlarm>();
  REQUIRE(alarms.size() == 2);
  CHECK(alarms[0].kind() == v1::SlaAlarm::KIND_DUE_SOON);
  CHECK(alarms[1].kind() == v1::SlaAlarm::KIND_OVERDUE);
  // A handled order's stale timers never fire again.
  CHECK(core->RunDueTimers().value() == 0);
  v1::VerifyHistoryRequest vreq;
  vreq.set_order_id(o.id());
  CHECK(core->VerifyHistory(kStation, vreq)->intact());
}

TEST_CASE_METHOD(Fixture,
                 "SLA: timers fire for deadlines with a real clock's sub-millisecond part") {
  // A real clock has nanoseconds; the timer index keeps milliseconds. Timers must still
  // recognise the order's running deadline as theirs.
  clock.Advance(absl::Nanoseconds(123'456'789));
  auto o = Report(kResident, "facility.manhole", At(113.615))->order();  // triage 2 h
  REQUIRE(service::FromProto(o.stage_deadline()) == clock.Now() + absl::Hours(2));
  clock.Advance(absl::Minutes(96));
  CHECK(core->RunDueTimers().value() == 1);
  clock.Advance(absl::Minutes(24));
  CHECK(core->RunDueTimers().value() == 1);
  v1::GetOrderRequest get;
  get.set_order_id(o.id());
  CHECK(core->GetOrder(kStation, get)->state() == v1::STATE_ESCALATED);  // escalate_when_overdue
  auto alarms = FeedOf<v1::SlaAlarm>();
  REQUIRE(alarms.size() == 2);
  CHECK(alarms[1].kind() == v1::SlaAlarm::KIND_OVERDUE);
  // The alarm names the order's deadline exactly, not the index's rounded copy.
  CHECK(service::FromProto(alarms[1].deadline()) == service::FromProto(o.stage_deadline()));
}

// The order cache (order_cache.h) feeds a transition's read: every write must move it along,
// or the next transition would be judged against an old version (ABORTED wrongly, or worse,
// accepted against a version that is no longer current).
TEST_CASE_METHOD(Fixture, "transitions see every committed version: after timers and replays") {
  v1::WorkOrder o = Report(kWorker, "env.garbage", At(113.605))->order();
  v1::TransitionRequest accept;
  accept.set_request_id("accept-once");
  accept.set_order_id(o.id());
  accept.set_expected_version(o.version());
  accept.set_action(v1::ACTION_ACCEPT);
  auto accepted = core->Transition(kHandler, accept);
  REQUIRE(accepted.ok());

  // An SLA timer writes the order outside any transition (due soon: version + 1).
  int fired = 0;
  for (int hour = 0; hour < 48 && fired == 0; ++hour) {
    clock.Advance(absl::Hours(1));
    fired = core->RunDueTimers().value();
  }
  REQUIRE(fired == 1);
  v1::GetOrderRequest get;
  get.set_order_id(o.id());
  const v1::WorkOrder marked = *core->GetOrder(kHandler, get);
  REQUIRE(marked.version() == accepted->version() + 1);
  REQUIRE(marked.due_soon());
  CHECK(Act(kHandler, *accepted, v1::ACTION_START).status().code() == absl::StatusCode::kAborted);
  auto started = Act(kHandler, marked, v1::ACTION_START);
  REQUIRE(started.ok());
  CHECK(started->due_soon());  // built on the timer's version, not the one before it

  // A replayed first answer is older than the order; it must not become what the next
  // transition reads.
  auto replayed = core->Transition(kHandler, accept);
  REQUIRE(replayed.ok());
  CHECK(replayed->version() == accepted->version());
  auto handled = Act(kHandler, *started, v1::ACTION_HANDLE, "已清运");
  REQUIRE(handled.ok());
  CHECK(handled->version() == started->version() + 1);

  // A refused transition leaves the order as it was for the next one.
  CHECK(Act(kHandler, *handled, v1::ACTION_ACCEPT).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  v1::VerifyHistoryRequest vreq;
  vreq.set_order_id(o.id());
  CHECK(core->VerifyHistory(kStation, vreq)->intact());
  CHECK(core->GetOrder(kHandler, get)->version() == handled->version());
}

TEST_CASE_METHOD(Fixture, "SLA: a suspended order does not go overdue, the clock resumes") {
  auto o = Report(kWorker, "env.garbage", At(113.605))->order();
  auto accepted = *Act(kHandler, o, v1::ACTION_ACCEPT);  // handle: 24 h
  clock.Advance(absl::Hours(10));
  auto suspended = Act(kHandler, accepted, v1::ACTION_SUSPEND, "等待配件");
  REQUIRE(suspended.ok());
  clock.Advance(absl::Hours(30));  // beyond the original deadline
  CHECK(core->RunDueTimers().value() == 0);
  auto resumed = Act(kHandler, *suspended, v1::ACTION_RESUME);
  REQUIRE(resumed.ok());
  CHECK(resumed->state() == v1::STATE_ACCEPTED);
  CHECK(service::FromProto(resumed->stage_deadline()) == clock.Now() + absl::Hours(14));
  clock.Advance(absl::Hours(14));
  CHECK(core->RunDueTimers().value() == 2);  // due soon and overdue, both now due
  v1::GetOrderRequest get;
  get.set_order_id(o.id());
  CHECK(core->GetOrder(kHandler, get)->overdue());
}

TEST_CASE_METHOD(Fixture, "scope: residents see their own reports, workers their own grid") {
  auto mine = Report(kResident, "env.garbage", At(113.605))->order();
  auto theirs = Report(kOtherResident, "env.garbage", At(113.606))->order();
  auto c02 = Report(kWorkerC02, "env.garbage", At(113.625))->order();
  v1::GetOrderRequest get;
  get.set_order_id(theirs.id());
  CHECK(core->GetOrder(kResident, get).status().code() == absl::StatusCode::kPermissionDenied);
  get.set_order_id(c02.id());
  CHECK(core->GetOrder(kWorker, get).status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(core->GetOrder(kCommand, get).ok());
  get.set_order_id("wo-does-not-exist");
  CHECK(core->GetOrder(kCommand, get).status().code() == absl::StatusCode::kNotFound);

  v1::ListOrdersRequest list;
  auto resident_list = core->ListOrders(kResident, list);
  REQUIRE(resident_list->orders_size() == 1);
  CHECK(resident_list->orders(0).id() == mine.id());
  auto worker_list = core->ListOrders(kWorker, list);
  CHECK(worker_list->orders_size() == 2);  // both residents' reports lie in g01
  list.mutable_filter()->set_region_prefix("410105/s01/c02");
  CHECK(core->ListOrders(kWorker, list).status().code() == absl::StatusCode::kPermissionDenied);
  list.mutable_filter()->set_reporter("resident-139");
  CHECK(core->ListOrders(kResident, list).status().code() == absl::StatusCode::kPermissionDenied);

  v1::CountOrdersRequest count;
  auto counts = core->CountOrders(kCommand, count);
  REQUIRE(counts.ok());
  CHECK(counts->total() == 3);
  CHECK(counts->columns(v1::STATE_DISPATCHED - 1).count() == 3);
  count.mutable_filter()->set_region_prefix("410105/s01/c01");
  CHECK(core->CountOrders(kCommand, count)->total() == 2);
  CHECK(core->CountOrders(kResident, v1::CountOrdersRequest())->total() == 1);
  CHECK(core->CountOrders(kOtherHandler, v1::CountOrdersRequest())->total() == 0);
}

TEST_CASE_METHOD(Fixture, "lists page through every matching order once") {
  std::set<std::string> ids;
  for (int i = 0; i < 7; ++i)
    ids.insert(Report(kWorker, "env.garbage", At(113.601 + i * 0.001))->order().id());
  auto o = Report(kWorker, "facility.manhole", At(113.605))->order();  // REPORTED, other category
  v1::ListOrdersRequest req;
  req.set_page_size(3);
  req.mutable_filter()->set_category_prefix("env");
  std::set<std::string> seen;
  int pages = 0;
  do {
    auto page = core->ListOrders(kStation, req);
    REQUIRE(page.ok());
    ++pages;
    for (const auto& order : page->orders()) CHECK(seen.insert(order.id()).second);
    req.set_page_token(page->next_page_token());
  } while (!req.page_token().empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(seen == ids);
  req.set_page_token(core->ListOrders(kStation,
                                      [] {
                                        v1::ListOrdersRequest r;
                                        r.set_page_size(1);
                                        return r;
                                      }())
                         ->next_page_token());
  CHECK(core->ListOrders(kStation, req).status().code() == absl::StatusCode::kInvalidArgument);
  (void)o;
}

TEST_CASE_METHOD(Fixture, "photos: type by magic bytes, size limit, first receipt kept, access") {
  v1::UploadPhotoRequest up;
  up.set_content("GIF89a not a photo we take");
  CHECK(core->UploadPhoto(kWorker, up).status().code() == absl::StatusCode::kInvalidArgument);
  up.set_content(Jpeg(std::string(kMaxPhotoBytes, 'x')));
  CHECK(core->UploadPhoto(kWorker, up).status().code() == absl::StatusCode::kResourceExhausted);
  up.set_content(Jpeg("pixels"));
  *up.mutable_capture_time() = ToProto(absl::FromUnixSeconds(1));  // a phone with a wrong clock
  auto rec = core->UploadPhoto(kWorker, up);
  REQUIRE(rec.ok());
  CHECK(rec->media_type() == "image/jpeg");
  CHECK(rec->sha256() == Sha256Hex(up.content()));
  CHECK(service::FromProto(rec->received_at()) == clock.Now());
  clock.Advance(absl::Minutes(5));
  auto again = core->UploadPhoto(kResident, up);
  CHECK(service::FromProto(again->received_at()) == service::FromProto(rec->received_at()));
  CHECK(again->uploaded_by() == "wang-wei");

  v1::CreateOrderRequest create;
  create.set_request_id(Rid());
  create.set_category_id("env.garbage");
  *create.mutable_position() = At(113.605);
  create.set_description("垃圾");
  create.add_photos()->set_sha256(std::string(64, 'a'));
  CHECK(core->CreateOrder(kWorker, create).status().code() == absl::StatusCode::kInvalidArgument);
  create.mutable_photos(0)->set_sha256(rec->sha256());
  auto order = core->CreateOrder(kWorker, create);
  REQUIRE(order.ok());
  REQUIRE(order->order().photos_size() == 1);
  CHECK(order->order().photos(0).phase() == v1::PHOTO_PHASE_BEFORE);
  CHECK(order->order().photos(0).received_at().seconds() == rec->received_at().seconds());

  v1::GetPhotoRequest get;
  get.set_sha256(rec->sha256());
  CHECK(core->GetPhoto(kWorker, get)->content() == up.content());  // the uploader
  CHECK(core->GetPhoto(kStation, get).status().code() == absl::StatusCode::kPermissionDenied);
  get.set_order_id(order->order().id());
  CHECK(core->GetPhoto(kStation, get).ok());
  CHECK(core->GetPhoto(kWorkerC02, get).status().code() == absl::StatusCode::kPermissionDenied);
}

TEST_CASE_METHOD(Fixture, "duplicate suggestion: open orders of the category nearby") {
  auto first = Report(kResident, "env.garbage", At(113.6050))->order();
  auto far = Report(kResident, "env.garbage", At(113.6150))->order();  // ~900 m east
  (void)far;
  auto second = Report(kWorker, "env.garbage", At(113.6053));  // ~27 m away
  REQUIRE(second.ok());
  REQUIRE(second->possible_duplicates_size() == 1);
  CHECK(second->possible_duplicates(0).id() == first.id());
  auto cancelled = Act(kStation, second->order(), v1::ACTION_CANCEL, "重复上报");
  REQUIRE(cancelled.ok());
  v1::SuggestDuplicatesRequest dup;
  dup.set_category_id("env.garbage");
  *dup.mutable_position() = At(113.6052);
  auto suggestions = core->SuggestDuplicates(kStation, dup);
  REQUIRE(suggestions->orders_size() == 1);  // the cancelled one is not open
  CHECK(suggestions->distances_m(0) < 50);
  clock.Advance(absl::Hours(73));
  CHECK(core->SuggestDuplicates(kStation, dup)->orders_size() == 0);
}

TEST_CASE_METHOD(Fixture, "bad input is refused with a clear error and stores nothing") {
  CHECK(Report(kWorker, "env.garbage", At(200)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Report(kWorker, "no.such", At(113.605)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Report(kWorker, "env.garbage", At(113.70)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(Report(kWorker, "env.garbage", At(113.605, 0)).status().code() ==
        absl::StatusCode::kUnavailable);
  CHECK(Report(As(ROLE_VIEWER, "viewer"), "env.garbage", At(113.605)).status().code() ==
        absl::StatusCode::kPermissionDenied);
  v1::CreateOrderRequest empty;
  empty.set_request_id(Rid());
  empty.set_category_id("env.garbage");
  *empty.mutable_position() = At(113.605);
  CHECK(core->CreateOrder(kWorker, empty).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(core->CountOrders(kAdmin, v1::CountOrdersRequest())->total() == 0);

  auto o = Report(kWorker, "env.garbage", At(113.605))->order();
  v1::TransitionRequest t;
  t.set_request_id(Rid());
  t.set_order_id(o.id());
  t.set_action(v1::ACTION_ACCEPT);
  CHECK(core->Transition(kHandler, t).status().code() == absl::StatusCode::kInvalidArgument);
  t.set_expected_version(o.version());
  t.set_action(static_cast<v1::Action>(99));
  CHECK(core->Transition(kHandler, t).status().code() == absl::StatusCode::kInvalidArgument);
  t.set_action(v1::ACTION_ACCEPT);
  t.set_order_id(std::string("bad\0id", 6));
  CHECK(core->Transition(kHandler, t).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE_METHOD(Fixture, "catalogue administration: roles, versions, references") {
  v1::UpsertCategoryRequest req;
  req.set_request_id(Rid());
  req.mutable_category()->set_id("env.posters");
  req.mutable_category()->set_parent_id("env");
  req.mutable_category()->set_name("小广告");
  CHECK(core->UpsertCategory(kStation, req).status().code() == absl::StatusCode::kPermissionDenied);
  auto created = core->UpsertCategory(kCommand, req);
  REQUIRE(created.ok());
  CHECK(created->version() == 1);
  req.set_request_id(Rid());
  CHECK(core->UpsertCategory(kAdmin, req).status().code() == absl::StatusCode::kAlreadyExists);
  req.set_expected_version(7);
  CHECK(core->UpsertCategory(kAdmin, req).status().code() == absl::StatusCode::kAborted);
  req.mutable_category()->set_parent_id("wrong");
  CHECK(core->UpsertCategory(kAdmin, req).status().code() == absl::StatusCode::kInvalidArgument);

  v1::UpsertDispatchRuleRequest rule;
  rule.set_request_id(Rid());
  rule.mutable_rule()->set_id("r-x");
  rule.mutable_rule()->set_category_prefix("nothing.here");
  rule.mutable_rule()->set_department("d");
  CHECK(core->UpsertDispatchRule(kAdmin, rule).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  // The catalogue and the orders survive a restart.
  auto o = Report(kWorker, "env.posters", At(113.605));
  REQUIRE(o.ok());
  CHECK(o->order().department() == "urban-management");  // r-env covers env.posters
  Open();
  CHECK(core->ListCategories(kWorker, {})->categories_size() == 5);
  v1::GetOrderRequest get;
  get.set_order_id(o->order().id());
  CHECK(core->GetOrder(kWorker, get).ok());
}

TEST_CASE_METHOD(Fixture, "8 writers racing on the same orders: legal histories, no lost update") {
  std::vector<v1::WorkOrder> orders;
  for (int i = 0; i < 12; ++i)
    orders.push_back(Report(kWorker, "env.garbage", At(113.601 + i * 0.0007))->order());
  std::atomic<int> ok{0}, aborted{0}, other{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w);
      const Principal handler =
          As(ROLE_DEPARTMENT_HANDLER, absl::StrCat("h", w), "", "urban-management");
      for (int i = 0; i < 200; ++i) {
        const v1::WorkOrder& target = orders[rng() % orders.size()];
        v1::GetOrderRequest get;
        get.set_order_id(target.id());
        auto current = core->GetOrder(handler, get);
        if (!current.ok()) {
          ++other;
          continue;
        }
        v1::Action next = current->state() == v1::STATE_DISPATCHED   ? v1::ACTION_ACCEPT
                          : current->state() == v1::STATE_ACCEPTED   ? v1::ACTION_START
                          : current->state() == v1::STATE_PROCESSING ? v1::ACTION_HANDLE
                                                                     : v1::ACTION_UNSPECIFIED;
        if (next == v1::ACTION_UNSPECIFIED) continue;
        v1::TransitionRequest t;
        t.set_request_id(absl::StrCat("w", w, "-", i));
        t.set_order_id(current->id());
        t.set_expected_version(current->version());
        t.set_action(next);
        auto r = core->Transition(handler, t);
        if (r.ok()) {
          ++ok;
        } else if (r.status().code() == absl::StatusCode::kAborted) {
          ++aborted;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  CHECK(other == 0);  // the only way to lose a race is a stale version
  int transitions_in_histories = 0;
  for (const auto& o : orders) {
    v1::GetHistoryRequest h;
    h.set_order_id(o.id());
    auto history = core->GetHistory(kAdmin, h);
    REQUIRE(history.ok());
    v1::State state = v1::STATE_UNSPECIFIED;
    for (const auto& e : history->events()) {
      if (e.action() != v1::ACTION_REPORT) {
        INFO(o.id() << " event " << e.seq());
        REQUIRE(e.from_state() == state);
        REQUIRE(CheckTransition(e.from_state(), e.action(), e.actor_role()).ok());
      }
      CHECK(e.version() == e.seq());
      state = e.to_state();
      if (e.action() != v1::ACTION_REPORT && e.action() != v1::ACTION_DISPATCH)
        ++transitions_in_histories;
    }
    v1::VerifyHistoryRequest v;
    v.set_order_id(o.id());
    CHECK(core->VerifyHistory(kAdmin, v)->intact());
  }
  CHECK(transitions_in_histories == ok.load());  // every acknowledged write is in a history
  CHECK(ok.load() <= 12 * 3);
}

}  // namespace
}  // namespace gridwork::workorder

namespace gridwork::workorder {
namespace {

// Catalogue snapshots are swapped while readers use them: under ASan a reader holding a
// pointer into a replaced snapshot is a use-after-free (the range-for over a temporary
// snapshot once was).
TEST_CASE_METHOD(Fixture, "catalogue changes while orders move and lists are read") {
  std::vector<v1::WorkOrder> orders;
  for (int i = 0; i < 6; ++i)
    orders.push_back(Report(kWorker, "env.garbage", At(113.601 + i * 0.001))->order());
  std::atomic<bool> stop{false};
  std::atomic<bool> reading{false};  // the editor starts once the readers have
  std::thread editor([&] {
    while (!reading) std::this_thread::yield();
    uint64_t version = 0;
    for (int i = 0; i < 40; ++i) {
      v1::UpsertCategoryRequest req;
      req.set_request_id(absl::StrCat("edit-", i));
      auto* c = req.mutable_category();
      c->set_id("env.posters");
      c->set_parent_id("env");
      c->set_name(absl::StrCat("小广告 v", i));
      req.set_expected_version(version);
      auto r = core->UpsertCategory(kAdmin, req);
      REQUIRE(r.ok());
      version = r->version();
    }
    stop = true;
  });
  int lists = 0;
  size_t accepted = 0;
  do {
    CHECK(core->ListCategories(kWorker, {})->categories_size() >= 4);
    CHECK(core->ListDispatchRules(kWorker, {})->rules_size() == 2);
    if (accepted < orders.size()) CHECK(Act(kHandler, orders[accepted++], v1::ACTION_ACCEPT).ok());
    ++lists;
    reading = true;
  } while (!stop);
  editor.join();
  for (; accepted < orders.size(); ++accepted)
    CHECK(Act(kHandler, orders[accepted], v1::ACTION_ACCEPT).ok());
  CHECK(lists > 0);
}

// The ids ListOrders returns for `state`, as the district command centre (whole district).
std::set<std::string> Listed(WorkOrderCore& core, v1::State state) {
  v1::ListOrdersRequest req;
  req.set_page_size(500);
  req.mutable_filter()->add_states(state);
  auto page = core.ListOrders(kCommand, req);
  REQUIRE(page.ok());
  std::set<std::string> ids;
  for (const auto& o : page->orders()) ids.insert(o.id());
  return ids;
}

int64_t Counted(WorkOrderCore& core, v1::State state) {
  auto counts = core.CountOrders(kCommand, v1::CountOrdersRequest());
  REQUIRE(counts.ok());
  return counts->columns(state - 1).count();
}

TEST_CASE_METHOD(Fixture, "kanban: open orders from memory, closed ones from disk, after restarts") {
  const v1::WorkOrder waiting = Report(kWorker, "env.garbage", At(113.601))->order();
  v1::WorkOrder busy = Report(kWorker, "env.garbage", At(113.602))->order();
  busy = *Act(kHandler, busy, v1::ACTION_ACCEPT);
  busy = *Act(kHandler, busy, v1::ACTION_START);
  v1::WorkOrder done = Report(kWorker, "env.garbage", At(113.603))->order();
  for (auto [who, action] : {std::pair{kHandler, v1::ACTION_ACCEPT}, {kHandler, v1::ACTION_START},
                             {kHandler, v1::ACTION_HANDLE},
                             {kStation, v1::ACTION_ASSIGN_VERIFICATION},
                             {kWorker, v1::ACTION_VERIFY_SATISFIED}}) {
    auto next = Act(who, done, action);
    REQUIRE(next.ok());
    done = *next;
  }
  REQUIRE(done.state() == v1::STATE_CLOSED);

  auto check_columns = [&] {
    CHECK(Listed(*core, v1::STATE_DISPATCHED) == std::set<std::string>{waiting.id()});
    CHECK(Listed(*core, v1::STATE_PROCESSING) == std::set<std::string>{busy.id()});
    CHECK(Listed(*core, v1::STATE_CLOSED) == std::set<std::string>{done.id()});
    CHECK(Listed(*core, v1::STATE_ACCEPTED).empty());
    CHECK(Listed(*core, v1::STATE_VERIFYING).empty());
    CHECK(Counted(*core, v1::STATE_DISPATCHED) == 1);
    CHECK(Counted(*core, v1::STATE_PROCESSING) == 1);
    CHECK(Counted(*core, v1::STATE_CLOSED) == 1);
  };
  check_columns();
  CHECK(store->open_order_count() == 2);

  // Only creates and closes touch the durable indexes: open_orders names exactly the open
  // orders and by_state exactly the closed one.
  auto keys_of = [&](const char* family) {
    std::vector<std::string> keys;
    REQUIRE(store->db()
                ->ScanPrefix(*store->db()->Family(family), "",
                             [&](absl::string_view k, absl::string_view) {
                               keys.emplace_back(k);
                               return true;
                             })
                .ok());
    return keys;
  };
  std::vector<std::string> open_ids = keys_of("open_orders");
  CHECK(std::set<std::string>(open_ids.begin(), open_ids.end()) ==
        std::set<std::string>{waiting.id(), busy.id()});
  CHECK(keys_of("by_state").size() == 1);

  Open();  // restart: the open-order index is rebuilt from open_orders
  CHECK(store->open_order_count() == 2);
  check_columns();

  // The rebuilt index follows later transitions, and a closed order leaves it.
  busy = *Act(kHandler, busy, v1::ACTION_HANDLE);
  CHECK(Listed(*core, v1::STATE_PROCESSING).empty());
  CHECK(Listed(*core, v1::STATE_HANDLED) == std::set<std::string>{busy.id()});
  v1::TransitionRequest cancel;
  cancel.set_request_id(Rid());
  cancel.set_order_id(waiting.id());
  cancel.set_expected_version(waiting.version());
  cancel.set_action(v1::ACTION_CANCEL);
  cancel.set_note("重复上报");
  REQUIRE(core->Transition(kStation, cancel).ok());
  CHECK(Listed(*core, v1::STATE_DISPATCHED).empty());
  CHECK(Listed(*core, v1::STATE_CANCELLED) == std::set<std::string>{waiting.id()});
  CHECK(store->open_order_count() == 1);
  Open();
  CHECK(store->open_order_count() == 1);
  CHECK(Listed(*core, v1::STATE_HANDLED) == std::set<std::string>{busy.id()});
  CHECK(Listed(*core, v1::STATE_CANCELLED) == std::set<std::string>{waiting.id()});
}

TEST_CASE_METHOD(Fixture, "a store with open orders in by_state (before open_orders) is converted") {
  const v1::WorkOrder a = Report(kWorker, "env.garbage", At(113.601))->order();
  const v1::WorkOrder b = *Act(kHandler, Report(kWorker, "env.garbage", At(113.602))->order(),
                               v1::ACTION_ACCEPT);
  // Rewrite the durable indexes as the previous layout had them: every order's key in by_state
  // (u32 state, str region path, i64 -created ms, str id), no open_orders.
  store::WriteRequest old_layout;
  const auto by_state = *store->db()->Family("by_state");
  const auto open_orders = *store->db()->Family("open_orders");
  for (const v1::WorkOrder& o : {a, b}) {
    old_layout.Delete(open_orders, o.id());
    old_layout.Put(by_state,
                   store::KeyBuilder()
                       .Uint32(static_cast<uint32_t>(o.state()))
                       .String(o.region_path())
                       .Int64(-(o.created_at().seconds() * 1000 + o.created_at().nanos() / 1000000))
                       .String(o.id())
                       .Build(),
                   "");
  }
  REQUIRE(store->db()->Commit(std::move(old_layout)).ok());

  Open();
  CHECK(store->open_order_count() == 2);
  CHECK(Listed(*core, v1::STATE_DISPATCHED) == std::set<std::string>{a.id()});
  CHECK(Listed(*core, v1::STATE_ACCEPTED) == std::set<std::string>{b.id()});
  int left_in_by_state = 0;
  REQUIRE(store->db()
              ->ScanPrefix(*store->db()->Family("by_state"), "",
                           [&](absl::string_view, absl::string_view) {
                             ++left_in_by_state;
                             return true;
                           })
              .ok());
  CHECK(left_in_by_state == 0);
  Open();  // converted once: a second open finds them in open_orders
  CHECK(store->open_order_count() == 2);
  CHECK(Listed(*core, v1::STATE_ACCEPTED) == std::set<std::string>{b.id()});
}

TEST_CASE_METHOD(Fixture, "after a failed commit the open-order index rereads the store") {
  const v1::WorkOrder o = Report(kWorker, "env.garbage", At(113.601))->order();
  // As if a commit of an ACCEPT had been indexed but never written.
  v1::WorkOrder phantom = o;
  phantom.set_state(v1::STATE_ACCEPTED);
  store->Indexed(phantom);
  CHECK(Listed(*core, v1::STATE_DISPATCHED).empty());
  REQUIRE(store->Reindex(o.id()).ok());
  CHECK(Listed(*core, v1::STATE_DISPATCHED) == std::set<std::string>{o.id()});
  CHECK(Listed(*core, v1::STATE_ACCEPTED).empty());
  // An order the store does not hold leaves the index.
  v1::WorkOrder ghost = o;
  ghost.set_id("wo-never-written");
  store->Indexed(ghost);
  CHECK(store->open_order_count() == 2);
  REQUIRE(store->Reindex("wo-never-written").ok());
  CHECK(store->open_order_count() == 1);
}

}  // namespace
}  // namespace gridwork::workorder
