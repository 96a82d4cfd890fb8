#include "services/analytics/queries.h"

#include <algorithm>
#include <limits>
#include <map>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/service/time_convert.h"
#include "gridwork/store/key_codec.h"
#include "services/analytics/china_time.h"
#include "services/analytics/ingest.h"

namespace gridwork::analytics {
namespace {

using service::FromProto;
using service::ToProto;

// Visits mirrored counters of `metric` with hours in [from, to) within `scope`.
void ForEachMirrored(const LiveState::View& v, v1::Metric metric, int64_t from, int64_t to,
                     const std::string& scope,
                     const std::function<void(const CounterKey&, int64_t)>& fn) {
  const std::string limit = CounterPrefix(metric, to);
  for (auto it = v.counters.lower_bound(CounterPrefix(metric, from));
       it != v.counters.end() && it->first < limit; ++it) {
    CounterKey k;
    if (!CounterKey::Decode(it->first, &k) || !PathWithin(k.region_path, scope)) continue;
    fn(k, it->second);
  }
}

}  // namespace

std::string ChildOf(const std::string& path, const std::string& scope) {
  const size_t start = scope.empty() ? 0 : scope.size() + 1;
  if (path.size() <= start) return path;
  const size_t slash = path.find('/', start);
  return slash == std::string::npos ? path : path.substr(0, slash);
}

std::string CommunityOf(const std::string& path) {
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    pos = path.find('/', pos);
    if (pos == std::string::npos) return path;
    if (i < 2) ++pos;
  }
  return path.substr(0, pos);
}

Queries::Queries(const AnalyticsStore* store, const LiveState* live, const CellRaster* raster,
                 Clock* clock, QueryOptions options)
    : store_(store), live_(live), raster_(raster), clock_(clock), options_(options) {}

