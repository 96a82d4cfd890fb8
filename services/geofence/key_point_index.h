// Immutable spatial index of key points for the fence evaluator: which key points' check-in
// circles may contain a position. Rebuilt and swapped whenever a key point changes (key
// points change rarely; fixes arrive constantly).
//
// Thread safety: immutable after construction.
#ifndef GRIDWORK_SERVICES_GEOFENCE_KEY_POINT_INDEX_H_
#define GRIDWORK_SERVICES_GEOFENCE_KEY_POINT_INDEX_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/geometry/index/rtree.hpp>

#include "gridwork/geo/types.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "services/geofence/fence_evaluator.h"

namespace gridwork::geofence {

class KeyPointIndex {
 public:
  // Largest radius a key point may have (metres); bounds the search window.
  static constexpr double kMaxRadiusM = 500;

  explicit KeyPointIndex(const std::vector<v1::KeyPoint>& key_points);

  std::vector<KeyPointRef> Near(double lng, double lat) const;
  std::optional<KeyPointRef> Find(const std::string& id) const;
  size_t size() const { return refs_.size(); }

 private:
  using Value = std::pair<geo::Point, size_t>;
  std::vector<KeyPointRef> refs_;
  std::map<std::string, size_t> by_id_;
  boost::geometry::index::rtree<Value, boost::geometry::index::quadratic<16>> rtree_;
};

KeyPointRef ToRef(const v1::KeyPoint& kp);

}  // namespace gridwork::geofence

#endif  // GRIDWORK_SERVICES_GEOFENCE_KEY_POINT_INDEX_H_
