// Geometry types used across Gridwork, built on Boost.Geometry.
//
// Coordinates are WGS-84 degrees stored as planar (x = longitude, y = latitude) points:
// containment and validity are decided in the lon/lat plane, exactly as PostGIS does for
// `geometry(…, 4326)`. Distances in metres are computed separately (distance.h) on the sphere.
//
// Rings are clockwise-outer, closed (first point == last point), as Boost.Geometry's default
// polygon model expects; geojson.h corrects orientation and closure on input.
#ifndef GRIDWORK_GEO_TYPES_H_
#define GRIDWORK_GEO_TYPES_H_

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/geometries/ring.hpp>
#include <boost/geometry/geometries/segment.hpp>

namespace gridwork::geo {

namespace bg = boost::geometry;

using Point = bg::model::d2::point_xy<double>;  // x = longitude, y = latitude (degrees).
using Ring = bg::model::ring<Point>;            // clockwise, closed.
using Polygon = bg::model::polygon<Point>;      // outer clockwise, holes counter-clockwise.
using MultiPolygon = bg::model::multi_polygon<Polygon>;
using Box = bg::model::box<Point>;
using Segment = bg::model::segment<Point>;

inline Point LngLat(double lng, double lat) { return Point(lng, lat); }

}  // namespace gridwork::geo

#endif  // GRIDWORK_GEO_TYPES_H_