v1::Cockpit Queries::Cockpit(const std::string& scope) const {
  const absl::Time now = clock_->Now();
  const int64_t now_ms = absl::ToUnixMillis(now);
  const int64_t window_ms = absl::ToInt64Milliseconds(options_.online_window);
  const int32_t today = ChinaDay(now);
  const int64_t first_hour = DayFirstHour(today);
  v1::Cockpit c;
  c.set_region_prefix(scope);
  *c.mutable_as_of() = ToProto(now);
  std::map<std::string, v1::RegionFigures> children;
  std::map<std::string, std::pair<int64_t, int64_t>> cells;  // region -> (visited, total)
  v1::RegionFigures total;
  total.set_region_path(scope);
  auto figures = [&](const std::string& region) -> v1::RegionFigures& {
    const std::string child = ChildOf(region, scope);
    v1::RegionFigures& f = children[child];
    f.set_region_path(child);
    return f;
  };
  auto both = [&](const std::string& region, const std::function<void(v1::RegionFigures&)>& fn) {
    fn(total);
    if (region != scope) fn(figures(region));
  };

  live_->Read([&](const LiveState::View& v) {
    // Count the bound workers grid by grid (workers without a grid count nowhere), then
    // fold the few thousand grids into their child regions.
    for (const auto& [grid, members] : v.workers_by_grid) {
      if (!PathWithin(grid, scope)) continue;
      int32_t n_total = 0, n_online = 0, n_in_own_grid = 0;
      for (const auto& [id, w] : members) {
        ++n_total;
        if (w->last_fix_ms > 0 && now_ms - w->last_fix_ms <= window_ms) {
          ++n_online;
          if (!w->own_grid_id.empty()) ++n_in_own_grid;
        }
      }
      both(grid, [&](v1::RegionFigures& f) {
        f.set_workers_total(f.workers_total() + n_total);
        f.set_workers_online(f.workers_online() + n_online);
        f.set_workers_in_own_grid(f.workers_in_own_grid() + n_in_own_grid);
      });
    }
    for (const auto& [id, g] : v.grids) {
      if (!PathWithin(id, scope)) continue;
      auto cov = v.coverage.find({today, id});
      const int64_t visited = cov == v.coverage.end() ? 0 : cov->second;
      const int64_t n = static_cast<int64_t>(g->cells.size());
      both(id, [&](v1::RegionFigures& f) { f.set_grids(f.grids() + 1); });
      cells[scope].first += visited;
      cells[scope].second += n;
      if (id != scope) {
        cells[ChildOf(id, scope)].first += visited;
        cells[ChildOf(id, scope)].second += n;
      }
    }
    for (const auto& [id, o] : v.orders) {
      if (!PathWithin(o.region_path, scope)) continue;
      (*c.mutable_orders_by_state())[o.state]++;
      both(o.region_path, [&](v1::RegionFigures& f) {
        f.set_orders_open(f.orders_open() + 1);
        if (o.overdue) f.set_orders_overdue(f.orders_overdue() + 1);
      });
    }
    ForEachMirrored(v, v1::METRIC_ORDERS_REPORTED, first_hour, first_hour + 24, scope,
                    [&](const CounterKey& k, int64_t n) {
                      both(k.region_path, [&](v1::RegionFigures& f) {
                        f.set_orders_reported_today(f.orders_reported_today() + n);
                      });
                    });
    ForEachMirrored(v, v1::METRIC_ORDERS_CLOSED, first_hour, first_hour + 24, scope,
                    [&](const CounterKey& k, int64_t n) {
                      both(k.region_path, [&](v1::RegionFigures& f) {
                        f.set_orders_closed_today(f.orders_closed_today() + n);
                      });
                    });
    std::vector<int32_t> by_hour(24, 0);
    ForEachMirrored(v, v1::METRIC_ACTIVE_WORKERS, first_hour, first_hour + 24, scope,
                    [&](const CounterKey& k, int64_t n) { by_hour[k.hour - first_hour] += n; });
    for (int32_t n : by_hour) c.add_online_by_hour(n);
    v1::InspectionFigures* insp = c.mutable_inspections_today();
    auto sum = [&](v1::Metric m) {
      int64_t s = 0;
      ForEachMirrored(v, m, first_hour, first_hour + 24, scope,
                      [&](const CounterKey&, int64_t n) { s += n; });
      return static_cast<int32_t>(s);
    };
    insp->set_assigned(sum(v1::METRIC_INSPECTIONS_ASSIGNED));
    insp->set_done(sum(v1::METRIC_INSPECTIONS_DONE));
    insp->set_done_on_time(sum(v1::METRIC_INSPECTIONS_DONE_ON_TIME));
    insp->set_missed(sum(v1::METRIC_INSPECTIONS_MISSED));
    insp->set_results(sum(v1::METRIC_INSPECTION_RESULTS));
    insp->set_results_with_problems(sum(v1::METRIC_INSPECTION_PROBLEM_RESULTS));
  });
  c.set_generation(live_->generation());
  auto coverage_of = [&](const std::string& region) {
    auto it = cells.find(region);
    return it == cells.end() || it->second.second == 0
               ? 0.0
               : static_cast<double>(it->second.first) / static_cast<double>(it->second.second);
  };
  total.set_coverage_today(coverage_of(scope));
  *c.mutable_total() = total;
  for (auto& [path, f] : children) {
    f.set_coverage_today(coverage_of(path));
    *c.add_children() = f;
  }
  for (const v1::Surge& s : CachedSurges()) {
    if (PathWithin(s.region_path(), scope)) *c.add_surges() = s;
  }
  return c;
}

absl::StatusOr<v1::ListLiveWorkersResponse> Queries::LiveWorkers(
    const std::string& scope, const v1::ListLiveWorkersRequest& r) const {
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(r.page_size(), 500, 5000));
  const uint64_t filter = absl::HashOf(scope, r.online_only());
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(r.page_token(), filter));
  const int64_t now_ms = absl::ToUnixMillis(clock_->Now());
  const int64_t window_ms = absl::ToInt64Milliseconds(options_.online_window);
  std::vector<v1::LiveWorker> rows;
  live_->Read([&](const LiveState::View& v) {
    for (const auto& [grid, members] : v.workers_by_grid) {
      if (!PathWithin(grid, scope)) continue;
      for (auto it = members.upper_bound(after); it != members.end(); ++it) {
        const std::string& id = it->first;
        const LiveWorker& w = *it->second;
        const bool online = w.last_fix_ms > 0 && now_ms - w.last_fix_ms <= window_ms;
        if (r.online_only() && !online) continue;
        v1::LiveWorker lw;
        lw.set_worker_id(id);
        lw.set_grid_id(w.grid_id);
        if (w.last_fix_ms > 0) {
          lw.mutable_position()->set_lat(w.lat);
          lw.mutable_position()->set_lng(w.lng);
          *lw.mutable_last_fix_time() = ToProto(absl::FromUnixMillis(w.last_fix_ms));
        }
        lw.set_online(online);
        lw.set_in_own_grid(online && !w.own_grid_id.empty());
        rows.push_back(std::move(lw));
      }
    }
  });
  std::sort(rows.begin(), rows.end(), [](const v1::LiveWorker& a, const v1::LiveWorker& b) {
    return a.worker_id() < b.worker_id();
  });
  v1::ListLiveWorkersResponse resp;
  for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(page_size); ++i) {
    *resp.add_workers() = std::move(rows[i]);
  }
  if (rows.size() > static_cast<size_t>(page_size)) {
    resp.set_next_page_token(rpc::EncodePageToken(resp.workers(page_size - 1).worker_id(), filter));
  }
  return resp;
}

