#include "gridwork/geo/region_index.h"

#include <boost/geometry/index/rtree.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gridwork/geo/geojson.h"

namespace gridwork::geo {
namespace {

using Regions = std::vector<RegionIndex::Region>;

MultiPolygon Quad(Point a, Point b, Point c, Point d) {
  MultiPolygon mp;
  mp.resize(1);
  mp[0].outer() = {a, b, c, d, a};
  bg::correct(mp);
  return mp;
}

// nx × ny lattice of squares of side `s` from (x0, y0); ordinal = 1000 + i + j * nx. With
// `jitter` > 0 interior vertices move randomly (same for all quads sharing them).
Regions Lattice(int nx, int ny, double x0, double y0, double s, double jitter, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-jitter, jitter);
  std::vector<Point> v((nx + 1) * (ny + 1));
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      const bool border = i == 0 || j == 0 || i == nx || j == ny;
      v[j * (nx + 1) + i] =
          LngLat(x0 + (i + (border ? 0 : u(rng))) * s, y0 + (j + (border ? 0 : u(rng))) * s);
    }
  }
  Regions out;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      auto at = [&](int a, int b) { return v[(j + b) * (nx + 1) + i + a]; };
      out.emplace_back(1000 + i + j * nx, Quad(at(0, 0), at(1, 0), at(1, 1), at(0, 1)));
    }
  }
  return out;
}

double DistanceToRings(const Point& p, const MultiPolygon& mp) {
  double best = std::numeric_limits<double>::infinity();
  auto ring_d = [&](const Ring& r) {
    for (size_t i = 0; i + 1 < r.size(); ++i) {
      best = std::min(best, bg::distance(p, Segment(r[i], r[i + 1])));
    }
  };
  for (const Polygon& poly : mp) {
    ring_d(poly.outer());
    for (const Ring& in : poly.inners()) ring_d(in);
  }
  return best;
}

// Brute force with Boost (an R-tree of bounding boxes, then bg::covered_by): the reference
// the index must agree with.
struct Brute {
  using Entry = std::pair<Box, size_t>;
  explicit Brute(const Regions& r) : regions(r) {
    std::vector<Entry> entries;
    for (size_t k = 0; k < regions.size(); ++k) {
      entries.emplace_back(bg::return_envelope<Box>(regions[k].second), k);
    }
    tree = bg::index::rtree<Entry, bg::index::quadratic<16>>(entries);
  }
  std::vector<size_t> Candidates(const Point& p, double tol) const {
    const Box q(LngLat(p.x() - tol, p.y() - tol), LngLat(p.x() + tol, p.y() + tol));
    std::vector<Entry> hits;
    tree.query(bg::index::intersects(q), std::back_inserter(hits));
    std::vector<size_t> out;
    for (const Entry& e : hits) out.push_back(e.second);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<int64_t> Covering(const Point& p) const {
    std::vector<int64_t> out;
    for (size_t k : Candidates(p, 0)) {
      if (bg::covered_by(p, regions[k].second)) out.push_back(regions[k].first);
    }
    return out;
  }
  bool NearBorder(const Point& p, double tol) const {
    for (size_t k : Candidates(p, tol)) {
      if (DistanceToRings(p, regions[k].second) <= tol) return true;
    }
    return false;
  }
  const Regions& regions;
  bg::index::rtree<Entry, bg::index::quadratic<16>> tree;
};

struct Comparison {
  int checked = 0, excluded = 0, disagreements = 0, overlap_points = 0, hits = 0;
  std::string first_failure;
};

// Compares index and brute force at each point; points within 1e-9° of a border are
// excluded (counted), as the index contract allows.
Comparison Compare(const RegionIndex& index, const Brute& brute, const std::vector<Point>& pts) {
  Comparison c;
  for (const Point& p : pts) {
    const int64_t got = index.Lookup(p.x(), p.y());
    const std::vector<int64_t> want = brute.Covering(p);
    const bool ok =
        want.empty() ? got == -1 : std::find(want.begin(), want.end(), got) != want.end();
    if (want.size() > 1) ++c.overlap_points;
    if (ok) {
      ++c.checked;
      if (got >= 0) ++c.hits;
      continue;
    }
    if (brute.NearBorder(p, 1e-9)) {
      ++c.excluded;
      continue;
    }
    ++c.disagreements;
    if (c.first_failure.empty()) {
      std::ostringstream os;
      os.precision(17);
      os << "(" << p.x() << ", " << p.y() << ") index=" << got
         << " brute=" << (want.empty() ? -1 : want[0]);
      c.first_failure = os.str();
    }
  }
  return c;
}

std::vector<Point> RandomPoints(const Box& box, int n, uint32_t seed, double pad) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(box.min_corner().x() - pad, box.max_corner().x() + pad);
  std::uniform_real_distribution<double> uy(box.min_corner().y() - pad, box.max_corner().y() + pad);
  std::vector<Point> out(n);
  for (Point& p : out) p = LngLat(ux(rng), uy(rng));
  return out;
}

