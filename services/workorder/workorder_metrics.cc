#include "services/workorder/workorder_metrics.h"

namespace gridwork::workorder {

WorkOrderMetrics::WorkOrderMetrics(prometheus::Registry* r)
    : created(prometheus::BuildCounter()
                  .Name("gridwork_workorder_orders_created_total")
                  .Help("Work orders created, by source.")
                  .Register(*r)),
      transitions(prometheus::BuildCounter()
                      .Name("gridwork_workorder_transitions_total")
                      .Help("Transitions committed, by action.")
                      .Register(*r)),
      rejected(
          prometheus::BuildCounter()
              .Name("gridwork_workorder_transitions_rejected_total")
              .Help("Transitions refused, by reason (stale_version, illegal, denied, invalid).")
              .Register(*r)),
      sla_alarms(prometheus::BuildCounter()
                     .Name("gridwork_workorder_sla_alarms_total")
                     .Help("SLA alarms fired by the timer index, by kind.")
                     .Register(*r)),
      auto_dispatched(prometheus::BuildCounter()
                          .Name("gridwork_workorder_auto_dispatched_total")
                          .Help("Orders dispatched by a rule at creation.")
                          .Register(*r)
                          .Add({})),
      photos_stored(prometheus::BuildCounter()
                        .Name("gridwork_workorder_photos_stored_total")
                        .Help("Distinct photos stored (content-addressed).")
                        .Register(*r)
                        .Add({})),
      photo_bytes_stored(prometheus::BuildCounter()
                             .Name("gridwork_workorder_photo_bytes_stored_total")
                             .Help("Bytes of distinct photos stored.")
                             .Register(*r)
                             .Add({})),
      pending_timers(prometheus::BuildGauge()
                         .Name("gridwork_workorder_pending_sla_timers")
                         .Help("SLA timers waiting in the durable index.")
                         .Register(*r)
                         .Add({})),
      cached_orders(prometheus::BuildGauge()
                        .Name("gridwork_workorder_cached_orders")
                        .Help("Orders whose last committed version is in the order cache "
                              "(--order_cache_size bounds it).")
                        .Register(*r)
                        .Add({})),
      open_orders(prometheus::BuildGauge()
                      .Name("gridwork_workorder_open_orders")
                      .Help("Orders in an open state (not closed or cancelled), as held by the "
                            "in-memory kanban index; set at start and by each SLA sweep.")
                      .Register(*r)
                      .Add({})) {}

}  // namespace gridwork::workorder
