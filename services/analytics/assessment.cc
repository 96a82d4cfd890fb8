#include "services/analytics/assessment.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/service/time_convert.h"
#include "services/analytics/csv.h"

namespace gridwork::analytics {
namespace {

double Ratio(double value, double target) {
  if (target <= 0) return 1.0;
  return std::clamp(value / target, 0.0, 1.0);
}

}  // namespace

v1::AssessmentRow ScoreWorker(const v1::WorkerFigures& f, const v1::AssessmentConfig& c) {
  const double days = f.working_days();
  // A component with nothing owed (no check-ins required, no inspection or verification
  // assigned) gives full marks only to a worker who worked in the window (a day with fixes).
  // Without that, a worker absent the whole window scored 40 of 100 for doing nothing.
  const double nothing_owed = days > 0 ? 1.0 : 0.0;
  const double response_target = absl::ToDoubleSeconds(service::FromProto(c.target_response()));
  const double response_avg = absl::ToDoubleSeconds(service::FromProto(f.response_avg()));
  struct Component {
    const char* name;
    double weight;
    double value;
  };
  const Component components[] = {
      {"patrol_distance", c.weight_patrol_distance(),
       days > 0 ? Ratio(f.distance_km(), c.target_distance_km() * days) : 0.0},
      {"own_grid_time", c.weight_own_grid_time(),
       days > 0 ? Ratio(f.own_grid_hours(), c.target_own_grid_hours() * days) : 0.0},
      {"coverage", c.weight_coverage(),
       days > 0 ? Ratio(f.coverage_avg(), c.target_coverage()) : 0.0},
      {"check_ins", c.weight_check_ins(),
       f.check_ins_required() > 0 ? Ratio(f.check_ins(), f.check_ins_required()) : nothing_owed},
      {"inspections", c.weight_inspections(),
       f.inspections_assigned() > 0 ? Ratio(f.inspections_on_time(), f.inspections_assigned())
                                    : nothing_owed},
      {"incidents", c.weight_incidents(),
       days > 0 ? Ratio(f.incidents_confirmed(), c.target_incidents() * days) : 0.0},
      {"verifications", c.weight_verifications(),
       f.verifications_assigned() > 0 ? Ratio(f.verifications_done(), f.verifications_assigned())
                                      : nothing_owed},
      {"response", c.weight_response(),
       f.verifications_done() == 0 || response_target <= 0
           ? nothing_owed
           : std::clamp(2.0 - response_avg / response_target, 0.0, 1.0)},
  };
  double weights = 0;
  for (const Component& k : components) weights += std::max(0.0, k.weight);
  v1::AssessmentRow row;
  *row.mutable_figures() = f;
  double score = 0;
  for (const Component& k : components) {
    v1::ScoreComponent* sc = row.add_breakdown();
    sc->set_name(k.name);
    sc->set_weight(k.weight);
    sc->set_value(k.value);
    const double points = weights > 0 && k.weight > 0 ? 100.0 * k.weight * k.value / weights : 0;
    sc->set_points(points);
    score += points;
  }
  row.set_score(score);
  return row;
}

absl::Status ValidateAssessmentConfig(const v1::AssessmentConfig& c) {
  const double values[] = {
      c.weight_patrol_distance(), c.weight_own_grid_time(), c.weight_coverage(),
      c.weight_check_ins(),       c.weight_inspections(),   c.weight_incidents(),
      c.weight_verifications(),   c.weight_response(),      c.target_distance_km(),
      c.target_own_grid_hours(),  c.target_coverage(),      c.target_incidents()};
  double weights = 0;
  for (int i = 0; i < 12; ++i) {
    if (!std::isfinite(values[i]) || values[i] < 0) {
      return absl::InvalidArgumentError("weights and targets must be finite and >= 0");
    }
    if (i < 8) weights += values[i];
  }
  if (weights <= 0) return absl::InvalidArgumentError("at least one weight must be > 0");
  if (c.target_coverage() > 1) return absl::InvalidArgumentError("target_coverage must be <= 1");
  if (c.target_response().seconds() < 0) {
    return absl::InvalidArgumentError("target_response must not be negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AssessmentRow>> RankWorkers(const AnalyticsStore& store,
                                                           const LiveState& live,
                                                           const std::string& scope,
                                                           int32_t first_day, int32_t last_day,
                                                           const v1::AssessmentConfig& config) {
  // Workers in scope (by first bound grid), their grids, and the check-ins each owes a day:
  // a grid's required visits per day shared equally among the workers bound to it.
  std::map<std::string, std::vector<std::string>> workers;
  std::map<std::string, double> grid_required_per_day;
  std::map<std::string, int> grid_workers;
  live.Read([&](const LiveState::View& v) {
    for (const auto& [worker, grids] : v.bindings) {
      for (const std::string& g : grids) grid_workers[g]++;
      if (!grids.empty() && PathWithin(grids.front(), scope)) workers[worker] = grids;
    }
    for (const auto& [id, rule] : v.key_points) {
      if (rule.visits_required() > 0 && rule.visit_period_s() > 0) {
        grid_required_per_day[rule.grid_id()] +=
            rule.visits_required() * 86400.0 / static_cast<double>(rule.visit_period_s());
      }
    }
  });
  std::vector<v1::AssessmentRow> rows;
  for (const auto& [worker, grids] : workers) {
    double required_per_day = 0;
    for (const std::string& g : grids) {
      auto it = grid_required_per_day.find(g);
      if (it != grid_required_per_day.end()) required_per_day += it->second / grid_workers[g];
    }
    v1::WorkerFigures f;
    double coverage_sum = 0, response_sum = 0;
    std::map<int32_t, bool> working;
    absl::Status parse = absl::OkStatus();
    GW_RETURN_IF_ERROR(store.db()->ScanRange(
        store.worker_days(), WorkerDayKey(worker, first_day, Source::kLocation),
        WorkerDayKey(worker, last_day + 1, Source::kLocation),
        [&](absl::string_view k, absl::string_view v) {
          std::string w;
          int32_t day;
          Source source;
          internal::WorkerDay d;
          if (!DecodeWorkerDayKey(k, &w, &day, &source) ||
              !d.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
            parse = absl::DataLossError("malformed worker day record");
            return false;
          }
          if (source == Source::kLocation && d.fixes() > 0) {
            working[day] = true;
            if (d.own_cells_total() > 0) {
              coverage_sum += static_cast<double>(d.own_cells_visited()) / d.own_cells_total();
            }
          }
          f.set_distance_km(f.distance_km() + d.distance_m() / 1000.0);
          f.set_own_grid_hours(f.own_grid_hours() + d.own_grid_s() / 3600.0);
          f.set_check_ins(f.check_ins() + d.check_ins());
          f.set_inspections_assigned(f.inspections_assigned() + d.inspections_assigned());
          f.set_inspections_on_time(f.inspections_on_time() + d.inspections_on_time());
          f.set_incidents_reported(f.incidents_reported() + d.incidents_reported());
          f.set_incidents_confirmed(f.incidents_confirmed() + d.incidents_confirmed());
          f.set_verifications_assigned(f.verifications_assigned() + d.verifications_assigned());
          f.set_verifications_done(f.verifications_done() + d.verifications_done());
          response_sum += d.response_s_sum();
          return true;
        }));
    GW_RETURN_IF_ERROR(parse);
    f.set_working_days(static_cast<int32_t>(working.size()));
    if (!working.empty()) f.set_coverage_avg(coverage_sum / working.size());
    f.set_check_ins_required(required_per_day * f.working_days());
    if (f.verifications_done() > 0) {
      *f.mutable_response_avg() =
          service::ToProto(absl::Seconds(response_sum / f.verifications_done()));
    }
    v1::AssessmentRow row = ScoreWorker(f, config);
    row.set_worker_id(worker);
    row.set_grid_id(grids.front());
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const v1::AssessmentRow& a, const v1::AssessmentRow& b) {
    return a.score() != b.score() ? a.score() > b.score() : a.worker_id() < b.worker_id();
  });
  for (size_t i = 0; i < rows.size(); ++i) {
    const bool tie = i > 0 && std::abs(rows[i].score() - rows[i - 1].score()) < 1e-9;
    rows[i].set_rank(tie ? rows[i - 1].rank() : static_cast<int32_t>(i + 1));
  }
  return rows;
}

}  // namespace gridwork::analytics
