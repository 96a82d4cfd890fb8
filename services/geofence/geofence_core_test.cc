// GeofenceCore over a real RocksDB store in a temporary directory (no gRPC): key points and
// check-ins, presence pagination, scope filtering in lists, delete preconditions, and state
// reloaded by a new core on the same store.
#include "services/geofence/geofence_core.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/core/ids.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::geofence {
namespace {

using common::v1::ROLE_ADMIN;
using common::v1::ROLE_COMMUNITY_STATION;
using common::v1::ROLE_SERVICE;

Principal As(common::v1::Role role, std::string scope = "", std::string subject = "tester") {
  Principal p;
  p.set_subject(std::move(subject));
  p.set_role(role);
  p.set_region_scope(std::move(scope));
  return p;
}

std::string Square(const std::string& id, const std::string& level, double lng0, double lat0,
                   double lng1, double lat1) {
  return absl::StrFormat(
      R"({"type":"Feature","properties":{"id":"%s","level":"%s"},"geometry":{"type":"Polygon",)"
      R"("coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}})",
      id, level, lng0, lat0, lng1, lat0, lng1, lat1, lng0, lat1, lng0, lat0);
}

// District 410105 with two communities of two grids each:
//   c01: g01 [113.60,113.61] g02 [113.61,113.62]   c02: g01 [113.62,113.63] g02 [113.63,113.64]
std::string Tree() {
  std::string out = R"({"type":"FeatureCollection","features":[)";
  out += Square("410105", "district", 113.60, 34.70, 113.64, 34.71) + ",";
  out += Square("410105/s01", "street", 113.60, 34.70, 113.64, 34.71) + ",";
  out += Square("410105/s01/c01", "community", 113.60, 34.70, 113.62, 34.71) + ",";
  out += Square("410105/s01/c02", "community", 113.62, 34.70, 113.64, 34.71) + ",";
  out += Square("410105/s01/c01/g01", "grid", 113.60, 34.70, 113.61, 34.71) + ",";
  out += Square("410105/s01/c01/g02", "grid", 113.61, 34.70, 113.62, 34.71) + ",";
  out += Square("410105/s01/c02/g01", "grid", 113.62, 34.70, 113.63, 34.71) + ",";
  out += Square("410105/s01/c02/g02", "grid", 113.63, 34.70, 113.64, 34.71);
  return out + "]}";
}

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / NewId("geofence-core");
  FakeClock clock{absl::FromUnixSeconds(1763884800)};
  std::unique_ptr<GeofenceStore> store;
  std::unique_ptr<GeofenceCore> core;

  GeofenceOptions options;

  explicit Fixture(GeofenceOptions o = GeofenceOptions()) : options(o) {
    Open();
    v1::ImportRegionsRequest req;
    req.set_request_id("import");
    req.set_geojson(Tree());
    auto r = core->ImportRegions(As(ROLE_ADMIN), req);
    INFO(r.status().message());
    REQUIRE(r.ok());
  }
  ~Fixture() {
    core.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  void Open() {
    core.reset();
    store.reset();
    store = *GeofenceStore::Open(dir.string(), &clock, /*sync=*/false);
    core = *GeofenceCore::Create(store.get(), options, nullptr, &clock);
  }
  v1::EvaluateFixesResponse Fix(const std::string& worker, double lng, double lat, int seconds) {
    v1::EvaluateFixesRequest req;
    auto* f = req.add_fixes();
    f->set_worker_id(worker);
    f->set_device_id("d-" + worker);
    *f->mutable_device_time() =
        service::ToProto(absl::FromUnixSeconds(1763884800) + absl::Seconds(seconds));
    f->mutable_position()->set_lng(lng);
    f->mutable_position()->set_lat(lat);
    f->set_accuracy_m(5);
    auto r = core->EvaluateFixes(As(ROLE_SERVICE), req);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return *r;
  }
  // One fix through the location feed path (ApplyLocationFixes, cursor "geofence<-location/w0"
  // moved to `sequence`); returns the fence events it appended to this store's feed.
  std::vector<v1::FenceEvent> FeedFix(const std::string& worker, double lng, double lat,
                                      int seconds, uint64_t sequence) {
    common::v1::AcceptedFixes batch;
    batch.set_worker_id(worker);
    auto* f = batch.add_fixes();
    f->set_worker_id(worker);
    f->set_device_id("d-" + worker);
    *f->mutable_device_time() =
        service::ToProto(absl::FromUnixSeconds(1763884800) + absl::Seconds(seconds));
    f->mutable_position()->set_lng(lng);
    f->mutable_position()->set_lat(lat);
    f->set_accuracy_m(5);
    common::v1::FeedEvent e;
    e.set_sequence(sequence);
    e.mutable_payload()->PackFrom(batch);
    const uint64_t before = store->db()->LastSequence();
    REQUIRE(core->ApplyLocationFixes({e}, "geofence<-location/w0").ok());
    std::vector<v1::FenceEvent> out;
    auto events = store->db()->ReadEvents(before + 1, 100);
    REQUIRE(events.ok());
    for (const auto& ev : *events) {
      v1::FenceEvent fe;
      if (ev.payload().UnpackTo(&fe)) out.push_back(fe);
    }
    return out;
  }
  bool HasState(const std::string& worker) {
    v1::GetWorkerStateRequest req;
    req.set_worker_id(worker);
    return core->GetWorkerState(As(ROLE_ADMIN), req).ok();
  }
};

