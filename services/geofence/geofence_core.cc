// GeofenceCore: construction, snapshots, regions and Locate. Bindings and key points are in
// geofence_core_assignments.cc, fence evaluation in geofence_core_fences.cc.
#include "services/geofence/geofence_core.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/clients/region_geometry.h"
#include "gridwork/core/log.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/geo/geojson.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/input_checks.h"
#include "services/geofence/core_helpers.h"
#include "services/geofence/keys.h"

namespace gridwork::geofence {

using common::v1::RegionLevel;

absl::StatusOr<std::unique_ptr<GeofenceCore>> GeofenceCore::Create(GeofenceStore* store,
                                                                   GeofenceOptions options,
                                                                   GeofenceMetrics* metrics,
                                                                   Clock* clock) {
  std::unique_ptr<GeofenceCore> core(new GeofenceCore(store, std::move(options), metrics, clock));
  GW_ASSIGN_OR_RETURN(std::vector<v1::Region> regions, store->LoadAllRegions());
  const size_t region_count = regions.size();
  GW_ASSIGN_OR_RETURN(auto tree, RegionTree::Build(std::move(regions)));
  core->SetTree(std::move(tree));
  GW_RETURN_IF_ERROR(core->ReloadKeyPoints());
  GW_RETURN_IF_ERROR(core->ReloadOwnGrids());
  log::Info("geofence state loaded",
            {{"regions", region_count}, {"key_points", core->key_points()->size()}});
  return core;
}

GeofenceCore::GeofenceCore(GeofenceStore* store, GeofenceOptions options, GeofenceMetrics* metrics,
                           Clock* clock)
    : store_(store), options_(std::move(options)), metrics_(metrics), clock_(clock) {}

std::shared_ptr<const RegionTree> GeofenceCore::tree() const {
  absl::MutexLock lock(&snapshot_mu_);
  return tree_;
}

std::shared_ptr<const KeyPointIndex> GeofenceCore::key_points() const {
  absl::MutexLock lock(&snapshot_mu_);
  return key_points_;
}

void GeofenceCore::SetTree(std::shared_ptr<const RegionTree> tree) {
  if (metrics_ != nullptr) {
    std::array<int, 5> counts{};
    for (const v1::Region* r : tree->All()) {
      if (r->level() >= 1 && r->level() <= 4) ++counts[r->level()];
    }
    for (int level = 1; level <= 4; ++level) {
      metrics_->regions.Add({{"level", LevelName(static_cast<RegionLevel>(level))}})
          .Set(counts[level]);
    }
  }
  absl::MutexLock lock(&snapshot_mu_);
  tree_ = std::move(tree);
}

void GeofenceCore::SetKeyPoints(std::shared_ptr<const KeyPointIndex> index) {
  if (metrics_ != nullptr) metrics_->key_points.Set(static_cast<double>(index->size()));
  absl::MutexLock lock(&snapshot_mu_);
  key_points_ = std::move(index);
}

std::shared_ptr<const GeofenceCore::OwnGrids> GeofenceCore::own_grids() const {
  absl::MutexLock lock(&snapshot_mu_);
  return own_grids_;
}

absl::Status GeofenceCore::ReloadOwnGrids() {
  GW_ASSIGN_OR_RETURN(OwnGrids all, store_->LoadAllOwnGrids());
  auto snapshot = std::make_shared<const OwnGrids>(std::move(all));
  absl::MutexLock lock(&snapshot_mu_);
  own_grids_ = std::move(snapshot);
  return absl::OkStatus();
}

absl::Status GeofenceCore::ReloadKeyPoints() {
  GW_ASSIGN_OR_RETURN(std::vector<v1::KeyPoint> all, store_->LoadAllKeyPoints());
  SetKeyPoints(std::make_shared<const KeyPointIndex>(all));
  return absl::OkStatus();
}

// ---- Regions -------------------------------------------------------------------------------

absl::StatusOr<v1::ImportRegionsResponse> GeofenceCore::ImportRegions(
    const Principal& p, const v1::ImportRegionsRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, kRegionAdmins));
  if (req.geojson().empty()) return absl::InvalidArgumentError("geojson is required");

  absl::MutexLock admin(&admin_mu_);
  if (!req.validate_only()) {
    // A retry of a committed import replays its answer without re-validating the city.
    GW_ASSIGN_OR_RETURN(auto recorded,
                        service::FindRecorded<v1::ImportRegionsResponse>(
                            store_->db(), "geofence.ImportRegions", req.request_id(), req));
    if (recorded.has_value()) return *std::move(recorded);
  }
  std::shared_ptr<const RegionTree> current = tree();
  GW_ASSIGN_OR_RETURN(ImportPlan plan, PlanImport(req.geojson(), *current, options_.import_limits,
                                                  options_.tolerances, clock_->Now()));
  for (const v1::Region& r : plan.regions) {
    if (!rpc::InScope(p, r.id())) {
      return absl::PermissionDeniedError(
          absl::StrCat("feature ", r.id(), " lies outside your scope \"", p.region_scope(), "\""));
    }
  }
  if (req.validate_only()) {
    v1::ImportRegionsResponse resp;
    for (const auto& issue : plan.issues) *resp.add_issues() = issue;
    resp.set_has_errors(plan.has_errors());
    resp.set_created(plan.created);
    resp.set_replaced(plan.replaced);
    return resp;
  }
  if (plan.has_errors()) {
    if (metrics_ != nullptr) metrics_->imports.Add({{"result", "rejected"}}).Increment();
    return absl::InvalidArgumentError(plan.ErrorSummary());
  }

  std::vector<v1::Region> merged;
  auto resp = service::RunIdempotent<v1::ImportRegionsResponse>(
      store_->db(), "geofence.ImportRegions", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::ImportRegionsResponse> {
        v1::ImportRegionsResponse out;
        for (const v1::Region& r : plan.regions) {
          store_->PutRegion(r, &write);
          v1::RegionChanged change;
          change.set_region_id(r.id());
          change.set_kind(r.version() == 1 ? v1::CHANGE_KIND_CREATED : v1::CHANGE_KIND_REPLACED);
          change.set_version(r.version());
          change.set_level(r.level());
          write.AppendEvent(change, r.id());
        }
        for (const auto& issue : plan.issues) *out.add_issues() = issue;
        out.set_created(plan.created);
        out.set_replaced(plan.replaced);
        return out;
      });
  if (!resp.ok()) return resp.status();
  // Rebuild the snapshot from the store so it reflects exactly what is committed (a replayed
  // retry changes nothing and rebuilds the same tree).
  GW_ASSIGN_OR_RETURN(std::vector<v1::Region> all, store_->LoadAllRegions());
  GW_ASSIGN_OR_RETURN(auto tree, RegionTree::Build(std::move(all)));
  SetTree(std::move(tree));
  if (metrics_ != nullptr) metrics_->imports.Add({{"result", "ok"}}).Increment();
  log::Info("regions imported", {{"subject", p.subject()},
                                 {"created", resp->created()},
                                 {"replaced", resp->replaced()},
                                 {"warnings", resp->issues_size()}});
  return resp;
}

