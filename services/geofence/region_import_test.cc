// PlanImport on hand-made trees: exact codes, areas and counts for each rule.
#include "services/geofence/region_import.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridwork::geofence {
namespace {

std::string Square(const std::string& id, const std::string& level, double lng0, double lat0,
                   double lng1, double lat1) {
  return absl::StrFormat(
      R"({"type":"Feature","properties":{"id":"%s","level":"%s"},"geometry":{"type":"Polygon",)"
      R"("coordinates":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}})",
      id, level, lng0, lat0, lng1, lat0, lng1, lat1, lng0, lat1, lng0, lat0);
}

std::string Collection(std::initializer_list<std::string> features) {
  std::string out = R"({"type":"FeatureCollection","features":[)";
  bool first = true;
  for (const auto& f : features) {
    absl::StrAppend(&out, first ? "" : ",", f);
    first = false;
  }
  return out + "]}";
}

std::vector<std::string> Codes(const ImportPlan& plan) {
  std::vector<std::string> codes;
  for (const auto& i : plan.issues) codes.push_back(i.code());
  return codes;
}

std::shared_ptr<const RegionTree> Empty() { return *RegionTree::Build({}); }

std::shared_ptr<const RegionTree> TreeOf(const ImportPlan& plan) {
  return *RegionTree::Build(plan.regions);
}

const absl::Time kNow = absl::FromUnixSeconds(1763884800);

// district 0.1° x 0.1° split in two streets.
std::string TwoStreets() {
  return Collection({Square("410105", "district", 113.6, 34.7, 113.7, 34.8),
                     Square("410105/s01", "street", 113.6, 34.7, 113.65, 34.8),
                     Square("410105/s02", "street", 113.65, 34.7, 113.7, 34.8)});
}

}  // namespace

TEST_CASE("a clean tree plans every region with area, bbox, label point and version 1") {
  auto plan = PlanImport(TwoStreets(), *Empty(), {}, {}, kNow);
  REQUIRE(plan.ok());
  REQUIRE(plan->issues.empty());
  REQUIRE(plan->created == 3);
  REQUIRE(plan->regions.size() == 3);
  const v1::Region& d = plan->regions[0];
  REQUIRE(d.id() == "410105");
  REQUIRE(d.level() == common::v1::REGION_LEVEL_DISTRICT);
  REQUIRE(d.version() == 1);
  // 0.1° x 0.1° at 34.75°N: 9,146 m x 11,120 m ≈ 101.7 km².
  REQUIRE(d.area_m2() == Approx(101.7e6).epsilon(0.01));
  REQUIRE(d.bbox_min().lng() == Approx(113.6));
  REQUIRE(d.label_point().lat() > 34.7);
  REQUIRE(plan->regions[1].parent_id() == "410105");
}

TEST_CASE("ids, levels and parents are checked feature by feature") {
  auto plan = PlanImport(
      Collection({Square("410105", "district", 113.6, 34.7, 113.7, 34.8),
                  Square("410105/S01", "street", 113.6, 34.7, 113.65, 34.8),        // upper case
                  Square("410105/s02/c01", "street", 113.65, 34.7, 113.7, 34.8),  // depth
                  Square("410105/s03", "town", 113.65, 34.7, 113.7, 34.8),        // level
                  Square("410105/s04", "street", 113.65, 34.7, 113.7, 34.8),
                  Square("410105/s04", "street", 113.65, 34.7, 113.7, 34.8),      // twice
                  Square("410109/s01", "street", 113.65, 34.7, 113.7, 34.8)}),    // no parent
      *Empty(), {}, {}, kNow);
  REQUIRE(plan.ok());
  auto codes = Codes(*plan);
  for (const char* expected : {"BAD_ID", "BAD_LEVEL", "DUPLICATE_ID", "UNKNOWN_PARENT"}) {
    INFO(expected);
    REQUIRE(std::count(codes.begin(), codes.end(), expected) >= 1);
  }
  REQUIRE(std::count(codes.begin(), codes.end(), "BAD_ID") == 2);
  REQUIRE(plan->has_errors());
  REQUIRE(plan->ErrorSummary().find("feature #1") != std::string::npos);
}

TEST_CASE("overlapping siblings are errors with their area, small slivers are tolerated") {
  // s02 starts 0.001° (~91 m) inside s01: overlap ≈ 91 m x 11.1 km ≈ 1.0 km².
  auto bad = PlanImport(Collection({Square("410105", "district", 113.6, 34.7, 113.7, 34.8),
                                    Square("410105/s01", "street", 113.6, 34.7, 113.65, 34.8),
                                    Square("410105/s02", "street", 113.649, 34.7, 113.7, 34.8)}),
                        *Empty(), {}, {}, kNow);
  REQUIRE(bad.ok());
  REQUIRE(Codes(*bad) == std::vector<std::string>{"OVERLAPS_SIBLING"});
  REQUIRE(bad->issues[0].area_m2() == Approx(1.0e6).epsilon(0.05));
  REQUIRE(bad->issues[0].has_location());

  // 0.00001° (~0.9 m) overlap ≈ 10,000 m² < 0.2% of 50 km²: tolerated.
  auto sliver = PlanImport(Collection({Square("410105", "district", 113.6, 34.7, 113.7, 34.8),
                                       Square("410105/s01", "street", 113.6, 34.7, 113.65, 34.8),
                                       Square("410105/s02", "street", 113.64999, 34.7, 113.7,
                                              34.8)}),
                           *Empty(), {}, {}, kNow);
  REQUIRE(sliver.ok());
  REQUIRE_FALSE(sliver->has_errors());
}

