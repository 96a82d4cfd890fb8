// Unit tests of analytics: exact figures from small hand-made event sets.
#include <catch2/catch.hpp>

#include "gridwork/geo/distance.h"
#include "services/analytics/analytics_test_util.h"
#include "services/analytics/assessment.h"
#include "services/analytics/china_time.h"
#include "services/analytics/csv.h"
#include "services/analytics/stage_histogram.h"

namespace gridwork::analytics {
namespace {

using namespace ::gridwork::analytics::testing;  // NOLINT
using service::ToProto;

constexpr char kGrid[] = "410105/s01/c01/g01";
constexpr char kOtherGrid[] = "410105/s01/c02/g01";
constexpr double kLat = 34.7466, kLng = 113.6253;

const Principal kAdmin = As(common::v1::ROLE_ADMIN, "admin");
const Principal kLeader = As(common::v1::ROLE_GRID_LEADER, "leader", "410105/s01/c01");

// The centre of the cell `drow` rows and `dcol` columns away from the centre cell.
geo::Point Neighbour(const CellRaster& r, int drow, int dcol) {
  const geo::Point c = r.CellCenter(r.CellOf(kLat, kLng));
  const double dlat = r.size_m() / 111320.0;
  const geo::Point row = r.CellCenter(r.CellOf(c.y() + drow * dlat, c.x()));
  const geo::Point east = r.CellCenter(r.CellOf(row.y(), row.x()) + 1);
  return geo::Point(row.x() + dcol * (east.x() - row.x()), row.y());
}

TEST_CASE("cells are square, round-trip and sort west to east", "[cells]") {
  CellRaster r(30);
  for (double lat : {-33.9, 0.1, 34.75, 60.2}) {
    for (double lng : {-70.6, 0.0, 113.65}) {
      const uint64_t id = r.CellOf(lat, lng);
      const geo::Point c = r.CellCenter(id);
      CHECK(r.CellOf(c.y(), c.x()) == id);
      const geo::Point east = r.CellCenter(id + 1);
      const double width = geo::HaversineMeters(c, east);
      const geo::Point north = r.CellCenter(r.CellOf(c.y() + 30 / 111320.0, c.x()));
      const double height = geo::HaversineMeters(c, geo::Point(c.x(), north.y()));
      CHECK(width == Approx(30).epsilon(0.02));
      CHECK(height == Approx(30).epsilon(0.02));
      CHECK(east.x() > c.x());
    }
  }
}

TEST_CASE("coverage of a 3x3-cell grid, per grid and per worker", "[coverage]") {
  AnalyticsFixture f;
  const CellRaster& r = f.ingest->raster();
  f.shapes.shapes[kGrid] = ThreeByThree(r, kLat, kLng);
  f.Apply(Source::kGeofence, {f.GridAdded(kGrid), f.Bound("wang", kGrid), f.Bound("li", kGrid)});
  REQUIRE(f.live->Grid(kGrid) != nullptr);
  REQUIRE(f.live->Grid(kGrid)->cells.size() == 9);

  const absl::Time t0 = f.clock.Now() - absl::Hours(2);
  auto at = [&](int drow, int dcol, int minute) {
    const geo::Point p = Neighbour(r, drow, dcol);
    return AnalyticsFixture::FixAt{p.y(), p.x(), t0 + absl::Minutes(minute)};
  };
  // wang: 4 distinct cells (one twice) and one fix outside the grid; li: 2 cells, 1 shared.
  f.Apply(Source::kLocation, {f.Fixes("wang", {at(0, 0, 0), at(0, 1, 1), at(1, 1, 2), at(1, 1, 3),
                                               at(-1, -1, 4), at(5, 5, 5)}),
                              f.Fixes("li", {at(0, 0, 0), at(-1, 1, 1)})});

  v1::GetCoverageRequest req;
  auto resp = f.core->GetCoverage(kAdmin, req);
  REQUIRE(resp.ok());
  REQUIRE(resp->grids_size() == 1);
  const v1::GridCoverage& g = resp->grids(0);
  CHECK(g.cells_total() == 9);
  CHECK(g.cells_visited() == 5);
  CHECK(g.coverage() == Approx(5.0 / 9));
  std::map<std::string, int> per_worker;
  for (const auto& w : g.workers()) per_worker[w.worker_id()] = w.cells_visited();
  CHECK(per_worker == std::map<std::string, int>{{"li", 2}, {"wang", 4}});

  // The cockpit shows the same coverage from memory, and after a restart from the store.
  CHECK(f.core->GetCockpit(kAdmin, {})->total().coverage_today() == Approx(5.0 / 9));
  f.Reopen();
  CHECK(f.core->GetCockpit(kAdmin, {})->total().coverage_today() == Approx(5.0 / 9));

  // A grid worker sees the grid and only their own row.
  auto own = f.core->GetCoverage(As(common::v1::ROLE_GRID_WORKER, "li", kGrid), req);
  REQUIRE(own.ok());
  REQUIRE(own->grids(0).workers_size() == 1);
  CHECK(own->grids(0).workers(0).worker_id() == "li");
}

TEST_CASE("distance and own-grid time follow device time and skip gaps and jumps", "[track]") {
  AnalyticsFixture f;
  const CellRaster& r = f.ingest->raster();
  f.shapes.shapes[kGrid] = ThreeByThree(r, kLat, kLng);
  f.Apply(Source::kGeofence, {f.GridAdded(kGrid), f.Bound("wang", kGrid)});
  const absl::Time t0 = f.clock.Now() - absl::Hours(3);
  const geo::Point a = Neighbour(r, 0, 0), b = Neighbour(r, 0, 1), c = Neighbour(r, 1, 1);
  const double ab = geo::HaversineMeters(a, b), bc = geo::HaversineMeters(b, c);
  f.Apply(Source::kLocation,
          {f.Fixes("wang", {{a.y(), a.x(), t0},
                            {b.y(), b.x(), t0 + absl::Minutes(1)},
                            // a late fix (older than the newest) adds neither distance nor time
                            {c.y(), c.x(), t0 + absl::Seconds(30)},
                            {c.y(), c.x(), t0 + absl::Minutes(2)},
                            // 20 minutes later: a gap, no distance or time for this step
                            {a.y(), a.x(), t0 + absl::Minutes(22)},
                            // a 5 km jump one minute later: time outside, no distance
                            {a.y() + 0.045, a.x(), t0 + absl::Minutes(23)}})});
  auto rows = f.core->ListAssessment(kAdmin, {});
  REQUIRE(rows.ok());
  REQUIRE(rows->rows_size() == 1);
  const v1::WorkerFigures& fig = rows->rows(0).figures();
  CHECK(fig.distance_km() == Approx((ab + bc) / 1000.0));
  CHECK(fig.own_grid_hours() == Approx(120.0 / 3600.0));
  CHECK(fig.working_days() == 1);
  CHECK(fig.coverage_avg() == Approx(3.0 / 9));
}

TEST_CASE("a score from known inputs, and new weights recompute from stored days", "[score]") {
  v1::WorkerFigures fig;
  fig.set_working_days(1);
  fig.set_distance_km(4);     // 4 / 8      = 0.5
  fig.set_own_grid_hours(6);  // 6 / 6      = 1
  fig.set_coverage_avg(0.3);  // 0.3 / 0.6  = 0.5
  fig.set_check_ins(1);       // 1 / 2      = 0.5
  fig.set_check_ins_required(2);
  fig.set_inspections_assigned(4);  // 3 / 4      = 0.75
  fig.set_inspections_on_time(3);
  fig.set_incidents_confirmed(1);     // 1 / 2      = 0.5
  fig.set_verifications_assigned(1);  // 1 / 1      = 1
  fig.set_verifications_done(1);
  *fig.mutable_response_avg() = ToProto(absl::Hours(3));  // 2 - 3/2 = 0.5
  const v1::AssessmentRow row = ScoreWorker(fig, DefaultAssessmentConfig());
  // 15*.5 + 15*1 + 20*.5 + 10*.5 + 15*.75 + 10*.5 + 10*1 + 5*.5 = 66.25 (weights sum to 100)
  CHECK(row.score() == Approx(66.25));
  REQUIRE(row.breakdown_size() == 8);
  double points = 0;
  for (const auto& c : row.breakdown()) points += c.points();
  CHECK(points == Approx(66.25));
  CHECK(row.breakdown(4).name() == "inspections");
  CHECK(row.breakdown(4).value() == Approx(0.75));

  // Absent the whole window: nothing owed earns nothing, but work done still counts.
  v1::WorkerFigures absent;
  CHECK(ScoreWorker(absent, DefaultAssessmentConfig()).score() == Approx(0));
  absent.set_inspections_assigned(2);
  absent.set_inspections_on_time(2);
  CHECK(ScoreWorker(absent, DefaultAssessmentConfig()).score() == Approx(15));
  // One working day with nothing owed: those components are full marks again.
  v1::WorkerFigures idle_day;
  idle_day.set_working_days(1);
  CHECK(ScoreWorker(idle_day, DefaultAssessmentConfig()).score() == Approx(10 + 15 + 10 + 5));

  v1::AssessmentConfig only_coverage;
  only_coverage.set_weight_coverage(1);
  only_coverage.set_target_coverage(0.6);
  CHECK(ScoreWorker(fig, only_coverage).score() == Approx(50));

  // Through the core: a stored day, then new weights from the admin apply at once.
  AnalyticsFixture f;
  f.shapes.shapes[kGrid] = ThreeByThree(f.ingest->raster(), kLat, kLng);
  f.Apply(Source::kGeofence, {f.GridAdded(kGrid), f.Bound("wang", kGrid)});
  f.Apply(Source::kLocation, f.Fixes("wang", {{kLat, kLng, f.clock.Now() - absl::Hours(1)}}));
  auto before = f.core->ListAssessment(kAdmin, {});
  REQUIRE(before.ok());
  const double coverage_value = before->rows(0).breakdown(2).value();  // 1/9 / 0.6
  CHECK(coverage_value == Approx((1.0 / 9) / 0.6));
  v1::SetAssessmentConfigRequest set;
  set.set_request_id("weights-1");
  *set.mutable_config() = only_coverage;
  set.set_expected_version(0);
  CHECK(f.core->SetAssessmentConfig(kLeader, set).status().code() ==
        absl::StatusCode::kPermissionDenied);
  REQUIRE(f.core->SetAssessmentConfig(kAdmin, set).ok());
  auto after = f.core->ListAssessment(kAdmin, {});
  REQUIRE(after.ok());
  CHECK(after->config_version() == 1);
  CHECK(after->rows(0).score() == Approx(100 * coverage_value));
  // A stale version changes nothing.
  set.set_request_id("weights-2");
  set.mutable_config()->set_weight_patrol_distance(5);
  CHECK(f.core->SetAssessmentConfig(kAdmin, set).status().code() == absl::StatusCode::kAborted);
  CHECK(f.store->LoadAssessmentConfig()->weight_patrol_distance() == 0);
  // Bad weights are refused.
  set.set_expected_version(1);
  set.mutable_config()->set_weight_coverage(-1);
  CHECK(f.core->SetAssessmentConfig(kAdmin, set).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("surge detection against the same weekday's trailing average", "[surges]") {
  AnalyticsFixture f;
  const absl::Time today = f.clock.Now() - absl::Hours(1);
  std::vector<store::FeedEvent> events;
  int n = 0;
  auto report = [&](const std::string& community, const std::string& category, absl::Time at,
                    int count) {
    for (int i = 0; i < count; ++i) {
      events.push_back(f.Order(absl::StrCat("o", ++n), wo::ACTION_REPORT, wo::STATE_UNSPECIFIED,
                               wo::STATE_REPORTED, at, community + "/g01", category, "",
                               wo::STAGE_TRIAGE));
    }
  };
  const std::string c1 = "410105/s01/c01", c2 = "410105/s01/c02";
  // parking in c1: 10 today vs 2 on each of the last 4 same weekdays -> ratio 5, surge
  report(c1, "traffic.parking", today, 10);
  for (int w = 1; w <= 4; ++w) report(c1, "traffic.parking", today - absl::Hours(24 * 7 * w), 2);
  // garbage in c1: exactly 2x (8 vs 4) -> surge (>=)
  report(c1, "env.garbage", today, 8);
  for (int w = 1; w <= 4; ++w) report(c1, "env.garbage", today - absl::Hours(24 * 7 * w), 4);
  // noise in c1: 7 vs 4 -> 1.75x, no surge
  report(c1, "noise", today, 7);
  for (int w = 1; w <= 4; ++w) report(c1, "noise", today - absl::Hours(24 * 7 * w), 4);
  // drains in c2: 5 vs nothing before -> surge (min_count reached, no history)
  report(c2, "facility.drain", today, 5);
  // manholes in c2: 4 vs nothing -> below min_count, no surge
  report(c2, "facility.manhole", today, 4);
  // parking in c2 on a different weekday only: not part of the average
  report(c2, "traffic.parking", today - absl::Hours(24), 50);
  f.Apply(Source::kWorkOrder, events);

  auto s = f.core->ListSurges(kAdmin, {});
  REQUIRE(s.ok());
  std::map<std::string, double> got;
  for (const auto& x : s->surges()) got[x.region_path() + " " + x.category_id()] = x.ratio();
  CHECK(got == std::map<std::string, double>{{c1 + " traffic.parking", 5.0},
                                             {c1 + " env.garbage", 2.0},
                                             {c2 + " facility.drain", 0.0}});
  // Scoped: the c1 leader sees only c1's surges; another community is denied.
  auto scoped = f.core->ListSurges(kLeader, {});
  REQUIRE(scoped.ok());
  CHECK(scoped->surges_size() == 2);
  v1::ListSurgesRequest other;
  other.set_region_prefix(c2);
  CHECK(f.core->ListSurges(kLeader, other).status().code() == absl::StatusCode::kPermissionDenied);
  // Thresholds are parameters.
  v1::ListSurgesRequest strict;
  strict.set_ratio(3);
  strict.set_min_count(6);
  auto st = f.core->ListSurges(kAdmin, strict);
  REQUIRE(st.ok());
  REQUIRE(st->surges_size() == 1);
  CHECK(st->surges(0).category_id() == "traffic.parking");
}

TEST_CASE("the closed loop's figures: stages, on time, reopen, rating, cancel", "[orders]") {
  AnalyticsFixture f;
  const absl::Time t = f.clock.Now() - absl::Hours(6);
  const std::string g = kGrid;
  const auto worker = common::v1::ROLE_GRID_WORKER;
  std::vector<store::FeedEvent> ev = {
      // o1: reported by a worker, dispatched by rule, accepted after 30 min, handled 2 h later,
      // verified unsatisfied (reopen), handled again, verified, closed, rated 4.
      f.Order("o1", wo::ACTION_REPORT, wo::STATE_UNSPECIFIED, wo::STATE_REPORTED, t, g,
              "env.garbage", "", wo::STAGE_TRIAGE, "wang", worker),
      f.Order("o1", wo::ACTION_DISPATCH, wo::STATE_REPORTED, wo::STATE_DISPATCHED, t, g,
              "env.garbage", "urban", wo::STAGE_ACCEPT, "rule:r1", common::v1::ROLE_SERVICE),
      f.Order("o1", wo::ACTION_ACCEPT, wo::STATE_DISPATCHED, wo::STATE_ACCEPTED,
              t + absl::Minutes(30), g, "env.garbage", "urban", wo::STAGE_HANDLE, "zhao"),
      f.Order("o1", wo::ACTION_HANDLE, wo::STATE_ACCEPTED, wo::STATE_HANDLED,
              t + absl::Minutes(150), g, "env.garbage", "urban", wo::STAGE_REVIEW, "zhao"),
  };
  wo::OrderEvent assign;
  f.Apply(Source::kWorkOrder, ev);
  auto verify =
      f.Order("o1", wo::ACTION_ASSIGN_VERIFICATION, wo::STATE_HANDLED, wo::STATE_VERIFYING,
              t + absl::Minutes(160), g, "env.garbage", "urban", wo::STAGE_VERIFY, "station");
  {
    wo::OrderEvent e;
    verify.payload().UnpackTo(&e);
    e.set_verifier("wang");
    verify.mutable_payload()->PackFrom(e);
  }
  f.Apply(Source::kWorkOrder,
          {verify, f.Order("o1", wo::ACTION_VERIFY_UNSATISFIED, wo::STATE_VERIFYING,
                           wo::STATE_DISPATCHED, t + absl::Minutes(190), g, "env.garbage", "urban",
                           wo::STAGE_ACCEPT, "wang", worker)});
  // o2: reported by a worker, dispatched, then cancelled as a duplicate.
  f.Apply(Source::kWorkOrder,
          {f.Order("o2", wo::ACTION_REPORT, wo::STATE_UNSPECIFIED, wo::STATE_REPORTED, t, g,
                   "env.garbage", "", wo::STAGE_TRIAGE, "wang", worker),
           f.Order("o2", wo::ACTION_DISPATCH, wo::STATE_REPORTED, wo::STATE_DISPATCHED, t, g,
                   "env.garbage", "urban", wo::STAGE_ACCEPT, "station"),
           f.Order("o2", wo::ACTION_CANCEL, wo::STATE_DISPATCHED, wo::STATE_CANCELLED,
                   t + absl::Minutes(5), g, "env.garbage", "urban", wo::STAGE_NONE, "station")});
  // o3: overdue, then closed late, rated 2.
  wo::SlaAlarm alarm;
  alarm.set_order_id("o3");
  alarm.set_kind(wo::SlaAlarm::KIND_OVERDUE);
  *alarm.mutable_deadline() = ToProto(t + absl::Hours(1));
  auto rate = f.Order("o3", wo::ACTION_RATE, wo::STATE_CLOSED, wo::STATE_CLOSED, t + absl::Hours(4),
                      g, "facility.manhole", "municipal", wo::STAGE_NONE, "resident-1",
                      common::v1::ROLE_RESIDENT);
  {
    wo::OrderEvent e;
    rate.payload().UnpackTo(&e);
    e.set_rating_score(2);
    rate.mutable_payload()->PackFrom(e);
  }
  f.Apply(
      Source::kWorkOrder,
      {f.Order("o3", wo::ACTION_REPORT, wo::STATE_UNSPECIFIED, wo::STATE_REPORTED, t, g,
               "facility.manhole", "", wo::STAGE_TRIAGE, "resident-1", common::v1::ROLE_RESIDENT),
       f.Order("o3", wo::ACTION_DISPATCH, wo::STATE_REPORTED, wo::STATE_DISPATCHED, t, g,
               "facility.manhole", "municipal", wo::STAGE_ACCEPT, "station"),
       f.Event(alarm, g),
       f.Order("o3", wo::ACTION_VERIFY_SATISFIED, wo::STATE_VERIFYING, wo::STATE_CLOSED,
               t + absl::Hours(3), g, "facility.manhole", "municipal", wo::STAGE_NONE, "li"),
       rate});

  v1::GetOrderStatsRequest req;
  auto stats = f.core->GetOrderStats(kAdmin, req);
  REQUIRE(stats.ok());
  const v1::OrderStatsRow& total = stats->total();
  CHECK(total.reported() == 3);
  CHECK(total.dispatched() == 3);
  CHECK(total.closed() == 1);
  CHECK(total.closed_on_time() == 0);
  CHECK(total.overdue() == 1);
  CHECK(total.reopened() == 1);
  CHECK(total.cancelled_invalid() == 1);
  CHECK(total.rated() == 1);
  CHECK(total.satisfaction() == Approx(2));
  CHECK(total.open_now() == 1);                       // o1, back to DISPATCHED
  std::map<int, std::pair<int64_t, int64_t>> stages;  // stage -> (count, average s)
  for (const auto& st : total.stages()) stages[st.stage()] = {st.count(), st.average().seconds()};
  CHECK(stages[wo::STAGE_TRIAGE] == std::make_pair<int64_t, int64_t>(3, 0));  // rule dispatch
  // o1 30 min and o3 3 h; o2's stage ended by cancellation is not a handling time.
  CHECK(stages[wo::STAGE_ACCEPT].first == 2);
  CHECK(stages[wo::STAGE_ACCEPT].second == (30 * 60 + 3 * 3600) / 2);
  CHECK(stages[wo::STAGE_REVIEW] == std::make_pair<int64_t, int64_t>(1, 10 * 60));
  CHECK(stages[wo::STAGE_VERIFY] == std::make_pair<int64_t, int64_t>(1, 30 * 60));
  CHECK(stages[wo::STAGE_HANDLE] == std::make_pair<int64_t, int64_t>(1, 120 * 60));
  // The department handler sees only their department's rows.
  auto dept =
      f.core->GetOrderStats(As(common::v1::ROLE_DEPARTMENT_HANDLER, "zhao", "", "municipal"), req);
  REQUIRE(dept.ok());
  CHECK(dept->total().reported() == 0);  // reported before dispatch: no department yet
  CHECK(dept->total().closed() == 1);
  // A resident sees nothing.
  CHECK(f.core->GetOrderStats(As(common::v1::ROLE_RESIDENT, "r"), req).status().code() ==
        absl::StatusCode::kPermissionDenied);

  // Worker figures: wang reported 2, one confirmed then cancelled -> 1 confirmed; one
  // verification assigned and done after 30 min.
  f.shapes.shapes[kGrid] = ThreeByThree(f.ingest->raster(), kLat, kLng);
  f.Apply(Source::kGeofence, {f.GridAdded(kGrid), f.Bound("wang", kGrid)});
  auto rows = f.core->ListAssessment(kAdmin, {});
  REQUIRE(rows.ok());
  REQUIRE(rows->rows_size() == 1);
  const v1::WorkerFigures& fig = rows->rows(0).figures();
  CHECK(fig.incidents_reported() == 2);
  CHECK(fig.incidents_confirmed() == 1);
  CHECK(fig.verifications_assigned() == 1);
  CHECK(fig.verifications_done() == 1);
  CHECK(fig.response_avg().seconds() == 30 * 60);
}

TEST_CASE("inspection figures by department and subject type", "[inspections]") {
  AnalyticsFixture f;
  const absl::Time now = f.clock.Now();
  insp::ChecklistPublished cp;
  cp.mutable_checklist()->set_template_id("fire-shop");
  cp.mutable_checklist()->set_department("fire");
  auto task = [&](const std::string& id, insp::TaskState state, absl::Time due, absl::Time done,
                  const std::string& assignee) {
    insp::TaskChanged tc;
    insp::Task* t = tc.mutable_task();
    t->set_id(id);
    t->set_state(state);
    t->set_template_id("fire-shop");
    t->set_region_path(kGrid);
    t->set_assignee(assignee);
    t->set_subject_type(insp::SUBJECT_TYPE_SHOP);
    *t->mutable_due_at() = ToProto(due);
    if (state == insp::TASK_STATE_DONE) *t->mutable_done_at() = ToProto(done);
    return f.Event(tc, kGrid);
  };
  insp::ResultSubmitted rs;
  rs.mutable_result()->set_region_path(kGrid);
  rs.mutable_result()->set_department("fire");
  *rs.mutable_result()->mutable_submitted_at() = ToProto(now - absl::Hours(1));
  rs.mutable_result()->set_problem_count(2);
  rs.set_subject_type(insp::SUBJECT_TYPE_SHOP);
  const absl::Time due = now + absl::Hours(2);
  f.Apply(Source::kInspection,
          {f.Event(cp, ""), task("t1", insp::TASK_STATE_OPEN, due, now, "wang"),
           task("t2", insp::TASK_STATE_OPEN, due, now, "wang"),
           task("t3", insp::TASK_STATE_OPEN, due, now, "li"),
           task("t1", insp::TASK_STATE_DONE, due, now - absl::Hours(1), "wang"),
           task("t2", insp::TASK_STATE_MISSED, due, now, "wang"),
           // reassigned while open: li's figure moves to zhou
           task("t3", insp::TASK_STATE_OPEN, due, now, "zhou"), f.Event(rs, kGrid),
           // a late duplicate of a final state changes nothing
           task("t1", insp::TASK_STATE_DONE, due, now - absl::Hours(1), "wang")});
  v1::GetInspectionStatsRequest req;
  req.set_by_department(true);
  *req.mutable_to() = ToProto(now + absl::Hours(24));  // the tasks are due later today
  auto by_dept = f.core->GetInspectionStats(kAdmin, req);
  REQUIRE(by_dept.ok());
  const v1::InspectionFigures& fire = by_dept->total().figures();
  CHECK(fire.assigned() == 3);
  CHECK(fire.done() == 1);
  CHECK(fire.done_on_time() == 1);
  CHECK(fire.missed() == 1);
  CHECK(fire.results() == 1);
  CHECK(fire.results_with_problems() == 1);
  REQUIRE(by_dept->rows_size() == 1);
  CHECK(by_dept->rows(0).key() == "fire");
  req.set_by_department(false);
  auto by_type = f.core->GetInspectionStats(kAdmin, req);
  REQUIRE(by_type.ok());
  REQUIRE(by_type->rows_size() == 1);
  CHECK(by_type->rows(0).key() == "SUBJECT_TYPE_SHOP");
  CHECK(by_type->rows(0).problem_rate() == Approx(1.0));
  CHECK(by_type->rows(0).figures().assigned() == 3);
  CHECK(by_type->rows(0).figures().missed() == 1);
  CHECK(by_type->rows(0).done_rate() == Approx(1.0 / 3));
  // The cockpit counts today's due tasks.
  CHECK(f.core->GetCockpit(kAdmin, {})->inspections_today().assigned() == 3);
}

TEST_CASE("batch boundaries do not change any aggregate (digest)", "[exactly-once]") {
  // The same events applied as one batch and one event at a time must give byte-identical
  // aggregates: the read-modify-write overlay must see earlier events of its own batch.
  auto run = [](bool one_batch) {
    AnalyticsFixture f;
    f.shapes.shapes[kGrid] = ThreeByThree(f.ingest->raster(), kLat, kLng);
    std::vector<store::FeedEvent> geofence = {f.GridAdded(kGrid), f.Bound("wang", kGrid),
                                              f.Bound("li", kGrid)};
    std::vector<store::FeedEvent> fixes;
    const absl::Time t0 = f.clock.Now() - absl::Hours(5);
    for (int i = 0; i < 40; ++i) {
      const geo::Point p = Neighbour(f.ingest->raster(), i % 3 - 1, (i / 3) % 3 - 1);
      fixes.push_back(f.Fixes(i % 2 ? "wang" : "li", {{p.y(), p.x(), t0 + absl::Minutes(i)}}));
    }
    std::vector<store::FeedEvent> orders;
    for (int i = 0; i < 10; ++i) {
      const std::string id = absl::StrCat("o", i % 4);
      orders.push_back(f.Order(id, i < 4 ? wo::ACTION_REPORT : wo::ACTION_DISPATCH,
                               i < 4 ? wo::STATE_UNSPECIFIED : wo::STATE_REPORTED,
                               i < 4 ? wo::STATE_REPORTED : wo::STATE_DISPATCHED,
                               t0 + absl::Minutes(i), kGrid, "env.garbage", i < 4 ? "" : "urban",
                               i < 4 ? wo::STAGE_TRIAGE : wo::STAGE_ACCEPT, "wang",
                               common::v1::ROLE_GRID_WORKER));
    }
    for (auto [source, events] :
         {std::pair{Source::kGeofence, geofence}, std::pair{Source::kLocation, fixes},
          std::pair{Source::kWorkOrder, orders}}) {
      if (one_batch) {
        f.Apply(source, events);
      } else {
        for (const auto& e : events) f.Apply(source, {e});
      }
    }
    auto d = f.core->GetAggregateDigest(kAdmin, {});
    REQUIRE(d.ok());
    return *d;
  };
  const v1::AggregateDigest batched = run(true), single = run(false);
  CHECK(batched.records() > 10);
  CHECK(batched.sha256_hex() == single.sha256_hex());
}

TEST_CASE("scope: out-of-scope regions are denied, children are figures of the scope", "[scope]") {
  AnalyticsFixture f;
  f.shapes.shapes[kGrid] = ThreeByThree(f.ingest->raster(), kLat, kLng);
  f.shapes.shapes[kOtherGrid] = ThreeByThree(f.ingest->raster(), kLat + 0.01, kLng);
  f.Apply(Source::kGeofence, {f.GridAdded(kGrid), f.GridAdded(kOtherGrid), f.Bound("wang", kGrid),
                              f.Bound("li", kOtherGrid)});
  f.Apply(Source::kLocation,
          {f.Fixes("wang", {{kLat, kLng, f.clock.Now() - absl::Minutes(1)}}),
           f.Fixes("li", {{kLat + 0.01, kLng, f.clock.Now() - absl::Hours(1)}})});
  auto all = f.core->GetCockpit(As(common::v1::ROLE_STREET_MANAGER, "m", "410105/s01"), {});
  REQUIRE(all.ok());
  CHECK(all->total().workers_total() == 2);
  CHECK(all->total().workers_online() == 1);
  CHECK(all->total().workers_in_own_grid() == 1);
  REQUIRE(all->children_size() == 2);
  CHECK(all->children(0).region_path() == "410105/s01/c01");
  CHECK(all->children(0).workers_online() == 1);
  CHECK(all->children(1).region_path() == "410105/s01/c02");
  CHECK(all->children(1).workers_online() == 0);
  auto mine = f.core->GetCockpit(kLeader, {});
  REQUIRE(mine.ok());
  CHECK(mine->total().workers_total() == 1);
  v1::GetCockpitRequest sibling;
  sibling.set_region_prefix("410105/s01/c02");
  CHECK(f.core->GetCockpit(kLeader, sibling).status().code() ==
        absl::StatusCode::kPermissionDenied);
  v1::GetCockpitRequest lookalike;
  lookalike.set_region_prefix("410105/s01/c011");
  CHECK(f.core->GetCockpit(kLeader, lookalike).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.core->GetCockpit(As(common::v1::ROLE_GRID_WORKER, "wang", kGrid), {}).status().code() ==
        absl::StatusCode::kPermissionDenied);
  auto live = f.core->ListLiveWorkers(kLeader, {});
  REQUIRE(live.ok());
  REQUIRE(live->workers_size() == 1);
  CHECK(live->workers(0).worker_id() == "wang");
  CHECK(live->workers(0).online());
}

TEST_CASE("series by day and group, CSV, and bad requests", "[series]") {
  AnalyticsFixture f;
  const absl::Time now = f.clock.Now();
  std::vector<store::FeedEvent> ev;
  for (int d = 0; d < 3; ++d) {
    for (int i = 0; i <= d; ++i) {
      ev.push_back(f.Order(absl::StrCat("o", d, "-", i), wo::ACTION_REPORT, wo::STATE_UNSPECIFIED,
                           wo::STATE_REPORTED, now - absl::Hours(24 * d),
                           i % 2 ? kGrid : kOtherGrid, i % 2 ? "env.garbage" : "=cmd()", "",
                           wo::STAGE_TRIAGE));
    }
  }
  f.Apply(Source::kWorkOrder, ev);
  v1::QuerySeriesRequest q;
  q.set_metric(v1::METRIC_ORDERS_REPORTED);
  *q.mutable_from() = ToProto(now - absl::Hours(24 * 3));
  *q.mutable_to() = ToProto(now + absl::Hours(1));
  q.set_granularity(v1::GRANULARITY_DAY);
  auto s = f.core->QuerySeries(kAdmin, q);
  REQUIRE(s.ok());
  REQUIRE(s->series_size() == 1);
  CHECK(s->series(0).total() == 6);
  REQUIRE(s->series(0).points_size() == 4);
  CHECK(s->series(0).points(1).value() == 3);
  CHECK(s->series(0).points(3).value() == 1);
  q.set_group_by(v1::GROUP_BY_CATEGORY);
  auto by = f.core->QuerySeries(kAdmin, q);
  REQUIRE(by.ok());
  REQUIRE(by->series_size() == 2);
  CHECK(by->series(0).group() == "=cmd()");
  CHECK(by->series(0).total() == 4);
  auto csv = f.core->SeriesCsv(kAdmin, q);
  REQUIRE(csv.ok());
  CHECK(csv->rfind("metric,group,period_start,value\r\n", 0) == 0);
  CHECK(csv->find(",'=cmd(),") != std::string::npos);  // CSV injection defused
  q.set_granularity(v1::GRANULARITY_HOUR);
  *q.mutable_from() = ToProto(now - absl::Hours(24 * 200));
  CHECK(f.core->QuerySeries(kAdmin, q).status().code() == absl::StatusCode::kInvalidArgument);
  q.set_metric(static_cast<v1::Metric>(999));
  CHECK(f.core->QuerySeries(kAdmin, q).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(CsvLine({"a,b", "say \"hi\"", "-1.5", "-x"}) == "\"a,b\",\"say \"\"hi\"\"\",-1.5,'-x\r\n");
}

TEST_CASE("stage histogram quantiles and China-time periods", "[time]") {
  internal::StageHistogram h;
  for (int i = 0; i < 9; ++i) AddStageSample(200, &h);  // bucket <= 300 s
  AddStageSample(5000, &h);                             // bucket <= 7200 s
  CHECK(StageQuantileUpperBound(h, 0.9) == 300);
  CHECK(StageQuantileUpperBound(h, 1.0) == 7200);
  // 2025-11-23 20:30 UTC is Monday 04:30 in China: the China day, week and hour of day.
  const absl::Time t = absl::FromUnixSeconds(1763929800);
  CHECK(HourOfChinaDay(HourIndex(t)) == 4);
  CHECK(PeriodStart(Period::kDay, t) == absl::FromUnixSeconds(1763913600));  // 2025-11-24 00:00 +8
  CHECK(PeriodStart(Period::kWeek, t) == absl::FromUnixSeconds(1763913600));
  CHECK(DayFirstHour(ChinaDay(t)) == HourIndex(absl::FromUnixSeconds(1763913600)));
}

}  // namespace
TEST_CASE("a district shard counts only the workers bound in its grids", "[shard]") {
  // With a routing file, analytics-dX follows every location shard: the whole city's fixes.
  for (const bool only_bound : {false, true}) {
    INFO("only_bound_workers = " << only_bound);
    AnalyticsFixture f;
    f.ingest_options.only_bound_workers = only_bound;
    f.Reopen();
    f.shapes.shapes[kGrid] = ThreeByThree(f.ingest->raster(), kLat, kLng);
    f.Apply(Source::kGeofence, {f.GridAdded(kGrid), f.Bound("wang", kGrid)});
    // "far" is bound in another district's geofence shard: this shard never sees the binding.
    const absl::Time t = f.clock.Now() - absl::Minutes(1);
    f.Apply(Source::kLocation,
            {f.Fixes("wang", {{kLat, kLng, t}}), f.Fixes("far", {{kLat + 0.5, kLng + 0.5, t}})});
    auto cockpit = f.core->GetCockpit(kAdmin, {});
    REQUIRE(cockpit.ok());
    // Online figures: the grid counts know bound workers only; the active-per-hour series of
    // an unscoped caller counted every worker whose fixes arrived.
    CHECK(cockpit->total().workers_online() == 1);
    int active = 0;
    for (int32_t n : cockpit->online_by_hour()) active += n;
    CHECK(active == (only_bound ? 1 : 2));
    CHECK(f.live->BindingsOf("far").empty());
  }
}

TEST_CASE("live map and cockpit follow rebinding and unbinding, and a restart", "[live]") {
  AnalyticsFixture f;
  f.shapes.shapes[kGrid] = ThreeByThree(f.ingest->raster(), kLat, kLng);
  f.shapes.shapes[kOtherGrid] = ThreeByThree(f.ingest->raster(), kLat + 0.01, kLng);
  f.Apply(Source::kGeofence, {f.GridAdded(kGrid), f.GridAdded(kOtherGrid), f.Bound("w1", kGrid),
                              f.Bound("w2", kOtherGrid), f.Bound("w3", kGrid)});
  const absl::Time t = f.clock.Now() - absl::Minutes(1);
  // "loose" sends fixes but is bound nowhere: on no map and in no count.
  f.Apply(Source::kLocation, {f.Fixes("w1", {{kLat, kLng, t}}), f.Fixes("w2", {{kLat, kLng, t}}),
                              f.Fixes("loose", {{kLat, kLng, t}})});
  const std::string g1 = kGrid, g2 = kOtherGrid;
  const Principal manager = As(common::v1::ROLE_STREET_MANAGER, "m", "410105/s01");
  auto ids = [&](const v1::ListLiveWorkersRequest& r) {
    auto live = f.core->ListLiveWorkers(manager, r);
    REQUIRE(live.ok());
    std::vector<std::string> out;
    for (const auto& w : live->workers()) out.push_back(w.worker_id() + "@" + w.grid_id());
    return std::make_pair(out, live->next_page_token());
  };
  auto per_child = [&]() {
    auto c = f.core->GetCockpit(manager, {});
    REQUIRE(c.ok());
    std::map<std::string, std::pair<int, int>> out;  // child -> (total, online)
    for (const auto& ch : c->children()) {
      out[ch.region_path()] = {ch.workers_total(), ch.workers_online()};
    }
    out["total"] = {c->total().workers_total(), c->total().workers_online()};
    return out;
  };
  using Counts = std::map<std::string, std::pair<int, int>>;
  CHECK(ids({}).first == std::vector<std::string>{"w1@" + g1, "w2@" + g2, "w3@" + g1});
  CHECK(per_child() ==
        Counts{{"410105/s01/c01", {2, 1}}, {"410105/s01/c02", {1, 1}}, {"total", {3, 2}}});

  // Pages of 2, in worker order across grids.
  v1::ListLiveWorkersRequest page;
  page.set_page_size(2);
  auto first = ids(page);
  CHECK(first.first == std::vector<std::string>{"w1@" + g1, "w2@" + g2});
  REQUIRE_FALSE(first.second.empty());
  page.set_page_token(first.second);
  CHECK(ids(page).first == std::vector<std::string>{"w3@" + g1});

  // w1 moves to the other grid (its first grid is now kOtherGrid), w3 is unbound.
  gf::BindingChanged unbind;
  unbind.mutable_binding()->set_worker_id("w3");
  unbind.mutable_binding()->set_grid_id(kGrid);
  unbind.set_kind(gf::CHANGE_KIND_DELETED);
  gf::BindingChanged unbind1 = unbind;
  unbind1.mutable_binding()->set_worker_id("w1");
  f.Apply(Source::kGeofence,
          {f.Bound("w1", kOtherGrid), f.Event(unbind1, kGrid), f.Event(unbind, kGrid)});
  // c01 keeps its grid, now without workers.
  const Counts moved{{"410105/s01/c01", {0, 0}}, {"410105/s01/c02", {2, 2}}, {"total", {2, 2}}};
  CHECK(ids({}).first == std::vector<std::string>{"w1@" + g2, "w2@" + g2});
  CHECK(per_child() == moved);

  f.Reopen();
  CHECK(ids({}).first == std::vector<std::string>{"w1@" + g2, "w2@" + g2});
  CHECK(per_child() == moved);
}

}  // namespace gridwork::analytics