absl::StatusOr<v1::GetCoverageResponse> Queries::Coverage(const std::string& scope,
                                                          const v1::GetCoverageRequest& r) const {
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(r.page_size(), 200, 2000));
  const absl::Time day_time = r.has_day() ? FromProto(r.day()) : clock_->Now();
  const int32_t day = ChinaDay(day_time);
  const uint64_t filter = absl::HashOf(scope, day);
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(r.page_token(), filter));
  std::map<std::string, size_t> grid_cells;
  live_->Read([&](const LiveState::View& v) {
    for (const auto& [id, g] : v.grids) {
      if (id > after && PathWithin(id, scope)) grid_cells[id] = g->cells.size();
    }
  });
  v1::GetCoverageResponse resp;
  resp.set_cell_size_m(raster_->size_m());
  for (const auto& [grid, n] : grid_cells) {
    if (resp.grids_size() == page_size) {
      resp.set_next_page_token(rpc::EncodePageToken(resp.grids(page_size - 1).grid_id(), filter));
      break;
    }
    v1::GridCoverage* gc = resp.add_grids();
    gc->set_grid_id(grid);
    gc->set_cells_total(static_cast<int32_t>(n));
    const std::string prefix =
        store::KeyBuilder().Uint32(static_cast<uint32_t>(day)).String(grid).Build();
    absl::Status parse = absl::OkStatus();
    GW_RETURN_IF_ERROR(store_->db()->ScanPrefix(
        store_->coverage(), prefix, [&](absl::string_view k, absl::string_view bits) {
          int32_t d;
          std::string g, worker;
          if (!DecodeCoverageKey(k, &d, &g, &worker)) return true;
          int64_t visited = 0;
          for (char ch : bits) visited += __builtin_popcount(static_cast<uint8_t>(ch));
          const double cov = n == 0 ? 0.0 : static_cast<double>(visited) / static_cast<double>(n);
          if (worker.empty()) {
            gc->set_cells_visited(static_cast<int32_t>(visited));
            gc->set_coverage(cov);
          } else {
            v1::WorkerCoverage* wc = gc->add_workers();
            wc->set_worker_id(worker);
            wc->set_cells_visited(static_cast<int32_t>(visited));
            wc->set_coverage(cov);
          }
          return true;
        }));
  }
  return resp;
}

absl::Status Queries::ScanCounters(
    v1::Metric metric, int64_t from_hour, int64_t to_hour, const std::string& scope,
    const std::function<void(const CounterKey&, int64_t)>& fn) const {
  if (from_hour >= to_hour) return absl::OkStatus();
  return store_->db()->ScanRange(
      store_->counters(), CounterPrefix(metric, from_hour), CounterPrefix(metric, to_hour),
      [&](absl::string_view k, absl::string_view v) {
        CounterKey key;
        if (CounterKey::Decode(k, &key) && PathWithin(key.region_path, scope)) {
          fn(key, DecodeCounterValue(v));
        }
        return true;
      });
}