TEST_CASE("GetRegion answers what is committed, even before the in-memory tree is swapped") {
  // A feed consumer sees RegionChanged as soon as the write commits; the tree follows a moment
  // later. Commit a new version of a grid and a brand-new grid straight to the store (the tree
  // still holds the old state) and ask: the answer must match the feed, never lag behind it.
  Fixture f;
  v1::GetRegionRequest get;
  get.set_id("410105/s01/c01/g01");
  get.set_view(v1::REGION_VIEW_FULL);
  auto before = f.core->GetRegion(As(ROLE_SERVICE), get);
  REQUIRE(before.ok());
  v1::Region replaced = *before;
  replaced.set_version(before->version() + 1);
  replaced.set_name("renamed in the store only");
  v1::Region added = *before;
  added.set_id("410105/s01/c01/g03");
  added.set_version(1);
  store::WriteRequest write;
  f.store->PutRegion(replaced, &write);
  f.store->PutRegion(added, &write);
  REQUIRE(f.store->db()->Commit(std::move(write)).ok());

  auto after = f.core->GetRegion(As(ROLE_SERVICE), get);
  REQUIRE(after.ok());
  CHECK(after->version() == before->version() + 1);
  CHECK(after->name() == "renamed in the store only");
  get.set_id("410105/s01/c01/g03");
  auto fresh = f.core->GetRegion(As(ROLE_SERVICE), get);
  INFO(fresh.status().message());
  REQUIRE(fresh.ok());
  CHECK(fresh->geometry().polygons_size() > 0);
  // Scope still applies to what comes from the store.
  auto other = f.core->GetRegion(As(ROLE_COMMUNITY_STATION, "410105/s01/c02"), get);
  CHECK(other.status().code() == absl::StatusCode::kPermissionDenied);
}

}  // namespace

TEST_CASE("a key point placed in a grid produces one check-in after its dwell") {
  Fixture f;
  v1::PutKeyPointRequest put;
  put.set_request_id("kp");
  auto* kp = put.mutable_key_point();
  kp->set_name("独居老人 王大爷");
  kp->set_kind(v1::KEY_POINT_KIND_ELDERLY_ALONE);
  kp->mutable_position()->set_lng(113.605);
  kp->mutable_position()->set_lat(34.705);
  kp->set_radius_m(25);
  *kp->mutable_min_dwell() = service::ToProto(absl::Minutes(2));
  auto created = f.core->PutKeyPoint(As(ROLE_COMMUNITY_STATION, "410105/s01/c01"), put);
  REQUIRE(created.ok());
  REQUIRE(created->grid_id() == "410105/s01/c01/g01");

  // Outside the station's scope: refused.
  put.set_request_id("kp-2");
  kp->mutable_position()->set_lng(113.625);
  REQUIRE(f.core->PutKeyPoint(As(ROLE_COMMUNITY_STATION, "410105/s01/c01"), put).status().code() ==
          absl::StatusCode::kPermissionDenied);

  REQUIRE(f.Fix("w1", 113.605, 34.705, 0).events_size() == 1);  // ENTER g01
  REQUIRE(f.Fix("w1", 113.6051, 34.705, 60).events_size() == 0);
  auto done = f.Fix("w1", 113.605, 34.7051, 121);
  REQUIRE(done.events_size() == 1);
  REQUIRE(done.events(0).kind() == v1::FENCE_EVENT_KIND_CHECK_IN);
  REQUIRE(done.events(0).key_point_id() == created->id());

  // The visit survives a restart of the core: no second check-in for the same visit.
  f.Open();
  REQUIRE(f.Fix("w1", 113.605, 34.705, 150).events_size() == 0);
}

