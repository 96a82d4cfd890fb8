#include "services/analytics/analytics_metrics.h"

namespace gridwork::analytics {
namespace {

prometheus::Gauge& OneGauge(prometheus::Registry* r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*r).Add({});
}

prometheus::Family<prometheus::Gauge>& GaugeFamily(prometheus::Registry* r, const char* name,
                                                   const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*r);
}

}  // namespace

AnalyticsMetrics::AnalyticsMetrics(prometheus::Registry* registry, const LiveState* live,
                                   const ConsumerSet* consumers, Clock* clock,
                                   absl::Duration online_window)
    : live_(live),
      consumers_(consumers),
      clock_(clock),
      online_window_(online_window),
      online_(OneGauge(registry, "gridwork_analytics_workers_online",
                       "Workers with a fix within the online window.")),
      bound_(OneGauge(registry, "gridwork_analytics_workers_bound", "Workers bound to a grid.")),
      grids_(OneGauge(registry, "gridwork_analytics_grids", "Grids rasterised into cells.")),
      open_(OneGauge(registry, "gridwork_analytics_orders_open", "Open work orders.")),
      overdue_(OneGauge(registry, "gridwork_analytics_orders_overdue",
                        "Open work orders that went overdue.")),
      streams_(
          OneGauge(registry, "gridwork_analytics_cockpit_streams", "Open StreamCockpit calls.")),
      lag_(GaugeFamily(registry, "gridwork_feed_consumer_lag_events",
                       "Events a feed consumer is behind its peer's feed (0 = caught up).")),
      connected_(GaugeFamily(registry, "gridwork_feed_consumer_connected",
                             "1 while the consumer's Watch stream to its peer is open.")),
      applied_(GaugeFamily(registry, "gridwork_analytics_events_applied",
                           "Feed events applied by the running consumer since it started.")),
      task_(absl::Seconds(5), [this] { Sample(); }) {}

void AnalyticsMetrics::Sample() {
  const int64_t now_ms = absl::ToUnixMillis(clock_->Now());
  const int64_t window_ms = absl::ToInt64Milliseconds(online_window_);
  int64_t online = 0, bound = 0, grids = 0, open = 0, overdue = 0;
  live_->Read([&](const LiveState::View& v) {
    for (const auto& [id, w] : v.workers) {
      if (!w.grid_id.empty()) ++bound;
      if (w.last_fix_ms > 0 && now_ms - w.last_fix_ms <= window_ms) ++online;
    }
    grids = static_cast<int64_t>(v.grids.size());
    open = static_cast<int64_t>(v.orders.size());
    for (const auto& [id, o] : v.orders) overdue += o.overdue ? 1 : 0;
  });
  online_.Set(online);
  bound_.Set(bound);
  grids_.Set(grids);
  open_.Set(open);
  overdue_.Set(overdue);
  streams_.Set(cockpit_streams.load());
  if (consumers_ == nullptr) return;
  for (const v1::ConsumerProgress& c : consumers_->Progress()) {
    lag_.Add({{"consumer", c.consumer()}}).Set(static_cast<double>(c.lag()));
    connected_.Add({{"consumer", c.consumer()}}).Set(c.connected() ? 1 : 0);
    applied_.Add({{"consumer", c.consumer()}}).Set(static_cast<double>(c.events_applied()));
  }
}

}  // namespace gridwork::analytics
