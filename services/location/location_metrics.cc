#include "services/location/location_metrics.h"

namespace gridwork::location {

LocationMetrics::LocationMetrics(prometheus::Registry* r)
    : fixes(prometheus::BuildCounter()
                .Name("gridwork_location_fixes_total")
                .Help("Fixes received, by result and reject reason.")
                .Register(*r)),
      fixes_accepted(fixes.Add({{"result", "accepted"}, {"reason", ""}})),
      fixes_duplicate(fixes.Add({{"result", "duplicate"}, {"reason", ""}})),
      batch_size(prometheus::BuildHistogram()
                     .Name("gridwork_location_batch_fixes")
                     .Help("Fixes per ingested batch.")
                     .Register(*r)
                     .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 5, 10, 20, 50, 100,
                                                                       200, 500, 1000})),
      workers_known(prometheus::BuildGauge()
                        .Name("gridwork_location_workers_known")
                        .Help("Workers with a last known position.")
                        .Register(*r)
                        .Add({})),
      geofence_events(prometheus::BuildCounter()
                          .Name("gridwork_location_geofence_events_total")
                          .Help("Geofence feed events applied, by kind.")
                          .Register(*r)) {}

}  // namespace gridwork::location
