#include "demo_geography/sampling.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace gridwork::demo_geography {

std::vector<SiteKm> PoissonDiskSites(const BoxKm& box,
                                     const std::function<double(double, double)>& radius,
                                     double min_radius, double max_radius, Rng& rng) {
  // Candidates: one per cell of a lattice at a third of the smallest spacing, jittered.
  const double h = min_radius / 3;
  const int nx = std::max(1, static_cast<int>(std::ceil((box.max_x - box.min_x) / h)));
  const int ny = std::max(1, static_cast<int>(std::ceil((box.max_y - box.min_y) / h)));
  std::vector<SiteKm> candidates;
  candidates.reserve(static_cast<size_t>(nx) * ny);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      candidates.push_back(
          {box.min_x + (i + rng.Uniform()) * h, box.min_y + (j + rng.Uniform()) * h});
    }
  }
  for (size_t i = candidates.size(); i > 1; --i) {
    std::swap(candidates[i - 1], candidates[rng.Below(i)]);
  }

  // Accepted sites bucketed on a grid of min_radius cells.
  const double cell = min_radius;
  const int gx = static_cast<int>(std::ceil((box.max_x - box.min_x) / cell)) + 1;
  const int gy = static_cast<int>(std::ceil((box.max_y - box.min_y) / cell)) + 1;
  const int reach = static_cast<int>(std::ceil(max_radius / cell));
  std::vector<std::vector<int>> buckets(static_cast<size_t>(gx) * gy);
  std::vector<SiteKm> sites;
  std::vector<double> radii;
  for (const SiteKm& c : candidates) {
    const double r = radius(c.x, c.y);
    const int cx = static_cast<int>((c.x - box.min_x) / cell);
    const int cy = static_cast<int>((c.y - box.min_y) / cell);
    bool ok = true;
    for (int y = std::max(0, cy - reach); ok && y <= std::min(gy - 1, cy + reach); ++y) {
      for (int x = std::max(0, cx - reach); ok && x <= std::min(gx - 1, cx + reach); ++x) {
        for (int s : buckets[static_cast<size_t>(y) * gx + x]) {
          const double need = (r + radii[s]) / 2;
          if (std::hypot(c.x - sites[s].x, c.y - sites[s].y) < need) {
            ok = false;
            break;
          }
        }
      }
    }
    if (!ok) continue;
    buckets[static_cast<size_t>(cy) * gx + cx].push_back(static_cast<int>(sites.size()));
    sites.push_back(c);
    radii.push_back(r);
  }
  return sites;
}

}  // namespace gridwork::demo_geography