absl::StatusOr<v1::GetHeatmapResponse> Queries::Heatmap(const std::string& scope,
                                                        const v1::GetHeatmapRequest& r) const {
  const absl::Time now = clock_->Now();
  const absl::Time from = r.has_from() ? FromProto(r.from()) : PeriodStart(Period::kDay, now);
  const absl::Time to = r.has_to() ? FromProto(r.to()) : now + absl::Hours(1);
  if (to <= from) return absl::InvalidArgumentError("heatmap window: `to` must be after `from`");
  if (to - from > absl::Hours(24 * 400)) {
    return absl::InvalidArgumentError("heatmap window longer than 400 days");
  }
  std::map<uint64_t, v1::HeatCell> cells;
  int64_t total = 0;
  GW_RETURN_IF_ERROR(ScanCounters(
      v1::METRIC_HEAT, HourIndex(from), HourIndex(to - absl::Nanoseconds(1)) + 1, scope,
      [&](const CounterKey& k, int64_t n) {
        uint64_t cell;
        std::string category;
        if (n == 0 || !ParseHeatDimension(k.dim, &cell, &category)) return;
        if (!r.category_prefix().empty() &&
            category.compare(0, r.category_prefix().size(), r.category_prefix()) != 0) {
          return;
        }
        v1::HeatCell& hc = cells[cell];
        hc.set_count(hc.count() + static_cast<int32_t>(n));
        (*hc.mutable_by_category())[category] += static_cast<int32_t>(n);
        total += n;
      }));
  v1::GetHeatmapResponse resp;
  resp.set_cell_size_m(raster_->size_m());
  resp.set_total(static_cast<int32_t>(total));
  for (auto& [cell, hc] : cells) {
    if (hc.count() == 0) continue;
    const geo::Point centre = raster_->CellCenter(cell);
    hc.mutable_center()->set_lat(centre.y());
    hc.mutable_center()->set_lng(centre.x());
    *resp.add_cells() = std::move(hc);
  }
  return resp;
}

absl::StatusOr<v1::ListSurgesResponse> Queries::Surges(const std::string& scope,
                                                       const v1::ListSurgesRequest& r) const {
  const double ratio = r.ratio() > 0 ? r.ratio() : 2.0;
  const int32_t min_count = r.min_count() > 0 ? r.min_count() : 5;
  const int weeks = r.weeks() > 0 ? std::min(r.weeks(), 12) : 4;
  if (r.ratio() < 0 || r.min_count() < 0 || r.weeks() < 0) {
    return absl::InvalidArgumentError("ratio, min_count and weeks must not be negative");
  }
  const int32_t day = ChinaDay(r.has_day() ? FromProto(r.day()) : clock_->Now());
  // (community, category) -> counts today and on the same weekday of past weeks.
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> counts;
  auto scan_day = [&](int32_t d, bool is_today) {
    const int64_t h = DayFirstHour(d);
    return ScanCounters(v1::METRIC_ORDERS_REPORTED, h, h + 24, scope,
                        [&](const CounterKey& k, int64_t n) {
                          std::string dept, category;
                          SplitOrderDim(k.dim, &dept, &category);
                          auto& c = counts[{CommunityOf(k.region_path), category}];
                          (is_today ? c.first : c.second) += n;
                        });
  };
  GW_RETURN_IF_ERROR(scan_day(day, true));
  for (int w = 1; w <= weeks; ++w) GW_RETURN_IF_ERROR(scan_day(day - 7 * w, false));
  v1::ListSurgesResponse resp;
  for (const auto& [key, c] : counts) {
    const double avg = static_cast<double>(c.second) / weeks;
    if (c.first < min_count) continue;
    if (avg > 0 && static_cast<double>(c.first) < ratio * avg) continue;
    v1::Surge* s = resp.add_surges();
    s->set_region_path(key.first);
    s->set_category_id(key.second);
    s->set_today(static_cast<int32_t>(c.first));
    s->set_trailing_average(avg);
    s->set_ratio(avg > 0 ? static_cast<double>(c.first) / avg : 0);
  }
  std::sort(resp.mutable_surges()->begin(), resp.mutable_surges()->end(),
            [](const v1::Surge& a, const v1::Surge& b) {
              return a.today() != b.today() ? a.today() > b.today()
                                            : a.region_path() < b.region_path();
            });
  return resp;
}

std::vector<v1::Surge> Queries::CachedSurges() const {
  absl::MutexLock l(&surge_mu_);
  const absl::Time now = clock_->Now();
  if (now - surge_at_ >= options_.surge_cache_ttl) {
    absl::StatusOr<v1::ListSurgesResponse> s = Surges("", v1::ListSurgesRequest());
    if (s.ok()) surges_.assign(s->surges().begin(), s->surges().end());
    surge_at_ = now;
  }
  return surges_;
}

}  // namespace gridwork::analytics
