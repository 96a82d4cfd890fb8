// Ingest: the four feed handlers of analytics (batch mode of store::FeedConsumer).
//
// Each Apply* adds the effects of a batch of one peer's events to the WriteRequest (through an
// AggregateBatch) and prepares the matching LiveDelta; Committed(source) publishes that delta
// once the consumer committed the request (on_committed). A failed or retried batch leaves no
// trace: the delta is rebuilt by the next call.
//
// What each feed contributes (docs/analytics.md has the full table):
//   location   AcceptedFixes     fixes, active workers per hour, distance, time in own grid,
//                                coverage bitmaps, last positions
//   geofence   RegionChanged     grid rasters (polygon read back with GetRegion)
//              BindingChanged    worker -> grids
//              KeyPointChanged   visit rules (required check-ins)
//              FenceEvent        check-ins
//   workorder  OrderEvent        reported/dispatched/closed/... counters, stage histograms,
//                                heatmap, per-worker incidents and verifications
//              SlaAlarm          overdue
//   inspection TaskChanged       assigned/done/on time/missed, per-worker inspections
//              ResultSubmitted   results and problems by subject type and department
//              ChecklistPublished template -> department
//
// Joins across feeds (a fix needs the worker's bindings and the grid's raster) read the live
// state, i.e. what the other consumers committed so far; see docs/analytics.md for what that
// means for replays.
//
// Thread safety: each Apply*/Committed pair for one source must run on one thread (its
// consumer's); different sources may run concurrently.
#ifndef GRIDWORK_SERVICES_ANALYTICS_INGEST_H_
#define GRIDWORK_SERVICES_ANALYTICS_INGEST_H_

#include <array>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gridwork/clients/region_shapes.h"
#include "gridwork/store/db.h"
#include "gridwork/store/write_request.h"
#include "services/analytics/analytics_store.h"
#include "services/analytics/cells.h"
#include "services/analytics/live_state.h"

namespace gridwork::analytics {

struct IngestOptions {
  double cell_size_m = 30;
  // A grid with more cells than this is truncated (and logged).
  size_t max_cells_per_grid = 200000;
  // Consecutive fixes further apart in time than this do not add distance or time.
  absl::Duration max_step_gap = absl::Minutes(10);
  // A step longer than this (a GPS jump) adds no distance.
  double max_step_m = 2000;
  // A district shard (--routing_file) follows the location feeds of every worker shard, i.e.
  // the fixes of the whole city. Set, fixes of a worker with no binding in this shard's
  // grids (the bindings come from its own geofence shard) are skipped: another district's
  // workers count in their own shard's figures (fixes, active, online, last positions), not
  // here. Workers bound nowhere are then counted by no shard.
  bool only_bound_workers = false;
};

// The dimension of every work-order metric and stage histogram: "<department>|<category>"
// (department empty before dispatch), so figures group by either.
std::string OrderDim(absl::string_view department, absl::string_view category);
void SplitOrderDim(absl::string_view dim, std::string* department, std::string* category);

// The METRIC_HEAT dimension of an incident: "<cell id>:<category id>".
std::string HeatDimension(uint64_t cell, const std::string& category);
// Splits a METRIC_HEAT dimension; false if malformed.
bool ParseHeatDimension(absl::string_view dim, uint64_t* cell, std::string* category);

class Ingest {
 public:
  // REQUIRES: all pointers non-null and outliving this object.
  Ingest(AnalyticsStore* store, LiveState* live, clients::RegionShapes* shapes,
         IngestOptions options);

  absl::Status ApplyLocation(const std::vector<store::FeedEvent>& events,
                             store::WriteRequest& write);
  absl::Status ApplyGeofence(const std::vector<store::FeedEvent>& events,
                             store::WriteRequest& write);
  absl::Status ApplyWorkOrder(const std::vector<store::FeedEvent>& events,
                              store::WriteRequest& write);
  absl::Status ApplyInspection(const std::vector<store::FeedEvent>& events,
                               store::WriteRequest& write);
  // Publishes the delta the last Apply* of `source` prepared.
  void Committed(Source source);

  const CellRaster& raster() const { return raster_; }

 private:
  LiveDelta& Pending(Source s) { return pending_[static_cast<size_t>(s)]; }

  AnalyticsStore* store_;
  LiveState* live_;
  clients::RegionShapes* shapes_;
  const IngestOptions options_;
  const CellRaster raster_;
  std::array<LiveDelta, 5> pending_;
};

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_INGEST_H_
