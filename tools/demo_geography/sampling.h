// Blue-noise sites with a spatially varying spacing (variable-radius Poisson-disk sampling),
// the seeds of the Voronoi grid cells: dense in the city centre, sparse in the countryside,
// irregular enough to look like a map, even enough that no cell is tiny or huge.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_SAMPLING_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_SAMPLING_H_

#include <functional>
#include <vector>

#include "demo_geography/random.h"
#include "demo_geography/tiling.h"

namespace gridwork::demo_geography {

struct BoxKm {
  double min_x, min_y, max_x, max_y;
};

// Returns sites covering `box` such that two sites p, q are at least
// (radius(p) + radius(q)) / 2 apart and every point of the box is within about radius(p)
// of a site (dart throwing over a jittered candidate lattice, in random order).
// REQUIRES: min_radius <= radius(p) <= max_radius everywhere, min_radius > 0.
// Deterministic for a given rng state.
std::vector<SiteKm> PoissonDiskSites(const BoxKm& box,
                                     const std::function<double(double, double)>& radius,
                                     double min_radius, double max_radius, Rng& rng);

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_SAMPLING_H_
