#include "demo_geography/tiling.h"

#include <algorithm>
#include <boost/polygon/voronoi.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <utility>

namespace gridwork::demo_geography {
namespace {

namespace bg = boost::geometry;
namespace bp = boost::polygon;
using geo::Point;

constexpr double kUnitsPerKm = 1e4;  // Voronoi input in integer decimetres.

double SignedArea(const Tiling& t, const std::vector<int>& ring) {
  double a = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    const Point& p = t.vertices[ring[i]];
    const Point& q = t.vertices[ring[(i + 1) % ring.size()]];
    a += p.x() * q.y() - q.x() * p.y();
  }
  return a / 2;
}

geo::Ring ToBoostRing(const Tiling& t, const std::vector<int>& ccw_ring) {
  // Boost rings are clockwise and closed: walk the counter-clockwise ring backwards.
  geo::Ring r;
  r.reserve(ccw_ring.size() + 1);
  for (auto it = ccw_ring.rbegin(); it != ccw_ring.rend(); ++it) r.push_back(t.vertices[*it]);
  r.push_back(r.front());
  return r;
}

}  // namespace

Tiling BuildVoronoiTiling(const std::vector<SiteKm>& sites, const LocalProjection& projection) {
  std::vector<bp::point_data<int32_t>> points;
  points.reserve(sites.size());
  for (const SiteKm& s : sites) {
    points.emplace_back(static_cast<int32_t>(std::lround(s.x * kUnitsPerKm)),
                        static_cast<int32_t>(std::lround(s.y * kUnitsPerKm)));
  }
  bp::voronoi_diagram<double> vd;
  bp::construct_voronoi(points.begin(), points.end(), &vd);

  Tiling t;
  t.vertices.reserve(vd.vertices().size());
  for (const auto& v : vd.vertices()) {
    t.vertices.push_back(projection.ToLngLat(v.x() / kUnitsPerKm, v.y() / kUnitsPerKm));
  }
  const auto* first_vertex = vd.vertices().empty() ? nullptr : &vd.vertices().front();
  auto vertex_index = [&](const bp::voronoi_vertex<double>* v) {
    return static_cast<int>(v - first_vertex);
  };

  t.cells.resize(sites.size());
  for (size_t i = 0; i < sites.size(); ++i) {
    t.cells[i].site = projection.ToLngLat(points[i].x() / kUnitsPerKm, points[i].y() / kUnitsPerKm);
  }
  for (const auto& cell : vd.cells()) {
    Tiling::Cell& out = t.cells[cell.source_index()];
    const auto* start = cell.incident_edge();
    if (start == nullptr) continue;
    bool finite = true;
    const auto* e = start;
    do {
      if (e->is_infinite()) finite = false;
      e = e->next();
    } while (e != start);
    if (!finite) continue;
    do {
      out.ring.push_back(vertex_index(e->vertex0()));
      out.neighbours.push_back(static_cast<int>(e->twin()->cell()->source_index()));
      e = e->next();
    } while (e != start);
    out.finite = true;
    if (SignedArea(t, out.ring) < 0) {
      // Keep neighbours[i] attached to the edge ring[i] -> ring[i+1] after reversal.
      std::vector<int> ring(out.ring.rbegin(), out.ring.rend());
      std::vector<int> nb(out.neighbours.size());
      const size_t n = ring.size();
      for (size_t k = 0; k < n; ++k) nb[k] = out.neighbours[(2 * n - 2 - k) % n];
      out.ring = std::move(ring);
      out.neighbours = std::move(nb);
    }
  }
  return t;
}

geo::Polygon CellPolygon(const Tiling& tiling, int cell) {
  geo::Polygon p;
  p.outer() = ToBoostRing(tiling, tiling.cells[cell].ring);
  return p;
}

namespace {

struct HalfEdge {
  int from;
  int to;
};

double SignedArea(const std::vector<Point>& v, const std::vector<int>& ring) {
  double a = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    const Point& p = v[ring[i]];
    const Point& q = v[ring[(i + 1) % ring.size()]];
    a += p.x() * q.y() - q.x() * p.y();
  }
  return a / 2;
}

