#include "services/geofence/geofence_metrics.h"

namespace gridwork::geofence {

GeofenceMetrics::GeofenceMetrics(prometheus::Registry* r)
    : regions(prometheus::BuildGauge()
                  .Name("gridwork_geofence_regions")
                  .Help("Regions in the tree, by level.")
                  .Register(*r)),
      key_points(prometheus::BuildGauge()
                     .Name("gridwork_geofence_key_points")
                     .Help("Key points (checkpoints) defined.")
                     .Register(*r)
                     .Add({})),
      fixes_evaluated(prometheus::BuildCounter()
                          .Name("gridwork_geofence_fixes_evaluated_total")
                          .Help("Fixes evaluated against the fences (on a district shard, not the "
                                "skipped fixes of "
                                "other districts' workers).")
                          .Register(*r)
                          .Add({})),
      late_fixes(prometheus::BuildCounter()
                     .Name("gridwork_geofence_late_fixes_total")
                     .Help("Fixes older than the worker's newest evaluated fix (check-ins only).")
                     .Register(*r)
                     .Add({})),
      fence_events(prometheus::BuildCounter()
                       .Name("gridwork_geofence_fence_events_total")
                       .Help("Fence events emitted, by kind.")
                       .Register(*r)),
      locates(prometheus::BuildCounter()
                  .Name("gridwork_geofence_locates_total")
                  .Help("Points located, by result.")
                  .Register(*r)),
      imports(prometheus::BuildCounter()
                  .Name("gridwork_geofence_imports_total")
                  .Help("Region imports, by result.")
                  .Register(*r)) {}

}  // namespace gridwork::geofence
