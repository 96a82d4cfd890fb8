// Photos (content-addressed evidence) and the catalogue (categories, dispatch rules).
#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/workorder/photo_check.h"
#include "services/workorder/workorder_core.h"

namespace gridwork::workorder {

using service::ToProto;

// ---- Photos --------------------------------------------------------------------------------

absl::StatusOr<v1::PhotoRecord> WorkOrderCore::UploadPhoto(const Principal& p,
                                                           const v1::UploadPhotoRequest& req) {
  if (p.role() == common::v1::ROLE_VIEWER || p.role() == common::v1::ROLE_UNSPECIFIED) {
    return absl::PermissionDeniedError("role " + rpc::RoleName(p.role()) +
                                       " may not upload photos");
  }
  GW_ASSIGN_OR_RETURN(std::string media_type, DetectPhotoType(req.content()));
  if (req.has_capture_position()) {
    GW_RETURN_IF_ERROR(service::CheckLatLng(req.capture_position(), "capture_position"));
  }
  const std::string sha = Sha256Hex(req.content());
  absl::MutexLock lock(&OrderLock(sha));  // one first receipt per content
  absl::StatusOr<v1::PhotoRecord> existing = store_->GetPhotoRecord(sha);
  if (existing.ok()) return existing;
  if (!absl::IsNotFound(existing.status())) return existing.status();
  v1::PhotoRecord record;
  record.set_sha256(sha);
  record.set_media_type(media_type);
  record.set_size_bytes(static_cast<int64_t>(req.content().size()));
  *record.mutable_received_at() = ToProto(clock_->Now());
  record.set_uploaded_by(p.subject());
  if (req.has_capture_time()) *record.mutable_capture_time() = req.capture_time();
  if (req.has_capture_position()) *record.mutable_capture_position() = req.capture_position();
  store::WriteRequest write;
  store_->PutPhoto(record, req.content(), &write);
  GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(write)).status());
  if (metrics_ != nullptr) {
    metrics_->photos_stored.Increment();
    metrics_->photo_bytes_stored.Increment(static_cast<double>(req.content().size()));
  }
  return record;
}

absl::StatusOr<v1::GetPhotoResponse> WorkOrderCore::GetPhoto(const Principal& p,
                                                             const v1::GetPhotoRequest& req) {
  GW_RETURN_IF_ERROR(service::CheckId(req.sha256(), "sha256", 64));
  const bool service_caller = p.role() == common::v1::ROLE_SERVICE;
  // Scope before existence: whether a photo (a guessable hash of a known image) was uploaded
  // is itself information, so a caller who may not see the order learns nothing of it. Only
  // callers who see every order (services, admins) learn NOT_FOUND for an unknown photo.
  const bool sees_all = service_caller || p.role() == common::v1::ROLE_ADMIN;
  if (!service_caller && !req.order_id().empty()) {
    GW_RETURN_IF_ERROR(ReadVisible(p, req.order_id()).status());
  }
  absl::StatusOr<v1::PhotoRecord> found = store_->GetPhotoRecord(req.sha256());
  if (!found.ok() && found.status().code() == absl::StatusCode::kNotFound && !sees_all &&
      req.order_id().empty()) {
    return absl::PermissionDeniedError(
        "name the order (order_id) that shows this photo; only its uploader may fetch it alone");
  }
  if (!found.ok()) return found.status();
  v1::PhotoRecord record = *std::move(found);
  if (record.uploaded_by() != p.subject() && !service_caller) {
    if (req.order_id().empty()) {
      return absl::PermissionDeniedError(
          "name the order (order_id) that shows this photo; only its uploader may fetch it alone");
    }
    GW_ASSIGN_OR_RETURN(bool referenced, store_->HasPhotoRef(req.sha256(), req.order_id()));
    if (!referenced) {
      return absl::PermissionDeniedError(
          absl::StrCat("order ", req.order_id(), " does not reference photo ", req.sha256()));
    }
  }
  v1::GetPhotoResponse resp;
  if (!req.metadata_only()) {
    GW_ASSIGN_OR_RETURN(*resp.mutable_content(), store_->GetPhotoBytes(req.sha256()));
  }
  *resp.mutable_record() = std::move(record);
  return resp;
}

// ---- Catalogue -----------------------------------------------------------------------------