// Chains boundary half-edges (interior on the left) into rings and returns them as
// Boost.Geometry polygons. At a vertex where the region touches itself, the sharpest left
// turn is taken, so rings stay simple and meet only at that vertex (valid OGC).
geo::MultiPolygon TraceRings(const std::vector<Point>& vertices, std::vector<HalfEdge> edges) {
  std::sort(edges.begin(), edges.end(), [](const HalfEdge& a, const HalfEdge& b) {
    return std::pair(a.from, a.to) < std::pair(b.from, b.to);
  });
  auto outgoing = [&](int v) {
    auto lo = std::lower_bound(edges.begin(), edges.end(), v,
                               [](const HalfEdge& e, int key) { return e.from < key; });
    auto hi = std::upper_bound(edges.begin(), edges.end(), v,
                               [](int key, const HalfEdge& e) { return key < e.from; });
    return std::pair(lo - edges.begin(), hi - edges.begin());
  };
  std::vector<char> used(edges.size(), 0);
  std::vector<std::vector<int>> outers;
  std::vector<std::vector<int>> holes;
  for (size_t start = 0; start < edges.size(); ++start) {
    if (used[start]) continue;
    std::vector<int> ring;
    size_t e = start;
    while (true) {
      used[e] = 1;
      ring.push_back(edges[e].from);
      const int v = edges[e].to;
      auto [lo, hi] = outgoing(v);
      long next = -1;
      double best = -10;
      const Point& a = vertices[edges[e].from];
      const Point& b = vertices[v];
      for (long it = lo; it < hi; ++it) {
        if (used[it] && static_cast<size_t>(it) != start) continue;
        const Point& c = vertices[edges[it].to];
        const double dx1 = b.x() - a.x(), dy1 = b.y() - a.y();
        const double dx2 = c.x() - b.x(), dy2 = c.y() - b.y();
        const double turn = std::atan2(dx1 * dy2 - dy1 * dx2, dx1 * dx2 + dy1 * dy2);
        if (turn > best) {
          best = turn;
          next = it;
        }
      }
      if (next < 0 || static_cast<size_t>(next) == start) break;  // closed (or broken)
      e = static_cast<size_t>(next);
    }
    if (ring.size() < 3 || edges[e].to != ring.front()) continue;  // broken: dropped
    const double area = SignedArea(vertices, ring);
    if (area > 0) {
      outers.push_back(std::move(ring));
    } else if (area < 0) {
      holes.push_back(std::move(ring));
    }
  }

  // Boost rings are clockwise and closed: walk the counter-clockwise rings backwards
  // (holes, clockwise here, become counter-clockwise).
  auto to_boost = [&](const std::vector<int>& ring) {
    geo::Ring r;
    r.reserve(ring.size() + 1);
    for (auto it = ring.rbegin(); it != ring.rend(); ++it) r.push_back(vertices[*it]);
    r.push_back(r.front());
    return r;
  };
  geo::MultiPolygon mp;
  for (const auto& r : outers) {
    geo::Polygon p;
    p.outer() = to_boost(r);
    mp.push_back(std::move(p));
  }
  for (const auto& h : holes) {
    geo::Ring ring = to_boost(h);
    bool placed = false;
    for (const Point& v : ring) {
      for (geo::Polygon& p : mp) {
        if (bg::within(v, p.outer())) {
          p.inners().push_back(ring);
          placed = true;
          break;
        }
      }
      if (placed) break;
    }
  }
  return mp;
}

}  // namespace

geo::MultiPolygon StitchPieces(const std::vector<const geo::MultiPolygon*>& pieces) {
  // Number the distinct points, then collect every ring edge reversed (Boost rings are
  // clockwise; the tracer wants the interior on the left).
  std::map<std::pair<double, double>, int> ids;
  std::vector<Point> vertices;
  auto id = [&](const Point& p) {
    auto [it, inserted] = ids.emplace(std::pair(p.x(), p.y()), static_cast<int>(vertices.size()));
    if (inserted) vertices.push_back(p);
    return it->second;
  };
  std::map<std::pair<int, int>, int> count;  // directed edge -> multiplicity
  auto add_ring = [&](const geo::Ring& r) {
    for (size_t i = 0; i + 1 < r.size(); ++i) {
      const int a = id(r[i]);
      const int b = id(r[i + 1]);
      if (a != b) ++count[{b, a}];
    }
  };
  for (const geo::MultiPolygon* mp : pieces) {
    for (const geo::Polygon& p : *mp) {
      add_ring(p.outer());
      for (const geo::Ring& h : p.inners()) add_ring(h);
    }
  }
  // An edge shared by two pieces appears once in each direction: both cancel.
  std::vector<HalfEdge> edges;
  for (const auto& [edge, n] : count) {
    auto twin = count.find({edge.second, edge.first});
    const int left = n - (twin == count.end() ? 0 : std::min(n, twin->second));
    for (int k = 0; k < left; ++k) edges.push_back({edge.first, edge.second});
  }
  return TraceRings(vertices, std::move(edges));
}

}  // namespace gridwork::demo_geography
