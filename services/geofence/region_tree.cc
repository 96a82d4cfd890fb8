#include "services/geofence/region_tree.h"

#include "gridwork/geo/distance.h"
#include "gridwork/clients/region_geometry.h"

namespace gridwork::geofence {

absl::StatusOr<std::shared_ptr<const RegionTree>> RegionTree::Build(
    std::vector<v1::Region> regions) {
  std::shared_ptr<RegionTree> tree(new RegionTree());
  for (auto& r : regions) {
    Entry e;
    e.geometry = clients::ToGeo(r.geometry());
    std::string id = r.id();
    e.region = std::move(r);
    tree->regions_[id] = std::move(e);
  }
  std::array<std::vector<std::pair<uint32_t, geo::MultiPolygon>>, 5> per_level;
  for (const auto& [id, entry] : tree->regions_) {
    int level = entry.region.level();
    if (level < 1 || level > 4) continue;
    uint32_t ordinal = static_cast<uint32_t>(tree->by_ordinal_.size());
    tree->by_ordinal_.push_back(&entry);
    per_level[level].emplace_back(ordinal, entry.geometry);
  }
  for (int level = 1; level <= 4; ++level) {
    if (per_level[level].empty()) continue;
    absl::StatusOr<geo::RegionIndex> index = geo::RegionIndex::Build(per_level[level]);
    if (!index.ok()) return index.status();
    tree->index_[level] = std::make_unique<geo::RegionIndex>(*std::move(index));
  }
  return std::shared_ptr<const RegionTree>(std::move(tree));
}

const v1::Region* RegionTree::Find(const std::string& id) const {
  auto it = regions_.find(id);
  return it == regions_.end() ? nullptr : &it->second.region;
}

const geo::MultiPolygon* RegionTree::Geometry(const std::string& id) const {
  auto it = regions_.find(id);
  return it == regions_.end() ? nullptr : &it->second.geometry;
}

std::vector<const v1::Region*> RegionTree::Children(const std::string& parent_id) const {
  std::vector<const v1::Region*> out;
  if (parent_id.empty()) {
    for (const auto& [id, e] : regions_) {
      if (e.region.parent_id().empty()) out.push_back(&e.region);
    }
    return out;
  }
  const std::string prefix = parent_id + "/";
  for (auto it = regions_.lower_bound(prefix);
       it != regions_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (it->second.region.parent_id() == parent_id) out.push_back(&it->second.region);
  }
  return out;
}

std::vector<const v1::Region*> RegionTree::All() const {
  std::vector<const v1::Region*> out;
  out.reserve(regions_.size());
  for (const auto& [id, e] : regions_) out.push_back(&e.region);
  return out;
}

const v1::Region* RegionTree::Locate(double lng, double lat,
                                     std::vector<const v1::Region*>* path) const {
  const Entry* found = nullptr;
  for (int level = 4; level >= 1 && found == nullptr; --level) {
    if (!index_[level]) continue;
    int64_t ordinal = index_[level]->Lookup(lng, lat);
    if (ordinal >= 0) found = by_ordinal_[static_cast<size_t>(ordinal)];
  }
  if (found == nullptr) return nullptr;
  if (path != nullptr) {
    path->clear();
    // Ancestors are the id's prefixes at '/' boundaries.
    const std::string& id = found->region.id();
    for (size_t pos = id.find('/'); pos != std::string::npos; pos = id.find('/', pos + 1)) {
      if (const v1::Region* a = Find(id.substr(0, pos))) path->push_back(a);
    }
    path->push_back(&found->region);
  }
  return &found->region;
}

std::string RegionTree::LocateGrid(double lng, double lat) const {
  if (!index_[4]) return "";
  int64_t ordinal = index_[4]->Lookup(lng, lat);
  return ordinal < 0 ? "" : by_ordinal_[static_cast<size_t>(ordinal)]->region.id();
}

double RegionTree::DistanceToBorderM(const std::string& id, double lng, double lat) const {
  const geo::MultiPolygon* g = Geometry(id);
  if (g == nullptr) return 0;
  return geo::DistanceToBoundaryMeters(geo::LngLat(lng, lat), *g);
}

}  // namespace gridwork::geofence
