// An immutable in-memory snapshot of the region tree: regions by id, their geometry, and a
// point-in-region index per level, answering Locate in well under a microsecond.
//
// The service holds the current snapshot in a std::shared_ptr<const RegionTree> and swaps
// it after each committed import or delete, so readers never lock and never see a
// half-applied import.
//
// Thread safety: immutable after Build(); safe for concurrent readers.
#ifndef GRIDWORK_SERVICES_GEOFENCE_REGION_TREE_H_
#define GRIDWORK_SERVICES_GEOFENCE_REGION_TREE_H_

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/geo/region_index.h"
#include "gridwork/geo/types.h"
#include "gridwork/geofence/v1/geofence.pb.h"

namespace gridwork::geofence {

class RegionTree {
 public:
  // `regions` carry their geometry (REGION_VIEW_FULL records as stored). Fails only if the
  // point index cannot be built (non-finite coordinates, beyond index limits).
  static absl::StatusOr<std::shared_ptr<const RegionTree>> Build(std::vector<v1::Region> regions);

  RegionTree(const RegionTree&) = delete;
  RegionTree& operator=(const RegionTree&) = delete;

  size_t size() const { return regions_.size(); }

  // The stored region (with geometry), or null.
  const v1::Region* Find(const std::string& id) const;
  // Boost geometry of a region, or null.
  const geo::MultiPolygon* Geometry(const std::string& id) const;
  // Direct children of `parent_id` ("" = districts), in id order.
  std::vector<const v1::Region*> Children(const std::string& parent_id) const;

  // The deepest region containing the point, or null; `path` (optional) receives the
  // ancestors from district down to it.
  const v1::Region* Locate(double lng, double lat,
                           std::vector<const v1::Region*>* path = nullptr) const;
  // The grid containing the point, or "".
  std::string LocateGrid(double lng, double lat) const;
  // Distance in metres from the point to the border of region `id` (0 for unknown ids).
  double DistanceToBorderM(const std::string& id, double lng, double lat) const;

  // Every region, id order.
  std::vector<const v1::Region*> All() const;

 private:
  struct Entry {
    v1::Region region;
    geo::MultiPolygon geometry;
  };
  RegionTree() = default;

  std::map<std::string, Entry> regions_;
  // Index per level (1..4); ordinals point into by_ordinal_.
  std::array<std::unique_ptr<geo::RegionIndex>, 5> index_;
  std::vector<const Entry*> by_ordinal_;
};

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_REGION_TREE_H_
