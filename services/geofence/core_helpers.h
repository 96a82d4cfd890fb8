// Small helpers shared by the geofence core's files: role sets and visibility rules.
#ifndef GRIDWORK_SERVICES_GEOFENCE_CORE_HELPERS_H_
#define GRIDWORK_SERVICES_GEOFENCE_CORE_HELPERS_H_

#include <initializer_list>
#include <string>

#include "gridwork/common/v1/geo.pb.h"
#include "gridwork/common/v1/principal.pb.h"

namespace gridwork::geofence {

using common::v1::Role;

// May import and delete regions.
inline constexpr std::initializer_list<Role> kRegionAdmins = {common::v1::ROLE_ADMIN,
                                                              common::v1::ROLE_SERVICE};
// May bind workers and manage key points (within their scope).
inline constexpr std::initializer_list<Role> kGridManagers = {
    common::v1::ROLE_ADMIN,           common::v1::ROLE_SERVICE,
    common::v1::ROLE_DISTRICT_COMMAND, common::v1::ROLE_STREET_MANAGER,
    common::v1::ROLE_COMMUNITY_STATION, common::v1::ROLE_GRID_LEADER};
// May feed fixes to the evaluator.
inline constexpr std::initializer_list<Role> kFixSources = {common::v1::ROLE_SERVICE,
                                                            common::v1::ROLE_ADMIN};

// A region is visible when it is in the principal's scope or is an ancestor of the scope
// (so a scoped user can navigate down to their own part of the tree).
bool RegionVisible(const common::v1::Principal& p, const std::string& region_id);

// "district", "street", "community", "grid" (the GeoJSON property values).
std::string LevelName(common::v1::RegionLevel level);

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_CORE_HELPERS_H_
