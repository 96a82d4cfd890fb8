#include "services/gateway/shard_merge.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "gridwork/core/routing_config.h"
#include "gridwork/inspection/v1/inspection.pb.h"
#include "services/gateway/shard_fanout.h"

namespace gridwork::gateway {
namespace {

namespace lv1 = location::v1;
namespace wv1 = workorder::v1;
namespace pb = google::protobuf;

wv1::WorkOrder Order(const std::string& id, wv1::State state, const std::string& region,
                     int64_t created_s) {
  wv1::WorkOrder o;
  o.set_id(id);
  o.set_state(state);
  o.set_region_path(region);
  o.mutable_created_at()->set_seconds(created_s);
  return o;
}

// A shard's page: `orders` from `from` on, at most `size`, with a next token if more remain.
wv1::ListOrdersResponse ShardPage(const std::vector<wv1::WorkOrder>& orders,
                                  const std::string& token, int size) {
  size_t from = token.empty() ? 0 : std::stoul(token);
  wv1::ListOrdersResponse r;
  size_t i = from;
  for (; i < orders.size() && r.orders_size() < size; ++i) *r.add_orders() = orders[i];
  if (i < orders.size()) r.set_next_page_token(std::to_string(i));
  return r;
}

TEST_CASE("a merged list pages through every shard once, in the list's order", "[fanout]") {
  // Shard d0 and d1 each sorted as ListOrders sorts (state, region, newest first).
  std::vector<wv1::WorkOrder> d0 = {Order("a1", wv1::STATE_REPORTED, "410105/s1", 50),
                                    Order("a2", wv1::STATE_REPORTED, "410105/s1", 40),
                                    Order("a3", wv1::STATE_DISPATCHED, "410105/s2", 90),
                                    Order("a4", wv1::STATE_CLOSED, "410105/s1", 10)};
  std::vector<wv1::WorkOrder> d1 = {Order("b1", wv1::STATE_REPORTED, "410185/s1", 99),
                                    Order("b2", wv1::STATE_DISPATCHED, "410185/s1", 5),
                                    Order("b3", wv1::STATE_DISPATCHED, "410185/s1", 4)};
  const std::vector<std::vector<wv1::WorkOrder>> shards = {d0, d1};
  const ListSpec spec{50, 500, OrderListLess};
  wv1::ListOrdersRequest req;
  req.set_page_size(2);
  const std::string fp = QueryFingerprint(req);

  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto cursors = DecodeMergedToken(token, fp, {"d0", "d1"});
    REQUIRE(cursors.ok());
    std::vector<wv1::ListOrdersResponse> answers(2);
    std::vector<const pb::Message*> ptrs(2, nullptr);
    for (int i = 0; i < 2; ++i) {
      if ((*cursors)[i].done) continue;
      answers[i] = ShardPage(shards[i], (*cursors)[i].token, ShardPageSize(spec, 2, (*cursors)[i]));
      ptrs[i] = &answers[i];
    }
    wv1::ListOrdersResponse out;
    out.set_next_page_token("stale");  // replaced, never kept
    REQUIRE(MergeListPage(spec, 2, fp, *cursors, ptrs, &out).ok());
    CHECK(out.orders_size() <= 2);
    for (const auto& o : out.orders()) seen.push_back(o.id());
    token = out.next_page_token();
    REQUIRE(++pages < 20);
  } while (!token.empty());
  // Every order exactly once, in (state, region, newest first) order across both shards.
  CHECK(seen == std::vector<std::string>{"a1", "a2", "b1", "a3", "b2", "b3", "a4"});
}

TEST_CASE("a merged page token is opaque and refuses tampering and reuse", "[fanout]") {
  wv1::ListOrdersRequest req;
  req.mutable_filter()->add_states(wv1::STATE_REPORTED);
  const std::string fp = QueryFingerprint(req);
  std::vector<ShardCursor> cursors = {{"d0", "tok-0", 3, false}, {"d1", "", 0, true}};
  const std::string token = EncodeMergedToken(fp, cursors);
  CHECK(token.find("tok-0") == std::string::npos);  // not readable as is

  auto back = DecodeMergedToken(token, fp, {"d0", "d1"});
  REQUIRE(back.ok());
  CHECK((*back)[0].token == "tok-0");
  CHECK((*back)[0].skip == 3);
  CHECK((*back)[1].done);

  // Page size is not part of the query; the filter is.
  wv1::ListOrdersRequest bigger = req;
  bigger.set_page_size(7);
  CHECK(QueryFingerprint(bigger) == fp);
  wv1::ListOrdersRequest other = req;
  other.mutable_filter()->set_department("water");
  auto refused = [](const absl::StatusOr<std::vector<ShardCursor>>& r) {
    return r.status().code() == absl::StatusCode::kInvalidArgument;
  };
  CHECK(refused(DecodeMergedToken(token, QueryFingerprint(other), {"d0", "d1"})));
  CHECK(refused(DecodeMergedToken(token, fp, {"d0", "d2"})));
  CHECK(refused(DecodeMergedToken(token, fp, {"d0"})));
  CHECK(refused(DecodeMergedToken("garbage", fp, {"d0", "d1"})));
  CHECK(refused(DecodeMergedToken(token + "x", fp, {"d0", "d1"})));
  // One changed payload byte (a skip of 3 -> 4) with the old checksum.
  std::string payload;
  size_t dot = token.rfind('.');
  REQUIRE(absl::WebSafeBase64Unescape(token.substr(5, dot - 5), &payload));
  size_t at = payload.find("1:3");
  REQUIRE(at != std::string::npos);
  payload[at + 2] = '4';
  CHECK(refused(DecodeMergedToken("gwm1." + absl::WebSafeBase64Escape(payload) + token.substr(dot),
                                  fp, {"d0", "d1"})));
}

TEST_CASE("fan-out answers merge and fail as a whole", "[fanout]") {
  SECTION("CountOnline sums, children by region") {
    lv1::CountOnlineResponse a, b;
    a.set_online(2);
    a.set_known(3);
    auto* c = a.add_children();
    c->set_region_id("410105/s1");
    c->set_online(2);
    b.set_online(1);
    b.set_known(1);
    c = b.add_children();
    c->set_region_id("410105/s1");
    c->set_online(1);
    c = b.add_children();
    c->set_region_id("410105/s0");
    lv1::CountOnlineResponse m = MergeCountOnline({a, b});
    CHECK(m.online() == 3);
    CHECK(m.known() == 4);
    REQUIRE(m.children_size() == 2);
    CHECK(m.children(0).region_id() == "410105/s0");
    CHECK(m.children(1).online() == 3);
  }
  SECTION("FindNearbyWorkers nearest first, limit honoured") {
    lv1::FindNearbyWorkersResponse a, b;
    for (auto [r, id, d] :
         {std::tuple{&a, "w1", 30.0}, {&a, "w2", 5.0}, {&b, "w3", 10.0}, {&b, "w4", 1.0}}) {
      auto* w = r->add_workers();
      w->mutable_position()->set_worker_id(id);
      w->set_distance_m(d);
    }
    lv1::FindNearbyWorkersRequest req;
    req.set_max_results(3);
    lv1::FindNearbyWorkersResponse m = MergeNearby(req, {a, b});
    REQUIRE(m.workers_size() == 3);
    CHECK(m.workers(0).position().worker_id() == "w4");
    CHECK(m.workers(1).position().worker_id() == "w2");
    CHECK(m.workers(2).position().worker_id() == "w3");
  }
  SECTION("CountOrders sums per state") {
    wv1::CountOrdersResponse a, b;
    for (auto* r : {&a, &b}) {
      auto* col = r->add_columns();
      col->set_state(wv1::STATE_REPORTED);
      col->set_count(2);
      col->set_overdue(1);
      r->set_total(2);
      r->set_overdue(1);
    }
    wv1::CountOrdersResponse m = MergeCountOrders({a, b});
    CHECK(m.total() == 4);
    CHECK(m.overdue() == 2);
    REQUIRE(m.columns_size() == 1);
    CHECK(m.columns(0).count() == 4);
  }
  SECTION("a failed shard fails the call, named") {
    std::vector<ShardAnswer> answers = {
        {"d0", grpc::Status::OK, ""},
        {"d1", grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "slow"), ""}};
    grpc::Status s = FanOutStatus("workorder", answers);
    CHECK(s.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK_THAT(s.error_message(), Catch::Contains("workorder shard d1"));
  }
  SECTION("a lookup: the shard that has it, else NOT_FOUND, never a hidden outage") {
    grpc::Status nf(grpc::StatusCode::NOT_FOUND, "no such order");
    int ok = -1;
    CHECK(CombineLookup("workorder", {{"d0", nf, ""}, {"d1", grpc::Status::OK, "x"}}, &ok).ok());
    CHECK(ok == 1);
    CHECK(CombineLookup("workorder", {{"d0", nf, ""}, {"d1", nf, ""}}, &ok).error_code() ==
          grpc::StatusCode::NOT_FOUND);
    grpc::Status down = CombineLookup(
        "workorder", {{"d0", nf, ""}, {"d1", grpc::Status(grpc::StatusCode::UNAVAILABLE, "x"), ""}},
        &ok);
    CHECK(down.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK_THAT(down.error_message(), Catch::Contains("shard d1"));
  }
  SECTION("GetCockpit of two districts: sums, children, coverage by grids, surges") {
    analytics::v1::Cockpit a, b;
    a.mutable_total()->set_workers_online(3);
    a.mutable_total()->set_grids(1);
    a.mutable_total()->set_coverage_today(0.9);
    auto* ca = a.add_children();
    ca->set_region_path("410185");
    ca->set_grids(1);
    ca->set_coverage_today(0.9);
    (*a.mutable_orders_by_state())[1] = 2;
    a.add_online_by_hour(1);
    a.add_online_by_hour(2);
    a.set_generation(5);
    auto* sa = a.add_surges();
    sa->set_region_path("410185/s1/c1");
    sa->set_today(1);
    b.mutable_total()->set_workers_online(4);
    b.mutable_total()->set_grids(3);
    b.mutable_total()->set_coverage_today(0.1);
    auto* cb = b.add_children();
    cb->set_region_path("410105");
    cb->set_grids(3);
    (*b.mutable_orders_by_state())[1] = 1;
    (*b.mutable_orders_by_state())[2] = 4;
    b.add_online_by_hour(10);
    b.set_generation(7);
    auto* sb = b.add_surges();
    sb->set_region_path("410105/s1/c1");
    sb->set_today(9);
    analytics::v1::Cockpit m = MergeCockpit({a, b});
    CHECK(m.total().workers_online() == 7);
    CHECK(m.total().grids() == 4);
    CHECK(m.total().coverage_today() == Approx((0.9 + 3 * 0.1) / 4));
    REQUIRE(m.children_size() == 2);
    CHECK(m.children(0).region_path() == "410105");
    CHECK(m.children(1).coverage_today() == Approx(0.9));
    CHECK(m.orders_by_state().at(1) == 3);
    CHECK(m.orders_by_state().at(2) == 4);
    REQUIRE(m.online_by_hour_size() == 2);
    CHECK(m.online_by_hour(0) == 11);
    CHECK(m.online_by_hour(1) == 2);
    CHECK(m.generation() == 12);
    REQUIRE(m.surges_size() == 2);
    CHECK(m.surges(0).today() == 9);
  }
  SECTION("GetHeatmap: a border cell summed, totals summed") {
    analytics::v1::GetHeatmapResponse a, b;
    a.set_cell_size_m(30);
    a.set_total(3);
    auto* c = a.add_cells();
    *c->mutable_center() = [] {
      common::v1::LatLng p;
      p.set_lat(34.7);
      p.set_lng(113.65);
      return p;
    }();
    c->set_count(2);
    (*c->mutable_by_category())["garbage"] = 2;
    b.set_cell_size_m(30);
    b.set_total(4);
    *b.add_cells() = *c;
    auto* d = b.add_cells();
    d->mutable_center()->set_lat(34.6);
    d->set_count(2);
    analytics::v1::GetHeatmapResponse m = MergeHeatmap({a, b});
    CHECK(m.total() == 7);
    CHECK(m.cell_size_m() == 30);
    REQUIRE(m.cells_size() == 2);
    CHECK(m.cells(1).count() == 4);
    CHECK(m.cells(1).by_category().at("garbage") == 4);
  }
  SECTION("ImportRegions: the districts of the features") {
    auto d = ImportDistricts(
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"410105/s1"}},)"
        R"({"type":"Feature","id":"410185","properties":{}},{"type":"Feature","properties":{}}]})");
    REQUIRE(d.ok());
    CHECK(*d == std::set<std::string>{"410105", "410185"});
    CHECK(ImportDistricts("not json").status().code() == absl::StatusCode::kInvalidArgument);
  }
}

