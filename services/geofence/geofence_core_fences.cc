// GeofenceCore: fence evaluation, worker state and presence.
#include <algorithm>
#include <cmath>
#include <map>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/geofence/core_helpers.h"
#include "services/geofence/geofence_core.h"
#include "services/geofence/keys.h"

namespace gridwork::geofence {
namespace {

// FenceGeometry over one consistent snapshot of the region tree and key points.
class SnapshotGeometry final : public FenceGeometry {
 public:
  SnapshotGeometry(std::shared_ptr<const RegionTree> tree,
                   std::shared_ptr<const KeyPointIndex> key_points)
      : tree_(std::move(tree)), key_points_(std::move(key_points)) {}
  std::string LocateGrid(double lng, double lat) const override {
    return tree_->LocateGrid(lng, lat);
  }
  double DistanceToGridBorderM(const std::string& grid, double lng, double lat) const override {
    return tree_->DistanceToBorderM(grid, lng, lat);
  }
  std::vector<KeyPointRef> KeyPointsNear(double lng, double lat) const override {
    return key_points_->Near(lng, lat);
  }
  std::optional<KeyPointRef> FindKeyPoint(const std::string& id) const override {
    return key_points_->Find(id);
  }

 private:
  std::shared_ptr<const RegionTree> tree_;
  std::shared_ptr<const KeyPointIndex> key_points_;
};

constexpr int kMaxFixesPerCall = 5000;

// GeofenceOptions::district_shard: whether a fix of a worker not bound here can change the
// worker's state or cause an event on this shard. `state` is the worker's state here so far.
bool FixConcerns(const FenceGeometry& geometry, const v1::WorkerState& state,
                 const common::v1::Fix& fix) {
  if (!state.current_grid_id().empty() || state.has_candidate()) return true;
  for (const v1::KeyPointVisit& v : state.visits()) {
    if (!v.closed()) return true;
  }
  const double lng = fix.position().lng();
  const double lat = fix.position().lat();
  return !geometry.LocateGrid(lng, lat).empty() || !geometry.KeyPointsNear(lng, lat).empty();
}

absl::Status CheckFix(const common::v1::Fix& f, int i) {
  const std::string field = absl::StrCat("fixes[", i, "]");
  GW_RETURN_IF_ERROR(service::CheckId(f.worker_id(), field + ".worker_id"));
  if (!f.has_position()) return absl::InvalidArgumentError(field + ".position is required");
  GW_RETURN_IF_ERROR(service::CheckLatLng(f.position(), field + ".position"));
  if (!std::isfinite(f.accuracy_m()) || f.accuracy_m() < 0) {
    return absl::InvalidArgumentError(field + ".accuracy_m must be a finite number >= 0");
  }
  if (!f.has_device_time() || f.device_time().seconds() <= 0) {
    return absl::InvalidArgumentError(field + ".device_time is required");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::EvaluateFixesResponse> GeofenceCore::EvaluateFixes(
    const Principal& p, const v1::EvaluateFixesRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, kFixSources));
  if (req.fixes_size() > kMaxFixesPerCall) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxFixesPerCall, " fixes per call, got ", req.fixes_size()));
  }
  std::vector<const common::v1::Fix*> fixes;
  for (int i = 0; i < req.fixes_size(); ++i) {
    GW_RETURN_IF_ERROR(CheckFix(req.fixes(i), i));
    fixes.push_back(&req.fixes(i));
  }
  return EvaluateAndCommit(fixes, std::nullopt);
}

absl::Status GeofenceCore::ApplyLocationFixes(const std::vector<common::v1::FeedEvent>& events,
                                              const std::string& consumer_name) {
  if (events.empty()) return absl::OkStatus();
  std::vector<common::v1::Fix> parsed;
  parsed.reserve(events.size());
  auto take = [&](common::v1::Fix f, uint64_t sequence) {
    if (absl::Status s = CheckFix(f, 0); !s.ok()) {
      log::Warning("skipping an invalid fix from the location feed",
                   {{"sequence", sequence}, {"error", s.message()}});
      return;
    }
    parsed.push_back(std::move(f));
  };
  for (const auto& e : events) {
    common::v1::AcceptedFixes batch;
    common::v1::Fix single;
    if (e.payload().Is<common::v1::AcceptedFixes>() && e.payload().UnpackTo(&batch)) {
      for (auto& f : *batch.mutable_fixes()) take(std::move(f), e.sequence());
    } else if (e.payload().Is<common::v1::Fix>() && e.payload().UnpackTo(&single)) {
      take(std::move(single), e.sequence());
    } else {
      log::Warning("skipping a location feed event that holds no fixes",
                   {{"sequence", e.sequence()}, {"type", e.payload().type_url()}});
    }
  }
  std::vector<const common::v1::Fix*> fixes;
  for (const auto& f : parsed) fixes.push_back(&f);
  return EvaluateAndCommit(fixes, std::make_pair(consumer_name, events.back().sequence())).status();
}

