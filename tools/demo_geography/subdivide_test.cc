#include "demo_geography/subdivide.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "demo_geography/boundary.h"
#include "demo_geography/features.h"
#include "demo_geography/projection.h"
#include "gridwork/geo/geojson.h"

namespace gridwork::demo_geography {
namespace {

namespace bg = boost::geometry;

std::vector<DistrictInput> LoadDistricts() {
  std::ifstream in(GRIDWORK_DEMO_GEO_INPUT);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  auto features = geo::ParseFeatures(ss.str());
  REQUIRE(features.ok());
  auto districts = DistrictsFromFeatures(*features);
  REQUIRE(districts.ok());
  return *districts;
}

const DistrictInput& Find(const std::vector<DistrictInput>& all, const std::string& code) {
  for (const DistrictInput& d : all) {
    if (d.adcode == code) return d;
  }
  FAIL("no district " << code);
  return all.front();
}

double Km2(const geo::MultiPolygon& g, const LocalProjection& p) { return p.AreaKm2(g); }

// Checks the tiling invariants of one district's regions: validity, ids, nesting, cover.
void CheckRegionTree(const std::vector<Region>& regions) {
  REQUIRE(!regions.empty());
  const Region& district = regions.front();
  REQUIRE(district.level == Level::kDistrict);
  const auto env = bg::return_envelope<geo::Box>(district.geometry);
  const LocalProjection proj((env.min_corner().x() + env.max_corner().x()) / 2,
                             (env.min_corner().y() + env.max_corner().y()) / 2);
  const std::regex id_re("[0-9]{6}(/s[0-9]{2}(/c[0-9]{2}(/g[0-9]{2})?)?)?");

  std::map<std::string, const Region*> by_id;
  std::map<std::string, std::vector<const Region*>> children;
  std::string previous;
  for (const Region& r : regions) {
    INFO("region " << r.id);
    CHECK(std::regex_match(r.id, id_re));
    CHECK(r.id > previous);  // sorted, unique
    previous = r.id;
    CHECK(!r.name.empty());
    CHECK(r.area_km2 > 0);
    std::string why;
    CHECK(bg::is_valid(r.geometry, why));
    INFO(why);
    by_id[r.id] = &r;
    if (r.level != Level::kDistrict) {
      REQUIRE(by_id.count(r.parent) == 1);
      CHECK(r.id.rfind(r.parent + "/", 0) == 0);
      CHECK(static_cast<int>(by_id[r.parent]->level) + 1 == static_cast<int>(r.level));
      children[r.parent].push_back(&r);
    }
  }

  constexpr double kTolKm2 = 1e-6;  // one square metre
  for (const auto& [parent_id, kids] : children) {
    const Region& parent = *by_id[parent_id];
    INFO("parent " << parent_id);
    double sum = 0;
    for (size_t i = 0; i < kids.size(); ++i) {
      sum += kids[i]->area_km2;
      geo::MultiPolygon outside;
      bg::difference(kids[i]->geometry, parent.geometry, outside);
      CHECK(Km2(outside, proj) < kTolKm2);  // child inside parent
      const auto box_i = bg::return_envelope<geo::Box>(kids[i]->geometry);
      for (size_t j = i + 1; j < kids.size(); ++j) {
        if (!bg::intersects(box_i, bg::return_envelope<geo::Box>(kids[j]->geometry))) continue;
        geo::MultiPolygon overlap;
        bg::intersection(kids[i]->geometry, kids[j]->geometry, overlap);
        INFO(kids[i]->id << " vs " << kids[j]->id);
        CHECK(Km2(overlap, proj) < kTolKm2);  // siblings disjoint
      }
    }
    // Disjoint children inside the parent whose areas add up to the parent's cover it.
    CHECK(sum == Approx(parent.area_km2).epsilon(1e-9).margin(kTolKm2));
  }
}

TEST_CASE("every shipped district boundary repairs to a valid polygon of the same size") {
  for (const DistrictInput& d : LoadDistricts()) {
    INFO(d.adcode);
    auto repaired = RepairBoundary(d.boundary);
    REQUIRE(repaired.ok());
    CHECK(bg::is_valid(*repaired));
    // Only quantisation artefacts are dropped: well under 1% of the area.
    CHECK(bg::area(*repaired) == Approx(bg::area(d.boundary)).epsilon(0.01));
  }
}

TEST_CASE("urban district: valid, nested, tiling, realistic sizes") {
  const auto all = LoadDistricts();
  auto regions = SubdivideDistrict(Find(all, "410105"), SubdivideOptions{});  // 金水区
  REQUIRE(regions.ok());
  CheckRegionTree(*regions);

  std::map<Level, std::vector<const Region*>> by_level;
  std::map<std::string, int> child_count;
  for (const Region& r : *regions) {
    by_level[r.level].push_back(&r);
    ++child_count[r.parent];
  }
  CHECK(regions->front().name == "金水区");
  CHECK(by_level[Level::kGrid].size() > 400);
  CHECK(by_level[Level::kGrid].size() < 1200);
  int grids_in_range = 0;
  for (const Region* g : by_level[Level::kGrid]) {
    CHECK(g->area_km2 > 0.05);  // slivers were merged away
    CHECK(g->area_km2 < 1.0);
    if (g->area_km2 >= 0.1 && g->area_km2 <= 0.6) ++grids_in_range;
    CHECK(g->residents_estimate > 300);
    CHECK(g->residents_estimate < 6000);
  }
  CHECK(grids_in_range > 0.9 * by_level[Level::kGrid].size());
  for (const Region* c : by_level[Level::kCommunity]) {
    CHECK(child_count[c->id] >= 1);
    CHECK(child_count[c->id] <= 10);
  }
  for (const Region* s : by_level[Level::kStreet]) {
    CHECK(child_count[s->id] >= 6);
    CHECK(child_count[s->id] <= 20);
  }
  // Residents add up.
  int64_t sum = 0;
  for (const Region* s : by_level[Level::kStreet]) sum += s->residents_estimate;
  CHECK(sum == regions->front().residents_estimate);
}

TEST_CASE("small urban and rural districts: valid, nested, tiling") {
  const auto all = LoadDistricts();
  for (const char* code : {"410106", "410183"}) {  // 上街区, 新密市
    INFO(code);
    auto regions = SubdivideDistrict(Find(all, code), SubdivideOptions{});
    REQUIRE(regions.ok());
    CheckRegionTree(*regions);
  }
}

// All twelve districts: ~10 s in a Debug build on top of the cases above, so hidden from
// the default run; run it with `demo_geography_test "[slow]"`.
TEST_CASE("all districts: valid, nested, tiling", "[.][slow]") {
  for (const DistrictInput& d : LoadDistricts()) {
    INFO(d.adcode);
    auto regions = SubdivideDistrict(d, SubdivideOptions{});
    REQUIRE(regions.ok());
    CheckRegionTree(*regions);
  }
}

TEST_CASE("rural grids are village-sized") {
  const auto all = LoadDistricts();
  auto regions = SubdivideDistrict(Find(all, "410183"), SubdivideOptions{});  // 新密市
  REQUIRE(regions.ok());
  std::vector<double> areas;
  std::set<std::string> names;
  for (const Region& r : *regions) {
    if (r.level == Level::kGrid) areas.push_back(r.area_km2);
    if (r.level == Level::kStreet) {
      CHECK(names.insert(r.name).second);  // street names unique within the district
      CHECK((r.name.find("镇") != std::string::npos || r.name.find("乡") != std::string::npos));
    }
  }
  std::sort(areas.begin(), areas.end());
  REQUIRE(!areas.empty());
  CHECK(areas[areas.size() / 2] > 1.0);  // median grid: a village of a few km²
  CHECK(areas[areas.size() / 2] < 4.0);
}

TEST_CASE("output is deterministic and depends on the seed") {
  const auto all = LoadDistricts();
  const std::vector<DistrictInput> two = {Find(all, "410106"), Find(all, "410103")};
  SubdivideOptions options;
  auto a = SubdivideDistricts(two, options);
  auto b = SubdivideDistricts(two, options);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const std::string text_a = geo::WriteFeatureCollection(RegionsToFeatures(*a));
  CHECK(text_a == geo::WriteFeatureCollection(RegionsToFeatures(*b)));

  // A district alone comes out exactly as within a larger run.
  auto alone = SubdivideDistrict(two[1], options);
  REQUIRE(alone.ok());
  std::vector<Region> tail(a->end() - static_cast<std::ptrdiff_t>(alone->size()), a->end());
  CHECK(geo::WriteFeatureCollection(RegionsToFeatures(*alone)) ==
        geo::WriteFeatureCollection(RegionsToFeatures(tail)));

  options.seed += 1;
  auto c = SubdivideDistricts(two, options);
  REQUIRE(c.ok());
  CHECK(text_a != geo::WriteFeatureCollection(RegionsToFeatures(*c)));
}

TEST_CASE("features carry the documented properties") {
  const auto all = LoadDistricts();
  auto regions = SubdivideDistrict(Find(all, "410106"), SubdivideOptions{});
  REQUIRE(regions.ok());
  auto features = RegionsToFeatures(*regions);
  REQUIRE(features.size() == regions->size());
  const geo::Feature& grid = features.back();
  CHECK(grid.id == regions->back().id);
  CHECK(grid.properties.at("level") == "grid");
  CHECK(grid.properties.at("parent") == regions->back().parent);
  CHECK(grid.properties.at("name").find("网格") != std::string::npos);
  CHECK(grid.properties.count("area_km2") == 1);
  CHECK(grid.properties.count("residents_estimate") == 1);
  // Round trip through GeoJSON keeps ids and geometry validity.
  auto parsed = geo::ParseFeatures(geo::WriteFeatureCollection(features));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == features.size());
  for (size_t i = 0; i < parsed->size(); ++i) {
    CHECK((*parsed)[i].id == features[i].id);
    CHECK(bg::is_valid((*parsed)[i].geometry));
  }
}

TEST_CASE("a bad adcode is rejected") {
  auto all = LoadDistricts();
  DistrictInput d = all.front();
  d.adcode = "41/01";
  auto r = SubdivideDistrict(d, SubdivideOptions{});
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridwork::demo_geography
