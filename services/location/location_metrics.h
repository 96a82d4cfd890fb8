// Domain metrics of the location service (RPC counts and latencies come from libs/rpc).
#ifndef GRIDWORK_SERVICES_LOCATION_LOCATION_METRICS_H_
#define GRIDWORK_SERVICES_LOCATION_LOCATION_METRICS_H_

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace gridwork::location {

struct LocationMetrics {
  explicit LocationMetrics(prometheus::Registry* registry);

  // {result="accepted"|"duplicate"|"rejected", reason=REJECT_REASON_...|""}
  prometheus::Family<prometheus::Counter>& fixes;
  // fixes{result="accepted"} and fixes{result="duplicate"}, looked up once (a Family::Add
  // builds and hashes a label map per call).
  prometheus::Counter& fixes_accepted;
  prometheus::Counter& fixes_duplicate;
  prometheus::Histogram& batch_size;
  prometheus::Gauge& workers_known;
  prometheus::Family<prometheus::Counter>& geofence_events;  // {kind}
};

}  // namespace gridwork::location

#endif  // GRIDWORK_SERVICES_LOCATION_LOCATION_METRICS_H_
