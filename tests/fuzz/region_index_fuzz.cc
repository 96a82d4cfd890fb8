// FuzzRegionIndexLookup (declared in geojson_import_fuzz.h): geo::RegionIndex against
// Boost.Geometry on polygons decoded from fuzz bytes.
//
// Input layout (every read past the end yields zero bytes, so any input decodes):
//   byte 0   bits 0-1: regions - 1; bits 2-3: coordinate lattice (see kLattices);
//            bit 4: give the last region ordinal 2^31 - 1 + bit 5 (tests the ordinal limit)
//   byte 1   index options: bits 0-2 max_leaf_edges - 1, bits 3-6 max_depth,
//            bit 7 top_cells_per_edge 0.5 instead of 4
//   per region: one byte (bit 0: a second ring, bit 1: which is a second polygon instead of
//            a hole), then per ring a byte (3 + n % 10 vertices) and the vertices
//   the rest: query points
// A coordinate is one byte t: base + (t - 124) * step for t < 0xF8, else the next 8 bytes
// as a raw double (NaN, infinities, huge values, denormals).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/geo/region_index.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/geojson_import_fuzz.h"

namespace gridwork::fuzz {
namespace {

namespace bg = boost::geometry;

struct Lattice {
  double base_x, base_y, step;
};
// Degrees; the finer ones sit in Zhengzhou so that the exactness check applies.
constexpr Lattice kLattices[] = {
    {0, 0, 0.5}, {113.6, 34.7, 1e-3}, {113.6, 34.7, 1.0 / 1024}, {113.6, 34.7, 1e-7}};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  uint8_t Byte() { return p_ == end_ ? 0 : *p_++; }
  double Coordinate(double base, double step) {
    const uint8_t t = Byte();
    if (t < 0xF8) return base + (static_cast<int>(t) - 124) * step;
    uint8_t raw[8] = {};
    for (uint8_t& b : raw) b = Byte();
    double v;
    std::memcpy(&v, raw, sizeof v);
    return v;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

bool Geographic(const geo::Point& p) {
  return std::abs(p.x()) <= 180 && std::abs(p.y()) <= 90;  // false for NaN
}

bool AllGeographic(const geo::MultiPolygon& mp) {
  bool ok = true;
  bg::for_each_point(mp, [&](const geo::Point& p) { ok = ok && Geographic(p); });
  return ok;
}

bool AllFinite(const geo::MultiPolygon& mp) {
  bool ok = true;
  bg::for_each_point(mp, [&](const geo::Point& p) {
    ok = ok && std::isfinite(p.x()) && std::isfinite(p.y());
  });
  return ok;
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kOddValues[] = {kNaN,  kInf,  -kInf, std::numeric_limits<double>::max(),
                                 -0.0,  180.0, -90.0, std::numeric_limits<double>::denorm_min(),
                                 1e300, 113.6, 34.7};

// RegionIndex::Build refuses coordinates beyond +-1e6 (INVALID_ARGUMENT): bug 1 of
// docs/fuzzing.md, an extent overflowing to infinity, is fixed by that bound.
bool WithinIndexBound(const geo::MultiPolygon& mp) {
  bool ok = true;
  bg::for_each_point(mp, [&](const geo::Point& p) {
    ok = ok && std::abs(p.x()) <= 1e6 && std::abs(p.y()) <= 1e6;
  });
  return ok;
}

}  // namespace

int FuzzRegionIndexLookup(const uint8_t* data, size_t size) {
  Reader in(data, size);
  const uint8_t head = in.Byte();
  const uint8_t knobs = in.Byte();
  const Lattice& lattice = kLattices[(head >> 2) & 3];
  auto coordinate_pair = [&] {
    const double x = in.Coordinate(lattice.base_x, lattice.step);
    const double y = in.Coordinate(lattice.base_y, lattice.step);
    return geo::Point(x, y);
  };

  geo::RegionIndexOptions options;
  options.max_leaf_edges = 1 + (knobs & 7);
  options.max_depth = (knobs >> 3) & 15;
  options.top_cells_per_edge = (knobs & 0x80) != 0 ? 0.5 : 4.0;
  // The default cap (2^24 top cells) is reached by any zero-area or very thin extent, and
  // then every Build takes ~0.3 s and ~500 MB; a smaller cap keeps the fuzzer fast (docs/fuzzing.md).
  options.max_top_cells = size_t{1} << 16;

  std::vector<geo::RegionIndex::Region> regions;
  const int region_count = 1 + (head & 3);
  for (int k = 0; k < region_count; ++k) {
    uint32_t ordinal = static_cast<uint32_t>(k) * 10 + 3;
    if (k == region_count - 1 && (head & 0x10) != 0) {
      ordinal = 0x7FFFFFFFu + ((head >> 5) & 1);
    }
    const uint8_t shape = in.Byte();
    const int rings = 1 + (shape & 1);
    geo::MultiPolygon mp;
    mp.resize(1);
    for (int r = 0; r < rings; ++r) {
      geo::Ring ring;
      const int n = 3 + in.Byte() % 10;
      for (int i = 0; i < n; ++i) ring.push_back(coordinate_pair());
      if (r == 0) {
        mp[0].outer() = std::move(ring);
      } else if ((shape & 2) != 0) {
        mp.emplace_back();
        mp.back().outer() = std::move(ring);
      } else {
        mp[0].inners().push_back(std::move(ring));
      }
    }
    if (AllFinite(mp)) bg::correct(mp);
    regions.emplace_back(ordinal, std::move(mp));
  }

  std::vector<geo::Point> queries;
  while (!in.empty() && queries.size() < 64) queries.push_back(coordinate_pair());
  for (const auto& [ordinal, mp] : regions) {
    bg::for_each_point(mp, [&](const geo::Point& p) { queries.push_back(p); });
    bg::for_each_segment(mp, [&](const auto& s) {
      queries.emplace_back((bg::get<0, 0>(s) + bg::get<1, 0>(s)) / 2,
                           (bg::get<0, 1>(s) + bg::get<1, 1>(s)) / 2);
    });
    if (AllFinite(mp)) {
      geo::Box box = bg::return_envelope<geo::Box>(mp);
      queries.emplace_back((box.min_corner().x() + box.max_corner().x()) / 2,
                           (box.min_corner().y() + box.max_corner().y()) / 2);
    }
  }
  for (double x : kOddValues) {
    for (double y : kOddValues) queries.emplace_back(x, y);
  }

  absl::StatusOr<geo::RegionIndex> index = geo::RegionIndex::Build(regions, options);
  if (!index.ok()) {
    bool finite = true, ordinals_ok = true;
    for (const auto& [ordinal, mp] : regions) {
      finite = finite && AllFinite(mp) && WithinIndexBound(mp);
      ordinals_ok = ordinals_ok && ordinal <= 0x7FFFFFFFu;
    }
    const absl::StatusCode code = index.status().code();
    if (code == absl::StatusCode::kResourceExhausted) return 0;
    if (code != absl::StatusCode::kInvalidArgument || (finite && ordinals_ok)) {
      FuzzFail(absl::StrCat("RegionIndex::Build failed on acceptable input: ",
                            index.status().ToString()));
    }
    return 0;
  }

  std::vector<int64_t> many(queries.size());
  index->LookupMany(queries, many);
  std::map<int64_t, const geo::MultiPolygon*> by_ordinal;
  bool checkable = true;
  for (const auto& [ordinal, mp] : regions) {
    by_ordinal[ordinal] = &mp;
    checkable = checkable && AllGeographic(mp) && bg::is_valid(mp);
  }
  for (size_t i = 0; i < queries.size(); ++i) {
    const geo::Point& q = queries[i];
    const int64_t got = index->Lookup(q.x(), q.y());
    if (got != many[i]) {
      FuzzFail(absl::StrCat("LookupMany gives ", many[i], " but Lookup ", got, " at (", q.x(),
                            ", ", q.y(), ")"));
    }
    if (got != -1 && by_ordinal.count(got) == 0) {
      FuzzFail(absl::StrCat("Lookup returned unknown ordinal ", got));
    }
    if (!std::isfinite(q.x()) || !std::isfinite(q.y())) {
      if (got != -1) FuzzFail("Lookup of a non-finite point did not return -1");
      continue;
    }
    if (!checkable || !Geographic(q)) continue;
    bool near_border = false;
    for (const auto& [ordinal, mp] : regions) {
      near_border = near_border || DistanceToBorder(q, mp) <= 1e-9;
    }
    if (near_border) continue;
    std::vector<int64_t> covering;
    for (const auto& [ordinal, mp] : regions) {
      if (bg::covered_by(q, mp)) covering.push_back(ordinal);
    }
    const bool agrees = got == -1 ? covering.empty()
                                  : std::find(covering.begin(), covering.end(), got) !=
                                        covering.end();
    if (!agrees) {
      FuzzFail(absl::StrFormat("Lookup(%.17g, %.17g) = %d but covered_by says %s", q.x(), q.y(),
                               got, covering.empty() ? "none" : absl::StrCat(covering[0])));
    }
  }
  return 0;
}

}  // namespace gridwork::fuzz
