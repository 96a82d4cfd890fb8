#include "tools/gridsim/test_city.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "demo_geography/features.h"
#include "demo_geography/subdivide.h"
#include "gridwork/geo/geojson.h"

namespace gridwork::gridsim::testing {

const std::vector<DemoRegion>& ShangjieRegions() {
  static const std::vector<DemoRegion> regions = [] {
    std::ifstream in(GRIDWORK_DEMO_GEO_INPUT);
    std::stringstream text;
    text << in.rdbuf();
    auto features = geo::ParseFeatures(text.str());
    REQUIRE(features.ok());
    auto districts = demo_geography::DistrictsFromFeatures(*features);
    REQUIRE(districts.ok());
    std::vector<DemoRegion> out;
    for (const auto& d : *districts) {
      if (d.adcode != "410106") continue;
      auto regions = demo_geography::SubdivideDistrict(d, {});
      REQUIRE(regions.ok());
      for (const auto& r : *regions) {
        DemoRegion dr;
        dr.id = r.id;
        dr.parent = r.parent;
        dr.name = r.name;
        dr.level = static_cast<common::v1::RegionLevel>(static_cast<int>(r.level) + 1);
        dr.shape = r.geometry;
        dr.residents = static_cast<int>(r.residents_estimate);
        out.push_back(std::move(dr));
      }
    }
    REQUIRE(!out.empty());
    return out;
  }();
  return regions;
}

std::vector<std::string> TestDepartments() {
  return {"fire", "urban-management", "market-supervision", "work-safety"};
}

}  // namespace gridwork::gridsim::testing
