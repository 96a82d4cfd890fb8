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

namespace av1 = analytics::v1;

av1::Series SeriesOf(const std::string& group, const std::vector<double>& values,
                     int64_t first_s = 1700000000) {
  av1::Series s;
  s.set_group(group);
  double total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    av1::SeriesPoint* p = s.add_points();
    p->mutable_period_start()->set_seconds(first_s + 86400 * static_cast<int64_t>(i));
    p->set_value(values[i]);
    total += values[i];
  }
  s.set_total(total);
  return s;
}

av1::OrderStatsRow OrderRow(const std::string& key, int64_t closed, int64_t on_time, int64_t rated,
                            double satisfaction) {
  av1::OrderStatsRow r;
  r.set_key(key);
  r.set_reported(closed + 1);
  r.set_closed(closed);
  r.set_closed_on_time(on_time);
  r.set_rated(rated);
  r.set_satisfaction(satisfaction);
  if (closed > 0) r.set_on_time_rate(static_cast<double>(on_time) / closed);
  return r;
}

void AddStage(av1::OrderStatsRow* r, int stage, int64_t count, int64_t avg_s, int64_t p90_s) {
  av1::StageTime* st = r->add_stages();
  st->set_stage(stage);
  st->set_count(count);
  st->mutable_average()->set_seconds(avg_s);
  st->mutable_p90()->set_seconds(p90_s);
}