TEST_CASE("children outside their parent are errors, gaps are warnings with their area") {
  auto outside = PlanImport(Collection({Square("410105", "district", 113.6, 34.7, 113.7, 34.8),
                                        Square("410105/s01", "street", 113.55, 34.7, 113.65,
                                               34.8)}),
                            *Empty(), {}, {}, kNow);
  REQUIRE(outside.ok());
  auto codes = Codes(*outside);
  REQUIRE(std::count(codes.begin(), codes.end(), "NOT_INSIDE_PARENT") == 1);

  // Only s01: the east half of the district is a gap (≈ 50.8 km²), a warning.
  auto gap = PlanImport(Collection({Square("410105", "district", 113.6, 34.7, 113.7, 34.8),
                                    Square("410105/s01", "street", 113.6, 34.7, 113.65, 34.8)}),
                        *Empty(), {}, {}, kNow);
  REQUIRE(gap.ok());
  REQUIRE_FALSE(gap->has_errors());
  REQUIRE(Codes(*gap) == std::vector<std::string>{"GAP_IN_PARENT"});
  REQUIRE(gap->issues[0].severity() == v1::ValidationIssue::SEVERITY_WARNING);
  REQUIRE(gap->issues[0].area_m2() == Approx(50.8e6).epsilon(0.02));
}

TEST_CASE("replacing a parent checks its stored children, replacing bumps the version") {
  auto first = PlanImport(TwoStreets(), *Empty(), {}, {}, kNow);
  REQUIRE(first.ok());
  auto stored = TreeOf(*first);

  // Shrinking the district so that s02 sticks out is refused although s02 is not imported.
  auto shrink = PlanImport(Collection({Square("410105", "district", 113.6, 34.7, 113.66, 34.8)}),
                           *stored, {}, {}, kNow);
  REQUIRE(shrink.ok());
  auto codes = Codes(*shrink);
  REQUIRE(std::count(codes.begin(), codes.end(), "NOT_INSIDE_PARENT") == 1);
  REQUIRE(shrink->issues[0].region_id() == "410105/s02");

  auto again = PlanImport(TwoStreets(), *stored, {}, {}, kNow);
  REQUIRE(again.ok());
  REQUIRE(again->replaced == 3);
  REQUIRE(again->created == 0);
  REQUIRE(again->regions[0].version() == 2);
}

TEST_CASE("invalid geometry and limits") {
  const std::string bowtie =
      R"({"type":"Feature","properties":{"id":"410105","level":"district"},"geometry":)"
      R"({"type":"Polygon","coordinates":[[[113.6,34.7],[113.7,34.8],[113.7,34.7],[113.6,34.8],)"
      R"([113.6,34.7]]]}})";
  auto plan = PlanImport(Collection({bowtie}), *Empty(), {}, {}, kNow);
  REQUIRE(plan.ok());
  REQUIRE(Codes(*plan) == std::vector<std::string>{"SELF_INTERSECTION"});
  REQUIRE(plan->issues[0].location().lng() == Approx(113.65));
  REQUIRE(plan->regions.empty());

  ImportLimits tiny;
  tiny.max_features = 2;
  REQUIRE(PlanImport(TwoStreets(), *Empty(), tiny, {}, kNow).status().code() ==
          absl::StatusCode::kResourceExhausted);
  REQUIRE(PlanImport("[1,2,3]", *Empty(), {}, {}, kNow).status().code() ==
          absl::StatusCode::kInvalidArgument);
  REQUIRE(PlanImport(R"({"type":"Point","coordinates":[1,2]})", *Empty(), {}, {}, kNow)
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace gridwork::geofence

namespace gridwork::geofence {

TEST_CASE("a feature with more vertices than the limit is refused by name") {
  // A 3,000-vertex circle of ~1 km radius: valid, but above a 1,000-vertex limit.
  std::string coords;
  for (int i = 0; i <= 3000; ++i) {
    const double a = 2 * M_PI * (i % 3000) / 3000.0;
    absl::StrAppend(&coords, i ? "," : "", "[", 113.65 + 0.011 * std::cos(a), ",",
                    34.75 + 0.009 * std::sin(a), "]");
  }
  const std::string circle = absl::StrCat(
      R"({"type":"Feature","properties":{"id":"410105","level":"district"},)"
      R"("geometry":{"type":"Polygon","coordinates":[[)", coords, "]]}}");
  ImportLimits limits;
  limits.max_vertices_per_feature = 1000;
  auto plan = PlanImport(Collection({circle}), *Empty(), limits, {}, kNow);
  REQUIRE(plan.ok());
  REQUIRE(Codes(*plan) == std::vector<std::string>{"TOO_MANY_VERTICES"});
  REQUIRE(plan->regions.empty());
  // Within the default limit the same circle is fine.
  auto ok = PlanImport(Collection({circle}), *Empty(), {}, {}, kNow);
  REQUIRE(ok.ok());
  REQUIRE(ok->issues.empty());
}

}  // namespace gridwork::geofence
