// Distances in metres and areas in square metres for WGS-84 lon/lat geometry.
//
// The Earth is taken as a sphere of radius kEarthRadiusM (the IUGG mean radius). Against the
// WGS-84 ellipsoid this is within ~0.5% for distances and areas anywhere, which is far below
// what grid governance needs (GPS fixes are good to ~5-20 m).
//
//   double d = HaversineMeters(LngLat(113.62, 34.75), LngLat(113.63, 34.75));  // ~915 m
//   double a = AreaSquareMeters(grid_polygon);
//
// Point-to-segment and point-to-boundary distances use a local equirectangular projection
// centred on the query point (x = Δlng·cos(lat₀)·R, y = Δlat·R): the error is below 0.1% for
// features within ~10 km of the point and grows with the square of the distance.
// All functions are pure and thread-safe.
#ifndef GRIDWORK_GEO_DISTANCE_H_
#define GRIDWORK_GEO_DISTANCE_H_

#include "gridwork/geo/types.h"

namespace gridwork::geo {

// Mean Earth radius (IUGG), metres.
inline constexpr double kEarthRadiusM = 6371008.8;

// Great-circle distance between two points, metres. Accurate at all distances (haversine).
double HaversineMeters(const Point& a, const Point& b);

// Distance from `p` to the closest point of segment `s`, metres (local projection at `p`).
double DistanceToSegmentMeters(const Point& p, const Segment& s);

// Distance from `p` to the nearest point on any ring (outer or hole) of `mp`, metres,
// whether `p` is inside or outside. Returns +infinity for an empty geometry. O(vertices).
double DistanceToBoundaryMeters(const Point& p, const MultiPolygon& mp);

// Distance from `p` to the area of `mp`: 0 if `p` is covered by it (inside or on the
// boundary), else the distance to the boundary. Returns +infinity for an empty geometry.
double DistanceToAreaMeters(const Point& p, const MultiPolygon& mp);

// Area of `mp` in square metres (holes subtracted). Computed exactly on the sphere for edges
// drawn straight in the Lambert cylindrical equal-area projection (x = λ, y = sin φ); edges
// drawn straight in lon/lat (the planar model of types.h) differ by far less than 0.01% at
// grid and district scale. Orientation does not matter: each ring counts by its absolute
// area, outer rings positive and holes negative. REQUIRES: `mp` is valid (validate.h).
double AreaSquareMeters(const MultiPolygon& mp);

// As above, for one polygon / one ring (absolute area of the ring).
double AreaSquareMeters(const Polygon& polygon);
double RingAreaSquareMeters(const Ring& ring);

}  // namespace gridwork::geo

#endif  // GRIDWORK_GEO_DISTANCE_H_
