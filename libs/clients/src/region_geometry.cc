#include "gridwork/clients/region_geometry.h"

namespace gridwork::clients {
namespace {

geo::Ring ReadRing(const v1::LinearRing& r) {
  geo::Ring ring;
  const int n = r.lng_lat_size() / 2;
  ring.reserve(n);
  for (int i = 0; i < n; ++i) ring.push_back(geo::Point(r.lng_lat(2 * i), r.lng_lat(2 * i + 1)));
  return ring;
}

void WriteRing(const geo::Ring& ring, bool reverse, v1::LinearRing* out) {
  out->mutable_lng_lat()->Reserve(static_cast<int>(ring.size() * 2));
  auto emit = [&](const geo::Point& p) {
    out->add_lng_lat(p.x());
    out->add_lng_lat(p.y());
  };
  if (reverse) {
    for (auto it = ring.rbegin(); it != ring.rend(); ++it) emit(*it);
  } else {
    for (const auto& p : ring) emit(p);
  }
}

}  // namespace

geo::MultiPolygon ToGeo(const v1::MultiPolygonGeometry& g) {
  geo::MultiPolygon mp;
  mp.reserve(g.polygons_size());
  for (const auto& poly : g.polygons()) {
    if (poly.rings_size() == 0) continue;
    geo::Polygon p;
    p.outer() = ReadRing(poly.rings(0));
    for (int i = 1; i < poly.rings_size(); ++i) p.inners().push_back(ReadRing(poly.rings(i)));
    mp.push_back(std::move(p));
  }
  geo::bg::correct(mp);
  return mp;
}

v1::MultiPolygonGeometry ToProto(const geo::MultiPolygon& mp) {
  v1::MultiPolygonGeometry out;
  for (const auto& p : mp) {
    auto* poly = out.add_polygons();
    // Boost: clockwise outer, counter-clockwise holes; RFC 7946: the opposite.
    WriteRing(p.outer(), /*reverse=*/true, poly->add_rings());
    for (const auto& hole : p.inners()) WriteRing(hole, /*reverse=*/true, poly->add_rings());
  }
  return out;
}

}  // namespace gridwork::clients
