// The location feed: AcceptedFixes -> fixes, active workers, distance, own-grid time,
// coverage, last positions.
#include "gridwork/common/v1/fix.pb.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/geo/distance.h"
#include "services/analytics/aggregate_batch.h"
#include "services/analytics/bitmap.h"
#include "services/analytics/china_time.h"
#include "services/analytics/ingest.h"
#include "services/analytics/ingest_util.h"

namespace gridwork::analytics {

absl::Status Ingest::ApplyLocation(const std::vector<store::FeedEvent>& events,
                                   store::WriteRequest& write) {
  LiveDelta& delta = Pending(Source::kLocation);
  delta = LiveDelta();
  AggregateBatch b(store_);
  const int64_t max_gap_ms = absl::ToInt64Milliseconds(options_.max_step_gap);

  for (const store::FeedEvent& e : events) {
    common::v1::AcceptedFixes batch;
    GW_RETURN_IF_ERROR(Unpack(e, &batch));
    const std::string& worker = batch.worker_id();
    if (worker.empty()) continue;
    const std::vector<std::string> grids = live_->BindingsOf(worker);
    if (grids.empty() && options_.only_bound_workers) continue;  // another district's worker
    std::vector<std::shared_ptr<const GridIndex>> grid_index;
    int32_t own_cells_total = 0;
    for (const std::string& g : grids) {
      std::shared_ptr<const GridIndex> gi = live_->Grid(g);
      if (gi != nullptr) own_cells_total += static_cast<int32_t>(gi->cells.size());
      grid_index.push_back(std::move(gi));
    }
    const std::string region = grids.empty() ? std::string() : grids.front();
    GW_ASSIGN_OR_RETURN(internal::WorkerTrack * track,
                        b.Record<internal::WorkerTrack>(store_->workers(), worker));

    for (const common::v1::Fix& fix : batch.fixes()) {
      const int64_t t = Millis(fix.device_time());
      const double lat = fix.position().lat();
      const double lng = fix.position().lng();
      const int32_t day = ChinaDayOfMillis(t);
      const int64_t hour = HourIndexOfMillis(t);
      bool existed = false;
      GW_ASSIGN_OR_RETURN(internal::WorkerDay * wd,
                          b.WorkerDayOf(worker, t, Source::kLocation, &existed));
      if (!existed) wd->set_own_cells_total(own_cells_total);
      wd->set_fixes(wd->fixes() + 1);
      b.AddCounter(v1::METRIC_FIXES, hour, region, "", 1);
      const uint32_t hour_bit = 1u << HourOfChinaDay(hour);
      if ((wd->hours_mask() & hour_bit) == 0) {
        wd->set_hours_mask(wd->hours_mask() | hour_bit);
        b.AddCounter(v1::METRIC_ACTIVE_WORKERS, hour, region, "", 1);
      }

      // Coverage: the cell counts for the (first) own grid that contains it.
      const uint64_t cell = raster_.CellOf(lat, lng);
      std::string own_grid;
      for (size_t i = 0; i < grids.size(); ++i) {
        if (grid_index[i] == nullptr) continue;
        const int64_t idx = grid_index[i]->IndexOf(cell);
        if (idx < 0) continue;
        own_grid = grids[i];
        GW_ASSIGN_OR_RETURN(std::string * mine,
                            b.Bytes(store_->coverage(), CoverageKey(day, grids[i], worker)));
        if (SetBit(mine, static_cast<uint32_t>(idx))) {
          wd->set_own_cells_visited(wd->own_cells_visited() + 1);
        }
        GW_ASSIGN_OR_RETURN(std::string * all,
                            b.Bytes(store_->coverage(), CoverageKey(day, grids[i], "")));
        if (SetBit(all, static_cast<uint32_t>(idx))) {
          delta.coverage[{day, grids[i]}] = static_cast<int32_t>(BitCount(*all));
        }
        break;
      }

      // Distance and own-grid time need the previous fix in device-time order; late fixes
      // (older than the newest seen) only count for coverage and totals above.
      if (t < track->last_time_ms()) continue;
      if (track->last_time_ms() > 0 && t - track->last_time_ms() <= max_gap_ms) {
        const double step =
            geo::HaversineMeters(geo::LngLat(track->lng(), track->lat()), geo::LngLat(lng, lat));
        if (step <= options_.max_step_m) wd->set_distance_m(wd->distance_m() + step);
        if (!own_grid.empty() && own_grid == track->own_grid_id()) {
          wd->set_own_grid_s(wd->own_grid_s() +
                             static_cast<double>(t - track->last_time_ms()) / 1000.0);
        }
      }
      track->set_last_time_ms(t);
      track->set_lat(lat);
      track->set_lng(lng);
      track->set_own_grid_id(own_grid);
    }
    if (track->last_time_ms() > 0) {
      LiveWorker& w = delta.workers[worker];
      w.lat = track->lat();
      w.lng = track->lng();
      w.last_fix_ms = track->last_time_ms();
      w.own_grid_id = track->own_grid_id();
    }
  }
  GW_RETURN_IF_ERROR(b.Flush(write));
  delta.counters = b.counter_deltas();
  return absl::OkStatus();
}

}  // namespace gridwork::analytics
