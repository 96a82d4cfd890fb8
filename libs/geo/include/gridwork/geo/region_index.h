// RegionIndex: which region contains a point, for a fixed set of non-overlapping regions
// (all grids of a city, all districts of a province), answered in tens of nanoseconds.
//
//   std::vector<std::pair<uint32_t, MultiPolygon>> grids = ...;  // ordinal -> polygon
//   absl::StatusOr<RegionIndex> index = RegionIndex::Build(grids);
//   if (!index.ok()) return index.status();
//   int64_t grid = index->Lookup(113.6253, 34.7466);              // ordinal or -1
//
// Method (docs/geo.md has the long version): a uniform grid of cells over the extent of all
// regions. A cell that no region border touches is stored as "inside region X" or "empty".
// A cell that borders cross is split in four, recursively, until it holds at most
// `max_leaf_edges` edges; each such leaf keeps a reference point R (chosen well away from
// every edge), whether R is inside each region whose border crosses the leaf, and those
// edges. A query finds its cell in O(1); in a leaf it counts the crossings of segment R→Q
// with the leaf's edges for each candidate region: inside(Q) = inside(R) xor (odd count).
//
// Exactness: for every point farther than 1e-9 degrees from every region border the answer
// equals Boost.Geometry's `covered_by` (and PostGIS ST_Covers/ST_Contains) on the same
// polygons. Boundary rule: a point on a border is resolved as the point displaced by an
// infinitesimal step east (then north, for a border running east-west): it belongs to the
// region lying immediately east of it, or immediately north on an east-west border. This is
// exact for points on vertices and on axis-parallel edges, so a point on a border shared by two
// regions gets exactly one of them; on other edges floating point rounding (~1e-13°) decides.
//
// Thread safety: a built index is immutable; any number of threads may call its const
// methods concurrently.
#ifndef GRIDWORK_GEO_REGION_INDEX_H_
#define GRIDWORK_GEO_REGION_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/geo/types.h"

namespace gridwork::geo {

// Tuning knobs; the defaults suit both city grids (~0.3 km² quads) and whole provinces.
struct RegionIndexOptions {
  // Number of top-level cells per region edge (before splitting). More cells: more memory,
  // fewer cut cells, faster lookups.
  double top_cells_per_edge = 4.0;
  // Upper bound on top-level cells (4 bytes each).
  size_t max_top_cells = size_t{1} << 24;
  // A cut cell holding more edges than this (over all candidate regions) is split in four.
  int max_leaf_edges = 6;
  // Maximum number of splits below a top-level cell.
  int max_depth = 12;
};

// Sizes of a built index, for logs and benchmarks.
struct RegionIndexStats {
  size_t regions = 0;
  size_t edges = 0;         // edges of all input rings (zero-length edges dropped)
  size_t top_cells = 0;     // nx * ny
  size_t full_cells = 0;    // leaves entirely inside one region (any level)
  size_t empty_cells = 0;   // leaves outside every region (any level)
  size_t cut_leaves = 0;    // leaves with a reference point and edges
  size_t stored_edges = 0;  // edge copies held by cut leaves
  int max_depth = 0;        // deepest split used
  size_t weak_refs = 0;     // top cells whose reference point had to be closer than
                            // 1e-10° to an edge (0 in practice; see docs/geo.md)
  double top_cell_deg = 0;  // side of a top-level cell, degrees
};

class RegionIndex {
 public:
  // One input region: its ordinal (returned by Lookup) and its polygons.
  using Region = std::pair<uint32_t, MultiPolygon>;

  // Builds the index. REQUIRES: regions do not overlap (where they do, Lookup returns one of
  // them). Regions need not be valid in every respect: containment is decided by the
  // even-odd rule over all rings of a region, which for valid polygons is the usual one.
  // Empty input gives an index where every Lookup returns -1.
  // Errors: INVALID_ARGUMENT if a coordinate is not finite or beyond +-1e6 (the grid
  // arithmetic must stay finite; geographic input is far inside) or a region ordinal exceeds
  // 2^31 - 1; RESOURCE_EXHAUSTED if the index would exceed 2^30 nodes or leaf words.
  static absl::StatusOr<RegionIndex> Build(const std::vector<Region>& regions,
                                           const RegionIndexOptions& options = {});

  RegionIndex(RegionIndex&&) noexcept;
  RegionIndex& operator=(RegionIndex&&) noexcept;
  RegionIndex(const RegionIndex&) = delete;
  RegionIndex& operator=(const RegionIndex&) = delete;
  ~RegionIndex();

  // Returns the ordinal of the region covering (lng, lat) (WGS-84 degrees), or -1 if none.
  // Never fails: NaN, infinite and out-of-extent coordinates return -1.
  int64_t Lookup(double lng, double lat) const;

  // Looks up every point: out[i] = Lookup(points[i].x(), points[i].y()).
  // REQUIRES: out.size() >= points.size().
  void LookupMany(std::span<const Point> points, std::span<int64_t> out) const;

  // Heap bytes held by the index (nodes, leaves, ordinal table).
  size_t MemoryBytes() const;

  const RegionIndexStats& stats() const { return stats_; }

 private:
  friend class RegionIndexBuilder;
  RegionIndex();

  uint32_t FindNode(double lng, double lat) const;  // the leaf node word covering the point
  int64_t Resolve(uint32_t node, double lng, double lat) const;
  int64_t LookupLeaf(uint32_t offset, double lng, double lat) const;

  // Top-level grid: cell (ix, iy) covers [x0 + ix*cell, x0 + (ix+1)*cell) × (same in y).
  double x0_ = 0, y0_ = 0, inv_cell_ = 0;
  double nx_d_ = 0, ny_d_ = 0;  // nx_, ny_ as doubles, for the range check.
  uint32_t nx_ = 0, ny_ = 0;
  // Node words, encoded as in region_index_format.h; the first nx_*ny_ are the top cells.
  std::vector<uint32_t> nodes_;
  // Cut leaves, one after another (region_index_format.h).
  std::vector<double> leaves_;
  // Dense region index -> caller's ordinal.
  std::vector<uint32_t> ordinals_;
  RegionIndexStats stats_;
};

}  // namespace gridwork::geo

#endif  // GRIDWORK_GEO_REGION_INDEX_H_