absl::StatusOr<v1::ExportRegionsResponse> GeofenceCore::ExportRegions(
    const Principal& p, const v1::ExportRegionsRequest& req) {
  std::shared_ptr<const RegionTree> t = tree();
  std::string root = req.root_id();
  if (root.empty()) root = p.region_scope();
  if (!root.empty()) {
    if (t->Find(root) == nullptr) {
      return absl::NotFoundError(absl::StrCat("region ", root, " does not exist"));
    }
    GW_RETURN_IF_ERROR(rpc::RequireScope(p, root));
  }
  std::vector<geo::Feature> features;
  for (const v1::Region* r : t->All()) {
    if (!PathWithin(r->id(), root)) continue;
    if (req.max_level() != common::v1::REGION_LEVEL_UNSPECIFIED && r->level() > req.max_level()) {
      continue;
    }
    geo::Feature f;
    f.id = r->id();
    f.properties["id"] = r->id();
    f.properties["level"] = LevelName(r->level());
    f.properties["parent"] = r->parent_id();
    f.properties["name"] = r->name();
    for (const auto& [k, v] : r->properties()) f.properties.emplace(k, v);
    f.geometry = *t->Geometry(r->id());
    features.push_back(std::move(f));
  }
  v1::ExportRegionsResponse resp;
  resp.set_region_count(static_cast<int32_t>(features.size()));
  resp.set_geojson(geo::WriteFeatureCollection(features));
  return resp;
}

