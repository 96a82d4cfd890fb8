#include "gridwork/geo/crs.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gridwork::geo {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
constexpr double kKrasovskyA = 6378245.0;
constexpr double kKrasovskyEe = 0.00669342162296594323;

// BD-09's angular frequency: π · 3000 / 180.
constexpr double kBdXPi = kPi * 3000.0 / 180.0;
constexpr double kBdLngOffset = 0.0065;
constexpr double kBdLatOffset = 0.006;

// Stop an inverse iteration when its step is below this many degrees (~0.01 mm).
constexpr double kInverseToleranceDeg = 1e-10;

// The two polynomial + sine series of GCJ-02, in "metres on the Krasovsky ellipsoid" before
// scaling; x = lng − 105, y = lat − 35.
double SeriesLat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

double SeriesLng(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

// GCJ-02 point for a WGS-84 point, without the out-of-China test.
Point GcjForward(const Point& wgs) {
  const double lng = wgs.x(), lat = wgs.y();
  const double rad_lat = lat / 180.0 * kPi;
  const double s = std::sin(rad_lat);
  const double w2 = 1.0 - kKrasovskyEe * s * s;  // 1 − e² sin²φ
  const double w = std::sqrt(w2);
  // Metres per radian along the meridian (M) and along the parallel (N cos φ).
  const double meridian = kKrasovskyA * (1.0 - kKrasovskyEe) / (w2 * w);
  const double parallel = kKrasovskyA / w * std::cos(rad_lat);
  const double d_lat = SeriesLat(lng - 105.0, lat - 35.0) * 180.0 / (meridian * kPi);
  const double d_lng = SeriesLng(lng - 105.0, lat - 35.0) * 180.0 / (parallel * kPi);
  return Point(lng + d_lng, lat + d_lat);
}

bool Finite(const Point& p) { return std::isfinite(p.x()) && std::isfinite(p.y()); }

// Solves forward(w) == target for w by the fixed-point iteration w ← w − (forward(w) − target),
// starting at `start`. Converges when forward − identity is a contraction near the solution
// (Lipschitz constant ~4e-3 for GCJ-02, ~2e-2 for BD-09, whose angle term is scaled by a
// radius of ~120°). Returns the iterate with the smallest residual seen.
template <typename Forward>
Point SolveInverse(const Point& target, const Point& start, Forward forward,
                   CrsInverseReport* report) {
  Point w = start;
  Point best = start;
  double best_residual = std::numeric_limits<double>::infinity();
  int iterations = 0;
  while (iterations < kCrsMaxIterations) {
    const Point f = forward(w);
    ++iterations;
    const double dx = f.x() - target.x(), dy = f.y() - target.y();
    const double residual = std::max(std::abs(dx), std::abs(dy));
    if (residual < best_residual) {  // false for NaN: a NaN iterate is never "best"
      best_residual = residual;
      best = w;
    }
    if (!(residual >= kInverseToleranceDeg)) break;  // converged, or NaN: stop either way
    w = Point(w.x() - dx, w.y() - dy);
  }
  if (report != nullptr) {
    report->iterations = iterations;
    report->residual_deg = best_residual;
  }
  return best;
}

}  // namespace

bool OutOfChina(const Point& p) {
  const double lng = p.x(), lat = p.y();
  // Written so that NaN compares as outside.
  return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

Point Wgs84ToGcj02(const Point& wgs) {
  if (OutOfChina(wgs)) return wgs;
  return GcjForward(wgs);
}

Point Gcj02ToWgs84(const Point& gcj, CrsInverseReport* report) {
  if (OutOfChina(gcj)) {
    if (report != nullptr) *report = CrsInverseReport{};
    return gcj;
  }
  return SolveInverse(gcj, gcj, GcjForward, report);
}

Point Gcj02ToBd09(const Point& gcj) {
  const double x = gcj.x(), y = gcj.y();
  const double z = std::sqrt(x * x + y * y) + 0.00002 * std::sin(y * kBdXPi);
  const double theta = std::atan2(y, x) + 0.000003 * std::cos(x * kBdXPi);
  return Point(z * std::cos(theta) + kBdLngOffset, z * std::sin(theta) + kBdLatOffset);
}

Point Bd09ToGcj02(const Point& bd, CrsInverseReport* report) {
  if (!Finite(bd)) {
    if (report != nullptr) *report = CrsInverseReport{};
    return bd;
  }
  // The conventional closed-form approximation: the same terms subtracted, evaluated at the
  // BD-09 point instead of the (unknown) GCJ-02 one.
  const double x = bd.x() - kBdLngOffset, y = bd.y() - kBdLatOffset;
  const double z = std::sqrt(x * x + y * y) - 0.00002 * std::sin(y * kBdXPi);
  const double theta = std::atan2(y, x) - 0.000003 * std::cos(x * kBdXPi);
  const Point start(z * std::cos(theta), z * std::sin(theta));
  return SolveInverse(bd, start, Gcj02ToBd09, report);
}

Point Wgs84ToBd09(const Point& wgs) { return Gcj02ToBd09(Wgs84ToGcj02(wgs)); }

Point Bd09ToWgs84(const Point& bd) { return Gcj02ToWgs84(Bd09ToGcj02(bd)); }

}  // namespace gridwork::geo
