#include "gridwork/geo/distance.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace gridwork::geo {
namespace {

MultiPolygon Wkt(const char* wkt) {
  MultiPolygon mp;
  bg::read_wkt(wkt, mp);
  bg::correct(mp);
  return mp;
}

TEST_CASE("Haversine matches known distances") {
  // One degree of latitude on the mean sphere: 2πR/360 = 111,195 m.
  CHECK(HaversineMeters(LngLat(113, 34), LngLat(113, 35)) == Approx(111195.08).epsilon(1e-6));
  // One degree of longitude at 60°N is half of that at the equator.
  const double eq = HaversineMeters(LngLat(0, 0), LngLat(1, 0));
  CHECK(eq == Approx(111195.08).epsilon(1e-6));
  CHECK(HaversineMeters(LngLat(0, 60), LngLat(1, 60)) == Approx(eq / 2).epsilon(1e-4));
  // Antipodes: half the circumference.
  CHECK(HaversineMeters(LngLat(0, 0), LngLat(180, 0)) ==
        Approx(3.14159265358979 * kEarthRadiusM).epsilon(1e-9));
  // Across the antimeridian the short way.
  CHECK(HaversineMeters(LngLat(179.9, 0), LngLat(-179.9, 0)) == Approx(0.2 * 111195.08));
  CHECK(HaversineMeters(LngLat(113.6, 34.7), LngLat(113.6, 34.7)) == 0);
}

TEST_CASE("Point to segment distance: perpendicular foot, endpoints, degenerate") {
  const Segment s(LngLat(113.0, 34.0), LngLat(113.0, 34.1));  // a north-south segment
  // 0.001° east at 34.05°N: 111195 * cos(34.05°) * 0.001 = 92.1 m.
  const double expect = 111195.08 * std::cos(34.05 * 3.14159265358979 / 180) * 0.001;
  CHECK(DistanceToSegmentMeters(LngLat(113.001, 34.05), s) == Approx(expect).epsilon(1e-4));
  // Beyond the end: distance to the endpoint, compared with haversine.
  const Point beyond = LngLat(113.0005, 34.1008);
  CHECK(DistanceToSegmentMeters(beyond, s) ==
        Approx(HaversineMeters(beyond, LngLat(113.0, 34.1))).epsilon(1e-3));
  const Segment dot(LngLat(113.0, 34.0), LngLat(113.0, 34.0));
  CHECK(DistanceToSegmentMeters(LngLat(113.0, 34.001), dot) == Approx(111.195).epsilon(1e-4));
}

TEST_CASE("Distance to a polygon's boundary and area, holes included") {
  // 0.01° square with a 0.002° hole in the middle.
  const MultiPolygon mp =
      Wkt("MULTIPOLYGON(((113 34,113.01 34,113.01 34.01,113 34.01,113 34),"
          "(113.004 34.004,113.006 34.004,113.006 34.006,113.004 34.006,113.004 34.004)))");
  const double m_per_deg_lng = 111195.08 * std::cos(34.005 * 3.14159265358979 / 180);
  // Inside the hole: the nearest boundary is the hole's east/west side, 0.001° of longitude.
  const Point centre = LngLat(113.005, 34.005);
  CHECK(DistanceToBoundaryMeters(centre, mp) == Approx(0.001 * m_per_deg_lng).epsilon(1e-4));
  CHECK(DistanceToAreaMeters(centre, mp) == Approx(0.001 * m_per_deg_lng).epsilon(1e-4));
  const Point in_ring = LngLat(113.002, 34.005);
  CHECK(DistanceToAreaMeters(in_ring, mp) == 0);
  CHECK(DistanceToBoundaryMeters(in_ring, mp) == Approx(0.002 * m_per_deg_lng).epsilon(1e-4));
  // 0.0001° north of the square's top edge.
  CHECK(DistanceToAreaMeters(LngLat(113.005, 34.0101), mp) == Approx(11.1195).epsilon(1e-4));
  CHECK(DistanceToAreaMeters(LngLat(112.99, 34.005), mp) ==
        Approx(0.01 * m_per_deg_lng).epsilon(1e-4));
  // Area: (0.01² - 0.002²) deg² scaled at the mean latitude.
  const double expect_area = (1e-4 - 4e-6) * 111195.08 * m_per_deg_lng;
  CHECK(AreaSquareMeters(mp) == Approx(expect_area).epsilon(1e-5));
  CHECK(DistanceToBoundaryMeters(centre, MultiPolygon()) ==
        std::numeric_limits<double>::infinity());
}

TEST_CASE("Area of a large cell agrees with the spherical formula") {
  // A 1°×1° cell between 34°N and 35°N: R²·Δλ·(sin 35° - sin 34°).
  const MultiPolygon mp = Wkt("MULTIPOLYGON(((113 34,114 34,114 35,113 35,113 34)))");
  const double d2r = 3.14159265358979 / 180;
  const double expect =
      kEarthRadiusM * kEarthRadiusM * d2r * (std::sin(35 * d2r) - std::sin(34 * d2r));
  CHECK(AreaSquareMeters(mp) == Approx(expect).epsilon(1e-9));
  CHECK(AreaSquareMeters(mp) == Approx(1.01897e10).epsilon(1e-4));  // ~10,190 km²
}

}  // namespace
}  // namespace gridwork::geo
