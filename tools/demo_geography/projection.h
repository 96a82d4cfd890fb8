// A local equirectangular projection: lon/lat degrees <-> kilometres east/north of an origin.
//
// Good to ~0.5% over one district (≤ 70 km across at latitude ~34.5°), which is plenty for
// sizing demo cells and reporting areas. All regions of one district use the same projection,
// so children's areas add up exactly to their parent's.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_PROJECTION_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_PROJECTION_H_

#include <cmath>
#include <numbers>

#include "gridwork/geo/types.h"

namespace gridwork::demo_geography {

class LocalProjection {
 public:
  // Kilometres per degree of latitude (WGS-84 mean near 35°N) and of longitude at the equator.
  static constexpr double kKmPerDegLat = 110.95;
  static constexpr double kKmPerDegLngEquator = 111.32;

  LocalProjection(double lng0, double lat0)
      : lng0_(lng0),
        lat0_(lat0),
        km_per_deg_lng_(kKmPerDegLngEquator * std::cos(lat0 * std::numbers::pi / 180.0)) {}

  double XKm(const geo::Point& p) const { return (p.x() - lng0_) * km_per_deg_lng_; }
  double YKm(const geo::Point& p) const { return (p.y() - lat0_) * kKmPerDegLat; }
  geo::Point ToLngLat(double x_km, double y_km) const {
    return geo::Point(lng0_ + x_km / km_per_deg_lng_, lat0_ + y_km / kKmPerDegLat);
  }
  // Square kilometres per square degree at the origin's latitude.
  double Km2PerDeg2() const { return km_per_deg_lng_ * kKmPerDegLat; }
  // Area in km² of a (lon/lat) geometry; sign-free.
  template <typename Geometry>
  double AreaKm2(const Geometry& g) const {
    return std::abs(boost::geometry::area(g)) * Km2PerDeg2();
  }
  double DistanceKm(const geo::Point& a, const geo::Point& b) const {
    return std::hypot(XKm(a) - XKm(b), YKm(a) - YKm(b));
  }

 private:
  double lng0_;
  double lat0_;
  double km_per_deg_lng_;
};

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_PROJECTION_H_
