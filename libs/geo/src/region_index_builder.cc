// Construction of a RegionIndex (region_index.h, layout in region_index_format.h).
//
// Steps:
//  1. Collect the edges of every ring, numbered region by region (so that the edges of one
//     region form one id range and any sorted list of edge ids is grouped by region).
//  2. Lay a uniform grid over the extent and list, per top cell, the edges touching it
//     (widened by kCellMargin), and, per row of cells, the edges touching that row.
//  3. Sweep the centre line of each row, toggling region parity at every edge crossing, to
//     find the region (if any) that covers each top cell with no edge of its own in the cell.
//  4. For each top cell crossed by edges: pick a reference point R well away from every edge,
//     decide inside(R) per candidate region with a crossing count over the row's edges, and
//     emit a leaf, or split in four while the cell holds more than max_leaf_edges edges. A
//     child's reference flags come from its parent's by counting crossings of the segment
//     between the two reference points (it lies inside the parent cell).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gridwork/geo/region_index.h"
#include "region_index_format.h"

namespace gridwork::geo {

using internal::CrossesEdge;
using internal::kCellMargin;
using internal::kEmptyNode;
using internal::kInsideBit;
using internal::kKindFull;
using internal::kKindLeaf;
using internal::kKindSplit;
using internal::kMinRefDistance;
using internal::kPayloadMask;
using internal::PackWord;
using internal::PerturbedNegative;
using internal::TieSide;

namespace {

struct Edge {
  double ax, ay, bx, by;
};

struct CellBox {
  double xmin, ymin, xmax, ymax;
};

// Does the segment touch the box widened by kCellMargin? Conservative near the border.
bool EdgeTouchesBox(const Edge& e, const CellBox& b) {
  const double xmin = b.xmin - kCellMargin, xmax = b.xmax + kCellMargin;
  const double ymin = b.ymin - kCellMargin, ymax = b.ymax + kCellMargin;
  if (std::max(e.ax, e.bx) < xmin || std::min(e.ax, e.bx) > xmax) return false;
  if (std::max(e.ay, e.by) < ymin || std::min(e.ay, e.by) > ymax) return false;
  // Separating line test: all four corners strictly on one side of the edge's line.
  const double ex = e.bx - e.ax, ey = e.by - e.ay;
  auto side = [&](double x, double y) { return ex * (y - e.ay) - ey * (x - e.ax); };
  const double s1 = side(xmin, ymin), s2 = side(xmax, ymin), s3 = side(xmin, ymax),
               s4 = side(xmax, ymax);
  if (s1 > 0 && s2 > 0 && s3 > 0 && s4 > 0) return false;
  if (s1 < 0 && s2 < 0 && s3 < 0 && s4 < 0) return false;
  return true;
}

double PointEdgeDistance(double px, double py, const Edge& e) {
  const double dx = e.bx - e.ax, dy = e.by - e.ay;
  const double len2 = dx * dx + dy * dy;
  double t = 0;
  if (len2 > 0) t = std::clamp(((px - e.ax) * dx + (py - e.ay) * dy) / len2, 0.0, 1.0);
  return std::hypot(e.ax + t * dx - px, e.ay + t * dy - py);
}

// Reference point candidates, as fractions of the cell; irrational-looking so that they do
// not line up with quantised input coordinates.
constexpr double kRefCandidates[][2] = {
    {0.5, 0.5},           {0.309017, 0.618034}, {0.618034, 0.309017},
    {0.25, 0.25},         {0.75, 0.75},         {0.25, 0.75},
    {0.75, 0.25},         {0.414214, 0.171573}, {0.171573, 0.414214},
    {0.828427, 0.585786}, {0.585786, 0.828427}, {0.1, 0.9},
    {0.9, 0.1},           {0.1, 0.1},           {0.9, 0.9}};

}  // namespace

// Friend of RegionIndex; fills its private members.
class RegionIndexBuilder {
 public:
  RegionIndexBuilder(const std::vector<RegionIndex::Region>& regions,
                     const RegionIndexOptions& options, RegionIndex* out)
      : regions_(regions), options_(options), out_(*out) {}

