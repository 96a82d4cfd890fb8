#include "services/analytics/live_state.h"

#include <limits>

#include "gridwork/core/status_macros.h"
#include "gridwork/store/stored_proto.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/analytics/bitmap.h"
#include "services/analytics/china_time.h"

namespace gridwork::analytics {

namespace wo = ::gridwork::workorder::v1;

bool IsOpenState(int32_t state) {
  return state != wo::STATE_CLOSED && state != wo::STATE_CANCELLED &&
         state != wo::STATE_UNSPECIFIED;
}

std::shared_ptr<const GridIndex> GridIndex::Build(const internal::GridRaster& raster) {
  auto g = std::make_shared<GridIndex>();
  g->grid_id = raster.grid_id();
  g->cells.assign(raster.cells().begin(), raster.cells().end());
  g->index.reserve(g->cells.size());
  for (size_t i = 0; i < g->cells.size(); ++i) g->index.emplace(g->cells[i], i);
  return g;
}

int64_t LiveState::MirrorFromHour() const { return HourIndex(clock_->Now()) - mirror_hours_; }

void LiveState::SetGrid(const std::string& worker, std::string grid_id) {
  auto it = workers_.try_emplace(worker).first;
  LiveWorker& w = it->second;
  if (w.grid_id == grid_id) return;
  if (!w.grid_id.empty()) {
    auto old = workers_by_grid_.find(w.grid_id);
    if (old != workers_by_grid_.end()) {
      old->second.erase(worker);
      if (old->second.empty()) workers_by_grid_.erase(old);
    }
  }
  w.grid_id = std::move(grid_id);
  if (!w.grid_id.empty()) workers_by_grid_[w.grid_id][worker] = &w;
}

void LiveState::IndexAllGrids() {
  workers_by_grid_.clear();
  for (const auto& [id, w] : workers_) {
    if (!w.grid_id.empty()) workers_by_grid_[w.grid_id][id] = &w;
  }
}

absl::Status LiveState::Load(const AnalyticsStore& store) {
  store::Db* db = store.db();
  std::unordered_map<std::string, LiveWorker> workers;
  std::unordered_map<std::string, std::vector<std::string>> bindings;
  std::unordered_map<std::string, std::shared_ptr<const GridIndex>> grids;
  std::map<std::pair<int32_t, std::string>, int32_t> coverage;
  std::unordered_map<std::string, internal::KeyPointRule> key_points;
  std::unordered_map<std::string, OpenOrder> orders;
  std::map<std::string, int64_t> counters;
  absl::Status parse = absl::OkStatus();
  auto fail = [&](absl::Status s) {
    parse = std::move(s);
    return false;
  };

  GW_RETURN_IF_ERROR(
      db->ScanRange(store.grids(), "", "", [&](absl::string_view k, absl::string_view v) {
        auto r = store::ParseStoredProto<internal::GridRaster>(v, "grid raster");
        if (!r.ok()) return fail(r.status());
        grids[std::string(k)] = GridIndex::Build(*r);
        return true;
      }));
  GW_RETURN_IF_ERROR(
      db->ScanRange(store.bindings(), "", "", [&](absl::string_view k, absl::string_view v) {
        auto r = store::ParseStoredProto<internal::WorkerBindings>(v, "worker bindings");
        if (!r.ok()) return fail(r.status());
        bindings[std::string(k)].assign(r->grid_ids().begin(), r->grid_ids().end());
        return true;
      }));
  GW_RETURN_IF_ERROR(
      db->ScanRange(store.workers(), "", "", [&](absl::string_view k, absl::string_view v) {
        auto r = store::ParseStoredProto<internal::WorkerTrack>(v, "worker track");
        if (!r.ok()) return fail(r.status());
        LiveWorker& w = workers[std::string(k)];
        w.lat = r->lat();
        w.lng = r->lng();
        w.last_fix_ms = r->last_time_ms();
        w.own_grid_id = r->own_grid_id();
        return true;
      }));
  for (const auto& [worker, grid_ids] : bindings) {
    workers[worker].grid_id = grid_ids.empty() ? "" : grid_ids.front();
  }
  GW_RETURN_IF_ERROR(
      db->ScanRange(store.key_points(), "", "", [&](absl::string_view k, absl::string_view v) {
        auto r = store::ParseStoredProto<internal::KeyPointRule>(v, "key point rule");
        if (!r.ok()) return fail(r.status());
        key_points[std::string(k)] = *r;
        return true;
      }));
  GW_RETURN_IF_ERROR(
      db->ScanRange(store.orders(), "", "", [&](absl::string_view k, absl::string_view v) {
        auto r = store::ParseStoredProto<internal::OrderTrack>(v, "order track");
        if (!r.ok()) return fail(r.status());
        if (IsOpenState(r->state()))
          orders[std::string(k)] = {r->state(), r->region_path(), r->overdue()};
        return true;
      }));
  const int32_t yesterday = ChinaDay(clock_->Now()) - 1;
  GW_RETURN_IF_ERROR(db->ScanRange(store.coverage(), CoverageDayPrefix(yesterday), "",
                                   [&](absl::string_view k, absl::string_view v) {
                                     int32_t day;
                                     std::string grid, worker;
                                     if (!DecodeCoverageKey(k, &day, &grid, &worker)) {
                                       return fail(absl::DataLossError("malformed coverage key"));
                                     }
                                     if (worker.empty())
                                       coverage[{day, grid}] = static_cast<int32_t>(BitCount(v));
                                     return true;
                                   }));
  const int64_t from_hour = MirrorFromHour();
  for (int m = 1; m <= v1::Metric_MAX; ++m) {
    const std::string start = CounterPrefix(static_cast<v1::Metric>(m), from_hour);
    const std::string limit =
        CounterPrefix(static_cast<v1::Metric>(m), std::numeric_limits<int64_t>::max());
    GW_RETURN_IF_ERROR(db->ScanRange(store.counters(), start, limit,
                                     [&](absl::string_view k, absl::string_view v) {
                                       counters[std::string(k)] = DecodeCounterValue(v);
                                       return true;
                                     }));
  }
  GW_RETURN_IF_ERROR(parse);

  absl::MutexLock l(&mu_);
  workers_ = std::move(workers);
  IndexAllGrids();
  bindings_ = std::move(bindings);
  grids_ = std::move(grids);
  coverage_ = std::move(coverage);
  key_points_ = std::move(key_points);
  orders_ = std::move(orders);
  counters_ = std::move(counters);
  mirror_from_hour_ = from_hour;
  ++generation_;
  return absl::OkStatus();
}

void LiveState::Clear() {
  absl::MutexLock l(&mu_);
  workers_.clear();
  workers_by_grid_.clear();
  bindings_.clear();
  grids_.clear();
  coverage_.clear();
  key_points_.clear();
  orders_.clear();
  counters_.clear();
  ++generation_;
}

void LiveState::Apply(const LiveDelta& d) {
  if (d.empty()) return;
  absl::MutexLock l(&mu_);
  for (const auto& [worker, grid_ids] : d.bindings) {
    if (grid_ids.empty()) {
      bindings_.erase(worker);
    } else {
      bindings_[worker] = grid_ids;
    }
    SetGrid(worker, grid_ids.empty() ? "" : grid_ids.front());
  }
  for (const auto& [worker, w] : d.workers) {
    LiveWorker& live = workers_[worker];
    const std::string grid = live.grid_id;
    live = w;
    live.grid_id = grid;
  }
  for (const auto& [id, g] : d.grids) {
    if (g == nullptr) {
      grids_.erase(id);
    } else {
      grids_[id] = g;
    }
  }
  for (const auto& [key, visited] : d.coverage) coverage_[key] = visited;
  for (const auto& [id, rule] : d.key_points) {
    if (rule.has_value()) {
      key_points_[id] = *rule;
    } else {
      key_points_.erase(id);
    }
  }
  for (const auto& [id, order] : d.orders) {
    if (order.has_value() && IsOpenState(order->state)) {
      orders_[id] = *order;
    } else {
      orders_.erase(id);
    }
  }
  for (const auto& [key, delta] : d.counters) {
    CounterKey k;
    if (!CounterKey::Decode(key, &k) || k.hour < mirror_from_hour_) continue;
    counters_[key] += delta;
  }
  ++generation_;
}

void LiveState::Prune() {
  const int64_t from = MirrorFromHour();
  const int32_t yesterday = ChinaDay(clock_->Now()) - 1;
  absl::MutexLock l(&mu_);
  mirror_from_hour_ = from;
  for (auto it = counters_.begin(); it != counters_.end();) {
    CounterKey k;
    if (!CounterKey::Decode(it->first, &k) || k.hour < from) {
      it = counters_.erase(it);
    } else {
      ++it;
    }
  }
  coverage_.erase(coverage_.begin(), coverage_.lower_bound({yesterday, std::string()}));
}

void LiveState::Read(const std::function<void(const View&)>& fn) const {
  absl::ReaderMutexLock l(&mu_);
  fn(View{workers_, workers_by_grid_, bindings_, grids_, coverage_, key_points_, orders_, counters_,
          mirror_from_hour_});
}

std::shared_ptr<const GridIndex> LiveState::Grid(const std::string& grid_id) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = grids_.find(grid_id);
  return it == grids_.end() ? nullptr : it->second;
}

std::vector<std::string> LiveState::BindingsOf(const std::string& worker) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = bindings_.find(worker);
  return it == bindings_.end() ? std::vector<std::string>() : it->second;
}

int32_t LiveState::CoverageOf(int32_t day, const std::string& grid) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = coverage_.find({day, grid});
  return it == coverage_.end() ? 0 : it->second;
}

uint64_t LiveState::generation() const {
  absl::ReaderMutexLock l(&mu_);
  return generation_;
}

uint64_t LiveState::WaitForChange(uint64_t seen, absl::Time deadline) const {
  absl::MutexLock l(&mu_);
  auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return generation_ > seen; };
  mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
  return generation_;
}

}  // namespace gridwork::analytics
