#include "services/inspection/inspection_metrics.h"

namespace gridwork::inspection {

InspectionMetrics::InspectionMetrics(prometheus::Registry* r)
    : results(prometheus::BuildCounter()
                  .Name("gridwork_inspection_results_total")
                  .Help("Inspection results stored, by presence status (anything but VERIFIED is "
                        "flagged).")
                  .Register(*r)),
      problems(prometheus::BuildCounter()
                   .Name("gridwork_inspection_problems_total")
                   .Help("Problem items found in stored results.")
                   .Register(*r)
                   .Add({})),
      work_orders(prometheus::BuildCounter()
                      .Name("gridwork_inspection_work_orders_total")
                      .Help("Work orders of problem items: created, refused (permanent error) or "
                            "deferred (retried).")
                      .Register(*r)),
      tasks(prometheus::BuildCounter()
                .Name("gridwork_inspection_tasks_created_total")
                .Help("Inspection tasks created, by kind.")
                .Register(*r)),
      tasks_missed(prometheus::BuildCounter()
                       .Name("gridwork_inspection_tasks_missed_total")
                       .Help("Tasks marked MISSED because their due time passed.")
                       .Register(*r)
                       .Add({})),
      outbox_pending(prometheus::BuildGauge()
                         .Name("gridwork_inspection_outbox_pending")
                         .Help("Work orders of problem items not yet created (the outbox).")
                         .Register(*r)
                         .Add({})) {}

}  // namespace gridwork::inspection
