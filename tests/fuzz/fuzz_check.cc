#include "tests/fuzz/fuzz_check.h"

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace gridwork::fuzz {
namespace {

double DistanceToRing(const geo::Point& p, const geo::Ring& ring) {
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    const double d = geo::bg::distance(p, geo::Segment(ring[i], ring[i + 1]));
    if (d < best) best = d;
  }
  if (ring.size() >= 2) {  // the closing edge, in case the ring is not closed
    const double d = geo::bg::distance(p, geo::Segment(ring.back(), ring.front()));
    if (d < best) best = d;
  }
  if (ring.size() == 1) best = geo::bg::distance(p, ring.front());
  return best;
}

}  // namespace

void FuzzFail(std::string_view what) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

double DistanceToBorder(const geo::Point& p, const geo::MultiPolygon& mp) {
  double best = std::numeric_limits<double>::infinity();
  for (const geo::Polygon& poly : mp) {
    double d = DistanceToRing(p, poly.outer());
    if (d < best) best = d;
    for (const geo::Ring& hole : poly.inners()) {
      d = DistanceToRing(p, hole);
      if (d < best) best = d;
    }
  }
  return best;
}

}  // namespace gridwork::fuzz