TEST_CASE("presence lists page through a subtree and respect scope") {
  Fixture f;
  for (int i = 0; i < 7; ++i) f.Fix(absl::StrCat("w", i), 113.605, 34.705, 0);   // c01/g01
  for (int i = 7; i < 10; ++i) f.Fix(absl::StrCat("w", i), 113.625, 34.705, 0);  // c02/g01

  v1::ListWorkersInRegionRequest req;
  req.set_region_id("410105/s01");
  req.set_page_size(3);
  std::set<std::string> seen;
  int pages = 0;
  do {
    auto page = f.core->ListWorkersInRegion(As(ROLE_ADMIN), req);
    REQUIRE(page.ok());
    REQUIRE(page->workers_size() <= 3);
    for (const auto& w : page->workers()) REQUIRE(seen.insert(w.worker_id()).second);
    req.set_page_token(page->next_page_token());
    ++pages;
  } while (!req.page_token().empty());
  REQUIRE(seen.size() == 10);
  REQUIRE(pages == 4);

  v1::ListWorkersInRegionRequest c02;
  c02.set_region_id("410105/s01/c02");
  auto only = f.core->ListWorkersInRegion(As(ROLE_COMMUNITY_STATION, "410105/s01/c02"), c02);
  REQUIRE(only.ok());
  REQUIRE(only->workers_size() == 3);
  c02.set_region_id("410105/s01/c01");
  REQUIRE(f.core->ListWorkersInRegion(As(ROLE_COMMUNITY_STATION, "410105/s01/c02"), c02)
              .status()
              .code() == absl::StatusCode::kPermissionDenied);

  // A token from another filter is refused.
  v1::ListWorkersInRegionRequest first;
  first.set_region_id("410105/s01");
  first.set_page_size(3);
  auto p1 = f.core->ListWorkersInRegion(As(ROLE_ADMIN), first);
  c02.set_region_id("410105/s01/c02");
  c02.set_page_token(p1->next_page_token());
  REQUIRE(f.core->ListWorkersInRegion(As(ROLE_ADMIN), c02).status().code() ==
          absl::StatusCode::kInvalidArgument);

  // Staleness filter: advance 10 minutes, refresh three workers.
  f.clock.Advance(absl::Minutes(10));
  for (int i = 0; i < 3; ++i) f.Fix(absl::StrCat("w", i), 113.605, 34.705, 600);
  v1::ListWorkersInRegionRequest fresh;
  fresh.set_region_id("410105");
  *fresh.mutable_max_staleness() = service::ToProto(absl::Minutes(5));
  auto recent = f.core->ListWorkersInRegion(As(ROLE_ADMIN), fresh);
  REQUIRE(recent.ok());
  REQUIRE(recent->workers_size() == 3);
}