absl::StatusOr<v1::Region> GeofenceCore::GetRegion(const Principal& p,
                                                   const v1::GetRegionRequest& req) {
  GW_RETURN_IF_ERROR(service::CheckId(req.id(), "id"));
  // Read from the store, not the in-memory tree: a feed consumer reacting to RegionChanged asks
  // as soon as the write commits, before the tree is swapped, and must see that version (or a
  // newer one), never an older one or NOT_FOUND for a region that exists.
  GW_ASSIGN_OR_RETURN(std::optional<v1::Region> stored, store_->GetRegion(req.id()));
  if (!stored.has_value()) {
    return absl::NotFoundError(absl::StrCat("region ", req.id(), " does not exist"));
  }
  v1::Region out = *std::move(stored);
  if (!RegionVisible(p, out.id())) return rpc::RequireScope(p, out.id());
  if (req.view() == v1::REGION_VIEW_BASIC) out.clear_geometry();
  return out;
}

absl::StatusOr<v1::ListRegionsResponse> GeofenceCore::ListRegions(
    const Principal& p, const v1::ListRegionsRequest& req) {
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(req.page_size(), 100, 1000));
  const uint64_t filter_hash =
      absl::HashOf(req.parent_id(), req.recursive(), static_cast<int>(req.level()),
                   static_cast<int>(req.view()));
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(req.page_token(), filter_hash));
  std::shared_ptr<const RegionTree> t = tree();
  if (!req.parent_id().empty() && t->Find(req.parent_id()) == nullptr) {
    return absl::NotFoundError(absl::StrCat("region ", req.parent_id(), " does not exist"));
  }
  v1::ListRegionsResponse resp;
  for (const v1::Region* r : t->All()) {
    if (!after.empty() && r->id() <= after) continue;
    const bool match = req.recursive()
                           ? (r->id() != req.parent_id() && PathWithin(r->id(), req.parent_id()))
                           : r->parent_id() == req.parent_id();
    if (!match || !RegionVisible(p, r->id())) continue;
    if (req.level() != common::v1::REGION_LEVEL_UNSPECIFIED && r->level() != req.level()) continue;
    if (resp.regions_size() == page_size) {
      resp.set_next_page_token(
          rpc::EncodePageToken(resp.regions(resp.regions_size() - 1).id(), filter_hash));
      break;
    }
    v1::Region* out = resp.add_regions();
    *out = *r;
    if (req.view() != v1::REGION_VIEW_FULL) out->clear_geometry();
  }
  return resp;
}

