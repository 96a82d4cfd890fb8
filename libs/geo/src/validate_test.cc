#include "gridwork/geo/validate.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "gridwork/geo/distance.h"
#include "gridwork/geo/geojson.h"

namespace gridwork::geo {
namespace {

MultiPolygon Wkt(const char* wkt, bool correct = true) {
  MultiPolygon mp;
  bg::read_wkt(wkt, mp);
  if (correct) bg::correct(mp);
  return mp;
}

std::vector<IssueCode> Codes(const std::vector<ValidationIssue>& issues) {
  std::vector<IssueCode> out;
  for (const auto& i : issues) out.push_back(i.code);
  return out;
}

TEST_CASE("A clean polygon with a hole, and repeated vertices, are valid") {
  CHECK(ValidateGeometry(Wkt("MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(2 2,4 2,4 4,2 4,2 2)))"))
            .empty());
  CHECK(ValidateGeometry(Wkt("MULTIPOLYGON(((0 0,10 0,10 0,10 10,0 10,0 0)))")).empty());
}

TEST_CASE("Empty, non-finite, out of range, too many vertices, too few points") {
  auto empty = ValidateGeometry(MultiPolygon());
  REQUIRE(Codes(empty) == std::vector{IssueCode::kEmpty});

  MultiPolygon nan = Wkt("MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)))");
  nan[0].outer()[2].x(std::numeric_limits<double>::quiet_NaN());
  auto n = ValidateGeometry(nan);
  REQUIRE(Codes(n) == std::vector{IssueCode::kNonFinite});
  CHECK(n[0].message.find("vertex 2") != std::string::npos);

  auto swapped =
      ValidateGeometry(Wkt("MULTIPOLYGON(((34.7 113.6,34.8 113.6,34.8 113.7,34.7 113.6)))"));
  REQUIRE(Codes(swapped) == std::vector{IssueCode::kCoordinateOutOfRange});
  CHECK(swapped[0].message.find("swapped") != std::string::npos);
  REQUIRE(swapped[0].where.has_value());

  MultiPolygon circle;
  circle.resize(1);
  for (int i = 0; i <= 2000; ++i) {
    const double a = 2 * 3.141592653589793 * (i % 2000) / 2000;
    circle[0].outer().push_back(LngLat(113 + 0.01 * std::cos(a), 34 + 0.01 * std::sin(a)));
  }
  bg::correct(circle);
  CHECK(ValidateGeometry(circle).empty());
  ValidationOptions small;
  small.max_vertices = 1000;
  CHECK(Codes(ValidateGeometry(circle, small)) == std::vector{IssueCode::kTooManyVertices});

  CHECK(Codes(ValidateGeometry(Wkt("MULTIPOLYGON(((0 0,1 1,0 0)))"))) ==
        std::vector{IssueCode::kTooFewPoints});
  CHECK(Codes(ValidateGeometry(Wkt("MULTIPOLYGON(((0 0,1 1,2 2,0 0)))"))) ==
        std::vector{IssueCode::kTooFewPoints});  // collinear: no area
}

TEST_CASE("Bowtie: self-intersection reported at the crossing point") {
  auto issues = ValidateGeometry(Wkt("MULTIPOLYGON(((0 0,10 10,10 0,0 10,0 0)))"));
  REQUIRE(Codes(issues) == std::vector{IssueCode::kSelfIntersection});
  REQUIRE(issues[0].where.has_value());
  CHECK(issues[0].where->x() == Approx(5));
  CHECK(issues[0].where->y() == Approx(5));
  CHECK(issues[0].message.find("(5, 5)") != std::string::npos);
}

TEST_CASE("Spike: reported at its apex") {
  auto issues = ValidateGeometry(Wkt("MULTIPOLYGON(((0 0,0 10,5 10,5 15,5 10,10 10,10 0,0 0)))"));
  REQUIRE(Codes(issues) == std::vector{IssueCode::kDuplicatePoints});
  REQUIRE(issues[0].where.has_value());
  CHECK(bg::equals(*issues[0].where, LngLat(5, 15)));
}

TEST_CASE("Hole outside its shell, and overlapping parts") {
  auto hole = ValidateGeometry(
      Wkt("MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(20 20,22 20,22 22,20 22,20 20)))"));
  REQUIRE(Codes(hole) == std::vector{IssueCode::kHoleOutsideShell});
  REQUIRE(hole[0].where.has_value());
  CHECK(hole[0].where->x() >= 20);

  auto parts = ValidateGeometry(
      Wkt("MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)),((5 5,15 5,15 15,5 15,5 5)))"));
  REQUIRE(Codes(parts) == std::vector{IssueCode::kNestedShells});
  REQUIRE(parts[0].where.has_value());
  CHECK(parts[0].where->x() == Approx(7.5));
  CHECK(parts[0].where->y() == Approx(7.5));
  CHECK(IssueCodeName(parts[0].code) == "NESTED_SHELLS");
}

// Grid-scale shapes near Zhengzhou: a 0.01° square parent (~1 km²).
const char kParent[] =
    "MULTIPOLYGON(((113.60 34.70,113.61 34.70,113.61 34.71,113.60 34.71,113.60 34.70)))";

TEST_CASE("Child outside parent: area and place reported above tolerance") {
  const MultiPolygon parent = Wkt(kParent);
  const MultiPolygon inside =
      Wkt("MULTIPOLYGON(((113.601 34.701,113.605 34.701,113.605 34.705,113.601 34.705,113.601 "
          "34.701)))");
  CHECK(CheckInsideParent(inside, parent, kDerivedToleranceM2).empty());
  auto outside_area = AreaOutside(inside, parent);
  REQUIRE(outside_area.ok());
  CHECK(*outside_area == Approx(0).margin(1e-6));
  // Sticks out 0.002° east over 0.004° of latitude: ~0.002*91.6 km × 0.004*111.2 km = 81,500 m².
  const MultiPolygon poking =
      Wkt("MULTIPOLYGON(((113.605 34.701,113.612 34.701,113.612 34.705,113.605 34.705,113.605 "
          "34.701)))");
  auto issues = CheckInsideParent(poking, parent, kDerivedToleranceM2);
  REQUIRE(Codes(issues) == std::vector{IssueCode::kNotInsideParent});
  CHECK(issues[0].area_m2 ==
        Approx(0.002 * 0.004 * 111195.08 * 111195.08 * std::cos(34.703 * 3.14159265358979 / 180))
            .epsilon(1e-3));
  REQUIRE(issues[0].where.has_value());
  CHECK(issues[0].where->x() == Approx(113.611));
  // The same within a large tolerance passes.
  CHECK(CheckInsideParent(poking, parent, 100000).empty());
}

TEST_CASE("Overlapping siblings and gaps") {
  const MultiPolygon parent = Wkt(kParent);
  const MultiPolygon west =
      Wkt("MULTIPOLYGON(((113.60 34.70,113.605 34.70,113.605 34.71,113.60 34.71,113.60 34.70)))");
  const MultiPolygon east =
      Wkt("MULTIPOLYGON(((113.605 34.70,113.61 34.70,113.61 34.71,113.605 34.71,113.605 34.70)))");
  const MultiPolygon east_wide =
      Wkt("MULTIPOLYGON(((113.604 34.70,113.61 34.70,113.61 34.71,113.604 34.71,113.604 34.70)))");
  const MultiPolygon east_narrow =
      Wkt("MULTIPOLYGON(((113.606 34.70,113.61 34.70,113.61 34.71,113.606 34.71,113.606 34.70)))");
  // Shared border only: no overlap, no gap.
  CHECK(CheckSiblingOverlap(west, east, kDerivedToleranceM2).empty());
  CHECK(CheckGap(parent, {west, east}, kDerivedToleranceM2).empty());
  // 0.001° strip overlapping / missing: ~0.001*91.5 km × 1.11 km = 101,600 m².
  const double strip =
      0.001 * 0.01 * 111195.08 * 111195.08 * std::cos(34.705 * 3.14159265358979 / 180);
  auto overlap = CheckSiblingOverlap(west, east_wide, kDerivedToleranceM2);
  REQUIRE(Codes(overlap) == std::vector{IssueCode::kOverlapsSibling});
  CHECK(overlap[0].area_m2 == Approx(strip).epsilon(1e-3));
  CHECK(overlap[0].where->x() == Approx(113.6045));
  auto gap = CheckGap(parent, {west, east_narrow}, kDerivedToleranceM2);
  REQUIRE(Codes(gap) == std::vector{IssueCode::kGapInParent});
  CHECK(gap[0].area_m2 == Approx(strip).epsilon(1e-3));
  CHECK(gap[0].where->x() == Approx(113.6055));
  auto gap_area = GapArea(parent, {west});
  REQUIRE(gap_area.ok());
  CHECK(*gap_area == Approx(AreaSquareMeters(east)).epsilon(1e-6));
}

TEST_CASE("Zhengzhou districts: the slivers the default tolerance is based on") {
  std::ifstream in(GRIDWORK_TEST_DATA_DIR "/zhengzhou-districts.geojson");
  std::stringstream ss;
  ss << in.rdbuf();
  auto features = ParseFeatures(ss.str());
  REQUIRE(features.ok());
  std::vector<MultiPolygon> districts;
  for (const Feature& f : *features) districts.push_back(f.geometry);
  // Every district has spikes from the 1/1024° quantisation (measured: 12 of 12).
  int spiky = 0;
  for (const MultiPolygon& d : districts) {
    for (const ValidationIssue& i : ValidateGeometry(d))
      spiky += i.code == IssueCode::kDuplicatePoints;
  }
  CHECK(spiky == 12);
  // Pairwise overlaps: none (borders are shared vertex for vertex).
  double max_overlap = 0;
  for (size_t i = 0; i < districts.size(); ++i) {
    for (size_t j = i + 1; j < districts.size(); ++j) {
      auto a = OverlapArea(districts[i], districts[j]);
      REQUIRE(a.ok());
      max_overlap = std::max(max_overlap, *a);
      CHECK(CheckSiblingOverlap(districts[i], districts[j]).empty());
    }
  }
  CHECK(max_overlap < kBoundaryDataToleranceM2);
  // Gaps: the city outline (the union of the districts with its holes filled) minus the
  // districts leaves 4 slivers, 43,693 m² in all, largest 19,407 m².
  MultiPolygon city;
  for (const MultiPolygon& d : districts) {
    MultiPolygon u;
    bg::union_(city, d, u);
    city = std::move(u);
  }
  for (Polygon& p : city) p.inners().clear();
  auto gap = GapArea(city, districts);
  REQUIRE(gap.ok());
  CHECK(*gap == Approx(43693).epsilon(0.02));
  CHECK(CheckGap(city, districts).empty());  // default tolerance: accepted
  auto strict = CheckGap(city, districts, kDerivedToleranceM2);
  REQUIRE(Codes(strict) == std::vector{IssueCode::kGapInParent});
  CHECK(strict[0].area_m2 == Approx(*gap));
}

}  // namespace
}  // namespace gridwork::geo

namespace gridwork::geo {

TEST_CASE("coordinates within 1e-9 degree of 0 but not 0 are refused (Boost overflow)",
          "[validate]") {
  Polygon p;
  p.outer() = {LngLat(113.6, 34.7), LngLat(113.6, 34.8), LngLat(113.7, 34.8),
               LngLat(113.7, 9.8e-307), LngLat(113.6, 34.7)};
  bg::correct(p);
  auto issues = ValidateGeometry(MultiPolygon{p});
  REQUIRE(issues.size() == 1);
  REQUIRE(issues[0].code == IssueCode::kCoordinateOutOfRange);
  REQUIRE(issues[0].message.find("closer to 0") != std::string::npos);
}

}  // namespace gridwork::geo