  absl::Status Run() {
    if (absl::Status s = CollectEdges(); !s.ok()) return s;
    out_.stats_.regions = regions_.size();
    out_.stats_.edges = edges_.size();
    if (edges_.empty()) return absl::OkStatus();  // nx_ = ny_ = 0: every lookup misses.
    ChooseGrid();
    BucketByCell();
    BucketByRow();
    std::vector<int32_t> full(static_cast<size_t>(nx_) * ny_, -1);
    for (uint32_t j = 0; j < ny_; ++j) SweepRow(j, &full);
    out_.nodes_.assign(static_cast<size_t>(nx_) * ny_, kEmptyNode);
    for (uint32_t j = 0; j < ny_; ++j) {
      for (uint32_t i = 0; i < nx_; ++i) {
        const size_t c = static_cast<size_t>(j) * nx_ + i;
        uint32_t node = kEmptyNode;
        if (full[c] >= 0) {
          node = internal::MakeNode(kKindFull, static_cast<uint32_t>(full[c]));
          ++out_.stats_.full_cells;
        } else if (cell_start_[c] == cell_start_[c + 1]) {
          ++out_.stats_.empty_cells;
        } else {
          node = TopCut(i, j);
        }
        out_.nodes_[c] = node;
        if (out_.nodes_.size() > kPayloadMask || out_.leaves_.size() > kPayloadMask) {
          return absl::ResourceExhaustedError(
              "region index too large: more than 2^30 nodes or leaf words");
        }
      }
    }
    out_.nodes_.shrink_to_fit();
    out_.leaves_.shrink_to_fit();
    return absl::OkStatus();
  }

 private:
  static constexpr double kMaxCoordinate = 1e6;

  absl::Status CollectEdges() {
    region_first_edge_.reserve(regions_.size() + 1);
    for (size_t k = 0; k < regions_.size(); ++k) {
      const auto& [ordinal, mp] = regions_[k];
      if (ordinal > 0x7FFFFFFFu) {
        return absl::InvalidArgumentError(
            absl::StrCat("region ordinal ", ordinal, " exceeds 2^31 - 1"));
      }
      out_.ordinals_.push_back(ordinal);
      region_first_edge_.push_back(static_cast<uint32_t>(edges_.size()));
      // Init-capture: structured bindings cannot be captured before C++20 in clang < 16.
      auto add_ring = [&, ordinal = ordinal](const Ring& ring) -> absl::Status {
        for (const Point& p : ring) {
          if (!std::isfinite(p.x()) || !std::isfinite(p.y())) {
            return absl::InvalidArgumentError(absl::StrCat(
                "region ", ordinal, ": coordinate is not finite (", p.x(), ", ", p.y(), ")"));
          }
          // The grid arithmetic (extent, cell counts) must stay finite; geographic
          // coordinates are far inside this bound (found by fuzzing: 1.7e308 overflowed).
          if (std::abs(p.x()) > kMaxCoordinate || std::abs(p.y()) > kMaxCoordinate) {
            return absl::InvalidArgumentError(
                absl::StrCat("region ", ordinal, ": coordinate (", p.x(), ", ", p.y(),
                             ") is beyond +-", kMaxCoordinate));
          }
        }
        const size_t n = ring.size();
        if (n < 2) return absl::OkStatus();
        // Edges i -> i+1, plus the closing edge if the ring is not closed.
        const size_t m = bg::equals(ring.front(), ring.back()) ? n - 1 : n;
        for (size_t i = 0; i < m; ++i) {
          const Point& a = ring[i];
          const Point& b = ring[(i + 1) % n];
          if (a.x() == b.x() && a.y() == b.y()) continue;
          edges_.push_back(Edge{a.x(), a.y(), b.x(), b.y()});
          edge_region_.push_back(static_cast<uint32_t>(k));
        }
        return absl::OkStatus();
      };
      for (const Polygon& poly : mp) {
        if (absl::Status s = add_ring(poly.outer()); !s.ok()) return s;
        for (const Ring& inner : poly.inners()) {
          if (absl::Status s = add_ring(inner); !s.ok()) return s;
        }
      }
    }
    region_first_edge_.push_back(static_cast<uint32_t>(edges_.size()));
    if (edges_.size() >= (size_t{1} << 31)) {
      return absl::ResourceExhaustedError("region index: more than 2^31 edges");
    }
    return absl::OkStatus();
  }

