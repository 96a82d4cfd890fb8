#include "demo_geography/subdivide.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "demo_geography/boundary.h"
#include "demo_geography/clustering.h"
#include "demo_geography/names.h"
#include "demo_geography/projection.h"
#include "demo_geography/random.h"
#include "demo_geography/sampling.h"
#include "demo_geography/tiling.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"

namespace gridwork::demo_geography {
namespace {

namespace bg = boost::geometry;
using geo::MultiPolygon;
using geo::Point;

// 二七纪念塔, the traditional centre of Zhengzhou.
const Point kCityCentre(113.6655, 34.7535);

// Mean Voronoi cell area of a maximal Poisson-disk sample of radius r: about 1.44 r²
// (random close packing of disks of diameter r); the grid sizes in the output agree.
constexpr double kCellAreaPerRadius2 = 1.44;
// A clipped cell smaller than this fraction of its target area is merged into a neighbour.
constexpr double kSliverFraction = 0.35;
// Shared borders shorter than this do not make two regions neighbours.
constexpr double kMinBorderKm = 0.005;

// How region sizes and population vary with distance from the nearest centre.
struct Profile {
  double near_km, far_km;            // the gradient runs from near_km to far_km.
  double area_near, area_far;        // target grid area, km².
  double density_near, density_far;  // residents per km².
  ClusterOptions community;          // grids per community.
  ClusterOptions street;             // communities per street.
};

Profile MakeProfile(bool urban) {
  if (urban) {
    // A grid: ~2-3k residents on 0.2-0.5 km² (dense core, lighter edges).
    return {2.0,
            12.0,
            0.2,
            0.5,
            14000,
            4500,
            {.target_size = 6.5, .min_size = 4, .max_size = 10},
            {.target_size = 10, .min_size = 8, .max_size = 20}};
  }
  // A grid is a village of 1-2k residents on ~2.5 km²; county seats are town-like.
  return {1.5,
          6.0,
          0.4,
          2.5,
          6000,
          550,
          {.target_size = 5, .min_size = 3, .max_size = 8},
          {.target_size = 9, .min_size = 6, .max_size = 16}};
}

double SmoothStep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

class SizeModel {
 public:
  SizeModel(const Profile& p, std::vector<std::pair<double, double>> centres_km)
      : p_(p), centres_(std::move(centres_km)) {}

  double GridAreaKm2(double x, double y) const {
    return p_.area_near + (p_.area_far - p_.area_near) * Gradient(x, y);
  }
  double Density(double x, double y) const {
    // Geometric interpolation: population falls off exponentially.
    return p_.density_near * std::pow(p_.density_far / p_.density_near, Gradient(x, y));
  }

