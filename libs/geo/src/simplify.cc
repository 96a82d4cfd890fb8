#include "gridwork/geo/simplify.h"

#include <utility>

#include "gridwork/geo/distance.h"

namespace gridwork::geo {

std::vector<size_t> SimplifyTrack(const std::vector<TrackPoint>& track, double tolerance_m) {
  const size_t n = track.size();
  if (n <= 2) {
    std::vector<size_t> all(n);
    for (size_t i = 0; i < n; ++i) all[i] = i;
    return all;
  }
  // Deviations below kCollinearM are rounding noise of the projection (~1e-9 m): with a zero
  // tolerance, points on the chord must still be dropped. NaN → the floor.
  constexpr double kCollinearM = 1e-6;
  const double tolerance = tolerance_m > kCollinearM ? tolerance_m : kCollinearM;

  std::vector<bool> keep(n, false);
  keep[0] = keep[n - 1] = true;
  // Spans (first, last) whose interior points are still undecided. Each span is pushed once, and
  // splitting one yields two disjoint spans, so the stack never holds more than n entries.
  std::vector<std::pair<size_t, size_t>> stack;
  stack.emplace_back(0, n - 1);
  while (!stack.empty()) {
    const auto [first, last] = stack.back();
    stack.pop_back();
    if (last - first < 2) continue;
    const Segment chord(track[first].point(), track[last].point());
    double worst = tolerance;
    size_t split = 0;
    for (size_t i = first + 1; i < last; ++i) {
      const double d = DistanceToSegmentMeters(track[i].point(), chord);
      if (d > worst) {  // strictly beyond the tolerance (false for NaN)
        worst = d;
        split = i;
      }
    }
    if (split == 0) continue;  // every interior point is within tolerance of the chord
    keep[split] = true;
    stack.emplace_back(first, split);
    stack.emplace_back(split, last);
  }

  std::vector<size_t> kept;
  for (size_t i = 0; i < n; ++i) {
    if (keep[i]) kept.push_back(i);
  }
  return kept;
}

}  // namespace gridwork::geo