  void ChooseGrid() {
    double minx = std::numeric_limits<double>::infinity(), miny = minx;
    double maxx = -minx, maxy = -minx;
    for (const Edge& e : edges_) {
      minx = std::min({minx, e.ax, e.bx});
      maxx = std::max({maxx, e.ax, e.bx});
      miny = std::min({miny, e.ay, e.by});
      maxy = std::max({maxy, e.ay, e.by});
    }
    const double w = maxx - minx + 4 * kCellMargin, h = maxy - miny + 4 * kCellMargin;
    const double target = std::clamp(options_.top_cells_per_edge * edges_.size(), 1.0,
                                     static_cast<double>(options_.max_top_cells));
    cell_ = std::max(std::sqrt(w * h / target), 1e-7);
    // Keep the grid within the cap even for long thin extents.
    while ((std::floor(w / cell_) + 2) * (std::floor(h / cell_) + 2) >
           static_cast<double>(options_.max_top_cells)) {
      cell_ *= 1.25;
    }
    // Offsets by irrational-looking fractions keep cell borders and reference points off
    // the lattice of quantised input coordinates.
    x0_ = minx - 2 * kCellMargin - cell_ * 0.381966;
    y0_ = miny - 2 * kCellMargin - cell_ * 0.276393;
    nx_ = static_cast<uint32_t>(std::floor((maxx + 2 * kCellMargin - x0_) / cell_)) + 1;
    ny_ = static_cast<uint32_t>(std::floor((maxy + 2 * kCellMargin - y0_) / cell_)) + 1;
    out_.x0_ = x0_;
    out_.y0_ = y0_;
    out_.inv_cell_ = 1.0 / cell_;
    out_.nx_ = nx_;
    out_.ny_ = ny_;
    out_.nx_d_ = nx_;
    out_.ny_d_ = ny_;
    out_.stats_.top_cells = static_cast<size_t>(nx_) * ny_;
    out_.stats_.top_cell_deg = cell_;
  }

  CellBox TopBox(uint32_t i, uint32_t j) const {
    return CellBox{x0_ + i * cell_, y0_ + j * cell_, x0_ + (i + 1) * cell_, y0_ + (j + 1) * cell_};
  }

  // Index range of cells [lo, hi] touched by [a - margin, b + margin] along one axis.
  static void CellRange(double a, double b, double origin, double cell, uint32_t n, uint32_t* lo,
                        uint32_t* hi) {
    const double l = std::floor((a - kCellMargin - origin) / cell) - 1;
    const double u = std::floor((b + kCellMargin - origin) / cell) + 1;
    *lo = static_cast<uint32_t>(std::clamp(l, 0.0, n - 1.0));
    *hi = static_cast<uint32_t>(std::clamp(u, 0.0, n - 1.0));
  }

  void BucketByCell() {
    std::vector<uint64_t> pairs;  // cell << 32 | edge
    pairs.reserve(edges_.size() * 3);
    for (uint32_t id = 0; id < edges_.size(); ++id) {
      const Edge& e = edges_[id];
      uint32_t i0, i1, j0, j1;
      CellRange(std::min(e.ax, e.bx), std::max(e.ax, e.bx), x0_, cell_, nx_, &i0, &i1);
      CellRange(std::min(e.ay, e.by), std::max(e.ay, e.by), y0_, cell_, ny_, &j0, &j1);
      for (uint32_t j = j0; j <= j1; ++j) {
        for (uint32_t i = i0; i <= i1; ++i) {
          if (EdgeTouchesBox(e, TopBox(i, j))) {
            pairs.push_back((static_cast<uint64_t>(j) * nx_ + i) << 32 | id);
          }
        }
      }
    }
    std::sort(pairs.begin(), pairs.end());
    cell_start_.assign(static_cast<size_t>(nx_) * ny_ + 1, 0);
    cell_edges_.resize(pairs.size());
    for (size_t k = 0; k < pairs.size(); ++k) {
      ++cell_start_[(pairs[k] >> 32) + 1];
      cell_edges_[k] = static_cast<uint32_t>(pairs[k]);
    }
    for (size_t c = 0; c + 1 < cell_start_.size(); ++c) cell_start_[c + 1] += cell_start_[c];
  }

