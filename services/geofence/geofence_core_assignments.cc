// GeofenceCore: worker ↔ grid bindings and key points.
#include <cmath>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/geofence/core_helpers.h"
#include "services/geofence/geofence_core.h"
#include "services/geofence/keys.h"

namespace gridwork::geofence {

namespace {

absl::Status RequireGrid(const RegionTree& t, const std::string& grid_id) {
  const v1::Region* r = t.Find(grid_id);
  if (r == nullptr) return absl::NotFoundError(absl::StrCat("grid ", grid_id, " does not exist"));
  if (r->level() != common::v1::REGION_LEVEL_GRID) {
    return absl::InvalidArgumentError(
        absl::StrCat(grid_id, " is a ", LevelName(r->level()), ", not a grid"));
  }
  return absl::OkStatus();
}

}  // namespace

// ---- Bindings ------------------------------------------------------------------------------

absl::StatusOr<v1::Binding> GeofenceCore::BindWorker(const Principal& p,
                                                     const v1::BindWorkerRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, kGridManagers));
  GW_RETURN_IF_ERROR(service::CheckId(req.worker_id(), "worker_id"));
  GW_RETURN_IF_ERROR(service::CheckId(req.grid_id(), "grid_id"));
  if (req.role() == v1::BINDING_ROLE_UNSPECIFIED || !v1::BindingRole_IsValid(req.role())) {
    return absl::InvalidArgumentError("role must be LEADER, WORKER or VOLUNTEER");
  }
  GW_RETURN_IF_ERROR(RequireGrid(*tree(), req.grid_id()));
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, req.grid_id()));
  absl::MutexLock admin(&admin_mu_);
  auto result = service::RunIdempotent<v1::Binding>(
      store_->db(), "geofence.BindWorker", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::Binding> {
        GW_ASSIGN_OR_RETURN(auto existing, store_->GetBinding(req.worker_id(), req.grid_id()));
        v1::Binding b;
        b.set_worker_id(req.worker_id());
        b.set_grid_id(req.grid_id());
        b.set_role(req.role());
        *b.mutable_bind_time() = service::ToProto(clock_->Now());
        b.set_bound_by(p.subject());
        store_->PutBinding(b, &write);
        v1::BindingChanged change;
        *change.mutable_binding() = b;
        change.set_kind(existing.has_value() ? v1::CHANGE_KIND_REPLACED : v1::CHANGE_KIND_CREATED);
        write.AppendEvent(change, b.grid_id());
        return b;
      });
  if (!result.ok()) return result.status();
  GW_RETURN_IF_ERROR(ReloadOwnGrids());
  return result;
}

absl::StatusOr<v1::UnbindWorkerResponse> GeofenceCore::UnbindWorker(
    const Principal& p, const v1::UnbindWorkerRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, kGridManagers));
  GW_RETURN_IF_ERROR(service::CheckId(req.worker_id(), "worker_id"));
  GW_RETURN_IF_ERROR(service::CheckId(req.grid_id(), "grid_id"));
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, req.grid_id()));
  absl::MutexLock admin(&admin_mu_);
  auto result = service::RunIdempotent<v1::UnbindWorkerResponse>(
      store_->db(), "geofence.UnbindWorker", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::UnbindWorkerResponse> {
        GW_ASSIGN_OR_RETURN(auto existing, store_->GetBinding(req.worker_id(), req.grid_id()));
        if (!existing.has_value()) {
          return absl::NotFoundError(absl::StrCat("worker ", req.worker_id(),
                                                  " is not bound to grid ", req.grid_id()));
        }
        store_->DeleteBinding(req.worker_id(), req.grid_id(), &write);
        v1::BindingChanged change;
        *change.mutable_binding() = *existing;
        change.set_kind(v1::CHANGE_KIND_DELETED);
        write.AppendEvent(change, req.grid_id());
        return v1::UnbindWorkerResponse();
      });
  if (!result.ok()) return result.status();
  GW_RETURN_IF_ERROR(ReloadOwnGrids());
  return result;
}