namespace {

absl::Status RequireCatalogAdmin(const Principal& p) {
  return rpc::RequireRole(p, {common::v1::ROLE_ADMIN, common::v1::ROLE_DISTRICT_COMMAND});
}

// The version check shared by categories and rules: 0 = create (must not exist).
absl::Status CheckCatalogVersion(absl::string_view what, absl::string_view id, bool exists,
                                 uint64_t stored_version, uint64_t expected_version) {
  if (expected_version == 0 && exists) {
    return absl::AlreadyExistsError(absl::StrCat(what, " ", id, " exists (version ", stored_version,
                                                 "); pass expected_version to replace it"));
  }
  if (expected_version != 0 && !exists) {
    return absl::NotFoundError(absl::StrCat(what, " ", id, " does not exist"));
  }
  if (expected_version != 0 && expected_version != stored_version) {
    return absl::AbortedError(absl::StrCat(what, " ", id, " is at version ", stored_version,
                                           ", the request expected ", expected_version));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Category> WorkOrderCore::UpsertCategory(const Principal& p,
                                                           const v1::UpsertCategoryRequest& req) {
  GW_RETURN_IF_ERROR(RequireCatalogAdmin(p));
  GW_RETURN_IF_ERROR(ValidateCategory(req.category()));
  absl::MutexLock lock(&catalog_write_mu_);
  auto result = service::RunIdempotent<v1::Category>(
      store_->db(), "workorder.UpsertCategory", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::Category> {
        std::shared_ptr<const CatalogSnapshot> cat = catalog();
        const v1::Category* existing = cat->FindCategory(req.category().id());
        GW_RETURN_IF_ERROR(CheckCatalogVersion("category", req.category().id(), existing != nullptr,
                                               existing ? existing->version() : 0,
                                               req.expected_version()));
        if (!req.category().parent_id().empty() &&
            cat->FindCategory(req.category().parent_id()) == nullptr) {
          return absl::FailedPreconditionError(absl::StrCat(
              "parent category ", req.category().parent_id(), " does not exist; create it first"));
        }
        v1::Category c = req.category();
        c.set_version(existing ? existing->version() + 1 : 1);
        store_->PutCategory(c, &write);
        v1::CatalogChanged changed;
        *changed.mutable_category() = c;
        write.AppendEvent(changed, "");
        return c;
      });
  if (result.ok()) GW_RETURN_IF_ERROR(ReloadCatalog());
  return result;
}

absl::StatusOr<v1::ListCategoriesResponse> WorkOrderCore::ListCategories(
    const Principal&, const v1::ListCategoriesRequest&) {
  v1::ListCategoriesResponse resp;
  const std::shared_ptr<const CatalogSnapshot> snapshot = catalog();  // keeps it alive
  for (const auto& [id, c] : snapshot->categories()) *resp.add_categories() = c;
  return resp;
}

absl::StatusOr<v1::DispatchRule> WorkOrderCore::UpsertDispatchRule(
    const Principal& p, const v1::UpsertDispatchRuleRequest& req) {
  GW_RETURN_IF_ERROR(RequireCatalogAdmin(p));
  GW_RETURN_IF_ERROR(ValidateRule(req.rule()));
  if (!rpc::ScopeWithin(p, req.rule().region_prefix())) {
    return absl::PermissionDeniedError(
        absl::StrCat("rule region \"", req.rule().region_prefix(), "\" is outside your scope"));
  }
  absl::MutexLock lock(&catalog_write_mu_);
  auto result = service::RunIdempotent<v1::DispatchRule>(
      store_->db(), "workorder.UpsertDispatchRule", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::DispatchRule> {
        std::shared_ptr<const CatalogSnapshot> cat = catalog();
        const v1::DispatchRule* existing = cat->FindRule(req.rule().id());
        GW_RETURN_IF_ERROR(
            CheckCatalogVersion("dispatch rule", req.rule().id(), existing != nullptr,
                                existing ? existing->version() : 0, req.expected_version()));
        if (!req.rule().category_prefix().empty() &&
            cat->FindCategory(req.rule().category_prefix()) == nullptr) {
          return absl::FailedPreconditionError(
              absl::StrCat("category ", req.rule().category_prefix(), " does not exist"));
        }
        v1::DispatchRule r = req.rule();
        r.set_version(existing ? existing->version() + 1 : 1);
        store_->PutRule(r, &write);
        v1::CatalogChanged changed;
        *changed.mutable_rule() = r;
        write.AppendEvent(changed, "");
        return r;
      });
  if (result.ok()) GW_RETURN_IF_ERROR(ReloadCatalog());
  return result;
}

absl::StatusOr<v1::DeleteDispatchRuleResponse> WorkOrderCore::DeleteDispatchRule(
    const Principal& p, const v1::DeleteDispatchRuleRequest& req) {
  GW_RETURN_IF_ERROR(RequireCatalogAdmin(p));
  GW_RETURN_IF_ERROR(service::CheckId(req.rule_id(), "rule_id"));
  if (req.expected_version() == 0) {
    return absl::InvalidArgumentError("expected_version is required");
  }
  absl::MutexLock lock(&catalog_write_mu_);
  auto result = service::RunIdempotent<v1::DeleteDispatchRuleResponse>(
      store_->db(), "workorder.DeleteDispatchRule", req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::DeleteDispatchRuleResponse> {
        const std::shared_ptr<const CatalogSnapshot> snapshot = catalog();
        const v1::DispatchRule* existing = snapshot->FindRule(req.rule_id());
        GW_RETURN_IF_ERROR(CheckCatalogVersion("dispatch rule", req.rule_id(), existing != nullptr,
                                               existing ? existing->version() : 0,
                                               req.expected_version()));
        if (!rpc::ScopeWithin(p, existing->region_prefix())) {
          return absl::PermissionDeniedError("the rule's region is outside your scope");
        }
        store_->DeleteRule(req.rule_id(), &write);
        v1::CatalogChanged changed;
        *changed.mutable_rule() = *existing;
        changed.set_rule_deleted(true);
        write.AppendEvent(changed, "");
        return v1::DeleteDispatchRuleResponse();
      });
  if (result.ok()) GW_RETURN_IF_ERROR(ReloadCatalog());
  return result;
}

absl::StatusOr<v1::ListDispatchRulesResponse> WorkOrderCore::ListDispatchRules(
    const Principal&, const v1::ListDispatchRulesRequest&) {
  v1::ListDispatchRulesResponse resp;
  const std::shared_ptr<const CatalogSnapshot> snapshot = catalog();  // keeps it alive
  for (const auto& [id, r] : snapshot->rules()) *resp.add_rules() = r;
  return resp;
}

}  // namespace gridwork::workorder