  void BucketByRow() {
    row_start_.assign(ny_ + 1, 0);
    auto rows_of = [&](const Edge& e, uint32_t* lo, uint32_t* hi) {
      CellRange(std::min(e.ay, e.by), std::max(e.ay, e.by), y0_, cell_, ny_, lo, hi);
    };
    for (const Edge& e : edges_) {
      uint32_t lo, hi;
      rows_of(e, &lo, &hi);
      for (uint32_t j = lo; j <= hi; ++j) ++row_start_[j + 1];
    }
    for (uint32_t j = 0; j < ny_; ++j) row_start_[j + 1] += row_start_[j];
    row_edges_.resize(row_start_[ny_]);
    std::vector<size_t> fill(row_start_.begin(), row_start_.end() - 1);
    for (uint32_t id = 0; id < edges_.size(); ++id) {
      uint32_t lo, hi;
      rows_of(edges_[id], &lo, &hi);
      for (uint32_t j = lo; j <= hi; ++j) row_edges_[fill[j]++] = id;  // ids stay sorted
    }
  }

  std::span<const uint32_t> CellEdges(size_t c) const {
    return {cell_edges_.data() + cell_start_[c], cell_start_[c + 1] - cell_start_[c]};
  }

  // Sub-range of a sorted edge-id list holding the edges of region k.
  std::span<const uint32_t> RegionEdges(std::span<const uint32_t> ids, uint32_t k) const {
    auto lo = std::lower_bound(ids.begin(), ids.end(), region_first_edge_[k]);
    auto hi = std::lower_bound(lo, ids.end(), region_first_edge_[k + 1]);
    return {lo, hi};
  }

  // Step 3: the region covering each edge-free top cell of row j (or the region covering
  // a cut cell without having an edge in it, which wins over the cut: see Run()).
  void SweepRow(uint32_t j, std::vector<int32_t>* full) {
    const double yc = y0_ + (j + 0.5) * cell_;
    std::vector<std::pair<double, uint32_t>> crossings;
    for (size_t k = row_start_[j]; k < row_start_[j + 1]; ++k) {
      const Edge& e = edges_[row_edges_[k]];
      if ((e.ay > yc) == (e.by > yc)) continue;
      const double x = e.ax + (yc - e.ay) * (e.bx - e.ax) / (e.by - e.ay);
      crossings.emplace_back(x, edge_region_[row_edges_[k]]);
    }
    std::sort(crossings.begin(), crossings.end());
    std::vector<uint32_t> odd;  // regions with an odd number of crossings so far
    size_t next = 0;
    for (uint32_t i = 0; i < nx_; ++i) {
      const double xmin = x0_ + i * cell_;
      for (; next < crossings.size() && crossings[next].first < xmin; ++next) {
        const uint32_t r = crossings[next].second;
        auto it = std::find(odd.begin(), odd.end(), r);
        if (it == odd.end()) {
          odd.push_back(r);
        } else {
          odd.erase(it);
        }
      }
      const size_t c = static_cast<size_t>(j) * nx_ + i;
      int32_t best = -1;
      for (uint32_t r : odd) {
        if (!RegionEdges(CellEdges(c), r).empty()) continue;
        if (best < 0 || r < static_cast<uint32_t>(best)) best = static_cast<int32_t>(r);
      }
      (*full)[c] = best;
    }
  }

  // Crossing-number point-in-region test for a point in row j (horizontal ray to +x).
  bool InsideByRow(double px, double py, uint32_t region, uint32_t j) const {
    std::span<const uint32_t> row(row_edges_.data() + row_start_[j],
                                  row_start_[j + 1] - row_start_[j]);
    bool inside = false;
    for (uint32_t id : RegionEdges(row, region)) {
      const Edge& e = edges_[id];
      if ((e.ay > py) == (e.by > py)) continue;
      if (px < e.ax + (py - e.ay) * (e.bx - e.ax) / (e.by - e.ay)) inside = !inside;
    }
    return inside;
  }