 private:
  double Gradient(double x, double y) const {
    double d = 1e9;
    for (const auto& [cx, cy] : centres_) d = std::min(d, std::hypot(x - cx, y - cy));
    return SmoothStep(p_.near_km, p_.far_km, d);
  }
  Profile p_;
  std::vector<std::pair<double, double>> centres_;
};

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

bool IsPathSegment(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A connected piece of a Voronoi cell inside the district (most cells are one piece, a
// cell cut by a bay of the boundary gives several).
struct Atom {
  int cell;
  MultiPolygon shape;  // one polygon.
  double area_km2;
  double x_km, y_km;  // centroid.
};

// Nodes (atoms or groups of atoms) with their positions, for clustering.
struct Groups {
  std::vector<std::vector<int>> atoms;  // per group: its atoms, ascending.
};

// Builds the graph of `groups` from the atom graph (borders add up).
Graph GroupGraph(const Groups& groups, const std::vector<int>& group_of_atom,
                 const std::vector<Atom>& atoms, const Graph& atom_graph) {
  Graph g;
  const size_t n = groups.atoms.size();
  g.x_km.resize(n);
  g.y_km.resize(n);
  g.edges.resize(n);
  for (size_t i = 0; i < n; ++i) {
    double sx = 0, sy = 0, sa = 0;
    std::map<int, double> border;
    for (int a : groups.atoms[i]) {
      sx += atoms[a].x_km * atoms[a].area_km2;
      sy += atoms[a].y_km * atoms[a].area_km2;
      sa += atoms[a].area_km2;
      for (const Graph::Edge& e : atom_graph.edges[a]) {
        const int other = group_of_atom[e.to];
        if (other != static_cast<int>(i)) border[other] += e.border_km;
      }
    }
    g.x_km[i] = sx / sa;
    g.y_km[i] = sy / sa;
    for (const auto& [other, len] : border) {
      if (len >= kMinBorderKm) g.edges[i].push_back({other, len});
    }
  }
  return g;
}

// Partitions groups[i] by `assignment` (per group) into new groups of atoms.
Groups Coarsen(const Groups& fine, const std::vector<int>& assignment,
               std::vector<std::vector<int>>* children) {
  const int k =
      fine.atoms.empty() ? 0 : *std::max_element(assignment.begin(), assignment.end()) + 1;
  Groups coarse;
  coarse.atoms.resize(k);
  children->assign(k, {});
  for (size_t i = 0; i < fine.atoms.size(); ++i) {
    auto& dst = coarse.atoms[assignment[i]];
    dst.insert(dst.end(), fine.atoms[i].begin(), fine.atoms[i].end());
    (*children)[assignment[i]].push_back(static_cast<int>(i));
  }
  for (auto& a : coarse.atoms) std::sort(a.begin(), a.end());
  return coarse;
}

// Orders `items` (indices into the graph) for numbering: north to south in bands of
// `band_km`, west to east within a band.
void ReadingOrder(std::vector<int>& items, const Graph& g, double band_km) {
  double top = -1e18;
  for (int i : items) top = std::max(top, g.y_km[i]);
  std::stable_sort(items.begin(), items.end(), [&](int a, int b) {
    const auto band_a = static_cast<int64_t>(std::floor((top - g.y_km[a]) / band_km));
    const auto band_b = static_cast<int64_t>(std::floor((top - g.y_km[b]) / band_km));
    if (band_a != band_b) return band_a < band_b;
    if (g.x_km[a] != g.x_km[b]) return g.x_km[a] < g.x_km[b];
    return a < b;
  });
}

// Boost.Geometry 1.74 overlays snap intersection points to an integer grid derived from the
// envelope of both operands ("rescale policy"). Clipping a grid's cell and its community's
// union against the bare district would use different envelopes, so the same Voronoi edge
// would meet the border at points a few millimetres apart, leaving slivers between levels.
// Adding two specks at opposite corners beyond every cell fixes the operand's envelope for
// every clip of the district: all intersection points land on the same grid, bit for bit.
// The specks never meet a cell, so they never appear in a result.
MultiPolygon MakeClip(const MultiPolygon& area, const Point& low, const Point& high) {
  MultiPolygon clip = area;
  for (const Point& corner : {low, high}) {
    const double d = 1e-4;
    geo::Polygon speck;
    speck.outer() = {corner, Point(corner.x() + d, corner.y()), Point(corner.x(), corner.y() + d),
                     corner};
    bg::correct(speck);
    clip.push_back(std::move(speck));
  }
  return clip;
}

class DistrictBuilder {
 public:
  DistrictBuilder(const DistrictInput& in, MultiPolygon area, bool urban, uint64_t seed)
      : in_(in),
        area_(std::move(area)),
        envelope_(bg::return_envelope<geo::Box>(area_)),
        projection_((envelope_.min_corner().x() + envelope_.max_corner().x()) / 2,
                    (envelope_.min_corner().y() + envelope_.max_corner().y()) / 2),
        profile_(MakeProfile(urban)),
        sizes_(profile_, Centres(urban)),
        rng_(seed),
        names_(MixSeed(seed, 1), urban) {}

  absl::StatusOr<std::vector<Region>> Build();

 private:
  std::vector<std::pair<double, double>> Centres(bool urban) const {
    std::vector<std::pair<double, double>> c;
    Point seat;
    if (in_.centre.has_value()) {
      seat = *in_.centre;
    } else {
      bg::centroid(area_, seat);
    }
    c.emplace_back(projection_.XKm(seat), projection_.YKm(seat));
    if (urban) c.emplace_back(projection_.XKm(kCityCentre), projection_.YKm(kCityCentre));
    return c;
  }
  absl::Status MakeAtoms();
  Graph AtomGraph() const;
  Groups MergeSlivers(const Graph& atom_graph) const;
  const MultiPolygon& ClipOperand(const geo::Box& cell_box);
  MultiPolygon Shape(const std::vector<int>& atoms) const;
  Region MakeRegion(std::string id, Level level, std::string parent, std::string name,
                    const std::vector<int>& atoms) const;

  const DistrictInput& in_;
  MultiPolygon area_;
  // area_ plus two specks far outside every cell: the clip operand. See MakeClip.
  MultiPolygon clip_;
  Point anchor_low_, anchor_high_;
  double max_edge_deg_ = 0;  // longest boundary edge
  // Pieces of the boundary by tile (see ClipOperand), made on first use.
  std::map<std::pair<int64_t, int64_t>, MultiPolygon> tiles_;
  geo::Box envelope_;
  LocalProjection projection_;
  Profile profile_;
  SizeModel sizes_;
  Rng rng_;
  NameGenerator names_;
  Tiling tiling_;
  std::vector<Atom> atoms_;
  std::vector<std::vector<int>> atoms_of_cell_;
};

absl::Status DistrictBuilder::MakeAtoms() {
  const double r_min = std::sqrt(profile_.area_near / kCellAreaPerRadius2);
  const double r_max = std::sqrt(profile_.area_far / kCellAreaPerRadius2);
  const double margin = 3 * r_max;
  const BoxKm box{projection_.XKm(envelope_.min_corner()) - margin,
                  projection_.YKm(envelope_.min_corner()) - margin,
                  projection_.XKm(envelope_.max_corner()) + margin,
                  projection_.YKm(envelope_.max_corner()) + margin};
  const auto radius = [&](double x, double y) {
    return std::sqrt(sizes_.GridAreaKm2(x, y) / kCellAreaPerRadius2);
  };
  tiling_ = BuildVoronoiTiling(PoissonDiskSites(box, radius, r_min, r_max, rng_), projection_);
  anchor_low_ = projection_.ToLngLat(box.min_x - 1, box.min_y - 1);
  anchor_high_ = projection_.ToLngLat(box.max_x + 1, box.max_y + 1);
  clip_ = MakeClip(area_, anchor_low_, anchor_high_);
  for (const geo::Polygon& p : area_) {
    for (size_t i = 0; i + 1 < p.outer().size(); ++i) {
      max_edge_deg_ = std::max(max_edge_deg_, bg::distance(p.outer()[i], p.outer()[i + 1]));
    }
  }

  const BoundaryIndex index(area_, 0.01);
  atoms_of_cell_.assign(tiling_.cells.size(), {});
  for (size_t c = 0; c < tiling_.cells.size(); ++c) {
    const Tiling::Cell& cell = tiling_.cells[c];
    if (!cell.finite) {
      if (bg::intersects(cell.site, envelope_)) {
        return absl::InternalError("unbounded Voronoi cell inside the district");
      }
      continue;
    }
    geo::Polygon poly = CellPolygon(tiling_, static_cast<int>(c));
    const auto box = bg::return_envelope<geo::Box>(poly);
    if (!bg::intersects(box, envelope_)) continue;
    MultiPolygon pieces;
    if (!index.MayCross(box)) {
      if (!index.Contains(cell.site)) continue;
      pieces.push_back(std::move(poly));
    } else {
      bg::intersection(ClipOperand(box), poly, pieces);
    }
    for (geo::Polygon& piece : pieces) {
      Atom atom{static_cast<int>(c), {std::move(piece)}, 0, 0, 0};
      atom.area_km2 = projection_.AreaKm2(atom.shape);
      if (atom.area_km2 <= 0) continue;
      Point centroid;
      bg::centroid(atom.shape, centroid);
      atom.x_km = projection_.XKm(centroid);
      atom.y_km = projection_.YKm(centroid);
      atoms_of_cell_[c].push_back(static_cast<int>(atoms_.size()));
      atoms_.push_back(std::move(atom));
    }
  }
  if (atoms_.empty()) return absl::InvalidArgumentError("district has no area");
  return absl::OkStatus();
}

// Two atoms are neighbours if they share a boundary edge. Shared edges have exactly the same
// end points in both (Voronoi vertices, or cut points on one rounding grid), so they are
// found by matching each directed edge with its reverse.
Graph DistrictBuilder::AtomGraph() const {
  using Key = std::array<double, 4>;
  std::map<Key, int> owner;
  auto for_each_edge = [](const geo::Polygon& p, const auto& fn) {
    auto ring = [&](const geo::Ring& r) {
      for (size_t i = 0; i + 1 < r.size(); ++i) fn(r[i], r[i + 1]);
    };
    ring(p.outer());
    for (const geo::Ring& h : p.inners()) ring(h);
  };
  for (size_t i = 0; i < atoms_.size(); ++i) {
    for_each_edge(atoms_[i].shape.front(), [&](const Point& a, const Point& b) {
      owner[Key{a.x(), a.y(), b.x(), b.y()}] = static_cast<int>(i);
    });
  }
  Graph g;
  g.edges.resize(atoms_.size());
  for (size_t i = 0; i < atoms_.size(); ++i) {
    g.x_km.push_back(atoms_[i].x_km);
    g.y_km.push_back(atoms_[i].y_km);
    std::map<int, double> border;
    for_each_edge(atoms_[i].shape.front(), [&](const Point& a, const Point& b) {
      auto it = owner.find(Key{b.x(), b.y(), a.x(), a.y()});
      if (it != owner.end() && it->second != static_cast<int>(i)) {
        border[it->second] += projection_.DistanceKm(a, b);
      }
    });
    for (const auto& [j, len] : border) g.edges[i].push_back({j, len});
  }
  return g;
}

Groups DistrictBuilder::MergeSlivers(const Graph& atom_graph) const {
  const size_t n = atoms_.size();
  std::vector<int> group(n);
  std::iota(group.begin(), group.end(), 0);
  std::vector<std::vector<int>> members(n);
  std::vector<double> area(n);
  for (size_t i = 0; i < n; ++i) {
    members[i] = {static_cast<int>(i)};
    area[i] = atoms_[i].area_km2;
  }
  auto threshold = [&](int g) {
    // The target at the group's largest atom.
    int best = members[g].front();
    for (int a : members[g]) {
      if (atoms_[a].area_km2 > atoms_[best].area_km2) best = a;
    }
    return kSliverFraction * sizes_.GridAreaKm2(atoms_[best].x_km, atoms_[best].y_km);
  };
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<std::pair<double, int>> small;
    for (size_t g = 0; g < n; ++g) {
      if (!members[g].empty() && area[g] < threshold(static_cast<int>(g))) {
        small.emplace_back(area[g], static_cast<int>(g));
      }
    }
    std::sort(small.begin(), small.end());
    for (const auto& [unused, g] : small) {
      if (members[g].empty() || area[g] >= threshold(g)) continue;
      std::map<int, double> border;
      for (int a : members[g]) {
        for (const Graph::Edge& e : atom_graph.edges[a]) {
          if (group[e.to] != g) border[group[e.to]] += e.border_km;
        }
      }
      int best = -1;
      double best_len = 0;
      for (const auto& [other, len] : border) {
        if (len > best_len) {
          best = other;
          best_len = len;
        }
      }
      if (best < 0) {
        // Touches no other atom along an edge (a speck at a corner of the boundary): join
        // the largest piece of its own or a neighbouring Voronoi cell, so nothing is lost.
        double best_area = 0;
        for (int a : members[g]) {
          std::vector<int> cells = tiling_.cells[atoms_[a].cell].neighbours;
          cells.push_back(atoms_[a].cell);
          for (int nb_cell : cells) {
            if (nb_cell < 0) continue;
            for (int b : atoms_of_cell_[nb_cell]) {
              if (group[b] != g && atoms_[b].area_km2 > best_area) {
                best_area = atoms_[b].area_km2;
                best = group[b];
              }
            }
          }
        }
      }
      if (best < 0) continue;  // Alone in the district: stays a grid of its own.
      for (int a : members[g]) group[a] = best;
      members[best].insert(members[best].end(), members[g].begin(), members[g].end());
      area[best] += area[g];
      members[g].clear();
      area[g] = 0;
      changed = true;
    }
  }
  Groups grids;
  for (auto& m : members) {
    if (m.empty()) continue;
    std::sort(m.begin(), m.end());
    grids.atoms.push_back(m);
  }
  std::sort(grids.atoms.begin(), grids.atoms.end());
  return grids;
}

// Clipping a cell against the whole boundary costs time proportional to the
// boundary's length; a tile's piece of it (plus the anchors, so the envelope and hence the
// rounding grid stay the same) gives the same result: every boundary edge that can meet
// the cell lies wholly inside the tile's box, so the same segment pairs are intersected.
const MultiPolygon& DistrictBuilder::ClipOperand(const geo::Box& cell_box) {
  constexpr double kTileDeg = 0.04;
  // Cells are at most ~2.5 km across; boundary edges at most ~0.01° (checked below).
  constexpr double kMarginDeg = 0.04;
  const double cx = (cell_box.min_corner().x() + cell_box.max_corner().x()) / 2;
  const double cy = (cell_box.min_corner().y() + cell_box.max_corner().y()) / 2;
  const auto key = std::pair(static_cast<int64_t>(std::floor(cx / kTileDeg)),
                             static_cast<int64_t>(std::floor(cy / kTileDeg)));
  const geo::Box tile(
      Point(key.first * kTileDeg - kMarginDeg, key.second * kTileDeg - kMarginDeg),
      Point((key.first + 1) * kTileDeg + kMarginDeg, (key.second + 1) * kTileDeg + kMarginDeg));
  const double slack = max_edge_deg_;
  if (cell_box.min_corner().x() - slack < tile.min_corner().x() ||
      cell_box.min_corner().y() - slack < tile.min_corner().y() ||
      cell_box.max_corner().x() + slack > tile.max_corner().x() ||
      cell_box.max_corner().y() + slack > tile.max_corner().y()) {
    return clip_;
  }
  auto it = tiles_.find(key);
  if (it == tiles_.end()) {
    MultiPolygon piece;
    bg::intersection(area_, tile, piece);
    it = tiles_.emplace(key, MakeClip(piece, anchor_low_, anchor_high_)).first;
  }
  return it->second;
}

MultiPolygon DistrictBuilder::Shape(const std::vector<int>& atoms) const {
  if (atoms.size() == 1) return atoms_[atoms.front()].shape;
  std::vector<const MultiPolygon*> pieces;
  double area_km2 = 0;
  for (int a : atoms) {
    pieces.push_back(&atoms_[a].shape);
    area_km2 += atoms_[a].area_km2;
  }
  // The pieces share their edges exactly (Voronoi vertices, cut points on one rounding
  // grid), so stitching gives the union without another overlay. Should rounding ever make
  // two pieces disagree, fall back to an overlay union.
  MultiPolygon stitched = StitchPieces(pieces);
  if (bg::is_valid(stitched) &&
      std::abs(projection_.AreaKm2(stitched) - area_km2) <= 1e-9 * area_km2) {
    return stitched;
  }
  log::Debug("stitching failed, using an overlay union",
             {{"district", in_.adcode}, {"pieces", pieces.size()}});
  MultiPolygon joined;
  for (const MultiPolygon* p : pieces) {
    MultiPolygon next;
    bg::union_(joined, *p, next);
    joined = std::move(next);
  }
  return joined;
}

Region DistrictBuilder::MakeRegion(std::string id, Level level, std::string parent,
                                   std::string name, const std::vector<int>& atoms) const {
  Region r;
  r.id = std::move(id);
  r.level = level;
  r.parent = std::move(parent);
  r.name = std::move(name);
  r.geometry = Shape(atoms);
  r.area_km2 = projection_.AreaKm2(r.geometry);
  return r;
}

absl::StatusOr<std::vector<Region>> DistrictBuilder::Build() {
  GW_RETURN_IF_ERROR(MakeAtoms());
  const Graph atom_graph = AtomGraph();

  // Grids, then communities as groups of grids, then streets as groups of communities.
  const Groups grids = MergeSlivers(atom_graph);
  std::vector<int> grid_of_atom(atoms_.size());
  for (size_t g = 0; g < grids.atoms.size(); ++g) {
    for (int a : grids.atoms[g]) grid_of_atom[a] = static_cast<int>(g);
  }
  const Graph grid_graph = GroupGraph(grids, grid_of_atom, atoms_, atom_graph);
  std::vector<std::vector<int>> grids_of_community;
  const Groups communities =
      Coarsen(grids, ClusterGraph(grid_graph, profile_.community, rng_), &grids_of_community);
  std::vector<int> community_of_atom(atoms_.size());
  for (size_t c = 0; c < communities.atoms.size(); ++c) {
    for (int a : communities.atoms[c]) community_of_atom[a] = static_cast<int>(c);
  }
  const Graph community_graph = GroupGraph(communities, community_of_atom, atoms_, atom_graph);
  std::vector<std::vector<int>> communities_of_street;
  const Groups streets = Coarsen(communities, ClusterGraph(community_graph, profile_.street, rng_),
                                 &communities_of_street);
  std::vector<int> street_of_atom(atoms_.size());
  for (size_t s = 0; s < streets.atoms.size(); ++s) {
    for (int a : streets.atoms[s]) street_of_atom[a] = static_cast<int>(s);
  }
  const Graph street_graph = GroupGraph(streets, street_of_atom, atoms_, atom_graph);

  // Number and name in reading order, emit depth-first (= sorted by id).
  const double total_km2 = projection_.AreaKm2(area_);
  auto band = [&](size_t count) { return std::sqrt(total_km2 / std::max<size_t>(1, count)); };
  std::vector<Region> out;
  // The district is the union of all its pieces rather than the repaired boundary itself:
  // cut points sit on the rounding grid, up to ~1 mm off the boundary line, and this way
  // the district and its streets agree exactly.
  Region district;
  district.id = in_.adcode;
  district.level = Level::kDistrict;
  district.name = in_.name;
  std::vector<int> all(atoms_.size());
  std::iota(all.begin(), all.end(), 0);
  district.geometry = Shape(all);
  district.area_km2 = projection_.AreaKm2(district.geometry);
  out.push_back(std::move(district));

  std::vector<int> street_order(streets.atoms.size());
  std::iota(street_order.begin(), street_order.end(), 0);
  ReadingOrder(street_order, street_graph, band(streets.atoms.size()));
  for (size_t si = 0; si < street_order.size(); ++si) {
    const int s = street_order[si];
    const std::string street_id = absl::StrFormat("%s/s%02d", in_.adcode, si + 1);
    out.push_back(
        MakeRegion(street_id, Level::kStreet, in_.adcode, names_.StreetName(), streets.atoms[s]));
    const size_t street_index = out.size() - 1;
    std::vector<int> community_order = communities_of_street[s];
    ReadingOrder(community_order, community_graph, band(communities.atoms.size()) * 0.8);
    for (size_t ci = 0; ci < community_order.size(); ++ci) {
      const int c = community_order[ci];
      const std::string community_id = absl::StrFormat("%s/c%02d", street_id, ci + 1);
      out.push_back(MakeRegion(community_id, Level::kCommunity, street_id, names_.CommunityName(),
                               communities.atoms[c]));
      const size_t community_index = out.size() - 1;
      std::vector<int> grid_order = grids_of_community[c];
      ReadingOrder(grid_order, grid_graph, band(grids.atoms.size()) * 0.8);
      for (size_t gi = 0; gi < grid_order.size(); ++gi) {
        const int g = grid_order[gi];
        Region grid = MakeRegion(absl::StrFormat("%s/g%02d", community_id, gi + 1), Level::kGrid,
                                 community_id, NameGenerator::GridName(static_cast<int>(gi + 1)),
                                 grids.atoms[g]);
        grid.residents_estimate =
            std::llround(grid.area_km2 * sizes_.Density(grid_graph.x_km[g], grid_graph.y_km[g]));
        out[community_index].residents_estimate += grid.residents_estimate;
        out.push_back(std::move(grid));
      }
      out[street_index].residents_estimate += out[community_index].residents_estimate;
    }
    out.front().residents_estimate += out[street_index].residents_estimate;
  }
  return out;
}

}  // namespace

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDistrict:
      return "district";
    case Level::kStreet:
      return "street";
    case Level::kCommunity:
      return "community";
    case Level::kGrid:
      return "grid";
  }
  return "unknown";
}

absl::StatusOr<std::vector<Region>> SubdivideDistrict(const DistrictInput& district,
                                                      const SubdivideOptions& options) {
  if (!IsPathSegment(district.adcode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("district id \"", district.adcode, "\" is not a path segment [a-z0-9-]+"));
  }
  auto repaired = RepairBoundary(district.boundary);
  if (!repaired.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("district ", district.adcode, ": ", repaired.status().message()));
  }
  bool urban = false;
  if (options.urban_adcodes.empty()) {
    for (std::string_view code : kUrbanAdcodes) urban = urban || code == district.adcode;
  } else {
    for (const std::string& code : options.urban_adcodes) urban = urban || code == district.adcode;
  }
  DistrictBuilder builder(district, *std::move(repaired), urban,
                          MixSeed(options.seed, Fnv1a(district.adcode)));
  return builder.Build();
}

absl::StatusOr<std::vector<Region>> SubdivideDistricts(const std::vector<DistrictInput>& districts,
                                                       const SubdivideOptions& options) {
  std::vector<Region> all;
  for (const DistrictInput& d : districts) {
    GW_ASSIGN_OR_RETURN(std::vector<Region> regions, SubdivideDistrict(d, options));
    for (Region& r : regions) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace gridwork::demo_geography
