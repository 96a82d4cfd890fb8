// Domain metrics of the work-order service (RPC counts and latencies come from libs/rpc).
#ifndef GRIDWORK_SERVICES_WORKORDER_WORKORDER_METRICS_H_
#define GRIDWORK_SERVICES_WORKORDER_WORKORDER_METRICS_H_

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace gridwork::workorder {

struct WorkOrderMetrics {
  explicit WorkOrderMetrics(prometheus::Registry* registry);

  prometheus::Family<prometheus::Counter>& created;      // {source}
  prometheus::Family<prometheus::Counter>& transitions;  // {action}
  prometheus::Family<prometheus::Counter>& rejected;  // {reason="stale_version"|"illegal"|"denied"}
  prometheus::Family<prometheus::Counter>& sla_alarms;  // {kind="due_soon"|"overdue"}
  prometheus::Counter& auto_dispatched;
  prometheus::Counter& photos_stored;
  prometheus::Counter& photo_bytes_stored;
  prometheus::Gauge& pending_timers;
  prometheus::Gauge& cached_orders;  // order cache entries, set by each RunDueTimers
  prometheus::Gauge& open_orders;    // the store's open-order index, set by each RunDueTimers
};

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_WORKORDER_METRICS_H_