  struct Ref {
    double rx = 0, ry = 0;
    std::vector<std::pair<uint32_t, bool>> flags;  // per region with edges in the cell
  };

  // Picks a reference point at least kMinRefDistance from every edge in `ids`; false if no
  // candidate qualifies (then *r holds the best one found).
  bool ChooseRef(const CellBox& b, std::span<const uint32_t> ids, Ref* r) const {
    double best = -1;
    for (const auto& f : kRefCandidates) {
      const double x = b.xmin + f[0] * (b.xmax - b.xmin);
      const double y = b.ymin + f[1] * (b.ymax - b.ymin);
      double d = std::numeric_limits<double>::infinity();
      for (uint32_t id : ids) d = std::min(d, PointEdgeDistance(x, y, edges_[id]));
      if (d > best) {
        best = d;
        r->rx = x;
        r->ry = y;
      }
      if (d >= kMinRefDistance) return true;
    }
    return false;
  }

  // Distinct regions of a sorted edge-id list, in order.
  std::vector<uint32_t> RegionsOf(std::span<const uint32_t> ids) const {
    std::vector<uint32_t> out;
    for (uint32_t id : ids) {
      if (out.empty() || out.back() != edge_region_[id]) out.push_back(edge_region_[id]);
    }
    return out;
  }

  uint32_t TopCut(uint32_t i, uint32_t j) {
    const size_t c = static_cast<size_t>(j) * nx_ + i;
    const CellBox box = TopBox(i, j);
    std::span<const uint32_t> ids = CellEdges(c);
    Ref ref;
    if (!ChooseRef(box, ids, &ref)) ++out_.stats_.weak_refs;
    for (uint32_t r : RegionsOf(ids)) {
      ref.flags.emplace_back(r, InsideByRow(ref.rx, ref.ry, r, j));
    }
    std::vector<uint32_t> copy(ids.begin(), ids.end());
    return EmitCut(box, copy, ref, 0);
  }

  // Parity of crossings of segment from.R -> (x, y) with the region's edges in `ids`.
  bool WalkParity(const Ref& from, double x, double y, std::span<const uint32_t> ids) const {
    const double qx = x - from.rx, qy = y - from.ry;
    const bool tie = TieSide(qx, qy);
    bool odd = false;
    for (uint32_t id : ids) {
      const Edge& e = edges_[id];
      odd ^=
          CrossesEdge(qx, qy, tie, e.ax - from.rx, e.ay - from.ry, e.bx - from.rx, e.by - from.ry);
    }
    return odd;
  }