absl::StatusOr<v1::DeleteRegionResponse> GeofenceCore::DeleteRegion(
    const Principal& p, const v1::DeleteRegionRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, kRegionAdmins));
  GW_RETURN_IF_ERROR(service::CheckId(req.id(), "id"));
  absl::MutexLock admin(&admin_mu_);
  auto resp = service::RunIdempotent<v1::DeleteRegionResponse>(
      store_->db(), "geofence.DeleteRegion", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::DeleteRegionResponse> {
        std::shared_ptr<const RegionTree> t = tree();
        const v1::Region* r = t->Find(req.id());
        if (r == nullptr) {
          return absl::NotFoundError(absl::StrCat("region ", req.id(), " does not exist"));
        }
        GW_RETURN_IF_ERROR(rpc::RequireScope(p, r->id()));
        if (!t->Children(r->id()).empty()) {
          return absl::FailedPreconditionError(absl::StrCat("region ", r->id(), " has ",
                                                            t->Children(r->id()).size(),
                                                            " child regions; delete them first"));
        }
        int bindings = 0, key_points = 0;
        GW_RETURN_IF_ERROR(store_->ScanGridBindings(
            r->id(), "", [&](const std::string&, const std::string&, const std::string&) {
              ++bindings;
              return false;
            }));
        GW_RETURN_IF_ERROR(
            store_->ScanGridKeyPoints(r->id(), "", [&](const std::string&, const std::string&) {
              ++key_points;
              return false;
            }));
        if (bindings > 0 || key_points > 0) {
          return absl::FailedPreconditionError(
              absl::StrCat("region ", r->id(), " still has ", bindings > 0 ? "worker bindings" : "",
                           bindings > 0 && key_points > 0 ? " and " : "",
                           key_points > 0 ? "key points" : "", "; unbind and move them first"));
        }
        store_->DeleteRegion(r->id(), &write);
        v1::RegionChanged change;
        change.set_region_id(r->id());
        change.set_kind(v1::CHANGE_KIND_DELETED);
        change.set_version(r->version() + 1);
        change.set_level(r->level());
        write.AppendEvent(change, r->id());
        return v1::DeleteRegionResponse();
      });
  if (!resp.ok()) return resp.status();
  GW_ASSIGN_OR_RETURN(std::vector<v1::Region> all, store_->LoadAllRegions());
  GW_ASSIGN_OR_RETURN(auto t, RegionTree::Build(std::move(all)));
  SetTree(std::move(t));
  return resp;
}

// ---- Locate --------------------------------------------------------------------------------

namespace {

v1::RegionRef Ref(const v1::Region& r) {
  v1::RegionRef ref;
  ref.set_id(r.id());
  ref.set_level(r.level());
  ref.set_name(r.name());
  return ref;
}

void LocateInto(const RegionTree& t, double lng, double lat, v1::LocateResponse* out) {
  std::vector<const v1::Region*> path;
  const v1::Region* r = t.Locate(lng, lat, &path);
  out->set_found(r != nullptr);
  if (r == nullptr) return;
  *out->mutable_region() = Ref(*r);
  for (const v1::Region* a : path) *out->add_path() = Ref(*a);
}

}  // namespace

absl::StatusOr<v1::LocateResponse> GeofenceCore::Locate(const Principal& p,
                                                        const v1::LocateRequest& req) {
  if (!req.has_position()) return absl::InvalidArgumentError("position is required");
  GW_RETURN_IF_ERROR(service::CheckLatLng(req.position(), "position"));
  v1::LocateResponse resp;
  LocateInto(*tree(), req.position().lng(), req.position().lat(), &resp);
  if (metrics_ != nullptr) {
    metrics_->locates.Add({{"result", resp.found() ? "found" : "not_found"}}).Increment();
  }
  return resp;
}

absl::StatusOr<v1::BatchLocateResponse> GeofenceCore::BatchLocate(
    const Principal& p, const v1::BatchLocateRequest& req) {
  constexpr int kMaxPoints = 10000;
  if (req.positions_size() > kMaxPoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxPoints, " positions per call, got ", req.positions_size()));
  }
  for (int i = 0; i < req.positions_size(); ++i) {
    GW_RETURN_IF_ERROR(service::CheckLatLng(req.positions(i), absl::StrCat("positions[", i, "]")));
  }
  std::shared_ptr<const RegionTree> t = tree();
  v1::BatchLocateResponse resp;
  int found = 0;
  for (const auto& pos : req.positions()) {
    LocateInto(*t, pos.lng(), pos.lat(), resp.add_results());
    found += resp.results(resp.results_size() - 1).found() ? 1 : 0;
  }
  if (metrics_ != nullptr) {
    metrics_->locates.Add({{"result", "found"}}).Increment(found);
    metrics_->locates.Add({{"result", "not_found"}}).Increment(req.positions_size() - found);
  }
  return resp;
}

}  // namespace gridwork::geofence
