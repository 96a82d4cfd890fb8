// The geofence feed: grid rasters, bindings, key point rules and check-ins.
#include <algorithm>

#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "services/analytics/aggregate_batch.h"
#include "services/analytics/china_time.h"
#include "services/analytics/ingest.h"
#include "services/analytics/ingest_util.h"

namespace gridwork::analytics {
namespace {

namespace gf = ::gridwork::geofence::v1;

}  // namespace

absl::Status Ingest::ApplyGeofence(const std::vector<store::FeedEvent>& events,
                                   store::WriteRequest& write) {
  LiveDelta& delta = Pending(Source::kGeofence);
  delta = LiveDelta();
  AggregateBatch b(store_);

  for (const store::FeedEvent& e : events) {
    if (Is(e, gf::RegionChanged::descriptor())) {
      gf::RegionChanged rc;
      GW_RETURN_IF_ERROR(Unpack(e, &rc));
      if (rc.level() != common::v1::REGION_LEVEL_GRID) continue;
      absl::StatusOr<clients::RegionShape> shape = rc.kind() == gf::CHANGE_KIND_DELETED
                                                       ? absl::NotFoundError("deleted")
                                                       : shapes_->Shape(rc.region_id());
      if (absl::IsNotFound(shape.status())) {
        b.Erase(store_->grids(), rc.region_id());
        delta.grids[rc.region_id()] = nullptr;
        continue;
      }
      if (!shape.ok()) return shape.status();  // transient: the consumer retries
      internal::GridRaster raster;
      raster.set_grid_id(rc.region_id());
      raster.set_region_version(shape->version);
      raster.set_cell_size_m(raster_.size_m());
      const std::vector<uint64_t> cells =
          raster_.Rasterise(shape->area, options_.max_cells_per_grid);
      if (cells.size() >= options_.max_cells_per_grid) {
        log::Warning("grid raster truncated",
                     {{"grid", rc.region_id()}, {"max_cells", options_.max_cells_per_grid}});
      }
      raster.mutable_cells()->Add(cells.begin(), cells.end());
      GW_ASSIGN_OR_RETURN(internal::GridRaster * stored,
                          b.Record<internal::GridRaster>(store_->grids(), rc.region_id()));
      *stored = raster;
      delta.grids[rc.region_id()] = GridIndex::Build(raster);
    } else if (Is(e, gf::BindingChanged::descriptor())) {
      gf::BindingChanged bc;
      GW_RETURN_IF_ERROR(Unpack(e, &bc));
      const std::string& worker = bc.binding().worker_id();
      const std::string& grid = bc.binding().grid_id();
      if (worker.empty() || grid.empty()) continue;
      GW_ASSIGN_OR_RETURN(internal::WorkerBindings * rec,
                          b.Record<internal::WorkerBindings>(store_->bindings(), worker));
      std::vector<std::string> ids(rec->grid_ids().begin(), rec->grid_ids().end());
      ids.erase(std::remove(ids.begin(), ids.end(), grid), ids.end());
      if (bc.kind() != gf::CHANGE_KIND_DELETED) ids.push_back(grid);
      std::sort(ids.begin(), ids.end());
      if (ids.empty()) {
        b.Erase(store_->bindings(), worker);
      } else {
        rec->mutable_grid_ids()->Assign(ids.begin(), ids.end());
      }
      delta.bindings[worker] = ids;
    } else if (Is(e, gf::KeyPointChanged::descriptor())) {
      gf::KeyPointChanged kc;
      GW_RETURN_IF_ERROR(Unpack(e, &kc));
      const std::string& id = kc.key_point().id();
      if (id.empty()) continue;
      if (kc.kind() == gf::CHANGE_KIND_DELETED) {
        b.Erase(store_->key_points(), id);
        delta.key_points[id] = std::nullopt;
        continue;
      }
      GW_ASSIGN_OR_RETURN(internal::KeyPointRule * rule,
                          b.Record<internal::KeyPointRule>(store_->key_points(), id));
      rule->set_grid_id(kc.key_point().grid_id());
      rule->set_visits_required(kc.key_point().visits_required());
      rule->set_visit_period_s(kc.key_point().visit_period().seconds());
      delta.key_points[id] = *rule;
    } else if (Is(e, gf::FenceEvent::descriptor())) {
      gf::FenceEvent fe;
      GW_RETURN_IF_ERROR(Unpack(e, &fe));
      if (fe.kind() != gf::FENCE_EVENT_KIND_CHECK_IN || fe.worker_id().empty()) continue;
      const int64_t t = Millis(fe.time());
      b.AddCounter(v1::METRIC_CHECK_INS, HourIndexOfMillis(t), fe.grid_id(), "", 1);
      GW_ASSIGN_OR_RETURN(internal::WorkerDay * wd,
                          b.WorkerDayOf(fe.worker_id(), t, Source::kGeofence));
      wd->set_check_ins(wd->check_ins() + 1);
    }
  }
  GW_RETURN_IF_ERROR(b.Flush(write));
  delta.counters = b.counter_deltas();
  return absl::OkStatus();
}

}  // namespace gridwork::analytics