TEST_CASE("regions: scoped lists, and deletion only of empty leaves") {
  Fixture f;
  v1::ListRegionsRequest list;
  list.set_parent_id("410105/s01");
  auto scoped = f.core->ListRegions(As(ROLE_COMMUNITY_STATION, "410105/s01/c02"), list);
  REQUIRE(scoped.ok());
  REQUIRE(scoped->regions_size() == 1);
  REQUIRE(scoped->regions(0).id() == "410105/s01/c02");
  // Ancestors of the scope stay visible for navigation.
  v1::GetRegionRequest get;
  get.set_id("410105");
  REQUIRE(f.core->GetRegion(As(ROLE_COMMUNITY_STATION, "410105/s01/c02"), get).ok());

  v1::DeleteRegionRequest del;
  del.set_request_id("del-1");
  del.set_id("410105/s01/c01");
  auto has_children = f.core->DeleteRegion(As(ROLE_ADMIN), del);
  REQUIRE(has_children.status().code() == absl::StatusCode::kFailedPrecondition);

  v1::BindWorkerRequest bind;
  bind.set_request_id("bind");
  bind.set_worker_id("w1");
  bind.set_grid_id("410105/s01/c01/g02");
  bind.set_role(v1::BINDING_ROLE_LEADER);
  REQUIRE(f.core->BindWorker(As(ROLE_ADMIN), bind).ok());
  del.set_request_id("del-2");
  del.set_id("410105/s01/c01/g02");
  auto bound = f.core->DeleteRegion(As(ROLE_ADMIN), del);
  REQUIRE(bound.status().code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(std::string(bound.status().message()).find("bindings") != std::string::npos);

  v1::UnbindWorkerRequest unbind;
  unbind.set_request_id("unbind");
  unbind.set_worker_id("w1");
  unbind.set_grid_id("410105/s01/c01/g02");
  REQUIRE(f.core->UnbindWorker(As(ROLE_ADMIN), unbind).ok());
  del.set_request_id("del-3");
  REQUIRE(f.core->DeleteRegion(As(ROLE_ADMIN), del).ok());
  v1::LocateRequest loc;
  loc.mutable_position()->set_lng(113.615);
  loc.mutable_position()->set_lat(34.705);
  auto located = f.core->Locate(As(ROLE_ADMIN), loc);
  REQUIRE(located.ok());
  REQUIRE(located->region().id() == "410105/s01/c01");  // the grid is gone: deepest is c01

  // The deletion is durable.
  f.Open();
  get.set_id("410105/s01/c01/g02");
  REQUIRE(f.core->GetRegion(As(ROLE_ADMIN), get).status().code() == absl::StatusCode::kNotFound);
}

// GeofenceOptions::district_shard: the tree above is this shard's; lng 113.70 lies in a
// district of another shard.
TEST_CASE("a district shard evaluates only the feed fixes that concern its grids") {
  GeofenceOptions sharded;
  sharded.district_shard = true;
  Fixture f(sharded);
  constexpr double kElsewhere = 113.70;

  // A worker of another district: nothing stored, nothing emitted, cursor still moves.
  CHECK(f.FeedFix("far", kElsewhere, 34.705, 0, 1).empty());
  CHECK(f.FeedFix("far", kElsewhere, 34.7051, 60, 2).empty());
  CHECK_FALSE(f.HasState("far"));
  CHECK(*f.store->db()->GetCursor("geofence<-location/w0") == 2);

  // Crossing into this shard's grid: a candidate first, ENTER only after exit_dwell (not at
  // once, as for a worker's first fix ever), then EXIT when they leave again.
  CHECK(f.FeedFix("far", 113.605, 34.705, 120, 3).empty());
  auto entered = f.FeedFix("far", 113.605, 34.7051, 160, 4);
  REQUIRE(entered.size() == 1);
  CHECK(entered[0].kind() == v1::FENCE_EVENT_KIND_ENTER_GRID);
  CHECK(entered[0].grid_id() == "410105/s01/c01/g01");
  CHECK(f.FeedFix("far", kElsewhere, 34.705, 200, 5).empty());
  auto left = f.FeedFix("far", kElsewhere, 34.7051, 240, 6);
  REQUIRE(left.size() == 1);
  CHECK(left[0].kind() == v1::FENCE_EVENT_KIND_EXIT_GRID);
  // Gone again: later fixes elsewhere are skipped (the state keeps the last evaluated fix).
  CHECK(f.FeedFix("far", kElsewhere, 34.705, 300, 7).empty());
  v1::GetWorkerStateRequest get;
  get.set_worker_id("far");
  auto state = f.core->GetWorkerState(As(ROLE_ADMIN), get);
  REQUIRE(state.ok());
  CHECK(state->current_grid_id().empty());
  CHECK(service::FromProto(state->last_fix_time()) ==
        absl::FromUnixSeconds(1763884800) + absl::Seconds(240));

  // A worker bound here is always evaluated: away in another district is LEFT_OWN_GRID.
  v1::BindWorkerRequest bind;
  bind.set_request_id("bind-mine");
  bind.set_worker_id("mine");
  bind.set_grid_id("410105/s01/c01/g02");
  bind.set_role(v1::BINDING_ROLE_WORKER);
  REQUIRE(f.core->BindWorker(As(ROLE_ADMIN), bind).ok());
  auto away = f.FeedFix("mine", kElsewhere, 34.705, 0, 8);
  REQUIRE(away.size() == 1);
  CHECK(away[0].kind() == v1::FENCE_EVENT_KIND_LEFT_OWN_GRID);

  // EvaluateFixes calls are evaluated in full, as without a routing file.
  f.Fix("asked", kElsewhere, 34.705, 0);
  CHECK(f.HasState("asked"));
}

TEST_CASE("without district_shard every feed fix is evaluated (unsharded behaviour)") {
  Fixture f;
  CHECK(f.FeedFix("far", 113.70, 34.705, 0, 1).empty());
  CHECK(f.HasState("far"));
  // The first fix in a grid after that one still waits for the dwell (state established)...
  CHECK(f.FeedFix("far", 113.605, 34.705, 120, 2).empty());
  // ... but a brand-new worker's first fix in a grid enters at once (rule 5).
  auto first = f.FeedFix("new", 113.605, 34.705, 0, 3);
  REQUIRE(first.size() == 1);
  CHECK(first[0].kind() == v1::FENCE_EVENT_KIND_ENTER_GRID);
}

}  // namespace gridwork::geofence