absl::StatusOr<v1::ListBindingsResponse> GeofenceCore::ListBindings(
    const Principal& p, const v1::ListBindingsRequest& req) {
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(req.page_size(), 100, 1000));
  v1::ListBindingsResponse resp;
  if (req.filter_case() == v1::ListBindingsRequest::kWorkerId) {
    GW_RETURN_IF_ERROR(service::CheckId(req.worker_id(), "worker_id"));
    const uint64_t filter_hash = absl::HashOf(std::string("worker"), req.worker_id());
    GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(req.page_token(), filter_hash));
    GW_ASSIGN_OR_RETURN(std::vector<v1::Binding> all, store_->BindingsOfWorker(req.worker_id()));
    for (const v1::Binding& b : all) {
      if (!after.empty() && b.grid_id() <= after) continue;
      if (!rpc::InScope(p, b.grid_id())) continue;
      if (resp.bindings_size() == page_size) {
        resp.set_next_page_token(rpc::EncodePageToken(
            resp.bindings(resp.bindings_size() - 1).grid_id(), filter_hash));
        break;
      }
      *resp.add_bindings() = b;
    }
    return resp;
  }
  if (req.filter_case() != v1::ListBindingsRequest::kRegionId) {
    return absl::InvalidArgumentError("set exactly one of worker_id or region_id");
  }
  std::string root = req.region_id();
  if (root.empty()) root = p.region_scope();
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, root));
  const uint64_t filter_hash = absl::HashOf(std::string("region"), root);
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(req.page_token(), filter_hash));
  absl::Status read_error;
  std::string last_key;
  GW_RETURN_IF_ERROR(store_->ScanGridBindings(
      root, after, [&](const std::string& key, const std::string& grid, const std::string& worker) {
        if (resp.bindings_size() == page_size) {
          // One more item exists: the next page starts right after the last returned key.
          resp.set_next_page_token(rpc::EncodePageToken(last_key, filter_hash));
          return false;
        }
        auto b = store_->GetBinding(worker, grid);
        if (!b.ok()) {
          read_error = b.status();
          return false;
        }
        if (b->has_value()) *resp.add_bindings() = **b;
        last_key = key;
        return true;
      }));
  GW_RETURN_IF_ERROR(read_error);
  return resp;
}

// ---- Key points ----------------------------------------------------------------------------

absl::StatusOr<v1::KeyPoint> GeofenceCore::PutKeyPoint(const Principal& p,
                                                       const v1::PutKeyPointRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, kGridManagers));
  const v1::KeyPoint& in = req.key_point();
  if (in.name().empty() || in.name().size() > 200) {
    return absl::InvalidArgumentError("key_point.name must be 1-200 bytes");
  }
  if (!in.has_position()) return absl::InvalidArgumentError("key_point.position is required");
  GW_RETURN_IF_ERROR(service::CheckLatLng(in.position(), "key_point.position"));
  if (!std::isfinite(in.radius_m()) || in.radius_m() < 5 || in.radius_m() > KeyPointIndex::kMaxRadiusM) {
    return absl::InvalidArgumentError(
        absl::StrCat("key_point.radius_m must be in [5, 500] metres, got ", in.radius_m()));
  }
  const absl::Duration dwell =
      in.has_min_dwell() ? service::FromProto(in.min_dwell()) : absl::Seconds(60);
  if (dwell < absl::ZeroDuration() || dwell > absl::Hours(1)) {
    return absl::InvalidArgumentError("key_point.min_dwell must be between 0 and 1 hour");
  }
  if (in.visits_required() < 0 || service::FromProto(in.visit_period()) < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("visits_required and visit_period must not be negative");
  }
  if (!v1::KeyPointKind_IsValid(in.kind())) {
    return absl::InvalidArgumentError("key_point.kind is not a known kind");
  }
  const std::string grid = tree()->LocateGrid(in.position().lng(), in.position().lat());
  if (grid.empty()) {
    return absl::FailedPreconditionError(
        "key_point.position lies in no grid; key points must be inside a grid");
  }
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, grid));

  absl::MutexLock admin(&admin_mu_);
  auto result = service::RunIdempotent<v1::KeyPoint>(
      store_->db(), "geofence.PutKeyPoint", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::KeyPoint> {
        v1::KeyPoint kp = in;
        std::optional<v1::KeyPoint> previous;
        if (!in.id().empty()) {
          GW_RETURN_IF_ERROR(service::CheckId(in.id(), "key_point.id"));
          GW_ASSIGN_OR_RETURN(previous, store_->GetKeyPoint(in.id()));
          if (!previous.has_value()) {
            return absl::NotFoundError(absl::StrCat(
                "key point ", in.id(), " does not exist; leave id empty to create one"));
          }
          GW_RETURN_IF_ERROR(rpc::RequireScope(p, previous->grid_id()));
          if (in.version() != previous->version()) {
            return absl::AbortedError(absl::StrCat(
                "key point ", in.id(), " is at version ", previous->version(), ", not ",
                in.version(), "; re-read it and apply your change again"));
          }
          kp.set_version(previous->version() + 1);
        } else {
          kp.set_id(NewId("kp"));
          kp.set_version(1);
        }
        kp.set_grid_id(grid);
        *kp.mutable_min_dwell() = service::ToProto(dwell);
        *kp.mutable_update_time() = service::ToProto(clock_->Now());
        store_->PutKeyPoint(kp, previous ? &*previous : nullptr, &write);
        v1::KeyPointChanged change;
        *change.mutable_key_point() = kp;
        change.set_kind(previous ? v1::CHANGE_KIND_REPLACED : v1::CHANGE_KIND_CREATED);
        write.AppendEvent(change, kp.grid_id());
        return kp;
      });
  if (!result.ok()) return result.status();
  GW_RETURN_IF_ERROR(ReloadKeyPoints());
  return result;
}