TEST_CASE("windowed analytics merge over district shards", "[fanout]") {
  SECTION("surges of both shards, most today first") {
    av1::ListSurgesResponse d0, d1;
    auto add = [](av1::ListSurgesResponse* r, const std::string& path, const std::string& cat,
                  int today) {
      av1::Surge* s = r->add_surges();
      s->set_region_path(path);
      s->set_category_id(cat);
      s->set_today(today);
    };
    add(&d0, "410105/s1/c1", "garbage", 9);
    add(&d0, "410105/s1/c2", "garbage", 5);
    add(&d1, "410185/s1/c1", "water", 7);
    add(&d1, "410185/s1/c1", "garbage", 5);
    av1::ListSurgesResponse m = MergeSurges({d0, d1});
    REQUIRE(m.surges_size() == 4);
    CHECK(m.surges(0).today() == 9);
    CHECK(m.surges(1).category_id() == "water");
    CHECK(m.surges(2).region_path() == "410105/s1/c2");
    CHECK(m.surges(3).region_path() == "410185/s1/c1");
  }

  SECTION("series summed by group and period; an empty shard adds no group") {
    av1::QuerySeriesResponse d0, d1, empty;
    *d0.add_series() = SeriesOf("garbage", {1, 2, 0});
    *d0.add_series() = SeriesOf("water", {0, 1, 1});
    *d1.add_series() = SeriesOf("garbage", {3, 0, 4});
    *empty.add_series() = SeriesOf("", {0, 0, 0});
    absl::StatusOr<av1::QuerySeriesResponse> m = MergeSeries({d0, d1, empty});
    REQUIRE(m.ok());
    REQUIRE(m->series_size() == 2);  // no "" group from the empty shard
    CHECK(m->series(0).group() == "garbage");
    REQUIRE(m->series(0).points_size() == 3);
    CHECK(m->series(0).points(0).value() == 4);
    CHECK(m->series(0).points(1).value() == 2);
    CHECK(m->series(0).points(2).value() == 4);
    CHECK(m->series(0).total() == 10);
    CHECK(m->series(1).group() == "water");
    CHECK(m->series(1).points_size() == 3);
    CHECK(m->series(1).total() == 2);
    // Every shard empty: analytics' own empty answer, once.
    m = MergeSeries({empty, empty});
    REQUIRE(m.ok());
    REQUIRE(m->series_size() == 1);
    CHECK(m->series(0).group().empty());
    CHECK(m->series(0).points_size() == 3);
    CHECK(m->series(0).total() == 0);
    // GROUP_BY_NONE: one "" series per shard, summed.
    av1::QuerySeriesResponse n0, n1;
    *n0.add_series() = SeriesOf("", {1, 0});
    *n1.add_series() = SeriesOf("", {2, 5});
    m = MergeSeries({n0, n1});
    REQUIRE(m.ok());
    REQUIRE(m->series_size() == 1);
    CHECK(m->series(0).points(1).value() == 5);
    CHECK(m->series(0).total() == 8);
    // A period only one shard answered (its clock past a boundary) is kept, zero elsewhere,
    // and every group has every period.
    av1::QuerySeriesResponse late;
    *late.add_series() = SeriesOf("garbage", {0, 7}, 1700000000 + 86400 * 2);
    m = MergeSeries({d0, late});
    REQUIRE(m.ok());
    REQUIRE(m->series_size() == 2);
    REQUIRE(m->series(0).points_size() == 4);
    CHECK(m->series(0).points(2).value() == 0);
    CHECK(m->series(0).points(3).value() == 7);
    CHECK(m->series(1).points_size() == 4);
    // More groups than analytics allows for one query.
    av1::QuerySeriesResponse g0, g1;
    for (int i = 0; i < 150; ++i) {
      *g0.add_series() = SeriesOf(absl::StrCat("a", i), {1});
      *g1.add_series() = SeriesOf(absl::StrCat("b", i), {1});
    }
    CHECK(MergeSeries({g0, g1}).status().code() == absl::StatusCode::kInvalidArgument);
  }

  SECTION("order stats: counts summed, rates and averages recomputed from them") {
    av1::GetOrderStatsResponse d0, d1;
    *d0.add_rows() = OrderRow("water", 4, 4, 2, 5.0);
    *d1.add_rows() = OrderRow("water", 1, 0, 1, 2.0);
    *d1.add_rows() = OrderRow("roads", 2, 1, 0, 0);
    *d0.mutable_total() = OrderRow("total", 4, 4, 2, 5.0);
    *d1.mutable_total() = OrderRow("total", 3, 1, 1, 2.0);
    AddStage(d0.mutable_rows(0), 2, 3, 100, 300);
    AddStage(d1.mutable_rows(0), 2, 1, 500, 900);
    AddStage(d1.mutable_rows(0), 3, 2, 60, 60);
    d1.mutable_total()->set_open_now(3);
    d0.mutable_total()->set_open_now(2);
    av1::GetOrderStatsResponse m = MergeOrderStats({d0, d1});
    REQUIRE(m.rows_size() == 2);
    CHECK(m.rows(0).key() == "roads");
    const av1::OrderStatsRow& w = m.rows(1);
    CHECK(w.key() == "water");
    CHECK(w.closed() == 5);
    CHECK(w.reported() == 7);
    CHECK(w.on_time_rate() == Approx(0.8));  // 4 of 5, not the mean of 1.0 and 0.0
    CHECK(w.satisfaction() == Approx(4.0));  // (5 + 5 + 2) / 3, not (5 + 2) / 2
    REQUIRE(w.stages_size() == 2);
    CHECK(w.stages(0).stage() == 2);
    CHECK(w.stages(0).count() == 4);
    CHECK(w.stages(0).average().seconds() == 200);  // (3 x 100 + 500) / 4, not 300
    CHECK(w.stages(0).p90().seconds() == 900);      // the largest bucket bound
    CHECK(w.stages(1).count() == 2);
    CHECK(w.stages(1).average().seconds() == 60);
    CHECK(m.total().key() == "total");
    CHECK(m.total().closed() == 7);
    CHECK(m.total().on_time_rate() == Approx(5.0 / 7));
    CHECK(m.total().open_now() == 5);
  }

  SECTION("inspection stats: figures summed, rates recomputed") {
    av1::GetInspectionStatsResponse d0, d1;
    auto row = [](const std::string& key, int assigned, int done, int results, int problems) {
      av1::InspectionStatsRow r;
      r.set_key(key);
      r.mutable_figures()->set_assigned(assigned);
      r.mutable_figures()->set_done(done);
      r.mutable_figures()->set_results(results);
      r.mutable_figures()->set_results_with_problems(problems);
      r.set_done_rate(assigned > 0 ? static_cast<double>(done) / assigned : 0);
      r.set_problem_rate(results > 0 ? static_cast<double>(problems) / results : 0);
      return r;
    };
    *d0.add_rows() = row("SHOP", 10, 10, 10, 1);
    *d1.add_rows() = row("SHOP", 2, 0, 1, 1);
    *d0.mutable_total() = row("total", 10, 10, 10, 1);
    *d1.mutable_total() = row("total", 2, 0, 1, 1);
    av1::GetInspectionStatsResponse m = MergeInspectionStats({d0, d1});
    REQUIRE(m.rows_size() == 1);
    CHECK(m.rows(0).figures().assigned() == 12);
    CHECK(m.rows(0).done_rate() == Approx(10.0 / 12));    // not (1.0 + 0.0) / 2
    CHECK(m.rows(0).problem_rate() == Approx(2.0 / 11));  // not (0.1 + 1.0) / 2
    CHECK(m.total().key() == "total");
    CHECK(m.total().figures().results() == 11);
  }
}