  uint32_t EmitCut(const CellBox& box, const std::vector<uint32_t>& ids, const Ref& ref,
                   int depth) {
    out_.stats_.max_depth = std::max(out_.stats_.max_depth, depth);
    if (static_cast<int>(ids.size()) <= options_.max_leaf_edges || depth >= options_.max_depth) {
      return EmitLeaf(ids, ref);
    }
    // Prepare the four children first: if one finds no good reference point, stay a leaf.
    struct Child {
      CellBox box;
      std::vector<uint32_t> ids;
      Ref ref;
      int32_t full = -1;
    };
    Child children[4];
    const double xm = (box.xmin + box.xmax) / 2, ym = (box.ymin + box.ymax) / 2;
    for (int k = 0; k < 4; ++k) {
      Child& ch = children[k];
      ch.box = CellBox{(k & 1) ? xm : box.xmin, (k & 2) ? ym : box.ymin, (k & 1) ? box.xmax : xm,
                       (k & 2) ? box.ymax : ym};
      for (uint32_t id : ids) {
        if (EdgeTouchesBox(edges_[id], ch.box)) ch.ids.push_back(id);
      }
      if (!ChooseRef(ch.box, ch.ids, &ch.ref)) return EmitLeaf(ids, ref);
      for (const auto& [r, flag] : ref.flags) {
        const bool inside = flag ^ WalkParity(ref, ch.ref.rx, ch.ref.ry, RegionEdges(ids, r));
        if (!RegionEdges(ch.ids, r).empty()) {
          ch.ref.flags.emplace_back(r, inside);
        } else if (inside && ch.full < 0) {
          ch.full = static_cast<int32_t>(r);
        }
      }
    }
    // Stop when splitting does not shrink the busiest child (e.g. a corner where several
    // regions meet): deeper levels would only add memory, not speed.
    size_t busiest = 0;
    for (const Child& ch : children) busiest = std::max(busiest, ch.ids.size());
    if (busiest == ids.size()) return EmitLeaf(ids, ref);
    const size_t first = out_.nodes_.size();
    out_.nodes_.resize(first + 4, kEmptyNode);
    for (int k = 0; k < 4; ++k) {
      Child& ch = children[k];
      uint32_t node = kEmptyNode;
      if (ch.full >= 0) {
        node = internal::MakeNode(kKindFull, static_cast<uint32_t>(ch.full));
        ++out_.stats_.full_cells;
      } else if (ch.ids.empty()) {
        ++out_.stats_.empty_cells;
      } else {
        node = EmitCut(ch.box, ch.ids, ch.ref, depth + 1);
      }
      out_.nodes_[first + k] = node;
    }
    return internal::MakeNode(kKindSplit, static_cast<uint32_t>(first));
  }

  uint32_t EmitLeaf(const std::vector<uint32_t>& ids, const Ref& ref) {
    std::vector<std::pair<uint32_t, bool>> groups = ref.flags;
    // Regions containing R first: they are the likelier answer.
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.second && !b.second; });
    const size_t offset = out_.leaves_.size();
    std::vector<double>& L = out_.leaves_;
    L.push_back(ref.rx);
    L.push_back(ref.ry);
    L.push_back(PackWord(groups.size()));
    for (const auto& [r, inside] : groups) {
      std::span<const uint32_t> mine = RegionEdges(ids, r);
      L.push_back(
          PackWord(r | (static_cast<uint64_t>(mine.size()) << 32) | (inside ? kInsideBit : 0)));
      for (uint32_t id : mine) {
        const Edge& e = edges_[id];
        double ax = e.ax - ref.rx, ay = e.ay - ref.ry, bx = e.bx - ref.rx, by = e.by - ref.ry;
        const double ex = bx - ax, ey = by - ay;
        // Orient so that R (the origin) is on the positive side, as CrossesLeafEdge expects.
        if (PerturbedNegative(ex * (0 - ay) - ey * (0 - ax), ex, ey)) {
          std::swap(ax, bx);
          std::swap(ay, by);
        }
        L.insert(L.end(), {ax, ay, bx, by});
      }
      out_.stats_.stored_edges += mine.size();
    }
    ++out_.stats_.cut_leaves;
    return internal::MakeNode(kKindLeaf, static_cast<uint32_t>(offset));
  }

  const std::vector<RegionIndex::Region>& regions_;
  const RegionIndexOptions& options_;
  RegionIndex& out_;

  std::vector<Edge> edges_;
  std::vector<uint32_t> edge_region_;        // edge id -> dense region index
  std::vector<uint32_t> region_first_edge_;  // dense region index -> first edge id (+ end)
  double x0_ = 0, y0_ = 0, cell_ = 0;
  uint32_t nx_ = 0, ny_ = 0;
  std::vector<uint32_t> cell_start_, cell_edges_;  // CSR: top cell -> edge ids (sorted)
  std::vector<size_t> row_start_;                  // CSR: row -> edge ids (sorted)
  std::vector<uint32_t> row_edges_;
};

absl::StatusOr<RegionIndex> RegionIndex::Build(const std::vector<Region>& regions,
                                               const RegionIndexOptions& options) {
  RegionIndex index;
  RegionIndexBuilder builder(regions, options, &index);
  if (absl::Status s = builder.Run(); !s.ok()) return s;
  return index;
}

}  // namespace gridwork::geo