Box Extent(const Regions& regions) {
  Box box = bg::return_envelope<Box>(regions[0].second);
  for (const auto& [o, mp] : regions) bg::expand(box, bg::return_envelope<Box>(mp));
  return box;
}

TEST_CASE("Empty index and non-finite input") {
  auto index = RegionIndex::Build({});
  REQUIRE(index.ok());
  CHECK(index->Lookup(113.6, 34.7) == -1);
  const Regions one = Lattice(1, 1, 113, 34, 0.01, 0, 1);
  auto idx = RegionIndex::Build(one);
  REQUIRE(idx.ok());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(idx->Lookup(113.005, 34.005) == 1000);
  CHECK(idx->Lookup(nan, 34.005) == -1);
  CHECK(idx->Lookup(113.005, nan) == -1);
  CHECK(idx->Lookup(inf, 34.005) == -1);
  CHECK(idx->Lookup(-inf, -inf) == -1);
  CHECK(idx->Lookup(1e300, -1e300) == -1);
  CHECK(idx->Lookup(0, 0) == -1);
  Regions bad = one;
  bad[0].second[0].outer()[1] = LngLat(nan, 34);
  auto b = RegionIndex::Build(bad);
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Axis-parallel lattice: random points and the boundary rule") {
  // 1/128° squares: every vertex and edge point below is exactly representable.
  const int nx = 40, ny = 30;
  const double s = 1.0 / 128, x0 = 113.5, y0 = 34.5;
  const Regions grid = Lattice(nx, ny, x0, y0, s, 0, 1);
  auto index = RegionIndex::Build(grid);
  REQUIRE(index.ok());
  CHECK(index->stats().weak_refs == 0);
  Brute brute(grid);
  const Comparison c = Compare(*index, brute, RandomPoints(Extent(grid), 50000, 7, 0.02));
  INFO(c.first_failure);
  CHECK(c.disagreements == 0);
  CHECK(c.hits > 30000);
  auto ord = [&](int i, int j) -> int64_t {
    if (i < 0 || j < 0 || i >= nx || j >= ny) return -1;
    return 1000 + i + j * nx;
  };
  // Boundary rule: a point on a border belongs to the region east of it, or north of it on
  // an east-west border; at a corner, the north-east one.
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      const double x = x0 + i * s, y = y0 + j * s;
      INFO("vertex " << i << "," << j);
      CHECK(index->Lookup(x, y) == ord(i, j));          // corner -> NE
      CHECK(index->Lookup(x, y + s / 3) == ord(i, j));  // vertical edge -> E
      CHECK(index->Lookup(x + s / 4, y) == ord(i, j));  // horizontal edge -> N
    }
  }
}

TEST_CASE("Jittered lattice matches Boost covered_by, vertices go to a touching region") {
  const Regions grid = Lattice(60, 50, 113.2, 34.4, 0.0055, 0.3, 42);
  for (int max_leaf_edges : {2, 6, 32}) {
    RegionIndexOptions opt;
    opt.max_leaf_edges = max_leaf_edges;
    opt.top_cells_per_edge = max_leaf_edges == 2 ? 0.25 : 4;  // 2: deep splits
    auto index = RegionIndex::Build(grid, opt);
    REQUIRE(index.ok());
    INFO("max_leaf_edges " << max_leaf_edges << " max depth " << index->stats().max_depth);
    Brute brute(grid);
    const Comparison c = Compare(*index, brute, RandomPoints(Extent(grid), 40000, 9, 0.01));
    INFO(c.first_failure);
    CHECK(c.disagreements == 0);
    CHECK(c.checked > 39000);
    // Every vertex: the answer is a region touching it, and for interior vertices never -1.
    for (size_t k = 0; k < grid.size(); ++k) {
      for (const Point& v : grid[k].second[0].outer()) {
        const int64_t got = index->Lookup(v.x(), v.y());
        if (got >= 0) REQUIRE(bg::covered_by(v, grid[got - 1000].second));
        // The rule: the region containing the point displaced a tiny step east, then a much
        // tinier one north (no inner edge here is flatter than 1e-5; the lattice's north and
        // east sides have no region beyond them).
        const std::vector<int64_t> want = brute.Covering(LngLat(v.x() + 1e-8, v.y() + 1e-13));
        REQUIRE(want.size() <= 1);
        CHECK(got == (want.empty() ? -1 : want[0]));
      }
    }
  }
}

