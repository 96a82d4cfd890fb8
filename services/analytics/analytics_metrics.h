// Domain metrics of the analytics service (RPC counts and latencies come from libs/rpc),
// sampled every few seconds from the live state and the consumer set:
//
//   gridwork_analytics_workers_online              workers with a fix in the online window
//   gridwork_analytics_workers_bound               workers bound to a grid
//   gridwork_analytics_grids                       grids rasterised
//   gridwork_analytics_orders_open                 open work orders
//   gridwork_analytics_orders_overdue              open work orders that went overdue
//   gridwork_analytics_cockpit_streams             open StreamCockpit calls
//   gridwork_feed_consumer_lag_events{consumer}    events behind the peer's feed (as elsewhere)
//   gridwork_feed_consumer_connected{consumer}     1 while the Watch stream is open
//   gridwork_analytics_events_applied_total{consumer}  (a gauge of the running consumer's count)
#ifndef GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_METRICS_H_
#define GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_METRICS_H_

#include <atomic>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "gridwork/core/clock.h"
#include "gridwork/service/periodic_task.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/analytics/consumers.h"
#include "services/analytics/live_state.h"

namespace gridwork::analytics {

class AnalyticsMetrics {
 public:
  // All pointers must outlive the object; `consumers` may be null.
  AnalyticsMetrics(prometheus::Registry* registry, const LiveState* live,
                   const ConsumerSet* consumers, Clock* clock, absl::Duration online_window);
  void Stop() { task_.Stop(); }

  std::atomic<int64_t> cockpit_streams{0};

 private:
  void Sample();

  const LiveState* live_;
  const ConsumerSet* consumers_;
  Clock* clock_;
  const absl::Duration online_window_;
  prometheus::Gauge& online_;
  prometheus::Gauge& bound_;
  prometheus::Gauge& grids_;
  prometheus::Gauge& open_;
  prometheus::Gauge& overdue_;
  prometheus::Gauge& streams_;
  prometheus::Family<prometheus::Gauge>& lag_;
  prometheus::Family<prometheus::Gauge>& connected_;
  prometheus::Family<prometheus::Gauge>& applied_;
  service::PeriodicTask task_;  // last: starts after the gauges exist
};

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_METRICS_H_
