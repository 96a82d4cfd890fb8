#include "tools/gridctl/catalog_sla.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace gridwork::gridctl {
namespace {

void CompressDuration(double factor, google::protobuf::Duration* d) {
  const double seconds = static_cast<double>(d->seconds()) + d->nanos() / 1e9;
  if (seconds <= 0) return;
  d->set_seconds(std::max<int64_t>(1, std::llround(seconds / factor)));
  d->set_nanos(0);
}

}  // namespace

void CompressSlas(double factor, workorder::v1::Catalog* catalog) {
  for (workorder::v1::Category& category : *catalog->mutable_categories()) {
    if (!category.has_sla()) continue;
    workorder::v1::SlaPolicy* sla = category.mutable_sla();
    for (google::protobuf::Duration* d :
         {sla->mutable_triage(), sla->mutable_accept(), sla->mutable_handle(),
          sla->mutable_review(), sla->mutable_verify()}) {
      CompressDuration(factor, d);
    }
  }
}

}  // namespace gridwork::gridctl
