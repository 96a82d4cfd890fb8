// Conversion between the API's polygon representation (v1.MultiPolygonGeometry: flat
// lng/lat pairs, RFC 7946 orientation) and Boost.Geometry's (gridwork::geo::MultiPolygon:
// clockwise outer rings).
#ifndef GRIDWORK_CLIENTS_REGION_GEOMETRY_H_
#define GRIDWORK_CLIENTS_REGION_GEOMETRY_H_

#include "gridwork/geo/types.h"
#include "gridwork/geofence/v1/geofence.pb.h"

namespace gridwork::clients {

namespace v1 = ::gridwork::geofence::v1;

// Rings are closed and oriented for Boost (bg::correct). A ring with an odd number of
// doubles drops its last value (the API validates before this is reached).
geo::MultiPolygon ToGeo(const v1::MultiPolygonGeometry& g);

// Outer rings counter-clockwise, holes clockwise, closed.
v1::MultiPolygonGeometry ToProto(const geo::MultiPolygon& mp);

}  // namespace gridwork::clients

#endif  // GRIDWORK_CLIENTS_REGION_GEOMETRY_H_