TEST_CASE("Holes and multipolygons: an island region inside another's hole") {
  MultiPolygon ring_region, island;
  bg::read_wkt(
      "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(3 3,7 3,7 7,3 7,3 3)),"
      "((20 0,30 0,30 10,20 10,20 0)))",
      ring_region);
  bg::read_wkt("MULTIPOLYGON(((4 4,6 4,6 6,4 6,4 4)))", island);
  bg::correct(ring_region);
  bg::correct(island);
  const Regions regions = {{1, ring_region}, {2, island}};
  auto index = RegionIndex::Build(regions);
  REQUIRE(index.ok());
  CHECK(index->Lookup(1, 1) == 1);
  CHECK(index->Lookup(5, 5) == 2);
  CHECK(index->Lookup(3.5, 5) == -1);  // in the hole, outside the island
  CHECK(index->Lookup(25, 5) == 1);    // second part
  CHECK(index->Lookup(15, 5) == -1);
  Brute brute(regions);
  const Comparison c = Compare(*index, brute, RandomPoints(Extent(regions), 100000, 3, 1));
  INFO(c.first_failure);
  CHECK(c.disagreements == 0);
}

TEST_CASE("LookupMany equals Lookup, also from several threads") {
  const Regions grid = Lattice(30, 30, 113.2, 34.4, 0.005, 0.25, 5);
  auto index = RegionIndex::Build(grid);
  REQUIRE(index.ok());
  const std::vector<Point> pts = RandomPoints(Extent(grid), 20000, 11, 0.01);
  std::vector<int64_t> expect(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) expect[i] = index->Lookup(pts[i].x(), pts[i].y());
  std::vector<std::vector<int64_t>> got(4, std::vector<int64_t>(pts.size()));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { index->LookupMany(pts, got[t]); });
  for (auto& t : threads) t.join();
  for (int t = 0; t < 4; ++t) CHECK(got[t] == expect);
  CHECK(index->MemoryBytes() > 0);
}

Regions LoadRegions(const std::string& path, uint32_t* next_ordinal) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto features = ParseFeatures(ss.str());
  REQUIRE(features.ok());
  Regions out;
  for (Feature& f : *features) out.emplace_back((*next_ordinal)++, std::move(f.geometry));
  return out;
}

TEST_CASE("Real Henan districts: every city, random points and all vertices") {
  const std::filesystem::path dir = std::filesystem::path(GRIDWORK_TEST_DATA_DIR) / "henan";
  REQUIRE(std::filesystem::is_directory(dir));
  Regions all;
  uint32_t next = 0;
  int cities = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".geojson") continue;
    Regions city = LoadRegions(entry.path().string(), &next);
    ++cities;
    auto index = RegionIndex::Build(city);
    REQUIRE(index.ok());
    INFO(entry.path().filename().string());
    Brute brute(city);
    const Comparison c = Compare(*index, brute, RandomPoints(Extent(city), 1500, cities, 0.05));
    INFO(c.first_failure);
    CHECK(c.disagreements == 0);
    // Vertices are on borders: any answer must be a region covering the vertex (or -1 on
    // the city's outer boundary).
    int vertex_checks = 0;
    for (const auto& [ord, mp] : city) {
      for (const Polygon& poly : mp) {
        for (size_t i = 0; i < poly.outer().size(); i += 7) {
          const Point& v = poly.outer()[i];
          const int64_t got = index->Lookup(v.x(), v.y());
          if (got >= 0) CHECK(bg::covered_by(v, city[got - city[0].first].second));
          ++vertex_checks;
        }
      }
    }
    CHECK(vertex_checks > 50);
    for (auto& r : city) all.push_back(std::move(r));
  }
  CHECK(cities == 18);
  auto index = RegionIndex::Build(all);
  REQUIRE(index.ok());
  CHECK(index->stats().weak_refs == 0);
  Brute brute(all);
  const Comparison c = Compare(*index, brute, RandomPoints(Extent(all), 10000, 99, 0.1));
  INFO(c.first_failure);
  CHECK(c.disagreements == 0);
  CHECK(c.hits > 4000);  // the province fills about half of its padded extent
}

}  // namespace
}  // namespace gridwork::geo

namespace gridwork::geo {

TEST_CASE("RegionIndex refuses coordinates whose extent would overflow the grid", "[index]") {
  Polygon p;
  p.outer() = {LngLat(-1.7e308, 0), LngLat(-1.7e308, 1), LngLat(1.7e308, 1), LngLat(1.7e308, 0),
               LngLat(-1.7e308, 0)};
  bg::correct(p);
  auto index = RegionIndex::Build({{0, MultiPolygon{p}}});
  REQUIRE(index.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace gridwork::geo
