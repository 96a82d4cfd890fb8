// Domain metrics of the geofence service (RPC counts and latencies come from libs/rpc).
#ifndef GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_METRICS_H_
#define GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_METRICS_H_

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace gridwork::geofence {

struct GeofenceMetrics {
  explicit GeofenceMetrics(prometheus::Registry* registry);

  prometheus::Family<prometheus::Gauge>& regions;          // {level}
  prometheus::Gauge& key_points;
  prometheus::Counter& fixes_evaluated;
  prometheus::Counter& late_fixes;
  prometheus::Family<prometheus::Counter>& fence_events;   // {kind}
  prometheus::Family<prometheus::Counter>& locates;        // {result="found"|"not_found"}
  prometheus::Family<prometheus::Counter>& imports;        // {result="ok"|"rejected"}
};

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_GEOFENCE_METRICS_H_
