// The demo city's people and places, derived deterministically from a region tree: who works
// where (users of every role, worker -> grid bindings), the key points of every grid and the
// inspection subjects of every community. Pure: no I/O, no RPC; the loader (demo_loader.h)
// writes it through the gateway and gridsim recomputes it to know whom to simulate.
//
//   DemoCity city = BuildDemoCity(regions, departments, {.seed = 7});
//
// Invariants (tested in demo_model_test.cc):
//   1. usernames are unique and valid gateway usernames; every role of common::v1::Role but
//      ADMIN and UNSPECIFIED has at least one user;
//   2. every grid has one or two workers (BINDING_ROLE_WORKER) and its community's leader;
//   3. key points and subjects lie inside their grid, at least kInsetM from its border;
//   4. the same inputs give the same city, element for element.
#ifndef GRIDWORK_TOOLS_GRIDSIM_DEMO_MODEL_H_
#define GRIDWORK_TOOLS_GRIDSIM_DEMO_MODEL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gridwork/common/v1/geo.pb.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/geo/types.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/inspection/v1/inspection.pb.h"

namespace gridwork::gridsim {

// Distance from a grid's border of every generated place, metres.
inline constexpr double kInsetM = 20;

struct DemoRegion {
  std::string id;  // materialised path, e.g. "410105/s03/c07/g02"
  std::string parent;
  std::string name;
  common::v1::RegionLevel level = common::v1::REGION_LEVEL_UNSPECIFIED;
  geo::MultiPolygon shape;  // WGS-84 lon/lat
  int residents = 0;        // residents_estimate (0 if unknown)
};

struct DemoUser {
  std::string username;
  std::string display_name;
  common::v1::Role role = common::v1::ROLE_UNSPECIFIED;
  std::string region_scope;
  std::string department;
  std::string password;
  // Grid workers and volunteers: their grid; leaders, stations, residents: their community.
  std::string home;
};

struct DemoBinding {
  std::string worker;
  std::string grid;
  geofence::v1::BindingRole role = geofence::v1::BINDING_ROLE_UNSPECIFIED;
};

struct DemoKeyPoint {
  std::string grid;
  std::string name;  // unique within the grid
  geofence::v1::KeyPointKind kind = geofence::v1::KEY_POINT_KIND_UNSPECIFIED;
  geo::Point position;
  double radius_m = 30;
};

struct DemoSubject {
  std::string community;
  std::string grid;  // the grid it lies in
  std::string name;  // unique within the community
  inspection::v1::SubjectType type = inspection::v1::SUBJECT_TYPE_UNSPECIFIED;
  geo::Point position;
  std::string address;
};

struct DemoOptions {
  uint64_t seed = 20240601;
  // Passwords are DemoPassword(password_seed, username).
  std::string password_seed = "gridwork-demo";
  int key_points_per_grid = 3;
  int subjects_per_community = 6;
  int residents_per_community = 1;
};

struct DemoCity {
  std::vector<DemoUser> users;  // in creation order
  std::vector<DemoBinding> bindings;
  std::vector<DemoKeyPoint> key_points;
  std::vector<DemoSubject> subjects;
  // Index of users by username.
  std::map<std::string, size_t> by_username;

  const DemoUser* Find(const std::string& username) const;
  // The first user of `role` (for the credentials summary), or nullptr.
  const DemoUser* FirstOf(common::v1::Role role) const;
  // Workers (BINDING_ROLE_WORKER) of a grid, in binding order.
  std::vector<const DemoUser*> WorkersOf(const std::string& grid) const;
};

// Builds the city for `regions` (any order; districts, streets, communities and grids) and the
// departments of the catalogues (ids, e.g. "fire"; one handler each).
DemoCity BuildDemoCity(const std::vector<DemoRegion>& regions,
                       const std::vector<std::string>& departments, const DemoOptions& options);

// The community path of a grid or community path ("410105/s01/c01/g02" -> "410105/s01/c01").
std::string CommunityOf(const std::string& region_path);

// A point inside `shape` at least `inset_m` from its border, drawn from `rng_seed`; after many
// failed draws the point farthest from the border that was seen.
geo::Point PointInside(const geo::MultiPolygon& shape, double inset_m, uint64_t rng_seed);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_DEMO_MODEL_H_