// A shard's ListAssessment page: rows from the offset in `token`, ranked locally.
av1::ListAssessmentResponse AssessmentPage(const std::vector<std::pair<std::string, double>>& rows,
                                           const std::string& token, int size,
                                           uint64_t version = 3) {
  size_t from = token.empty() ? 0 : std::stoul(token);
  av1::ListAssessmentResponse r;
  r.set_total_workers(static_cast<int32_t>(rows.size()));
  r.set_config_version(version);
  size_t i = from;
  for (; i < rows.size() && r.rows_size() < size; ++i) {
    av1::AssessmentRow* row = r.add_rows();
    row->set_worker_id(rows[i].first);
    row->set_score(rows[i].second);
    row->set_rank(static_cast<int32_t>(i + 1));  // the shard's own rank, replaced
  }
  if (i < rows.size()) r.set_next_page_token(std::to_string(i));
  return r;
}

TEST_CASE("a merged assessment ranks every shard's workers across pages", "[fanout]") {
  const std::vector<std::vector<std::pair<std::string, double>>> shards = {
      {{"a1", 90}, {"a2", 80}, {"a3", 80}, {"a4", 50}}, {{"b1", 85}, {"b2", 80}, {"b3", 10}}};
  av1::ListAssessmentRequest req;
  req.set_page_size(2);
  const std::string fp = QueryFingerprint(req);
  const ListSpec& spec = AssessmentListSpec();
  std::vector<std::pair<std::string, int>> seen;  // worker, rank
  std::string token;
  int pages = 0;
  do {
    std::string extra;
    auto cursors = DecodeMergedToken(token, fp, {"d0", "d1"}, &extra);
    REQUIRE(cursors.ok());
    std::vector<av1::ListAssessmentResponse> answers(2);
    std::vector<const pb::Message*> ptrs(2, nullptr);
    for (int i = 0; i < 2; ++i) {
      if ((*cursors)[i].done) continue;
      answers[i] =
          AssessmentPage(shards[i], (*cursors)[i].token, ShardPageSize(spec, 2, (*cursors)[i]));
      ptrs[i] = &answers[i];
    }
    av1::ListAssessmentResponse out;
    absl::Status s = MergeAssessmentPage(2, fp, *cursors, extra, ptrs, &out);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(out.total_workers() == 7);  // on every page, exhausted shards included
    CHECK(out.config_version() == 3);
    for (const auto& row : out.rows()) seen.emplace_back(row.worker_id(), row.rank());
    token = out.next_page_token();
    REQUIRE(++pages < 20);
  } while (!token.empty());
  // Ranks over both shards (ties share a rank, the next rank skips), right across pages: the
  // three 80s span pages 2 and 3.
  CHECK(seen == std::vector<std::pair<std::string, int>>{
                    {"a1", 1}, {"b1", 2}, {"a2", 3}, {"a3", 3}, {"b2", 3}, {"a4", 6}, {"b3", 7}});

  // Shards ranking under different configs are refused rather than merged.
  auto cursors = DecodeMergedToken("", fp, {"d0", "d1"});
  REQUIRE(cursors.ok());
  av1::ListAssessmentResponse p0 = AssessmentPage(shards[0], "", 2, 3);
  av1::ListAssessmentResponse p1 = AssessmentPage(shards[1], "", 2, 4);
  av1::ListAssessmentResponse out;
  CHECK(MergeAssessmentPage(2, fp, *cursors, "", {&p0, &p1}, &out).code() ==
        absl::StatusCode::kFailedPrecondition);
  // A token's ranking state is checked like the rest of it.
  CHECK(MergeAssessmentPage(2, fp, *cursors, "x", {&p0, &p0}, &out).code() ==
        absl::StatusCode::kInvalidArgument);
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
  // The city's districts are on every geofence shard; a district's children on its own.
  geofence::v1::ListRegionsRequest regions;
  CHECK(plan(Upstream::kGeofence, "/gridwork.geofence.v1.GeofenceService/ListRegions", regions,
             admin) == ShardPlan::kFanOut);
  regions.set_parent_id("410185");
  CHECK(plan(Upstream::kGeofence, "/gridwork.geofence.v1.GeofenceService/ListRegions", regions,
             admin) == ShardPlan::kOne);
  // A key point and a subject go by their position (nested in the request).
  CHECK(plan(Upstream::kGeofence, "/gridwork.geofence.v1.GeofenceService/PutKeyPoint",
             geofence::v1::PutKeyPointRequest(), admin) == ShardPlan::kPosition);
  CHECK(plan(Upstream::kInspection, "/gridwork.inspection.v1.InspectionService/RegisterSubject",
             inspection::v1::RegisterSubjectRequest(), admin) == ShardPlan::kPosition);
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
  // Windowed analytics: every shard for an unscoped caller without a region; a scoped caller
  // or a call naming a region on the district's shard.
  const std::string an = "/gridwork.analytics.v1.AnalyticsService/";
  analytics::v1::QuerySeriesRequest series;
  CHECK(plan(Upstream::kAnalytics, an + "QuerySeries", series, admin) == ShardPlan::kFanOut);
  CHECK(plan(Upstream::kAnalytics, an + "QuerySeries", series, manager) == ShardPlan::kOne);
  series.set_region_prefix("410185/s1");
  absl::StatusOr<PlannedCall> d1 =
      PlanUnary(r, Upstream::kAnalytics, an + "QuerySeries", series, admin);
  REQUIRE(d1.ok());
  CHECK(d1->plan == ShardPlan::kOne);
  CHECK(d1->target.shard == "d1");
  CHECK(plan(Upstream::kAnalytics, an + "ListSurges", analytics::v1::ListSurgesRequest(), admin) ==
        ShardPlan::kFanOut);
  CHECK(plan(Upstream::kAnalytics, an + "GetOrderStats", analytics::v1::GetOrderStatsRequest(),
             admin) == ShardPlan::kFanOut);
  CHECK(plan(Upstream::kAnalytics, an + "GetInspectionStats",
             analytics::v1::GetInspectionStatsRequest(), admin) == ShardPlan::kFanOut);
  analytics::v1::ListAssessmentRequest assess;
  CHECK(plan(Upstream::kAnalytics, an + "ListAssessment", assess, admin) == ShardPlan::kFanOut);
  CHECK(plan(Upstream::kAnalytics, an + "ListAssessment", assess, manager) == ShardPlan::kOne);
  rpc::Principal grid_worker;  // unscoped, so only their own row: ranked by their shard
  grid_worker.set_role(common::v1::ROLE_GRID_WORKER);
  grid_worker.set_subject("worker-1");
  CHECK(plan(Upstream::kAnalytics, an + "ListAssessment", assess, grid_worker) == ShardPlan::kOne);
  assess.set_region_prefix("410105");
  CHECK(plan(Upstream::kAnalytics, an + "ListAssessment", assess, admin) == ShardPlan::kOne);
  CHECK(plan(Upstream::kAnalytics, an + "SetAssessmentConfig",
             analytics::v1::SetAssessmentConfigRequest(), admin) == ShardPlan::kBroadcast);
}

}  // namespace
}  // namespace gridwork::gateway
