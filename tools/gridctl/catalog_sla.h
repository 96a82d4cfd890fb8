// Shrinking a work-order catalogue's SLAs for a time-compressed simulation (gridctl
// catalog-load --sla_compression): a day that gridsim runs N times faster than real time
// meets or misses deadlines on its own clock only if the deadlines shrink by the same N.
#ifndef GRIDWORK_TOOLS_GRIDCTL_CATALOG_SLA_H_
#define GRIDWORK_TOOLS_GRIDCTL_CATALOG_SLA_H_

#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::gridctl {

// Divides every SLA stage duration of `catalog` by `factor` (REQUIRES: factor >= 1),
// rounding to whole seconds but never below one second, so a stage with a deadline keeps
// one. A zero duration (no deadline for that stage) stays zero; due_soon_fraction is a
// fraction and is left alone.
void CompressSlas(double factor, workorder::v1::Catalog* catalog);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_CATALOG_SLA_H_
