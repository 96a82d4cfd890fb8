#include "services/geofence/core_helpers.h"

#include "gridwork/core/region_path.h"
#include "gridwork/rpc/principal.h"

namespace gridwork::geofence {

bool RegionVisible(const common::v1::Principal& p, const std::string& region_id) {
  return rpc::InScope(p, region_id) || PathWithin(p.region_scope(), region_id);
}

std::string LevelName(common::v1::RegionLevel level) {
  switch (level) {
    case common::v1::REGION_LEVEL_DISTRICT: return "district";
    case common::v1::REGION_LEVEL_STREET: return "street";
    case common::v1::REGION_LEVEL_COMMUNITY: return "community";
    case common::v1::REGION_LEVEL_GRID: return "grid";
    default: return "unspecified";
  }
}

}  // namespace gridwork::geofence
