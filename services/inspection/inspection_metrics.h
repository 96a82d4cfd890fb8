// Domain metrics of the inspection service (RPC counts and latencies come from libs/rpc).
#ifndef GRIDWORK_SERVICES_INSPECTION_INSPECTION_METRICS_H_
#define GRIDWORK_SERVICES_INSPECTION_INSPECTION_METRICS_H_

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace gridwork::inspection {

struct InspectionMetrics {
  explicit InspectionMetrics(prometheus::Registry* registry);

  prometheus::Family<prometheus::Counter>& results;      // {presence="VERIFIED"|"TOO_FAR"|...}
  prometheus::Counter& problems;                         // problem items found
  prometheus::Family<prometheus::Counter>& work_orders;  // {result="created"|"refused"|"deferred"}
  prometheus::Family<prometheus::Counter>& tasks;  // {kind="ASSIGNED"|"SCHEDULED"|"REINSPECTION"}
  prometheus::Counter& tasks_missed;
  prometheus::Gauge& outbox_pending;  // work orders still to create
};

}  // namespace gridwork::inspection

#endif  // GRIDWORK_SERVICES_INSPECTION_INSPECTION_METRICS_H_
