#include "tools/gridsim/demo_model.h"

#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "gridwork/geo/distance.h"
#include "tools/gridsim/demo_names.h"
#include "tools/gridsim/test_city.h"

namespace gridwork::gridsim {
namespace {

using testing::ShangjieRegions;
using testing::TestDepartments;

TEST_CASE("demo names are deterministic, unique by index and valid usernames", "[gridsim]") {
  std::set<std::string> names;
  std::regex valid("[a-z]+[0-9]{3,}");
  for (int i = 0; i < 2000; ++i) {
    DemoName n = MakeDemoName(7, i);
    CHECK(std::regex_match(n.username, valid));
    CHECK(n.display.size() >= 6);  // surname + at least one given character (UTF-8)
    names.insert(n.username);
  }
  CHECK(names.size() == 2000);
  CHECK(MakeDemoName(7, 5).username == MakeDemoName(7, 5).username);
  CHECK(DemoPassword("s", "wangwei001") == DemoPassword("s", "wangwei001"));
  CHECK(DemoPassword("s", "wangwei001") != DemoPassword("t", "wangwei001"));
  CHECK(DemoPassword("s", "wangwei001").size() >= 12);
}

TEST_CASE("the demo city has every role, one or two workers per grid, places inside grids",
          "[gridsim]") {
  const auto& regions = ShangjieRegions();
  DemoCity city = BuildDemoCity(regions, TestDepartments(), {});
  std::map<std::string, const DemoRegion*> by_id;
  int grids = 0, communities = 0;
  for (const DemoRegion& r : regions) {
    by_id[r.id] = &r;
    grids += r.level == common::v1::REGION_LEVEL_GRID;
    communities += r.level == common::v1::REGION_LEVEL_COMMUNITY;
  }

  std::set<std::string> usernames;
  std::regex valid("[A-Za-z0-9._@+-]{3,64}");
  for (const DemoUser& u : city.users) {
    CHECK(std::regex_match(u.username, valid));
    CHECK(u.password.size() >= 8);
    usernames.insert(u.username);
  }
  CHECK(usernames.size() == city.users.size());
  for (int r = common::v1::ROLE_DISTRICT_COMMAND; r <= common::v1::ROLE_SERVICE; ++r) {
    INFO("role " << r);
    CHECK(city.FirstOf(static_cast<common::v1::Role>(r)) != nullptr);
  }
  for (const DemoUser& u : city.users) {
    if (u.role == common::v1::ROLE_DEPARTMENT_HANDLER) CHECK(!u.department.empty());
  }

  std::map<std::string, int> workers, leaders;
  for (const DemoBinding& b : city.bindings) {
    REQUIRE(city.Find(b.worker) != nullptr);
    REQUIRE(by_id.count(b.grid));
    if (b.role == geofence::v1::BINDING_ROLE_WORKER) ++workers[b.grid];
    if (b.role == geofence::v1::BINDING_ROLE_LEADER) ++leaders[b.grid];
  }
  CHECK(static_cast<int>(workers.size()) == grids);
  for (const auto& [grid, n] : workers) {
    CHECK(n >= 1);
    CHECK(n <= 2);
    CHECK(leaders[grid] == 1);
  }

  CHECK(static_cast<int>(city.key_points.size()) == 3 * grids);
  for (const DemoKeyPoint& kp : city.key_points) {
    const geo::MultiPolygon& shape = by_id.at(kp.grid)->shape;
    CHECK(geo::bg::within(kp.position, shape));
    CHECK(geo::DistanceToBoundaryMeters(kp.position, shape) >= kInsetM);
  }
  CHECK(static_cast<int>(city.subjects.size()) == 6 * communities);
  std::set<std::string> subject_names;
  for (const DemoSubject& s : city.subjects) {
    CHECK(CommunityOf(s.grid) == s.community);
    CHECK(geo::bg::within(s.position, by_id.at(s.grid)->shape));
    subject_names.insert(s.community + "|" + s.name);
  }
  CHECK(subject_names.size() == city.subjects.size());

  DemoCity again = BuildDemoCity(regions, TestDepartments(), {});
  REQUIRE(again.users.size() == city.users.size());
  for (size_t i = 0; i < city.users.size(); ++i) {
    CHECK(again.users[i].username == city.users[i].username);
    CHECK(again.users[i].password == city.users[i].password);
  }
  REQUIRE(again.key_points.size() == city.key_points.size());
  for (size_t i = 0; i < city.key_points.size(); ++i) {
    CHECK(geo::bg::equals(again.key_points[i].position, city.key_points[i].position));
  }
}

TEST_CASE("CommunityOf cuts a region path at the community", "[gridsim]") {
  CHECK(CommunityOf("410105/s01/c02/g03") == "410105/s01/c02");
  CHECK(CommunityOf("410105/s01/c02") == "410105/s01/c02");
  CHECK(CommunityOf("410105") == "410105");
}

}  // namespace
}  // namespace gridwork::gridsim