absl::StatusOr<v1::EvaluateFixesResponse> GeofenceCore::EvaluateAndCommit(
    const std::vector<const common::v1::Fix*>& all_fixes,
    const std::optional<std::pair<std::string, uint64_t>>& cursor) {
  // Per worker, in device-time order (stable: equal times keep arrival order).
  std::map<std::string, std::vector<const common::v1::Fix*>> by_worker;
  for (const common::v1::Fix* f : all_fixes) by_worker[f->worker_id()].push_back(f);
  for (auto& [w, fixes] : by_worker) {
    std::stable_sort(fixes.begin(), fixes.end(), [](const auto* a, const auto* b) {
      return service::FromProto(a->device_time()) < service::FromProto(b->device_time());
    });
  }

  // Lock the workers' stripes in index order (no deadlock between concurrent calls).
  std::vector<size_t> stripes;
  for (const auto& [w, fixes] : by_worker) {
    stripes.push_back(absl::HashOf(w) % kWorkerStripes);
  }
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  for (size_t s : stripes) worker_mu_[s].Lock();
  struct Unlock {
    GeofenceCore* core;
    std::vector<size_t>* stripes;
    ~Unlock() {
      for (auto it = stripes->rbegin(); it != stripes->rend(); ++it) core->worker_mu_[*it].Unlock();
    }
  } unlock{this, &stripes};

  SnapshotGeometry geometry(tree(), key_points());
  const std::shared_ptr<const OwnGrids> bound = own_grids();
  static const std::set<std::string> kNoGrids;
  // Feed fixes on a district shard: only what concerns this shard (GeofenceOptions).
  const bool only_local = options_.district_shard && cursor.has_value();
  v1::EvaluateFixesResponse resp;
  store::WriteRequest write;
  size_t evaluated = 0;
  for (const auto& [worker, fixes] : by_worker) {
    GW_ASSIGN_OR_RETURN(auto stored, store_->GetWorkerState(worker));
    v1::WorkerState state = stored.value_or(v1::WorkerState());
    const std::string previous_grid = stored ? state.current_grid_id() : std::string();
    auto own_it = bound->find(worker);
    const std::set<std::string>& own = own_it == bound->end() ? kNoGrids : own_it->second;
    const bool filter = only_local && own.empty();
    // A worker new to this shard is already somewhere else: outside every grid here.
    if (filter && !stored) state.set_own_grid_known(true);
    bool changed = false;
    for (const common::v1::Fix* f : fixes) {
      if (filter && !FixConcerns(geometry, state, *f)) continue;
      changed = true;
      ++evaluated;
      FixOutcome outcome = ApplyFix(options_.fence, geometry, own, *f, &state);
      if (outcome.late) resp.set_late_fixes(resp.late_fixes() + 1);
      for (auto& e : outcome.events) {
        write.AppendEvent(e, e.grid_id());
        *resp.add_events() = std::move(e);
      }
    }
    if (!changed) continue;
    store_->PutWorkerState(state, stored ? previous_grid : std::string(), &write);
  }
  if (cursor) write.SetCursor(cursor->first, cursor->second);
  GW_RETURN_IF_ERROR(store_->Commit(std::move(write)).status());

  if (metrics_ != nullptr) {
    metrics_->fixes_evaluated.Increment(static_cast<double>(evaluated));
    metrics_->late_fixes.Increment(resp.late_fixes());
    for (const auto& e : resp.events()) {
      metrics_->fence_events.Add({{"kind", v1::FenceEventKind_Name(e.kind())}}).Increment();
    }
  }
  return resp;
}

absl::StatusOr<v1::WorkerState> GeofenceCore::GetWorkerState(const Principal& p,
                                                             const v1::GetWorkerStateRequest& req) {
  GW_RETURN_IF_ERROR(service::CheckId(req.worker_id(), "worker_id"));
  GW_ASSIGN_OR_RETURN(auto state, store_->GetWorkerState(req.worker_id()));
  if (!state.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no fix was ever evaluated for worker ", req.worker_id()));
  }
  // Workers see themselves; others see workers whose current grid is in their scope.
  if (p.subject() != req.worker_id() &&
      (state->current_grid_id().empty() ? !p.region_scope().empty()
                                        : !rpc::InScope(p, state->current_grid_id()))) {
    return absl::PermissionDeniedError(
        absl::StrCat("worker ", req.worker_id(), " is not in your scope"));
  }
  return *state;
}

absl::StatusOr<v1::ListWorkersInRegionResponse> GeofenceCore::ListWorkersInRegion(
    const Principal& p, const v1::ListWorkersInRegionRequest& req) {
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(req.page_size(), 100, 1000));
  std::string root = req.region_id();
  if (root.empty()) root = p.region_scope();
  if (!root.empty() && tree()->Find(root) == nullptr) {
    return absl::NotFoundError(absl::StrCat("region ", root, " does not exist"));
  }
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, root));
  const absl::Duration max_staleness = service::FromProto(req.max_staleness());
  if (max_staleness < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("max_staleness must not be negative");
  }
  const uint64_t filter_hash = absl::HashOf(root, absl::ToInt64Milliseconds(max_staleness));
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(req.page_token(), filter_hash));
  const absl::Time now = clock_->Now();

  v1::ListWorkersInRegionResponse resp;
  absl::Status read_error;
  std::string last_key;
  GW_RETURN_IF_ERROR(store_->ScanPresence(
      root, after, [&](const std::string& key, const std::string& grid, const std::string& worker) {
        // With a root, the "outside every grid" entries (grid "") are not in the subtree.
        if (!root.empty() && grid.empty()) return true;
        auto state = store_->GetWorkerState(worker);
        if (!state.ok()) {
          read_error = state.status();
          return false;
        }
        if (!state->has_value()) return true;
        if (max_staleness > absl::ZeroDuration() &&
            service::FromProto((*state)->last_fix_time()) < now - max_staleness) {
          last_key = key;
          return true;
        }
        if (resp.workers_size() == page_size) {
          resp.set_next_page_token(rpc::EncodePageToken(last_key, filter_hash));
          return false;
        }
        *resp.add_workers() = **state;
        last_key = key;
        return true;
      }));
  GW_RETURN_IF_ERROR(read_error);
  return resp;
}

}  // namespace gridwork::geofence
