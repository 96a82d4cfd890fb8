#include "services/analytics/analytics_test_util.h"

namespace gridwork::analytics::testing {

using service::ToProto;

clients::RegionShape ThreeByThree(const CellRaster& raster, double lat, double lng) {
  const geo::Point c = raster.CellCenter(raster.CellOf(lat, lng));
  const double dlat = raster.size_m() / 111320.0;
  // Width of the centre row's cells, measured from the neighbouring cell's centre.
  const geo::Point east = raster.CellCenter(raster.CellOf(c.y(), c.x()) + 1);
  const double w = east.x() - c.x();
  const double x0 = c.x() - 1.3 * w, x1 = c.x() + 1.3 * w;
  const double y0 = c.y() - 1.3 * dlat, y1 = c.y() + 1.3 * dlat;
  geo::Polygon box;
  box.outer() = {geo::Point(x0, y0), geo::Point(x0, y1), geo::Point(x1, y1), geo::Point(x1, y0),
                 geo::Point(x0, y0)};
  geo::bg::correct(box);
  clients::RegionShape s;
  s.area.push_back(box);
  s.version = 1;
  return s;
}

AnalyticsFixture::AnalyticsFixture() { Reopen(); }

AnalyticsFixture::~AnalyticsFixture() {
  core.reset();
  queries.reset();
  ingest.reset();
  live.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}

void AnalyticsFixture::Reopen() {
  core.reset();
  queries.reset();
  ingest.reset();
  live.reset();
  store.reset();
  store = *AnalyticsStore::Open(dir.string(), &clock, /*sync=*/false);
  live = std::make_unique<LiveState>(&clock, 48);
  REQUIRE(live->Load(*store).ok());
  ingest = std::make_unique<Ingest>(store.get(), live.get(), &shapes, ingest_options);
  queries =
      std::make_unique<Queries>(store.get(), live.get(), &ingest->raster(), &clock, QueryOptions());
  core = std::make_unique<AnalyticsCore>(store.get(), live.get(), queries.get(), nullptr);
}

void AnalyticsFixture::Apply(Source source, const std::vector<store::FeedEvent>& events) {
  store::WriteRequest w;
  absl::Status s;
  switch (source) {
    case Source::kLocation:
      s = ingest->ApplyLocation(events, w);
      break;
    case Source::kGeofence:
      s = ingest->ApplyGeofence(events, w);
      break;
    case Source::kWorkOrder:
      s = ingest->ApplyWorkOrder(events, w);
      break;
    case Source::kInspection:
      s = ingest->ApplyInspection(events, w);
      break;
  }
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(store->db()->Commit(std::move(w)).ok());
  ingest->Committed(source);
}

store::FeedEvent AnalyticsFixture::Event(const google::protobuf::Message& payload,
                                         const std::string& region) {
  store::FeedEvent e;
  e.set_sequence(next_sequence++);
  e.set_region_path(region);
  e.mutable_payload()->PackFrom(payload);
  return e;
}

store::FeedEvent AnalyticsFixture::GridAdded(const std::string& grid_id) {
  gf::RegionChanged rc;
  rc.set_region_id(grid_id);
  rc.set_kind(gf::CHANGE_KIND_CREATED);
  rc.set_level(common::v1::REGION_LEVEL_GRID);
  rc.set_version(1);
  return Event(rc, grid_id);
}

store::FeedEvent AnalyticsFixture::Bound(const std::string& worker, const std::string& grid) {
  gf::BindingChanged bc;
  bc.mutable_binding()->set_worker_id(worker);
  bc.mutable_binding()->set_grid_id(grid);
  bc.mutable_binding()->set_role(gf::BINDING_ROLE_WORKER);
  bc.set_kind(gf::CHANGE_KIND_CREATED);
  return Event(bc, grid);
}

store::FeedEvent AnalyticsFixture::Fixes(const std::string& worker,
                                         const std::vector<FixAt>& fixes) {
  common::v1::AcceptedFixes af;
  af.set_worker_id(worker);
  for (const FixAt& f : fixes) {
    common::v1::Fix* fix = af.add_fixes();
    fix->set_worker_id(worker);
    fix->set_device_id(worker + "-phone");
    fix->set_sequence(next_fix++);
    *fix->mutable_device_time() = ToProto(f.t);
    fix->mutable_position()->set_lat(f.lat);
    fix->mutable_position()->set_lng(f.lng);
  }
  return Event(af, "");
}

store::FeedEvent AnalyticsFixture::Order(const std::string& id, wo::Action action, wo::State from,
                                         wo::State to, absl::Time at, const std::string& region,
                                         const std::string& category, const std::string& department,
                                         wo::Stage stage, const std::string& actor,
                                         Role actor_role) {
  wo::OrderEvent e;
  e.set_order_id(id);
  e.set_action(action);
  e.set_from_state(from);
  e.set_to_state(to);
  *e.mutable_at() = ToProto(at);
  e.set_region_path(region);
  e.set_category_id(category);
  e.set_department(department);
  e.set_stage(stage);
  e.set_actor(actor);
  e.set_actor_role(actor_role);
  return Event(e, region);
}

}  // namespace gridwork::analytics::testing
