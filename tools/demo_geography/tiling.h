// A Voronoi tiling of the plane around a set of sites, with vertices shared between cells.
//
// Neighbouring cells reference the same vertices, so cells (and pieces of cells clipped on
// one rounding grid) share their common edges bit for bit, and any union of them can be
// traced from those shared edges without a floating-point overlay (StitchPieces). The
// generator builds every level (grid, community, street) as such a union.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_TILING_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_TILING_H_

#include <vector>

#include "demo_geography/projection.h"
#include "gridwork/geo/types.h"

namespace gridwork::demo_geography {

struct Tiling {
  struct Cell {
    geo::Point site;        // lon/lat of the generating site.
    std::vector<int> ring;  // vertex indices, counter-clockwise in the lon/lat plane, open.
    // neighbours[i] is the cell across the edge ring[i] -> ring[i+1], or -1.
    std::vector<int> neighbours;
    bool finite = false;  // false for hull cells (unbounded); their ring is empty.
  };
  std::vector<geo::Point> vertices;  // lon/lat.
  std::vector<Cell> cells;           // same order as the sites.
};

// A site in kilometres of `projection`.
struct SiteKm {
  double x;
  double y;
};

// Builds the Voronoi diagram of `sites` (computed on sites rounded to 0.1 m, in the
// projected plane so cells are isotropic) and maps its vertices back to lon/lat.
// REQUIRES: sites pairwise at least 1 m apart.
Tiling BuildVoronoiTiling(const std::vector<SiteKm>& sites, const LocalProjection& projection);

// The cell as a Boost.Geometry polygon (clockwise, closed). REQUIRES: the cell is finite.
geo::Polygon CellPolygon(const Tiling& tiling, int cell);

// The union of polygons that tile without gaps or overlaps and share their common edges
// exactly (same points, opposite directions), e.g. Voronoi cells clipped against one
// operand: edges present in both directions cancel, the rest are traced into rings. Cheap
// (no floating-point overlay) and exact; the caller checks validity if the pieces might not
// share their edges exactly.
geo::MultiPolygon StitchPieces(const std::vector<const geo::MultiPolygon*>& pieces);

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_TILING_H_
