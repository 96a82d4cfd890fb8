#include "tests/fuzz/geojson_import_fuzz.h"

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/geofence/region_import.h"
#include "services/geofence/region_tree.h"
#include "tests/fuzz/fuzz_check.h"

namespace gridwork::fuzz {
namespace {

using geofence::ImportPlan;
using geofence::RegionTree;

const absl::Time kNow = absl::FromUnixSeconds(1763884800);

// One district (0.1° x 0.1° in Zhengzhou) with one street and one community covering it
// and two grids splitting the community at lng 113.65.
constexpr char kStoredTree[] = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"d1","level":"district"},"geometry":{"type":"Polygon",
 "coordinates":[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.8],[113.6,34.7]]]}},
{"type":"Feature","properties":{"id":"d1/s1","level":"street"},"geometry":{"type":"Polygon",
 "coordinates":[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.8],[113.6,34.7]]]}},
{"type":"Feature","properties":{"id":"d1/s1/c1","level":"community"},"geometry":{"type":"Polygon",
 "coordinates":[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.8],[113.6,34.7]]]}},
{"type":"Feature","properties":{"id":"d1/s1/c1/g1","level":"grid"},"geometry":{"type":"Polygon",
 "coordinates":[[[113.6,34.7],[113.65,34.7],[113.65,34.8],[113.6,34.8],[113.6,34.7]]]}},
{"type":"Feature","properties":{"id":"d1/s1/c1/g2","level":"grid"},"geometry":{"type":"Polygon",
 "coordinates":[[[113.65,34.7],[113.7,34.7],[113.7,34.8],[113.65,34.8],[113.65,34.7]]]}}]})";

std::shared_ptr<const RegionTree> BuildOrDie(std::vector<geofence::v1::Region> regions,
                                             const char* what) {
  absl::StatusOr<std::shared_ptr<const RegionTree>> tree = RegionTree::Build(std::move(regions));
  if (!tree.ok()) FuzzFail(absl::StrCat(what, ": RegionTree::Build: ", tree.status().ToString()));
  return *std::move(tree);
}

const RegionTree& EmptyTree() {
  static const std::shared_ptr<const RegionTree> tree = BuildOrDie({}, "empty tree");
  return *tree;
}

const RegionTree& StoredTree() {
  static const std::shared_ptr<const RegionTree> tree = [] {
    absl::StatusOr<ImportPlan> plan =
        geofence::PlanImport(kStoredTree, EmptyTree(), {}, {}, kNow);
    if (!plan.ok() || plan->has_errors() || plan->regions.size() != 5) {
      FuzzFail("the fixed stored tree does not import cleanly");
    }
    return BuildOrDie(std::move(plan->regions), "stored tree");
  }();
  return *tree;
}

// Coordinates no lookup may crash on.
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMax = std::numeric_limits<double>::max();
constexpr double kTiny = std::numeric_limits<double>::denorm_min();
constexpr double kOddValues[] = {kNaN, kInf, -kInf, kMax, -kMax, kTiny, -0.0, 0.0,
                                 180.0, -180.0, 90.0, -90.0, 1e300, -1e300, 4.5e15};

void LocateEverywhere(const RegionTree& tree, const std::vector<geofence::v1::Region>& regions) {
  std::vector<const geofence::v1::Region*> path;
  for (double x : kOddValues) {
    for (double y : kOddValues) {
      tree.Locate(x, y, &path);
      tree.LocateGrid(x, y);
    }
    tree.Locate(x, 34.75);
    tree.Locate(113.65, x);
  }
  for (const geofence::v1::Region& r : regions) {
    tree.Locate(r.bbox_min().lng(), r.bbox_min().lat(), &path);
    tree.Locate(r.bbox_max().lng(), r.bbox_max().lat(), &path);
    tree.Locate((r.bbox_min().lng() + r.bbox_max().lng()) / 2,
                (r.bbox_min().lat() + r.bbox_max().lat()) / 2, &path);
    tree.Locate(r.bbox_min().lng(), kNaN);
    tree.Locate(kNaN, r.bbox_max().lat());

    // A label point lies in its region; unless it is within 1e-9° of the border (where the
    // index may decide either way), Locate must find the region or one at a deeper level.
    const double lng = r.label_point().lng(), lat = r.label_point().lat();
    const geofence::v1::Region* found = tree.Locate(lng, lat, &path);
    const geo::MultiPolygon* geometry = tree.Geometry(r.id());
    if (geometry == nullptr) FuzzFail(absl::StrCat("region ", r.id(), " missing from its tree"));
    if (!geo::bg::covered_by(geo::LngLat(lng, lat), *geometry)) continue;
    if (DistanceToBorder(geo::LngLat(lng, lat), *geometry) <= 1e-9) continue;
    if (found == nullptr || found->level() < r.level()) {
      FuzzFail(absl::StrCat("Locate(label point of ", r.id(), " = ", lng, ", ", lat,
                            ") returned ", found == nullptr ? "nothing" : found->id()));
    }
    if (path.empty() || path.back() != found) FuzzFail("Locate path does not end at the result");
  }
}

void ImportAgainst(const std::string& geojson, const RegionTree& existing, bool merge) {
  absl::StatusOr<ImportPlan> plan = geofence::PlanImport(geojson, existing, {}, {}, kNow);
  if (!plan.ok()) {
    const absl::StatusCode code = plan.status().code();
    if (code != absl::StatusCode::kInvalidArgument &&
        code != absl::StatusCode::kResourceExhausted) {
      FuzzFail(absl::StrCat("PlanImport returned an undocumented error: ",
                            plan.status().ToString()));
    }
    return;
  }
  plan->ErrorSummary();
  if (plan->has_errors()) return;
  if (plan->created + plan->replaced != static_cast<int>(plan->regions.size())) {
    FuzzFail("created + replaced != regions.size() in an error-free plan");
  }
  std::shared_ptr<const RegionTree> tree = BuildOrDie(plan->regions, "plan without errors");
  LocateEverywhere(*tree, plan->regions);
  if (!merge) return;
  // What the service commits: the stored tree with the imported regions replacing theirs.
  std::set<std::string> imported;
  std::vector<geofence::v1::Region> all = plan->regions;
  for (const geofence::v1::Region& r : plan->regions) imported.insert(r.id());
  for (const geofence::v1::Region* r : existing.All()) {
    if (imported.count(r->id()) == 0) all.push_back(*r);
  }
  std::shared_ptr<const RegionTree> merged = BuildOrDie(all, "stored tree + plan");
  LocateEverywhere(*merged, all);
}

}  // namespace

int FuzzGeoJsonImport(const uint8_t* data, size_t size) {
  const std::string geojson(reinterpret_cast<const char*>(data), size);
  ImportAgainst(geojson, EmptyTree(), /*merge=*/false);
  ImportAgainst(geojson, StoredTree(), /*merge=*/true);
  return 0;
}

}  // namespace gridwork::fuzz
