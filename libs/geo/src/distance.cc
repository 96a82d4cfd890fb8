#include "gridwork/geo/distance.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gridwork::geo {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

// Longitude difference folded into [-180, 180] so that features across the antimeridian are
// measured the short way round.
double DeltaLng(double from, double to) {
  double d = to - from;
  if (d > 180) d -= 360;
  if (d < -180) d += 360;
  return d;
}

// Local equirectangular projection centred on an origin point, in metres.
struct LocalProjection {
  explicit LocalProjection(const Point& origin)
      : lng0(origin.x()),
        lat0(origin.y()),
        kx(std::cos(origin.y() * kDegToRad) * kDegToRad * kEarthRadiusM),
        ky(kDegToRad * kEarthRadiusM) {}
  double X(const Point& p) const { return DeltaLng(lng0, p.x()) * kx; }
  double Y(const Point& p) const { return (p.y() - lat0) * ky; }
  double lng0, lat0, kx, ky;
};

// Distance from the origin (0, 0) to the segment (ax, ay)-(bx, by) in the plane.
double OriginToSegment(double ax, double ay, double bx, double by) {
  const double dx = bx - ax, dy = by - ay;
  const double len2 = dx * dx + dy * dy;
  double t = 0;
  if (len2 > 0) t = std::clamp(-(ax * dx + ay * dy) / len2, 0.0, 1.0);
  return std::hypot(ax + t * dx, ay + t * dy);
}

double RingDistance(const LocalProjection& proj, const Ring& ring) {
  double best = std::numeric_limits<double>::infinity();
  if (ring.empty()) return best;
  double px = proj.X(ring[0]), py = proj.Y(ring[0]);
  if (ring.size() == 1) return std::hypot(px, py);
  for (size_t i = 1; i < ring.size(); ++i) {
    const double qx = proj.X(ring[i]), qy = proj.Y(ring[i]);
    best = std::min(best, OriginToSegment(px, py, qx, qy));
    px = qx;
    py = qy;
  }
  return best;
}

}  // namespace

double HaversineMeters(const Point& a, const Point& b) {
  const double lat1 = a.y() * kDegToRad, lat2 = b.y() * kDegToRad;
  const double dlat = lat2 - lat1;
  const double dlng = DeltaLng(a.x(), b.x()) * kDegToRad;
  const double s1 = std::sin(dlat / 2), s2 = std::sin(dlng / 2);
  const double h = s1 * s1 + std::cos(lat1) * std::cos(lat2) * s2 * s2;
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

double DistanceToSegmentMeters(const Point& p, const Segment& s) {
  const LocalProjection proj(p);
  return OriginToSegment(proj.X(s.first), proj.Y(s.first), proj.X(s.second), proj.Y(s.second));
}

double DistanceToBoundaryMeters(const Point& p, const MultiPolygon& mp) {
  const LocalProjection proj(p);
  double best = std::numeric_limits<double>::infinity();
  for (const Polygon& poly : mp) {
    best = std::min(best, RingDistance(proj, poly.outer()));
    for (const Ring& inner : poly.inners()) best = std::min(best, RingDistance(proj, inner));
  }
  return best;
}

double DistanceToAreaMeters(const Point& p, const MultiPolygon& mp) {
  if (mp.empty()) return std::numeric_limits<double>::infinity();
  if (bg::covered_by(p, mp)) return 0;
  return DistanceToBoundaryMeters(p, mp);
}

double RingAreaSquareMeters(const Ring& ring) {
  if (ring.size() < 3) return 0;
  // Shoelace in the Lambert cylindrical equal-area projection (x = λ, y = sin φ, both times
  // R), relative to the first vertex to avoid cancellation between large coordinates.
  const double lng0 = ring[0].x();
  const double y0 = std::sin(ring[0].y() * kDegToRad);
  double sum = 0;
  double px = 0, py = 0;
  for (size_t i = 1; i < ring.size(); ++i) {
    const double x = DeltaLng(lng0, ring[i].x()) * kDegToRad;
    const double y = std::sin(ring[i].y() * kDegToRad) - y0;
    sum += px * y - x * py;
    px = x;
    py = y;
  }
  // Closing edge back to the first vertex (0, 0) adds nothing; an open ring is closed here.
  return std::abs(sum) / 2 * kEarthRadiusM * kEarthRadiusM;
}

double AreaSquareMeters(const Polygon& polygon) {
  double area = RingAreaSquareMeters(polygon.outer());
  for (const Ring& inner : polygon.inners()) area -= RingAreaSquareMeters(inner);
  return area;
}

double AreaSquareMeters(const MultiPolygon& mp) {
  double area = 0;
  for (const Polygon& poly : mp) area += AreaSquareMeters(poly);
  return area;
}

}  // namespace gridwork::geo