std::string ProdRoutingFile() {
  std::ifstream in(std::string(GRIDWORK_SOURCE_DIR) + "/k8s/overlays/prod/namespaced/routing.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("calls are planned by what their request names", "[fanout]") {
  absl::StatusOr<RoutingConfig> c = ParseRoutingConfig(ProdRoutingFile());
  REQUIRE(c.ok());
  ShardRouter r(*std::move(c));
  rpc::Principal admin;
  admin.set_role(common::v1::ROLE_ADMIN);
  rpc::Principal manager = admin;
  manager.set_role(common::v1::ROLE_STREET_MANAGER);
  manager.set_region_scope("410185/s1");
  auto plan = [&](Upstream u, const std::string& method, const pb::Message& req,
                  const rpc::Principal& who) {
    absl::StatusOr<PlannedCall> p = PlanUnary(r, u, method, req, who);
    REQUIRE(p.ok());
    return p->plan;
  };
  const std::string wo = "/gridwork.workorder.v1.WorkOrderService/";
  wv1::GetOrderRequest get;
  get.set_order_id("wo-1");
  CHECK(plan(Upstream::kWorkorder, wo + "GetOrder", get, admin) == ShardPlan::kLookup);
  CHECK(plan(Upstream::kWorkorder, wo + "CreateOrder", wv1::CreateOrderRequest(), admin) ==
        ShardPlan::kPosition);
  wv1::ListOrdersRequest list;
  CHECK(plan(Upstream::kWorkorder, wo + "ListOrders", list, admin) == ShardPlan::kFanOut);
  CHECK(plan(Upstream::kWorkorder, wo + "CountOrders", wv1::CountOrdersRequest(), admin) ==
        ShardPlan::kFanOut);
  // A scoped caller's list is on its district's shard; a list naming a region on that one.
  CHECK(plan(Upstream::kWorkorder, wo + "ListOrders", list, manager) == ShardPlan::kOne);
  list.mutable_filter()->set_region_prefix("410185");
  absl::StatusOr<PlannedCall> one =
      PlanUnary(r, Upstream::kWorkorder, wo + "ListOrders", list, admin);
  REQUIRE(one.ok());
  CHECK(one->plan == ShardPlan::kOne);
  CHECK(one->target.shard == "d1");
  CHECK(plan(Upstream::kLocation, "/gridwork.location.v1.LocationService/CountOnline",
             lv1::CountOnlineRequest(), manager) == ShardPlan::kFanOut);
  CHECK(plan(Upstream::kGeofence, "/gridwork.geofence.v1.GeofenceService/Locate",
             geofence::v1::LocateRequest(), admin) == ShardPlan::kFanOut);
  CHECK(plan(Upstream::kGeofence, "/gridwork.geofence.v1.GeofenceService/ImportRegions",
             geofence::v1::ImportRegionsRequest(), admin) == ShardPlan::kImport);
  // Catalogue writes go to every shard; catalogue reads to one.
  CHECK(plan(Upstream::kWorkorder, wo + "UpsertCategory", wv1::UpsertCategoryRequest(), admin) ==
        ShardPlan::kBroadcast);
  CHECK(plan(Upstream::kWorkorder, wo + "DeleteDispatchRule", wv1::DeleteDispatchRuleRequest(),
             admin) == ShardPlan::kBroadcast);
  CHECK(plan(Upstream::kInspection, "/gridwork.inspection.v1.InspectionService/PublishChecklist",
             inspection::v1::PublishChecklistRequest(), admin) == ShardPlan::kBroadcast);
  CHECK(plan(Upstream::kWorkorder, wo + "ListCategories", wv1::ListCategoriesRequest(), admin) ==
        ShardPlan::kLookup);
  CHECK(plan(Upstream::kInspection, "/gridwork.inspection.v1.InspectionService/ListTasks",
             inspection::v1::ListTasksRequest(), admin) == ShardPlan::kFanOut);
  CHECK(plan(Upstream::kAnalytics, "/gridwork.analytics.v1.AnalyticsService/GetCockpit",
             analytics::v1::GetCockpitRequest(), admin) == ShardPlan::kFanOut);
  CHECK(plan(Upstream::kAnalytics, "/gridwork.analytics.v1.AnalyticsService/GetCockpit",
             analytics::v1::GetCockpitRequest(), manager) == ShardPlan::kOne);
}

}  // namespace
}  // namespace gridwork::gateway
