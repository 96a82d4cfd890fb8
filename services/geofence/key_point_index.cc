#include "services/geofence/key_point_index.h"

#include <cmath>

#include "gridwork/service/time_convert.h"

namespace gridwork::geofence {

KeyPointRef ToRef(const v1::KeyPoint& kp) {
  KeyPointRef r;
  r.id = kp.id();
  r.grid_id = kp.grid_id();
  r.lng = kp.position().lng();
  r.lat = kp.position().lat();
  r.radius_m = kp.radius_m();
  r.min_dwell = service::FromProto(kp.min_dwell());
  return r;
}

KeyPointIndex::KeyPointIndex(const std::vector<v1::KeyPoint>& key_points) {
  std::vector<Value> values;
  for (const auto& kp : key_points) {
    by_id_[kp.id()] = refs_.size();
    values.emplace_back(geo::LngLat(kp.position().lng(), kp.position().lat()), refs_.size());
    refs_.push_back(ToRef(kp));
  }
  rtree_ = decltype(rtree_)(values.begin(), values.end());  // bulk load (packing)
}

std::vector<KeyPointRef> KeyPointIndex::Near(double lng, double lat) const {
  // Window of kMaxRadiusM around the point in degrees (longitude degrees shrink with
  // latitude; clamp the cosine so the window stays finite near the poles).
  const double dlat = kMaxRadiusM / 111000.0;
  const double dlng = dlat / std::max(0.01, std::cos(lat * M_PI / 180.0));
  geo::Box window(geo::LngLat(lng - dlng, lat - dlat), geo::LngLat(lng + dlng, lat + dlat));
  std::vector<Value> hits;
  rtree_.query(boost::geometry::index::intersects(window), std::back_inserter(hits));
  std::vector<KeyPointRef> out;
  out.reserve(hits.size());
  for (const auto& [p, i] : hits) out.push_back(refs_[i]);
  return out;
}

std::optional<KeyPointRef> KeyPointIndex::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return refs_[it->second];
}

}  // namespace gridwork::geofence
