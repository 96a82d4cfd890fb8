// Windowed figures: time series, work-order and inspection statistics.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/service/time_convert.h"
#include "services/analytics/china_time.h"
#include "services/analytics/ingest.h"
#include "services/analytics/queries.h"
#include "services/analytics/stage_histogram.h"

namespace gridwork::analytics {
namespace {

using service::FromProto;
using service::ToProto;

constexpr size_t kMaxPeriods = 2000;
constexpr size_t kMaxGroups = 200;

// Metrics whose dimension is "<department>|<category or subject type>".
bool HasCompositeDim(v1::Metric m) {
  return (m >= v1::METRIC_ORDERS_REPORTED && m <= v1::METRIC_ORDERS_ESCALATED) ||
         (m >= v1::METRIC_INSPECTIONS_ASSIGNED && m <= v1::METRIC_INSPECTIONS_MISSED);
}

absl::StatusOr<Period> ToPeriod(v1::Granularity g) {
  switch (g) {
    case v1::GRANULARITY_HOUR:
      return Period::kHour;
    case v1::GRANULARITY_UNSPECIFIED:
    case v1::GRANULARITY_DAY:
      return Period::kDay;
    case v1::GRANULARITY_WEEK:
      return Period::kWeek;
    case v1::GRANULARITY_MONTH:
      return Period::kMonth;
    case v1::GRANULARITY_QUARTER:
      return Period::kQuarter;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown granularity ", g));
  }
}

struct Window {
  absl::Time from;
  absl::Time to;
};

absl::StatusOr<Window> ResolveWindow(const google::protobuf::Timestamp* from,
                                     const google::protobuf::Timestamp* to, absl::Time now,
                                     absl::Duration default_length) {
  Window w;
  w.to = to != nullptr ? FromProto(*to) : now;
  w.from = from != nullptr ? FromProto(*from) : w.to - default_length;
  if (w.to <= w.from) return absl::InvalidArgumentError("window: `to` must be after `from`");
  if (w.to - w.from > absl::Hours(24 * 800)) {
    return absl::InvalidArgumentError("window longer than 800 days");
  }
  return w;
}

int64_t FirstHour(absl::Time t) { return HourIndex(t); }
int64_t EndHour(absl::Time t) { return HourIndex(t - absl::Nanoseconds(1)) + 1; }

}  // namespace

absl::StatusOr<v1::QuerySeriesResponse> Queries::Series(const std::string& scope,
                                                        const v1::QuerySeriesRequest& r) const {
  if (r.metric() == v1::METRIC_UNSPECIFIED || !v1::Metric_IsValid(r.metric())) {
    return absl::InvalidArgumentError("metric is required (see analytics.proto Metric)");
  }
  if ((r.group_by() == v1::GROUP_BY_DEPARTMENT || r.group_by() == v1::GROUP_BY_CATEGORY) &&
      !HasCompositeDim(r.metric())) {
    return absl::InvalidArgumentError("group by department/category needs a work-order metric");
  }
  GW_ASSIGN_OR_RETURN(Period period, ToPeriod(r.granularity()));
  GW_ASSIGN_OR_RETURN(
      Window w, ResolveWindow(r.has_from() ? &r.from() : nullptr, r.has_to() ? &r.to() : nullptr,
                              clock_->Now(), absl::Hours(24 * 30)));
  std::vector<absl::Time> starts;
  for (absl::Time t = PeriodStart(period, w.from); t < w.to; t = NextPeriodStart(period, t)) {
    starts.push_back(t);
    if (starts.size() > kMaxPeriods) {
      return absl::InvalidArgumentError(
          absl::StrCat("more than ", kMaxPeriods, " periods: use a coarser granularity"));
    }
  }
  std::map<std::string, std::vector<double>> groups;
  bool too_many = false;
  GW_RETURN_IF_ERROR(ScanCounters(
      r.metric(), FirstHour(starts.front()), EndHour(w.to), scope,
      [&](const CounterKey& k, int64_t n) {
        std::string dept, category;
        if (HasCompositeDim(r.metric())) SplitOrderDim(k.dim, &dept, &category);
        if (!r.dimension().empty()) {
          const bool match = HasCompositeDim(r.metric())
                                 ? (dept == r.dimension() || category == r.dimension())
                                 : k.dim == r.dimension();
          if (!match) return;
        }
        std::string group;
        switch (r.group_by()) {
          case v1::GROUP_BY_DIMENSION:
            group = k.dim;
            break;
          case v1::GROUP_BY_CHILD_REGION:
            group = ChildOf(k.region_path, scope);
            break;
          case v1::GROUP_BY_GRID:
            group = k.region_path;
            break;
          case v1::GROUP_BY_DEPARTMENT:
            group = dept;
            break;
          case v1::GROUP_BY_CATEGORY:
            group = category;
            break;
          default:
            break;
        }
        auto it = groups.find(group);
        if (it == groups.end()) {
          if (groups.size() >= kMaxGroups) {
            too_many = true;
            return;
          }
          it = groups.emplace(group, std::vector<double>(starts.size(), 0.0)).first;
        }
        const absl::Time t = HourStart(k.hour);
        const size_t idx = std::upper_bound(starts.begin(), starts.end(), t) - starts.begin();
        if (idx == 0) return;
        it->second[idx - 1] += static_cast<double>(n);
      }));
  if (too_many) {
    return absl::InvalidArgumentError(
        absl::StrCat("more than ", kMaxGroups, " groups: narrow the region or filter"));
  }
  if (groups.empty()) groups.emplace("", std::vector<double>(starts.size(), 0.0));
  v1::QuerySeriesResponse resp;
  for (const auto& [group, values] : groups) {
    v1::Series* s = resp.add_series();
    s->set_group(group);
    double total = 0;
    for (size_t i = 0; i < starts.size(); ++i) {
      v1::SeriesPoint* p = s->add_points();
      *p->mutable_period_start() = ToProto(starts[i]);
      p->set_value(values[i]);
      total += values[i];
    }
    s->set_total(total);
  }
  return resp;
}

absl::StatusOr<v1::GetOrderStatsResponse> Queries::OrderStats(
    const std::string& scope, const v1::GetOrderStatsRequest& r,
    const std::string& only_department) const {
  GW_ASSIGN_OR_RETURN(
      Window w, ResolveWindow(r.has_from() ? &r.from() : nullptr, r.has_to() ? &r.to() : nullptr,
                              clock_->Now(), absl::Hours(24 * 30)));
  const int64_t h0 = FirstHour(w.from), h1 = EndHour(w.to);
  std::map<std::string, v1::OrderStatsRow> rows;
  v1::OrderStatsRow total;
  std::map<std::string, std::map<int, internal::StageHistogram>> hist;
  auto key_of = [&](const std::string& region, const std::string& dim, bool* keep) {
    std::string dept, category;
    SplitOrderDim(dim, &dept, &category);
    *keep = only_department.empty() || dept == only_department;
    switch (r.by()) {
      case v1::STATS_BY_CATEGORY:
        return category;
      case v1::STATS_BY_CHILD_REGION:
        return ChildOf(region, scope);
      default:
        return dept;
    }
  };
  struct Field {
    v1::Metric metric;
    void (v1::OrderStatsRow::*set)(int64_t);
    int64_t (v1::OrderStatsRow::*get)() const;
  };
  const std::vector<Field> fields = {
      {v1::METRIC_ORDERS_REPORTED, &v1::OrderStatsRow::set_reported, &v1::OrderStatsRow::reported},
      {v1::METRIC_ORDERS_DISPATCHED, &v1::OrderStatsRow::set_dispatched,
       &v1::OrderStatsRow::dispatched},
      {v1::METRIC_ORDERS_CLOSED, &v1::OrderStatsRow::set_closed, &v1::OrderStatsRow::closed},
      {v1::METRIC_ORDERS_CLOSED_ON_TIME, &v1::OrderStatsRow::set_closed_on_time,
       &v1::OrderStatsRow::closed_on_time},
      {v1::METRIC_ORDERS_REOPENED, &v1::OrderStatsRow::set_reopened, &v1::OrderStatsRow::reopened},
      {v1::METRIC_ORDERS_OVERDUE, &v1::OrderStatsRow::set_overdue, &v1::OrderStatsRow::overdue},
      {v1::METRIC_ORDERS_RATED, &v1::OrderStatsRow::set_rated, &v1::OrderStatsRow::rated},
      {v1::METRIC_ORDERS_RETURNED, &v1::OrderStatsRow::set_returned, &v1::OrderStatsRow::returned},
      {v1::METRIC_ORDERS_ESCALATED, &v1::OrderStatsRow::set_escalated,
       &v1::OrderStatsRow::escalated},
      {v1::METRIC_ORDERS_CANCELLED_INVALID, &v1::OrderStatsRow::set_cancelled_invalid,
       &v1::OrderStatsRow::cancelled_invalid},
  };
  std::map<std::string, int64_t> rating_sum;
  int64_t rating_total = 0;
  for (const Field& f : fields) {
    GW_RETURN_IF_ERROR(ScanCounters(f.metric, h0, h1, scope, [&](const CounterKey& k, int64_t n) {
      bool keep;
      const std::string key = key_of(k.region_path, k.dim, &keep);
      if (!keep) return;
      v1::OrderStatsRow& row = rows[key];
      row.set_key(key);
      (row.*f.set)((row.*f.get)() + n);
      (total.*f.set)((total.*f.get)() + n);
    }));
  }
  GW_RETURN_IF_ERROR(
      ScanCounters(v1::METRIC_RATING_SUM, h0, h1, scope, [&](const CounterKey& k, int64_t n) {
        bool keep;
        const std::string key = key_of(k.region_path, k.dim, &keep);
        if (!keep) return;
        rating_sum[key] += n;
        rating_total += n;
      }));
  for (int stage = 1; stage <= 5; ++stage) {
    GW_RETURN_IF_ERROR(store_->db()->ScanRange(
        store_->stage_hist(), StageHistPrefix(stage, h0), StageHistPrefix(stage, h1),
        [&](absl::string_view k, absl::string_view v) {
          int s;
          int64_t hour;
          std::string region, dim;
          internal::StageHistogram h;
          if (!DecodeStageHistKey(k, &s, &hour, &region, &dim) || !PathWithin(region, scope) ||
              !h.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
            return true;
          }
          bool keep;
          const std::string key = key_of(region, dim, &keep);
          if (!keep) return true;
          MergeStageHistogram(h, &hist[key][stage]);
          MergeStageHistogram(h, &hist["\x01total"][stage]);
          return true;
        }));
  }
  // Open and overdue now.
  live_->Read([&](const LiveState::View& v) {
    for (const auto& [id, o] : v.orders) {
      if (!PathWithin(o.region_path, scope)) continue;
      total.set_open_now(total.open_now() + 1);
      if (o.overdue) total.set_overdue_now(total.overdue_now() + 1);
      if (r.by() == v1::STATS_BY_CHILD_REGION) {
        v1::OrderStatsRow& row = rows[ChildOf(o.region_path, scope)];
        row.set_key(ChildOf(o.region_path, scope));
        row.set_open_now(row.open_now() + 1);
        if (o.overdue) row.set_overdue_now(row.overdue_now() + 1);
      }
    }
  });
  auto finish = [&](const std::string& key, int64_t rsum, v1::OrderStatsRow* row) {
    if (row->closed() > 0) {
      row->set_on_time_rate(static_cast<double>(row->closed_on_time()) / row->closed());
      row->set_reopen_rate(static_cast<double>(row->reopened()) / row->closed());
    }
    if (row->rated() > 0) row->set_satisfaction(static_cast<double>(rsum) / row->rated());
    auto it = hist.find(key);
    if (it == hist.end()) return;
    for (const auto& [stage, h] : it->second) {
      v1::StageTime* st = row->add_stages();
      st->set_stage(stage);
      st->set_count(h.count());
      if (h.count() > 0) {
        *st->mutable_average() = ToProto(absl::Seconds(h.sum_s() / h.count()));
        *st->mutable_p90() = ToProto(absl::Seconds(StageQuantileUpperBound(h, 0.9)));
      }
    }
  };
  v1::GetOrderStatsResponse resp;
  for (auto& [key, row] : rows) {
    finish(key, rating_sum[key], &row);
    *resp.add_rows() = row;
  }
  total.set_key("total");
  finish("\x01total", rating_total, &total);
  *resp.mutable_total() = total;
  return resp;
}

absl::StatusOr<v1::GetInspectionStatsResponse> Queries::InspectionStats(
    const std::string& scope, const v1::GetInspectionStatsRequest& r) const {
  GW_ASSIGN_OR_RETURN(
      Window w, ResolveWindow(r.has_from() ? &r.from() : nullptr, r.has_to() ? &r.to() : nullptr,
                              clock_->Now(), absl::Hours(24 * 30)));
  const int64_t h0 = FirstHour(w.from), h1 = EndHour(w.to);
  std::map<std::string, v1::InspectionFigures> rows;
  v1::InspectionFigures total;
  using Setter = void (v1::InspectionFigures::*)(int32_t);
  using Getter = int32_t (v1::InspectionFigures::*)() const;
  // Task metrics carry "<department>|<subject type>"; result metrics one of the two.
  auto add = [&](v1::Metric m, Setter set, Getter get) {
    const bool composite =
        m >= v1::METRIC_INSPECTIONS_ASSIGNED && m <= v1::METRIC_INSPECTIONS_MISSED;
    return ScanCounters(m, h0, h1, scope, [&](const CounterKey& k, int64_t n) {
      std::string key = k.dim;
      if (composite) {
        std::string dept, type;
        SplitOrderDim(k.dim, &dept, &type);
        key = r.by_department() ? dept : type;
      }
      v1::InspectionFigures& f = rows[key];
      (f.*set)((f.*get)() + static_cast<int32_t>(n));
      (total.*set)((total.*get)() + static_cast<int32_t>(n));
    });
  };
  GW_RETURN_IF_ERROR(add(v1::METRIC_INSPECTIONS_ASSIGNED, &v1::InspectionFigures::set_assigned,
                         &v1::InspectionFigures::assigned));
  GW_RETURN_IF_ERROR(add(v1::METRIC_INSPECTIONS_DONE, &v1::InspectionFigures::set_done,
                         &v1::InspectionFigures::done));
  GW_RETURN_IF_ERROR(add(v1::METRIC_INSPECTIONS_DONE_ON_TIME,
                         &v1::InspectionFigures::set_done_on_time,
                         &v1::InspectionFigures::done_on_time));
  GW_RETURN_IF_ERROR(add(v1::METRIC_INSPECTIONS_MISSED, &v1::InspectionFigures::set_missed,
                         &v1::InspectionFigures::missed));
  if (r.by_department()) {
    GW_RETURN_IF_ERROR(add(v1::METRIC_INSPECTION_RESULTS_BY_DEPARTMENT,
                           &v1::InspectionFigures::set_results, &v1::InspectionFigures::results));
    GW_RETURN_IF_ERROR(add(v1::METRIC_INSPECTION_PROBLEMS_BY_DEPARTMENT,
                           &v1::InspectionFigures::set_results_with_problems,
                           &v1::InspectionFigures::results_with_problems));
  } else {
    GW_RETURN_IF_ERROR(add(v1::METRIC_INSPECTION_RESULTS, &v1::InspectionFigures::set_results,
                           &v1::InspectionFigures::results));
    GW_RETURN_IF_ERROR(add(v1::METRIC_INSPECTION_PROBLEM_RESULTS,
                           &v1::InspectionFigures::set_results_with_problems,
                           &v1::InspectionFigures::results_with_problems));
  }
  auto row_of = [](const std::string& key, const v1::InspectionFigures& f) {
    v1::InspectionStatsRow row;
    row.set_key(key);
    *row.mutable_figures() = f;
    if (f.results() > 0) {
      row.set_problem_rate(static_cast<double>(f.results_with_problems()) / f.results());
    }
    if (f.assigned() > 0) row.set_done_rate(static_cast<double>(f.done()) / f.assigned());
    return row;
  };
  v1::GetInspectionStatsResponse resp;
  for (const auto& [key, f] : rows) *resp.add_rows() = row_of(key, f);
  *resp.mutable_total() = row_of("total", total);
  return resp;
}

}  // namespace gridwork::analytics
