#include "services/analytics/ingest.h"

namespace gridwork::analytics {

Ingest::Ingest(AnalyticsStore* store, LiveState* live, clients::RegionShapes* shapes,
               IngestOptions options)
    : store_(store),
      live_(live),
      shapes_(shapes),
      options_(options),
      raster_(options.cell_size_m) {}

void Ingest::Committed(Source source) {
  LiveDelta& d = Pending(source);
  live_->Apply(d);
  d = LiveDelta();
}

}  // namespace gridwork::analytics