absl::StatusOr<v1::KeyPoint> GeofenceCore::GetKeyPoint(const Principal& p,
                                                       const v1::GetKeyPointRequest& req) {
  GW_RETURN_IF_ERROR(service::CheckId(req.id(), "id"));
  GW_ASSIGN_OR_RETURN(auto kp, store_->GetKeyPoint(req.id()));
  if (!kp.has_value()) {
    return absl::NotFoundError(absl::StrCat("key point ", req.id(), " does not exist"));
  }
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, kp->grid_id()));
  return *kp;
}

absl::StatusOr<v1::DeleteKeyPointResponse> GeofenceCore::DeleteKeyPoint(
    const Principal& p, const v1::DeleteKeyPointRequest& req) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, kGridManagers));
  GW_RETURN_IF_ERROR(service::CheckId(req.id(), "id"));
  absl::MutexLock admin(&admin_mu_);
  auto result = service::RunIdempotent<v1::DeleteKeyPointResponse>(
      store_->db(), "geofence.DeleteKeyPoint", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::DeleteKeyPointResponse> {
        GW_ASSIGN_OR_RETURN(auto kp, store_->GetKeyPoint(req.id()));
        if (!kp.has_value()) {
          return absl::NotFoundError(absl::StrCat("key point ", req.id(), " does not exist"));
        }
        GW_RETURN_IF_ERROR(rpc::RequireScope(p, kp->grid_id()));
        if (req.version() != 0 && req.version() != kp->version()) {
          return absl::AbortedError(absl::StrCat("key point ", req.id(), " is at version ",
                                                 kp->version(), ", not ", req.version()));
        }
        store_->DeleteKeyPoint(*kp, &write);
        v1::KeyPointChanged change;
        *change.mutable_key_point() = *kp;
        change.set_kind(v1::CHANGE_KIND_DELETED);
        write.AppendEvent(change, kp->grid_id());
        return v1::DeleteKeyPointResponse();
      });
  if (!result.ok()) return result.status();
  GW_RETURN_IF_ERROR(ReloadKeyPoints());
  return result;
}

absl::StatusOr<v1::ListKeyPointsResponse> GeofenceCore::ListKeyPoints(
    const Principal& p, const v1::ListKeyPointsRequest& req) {
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(req.page_size(), 100, 1000));
  std::string root = req.region_id();
  if (root.empty()) root = p.region_scope();
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, root));
  const uint64_t filter_hash = absl::HashOf(root);
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(req.page_token(), filter_hash));
  v1::ListKeyPointsResponse resp;
  absl::Status read_error;
  std::string last_key;
  GW_RETURN_IF_ERROR(store_->ScanGridKeyPoints(
      root, after, [&](const std::string& key, const std::string& id) {
        if (resp.key_points_size() == page_size) {
          resp.set_next_page_token(rpc::EncodePageToken(last_key, filter_hash));
          return false;
        }
        auto kp = store_->GetKeyPoint(id);
        if (!kp.ok()) {
          read_error = kp.status();
          return false;
        }
        if (kp->has_value()) *resp.add_key_points() = **kp;
        last_key = key;
        return true;
      }));
  GW_RETURN_IF_ERROR(read_error);
  return resp;
}

}  // namespace gridwork::geofence
