// The catalogue (departments, versioned checklists) and the subjects.
#include "services/inspection/inspection_core.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/inspection/checklist_rules.h"
#include "services/inspection/masking.h"

namespace gridwork::inspection {
namespace {

using service::ToProto;

bool IsCatalogEditor(const Principal& p, const std::string& department) {
  return p.role() == common::v1::ROLE_ADMIN ||
         (p.role() == common::v1::ROLE_DEPARTMENT_HANDLER && !p.department().empty() &&
          p.department() == department);
}

absl::Status RequireCatalogEditor(const Principal& p, const std::string& department) {
  if (IsCatalogEditor(p, department)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("only an admin or a handler of department \"",
                                                  department, "\" may edit its checklists"));
}

// ABORTED unless the draft is still at the revision the caller last read.
absl::Status CheckRevision(const v1::ChecklistVersion& draft, uint64_t expected) {
  if (expected == draft.revision()) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat("the draft is at revision ", draft.revision(),
                                         ", the request expected ", expected));
}

// May `p` register, confirm and edit subjects (as opposed to proposing them from patrol)?
bool ConfirmsSubjects(const Principal& p) {
  return p.role() == common::v1::ROLE_ADMIN || p.role() == common::v1::ROLE_COMMUNITY_STATION ||
         p.role() == common::v1::ROLE_DEPARTMENT_HANDLER;
}

// Feeds carry subjects masked: consumers (analytics, the cockpit) never need personal data.
void AppendSubjectChanged(const v1::Subject& s, store::WriteRequest& w) {
  v1::SubjectChanged event;
  *event.mutable_subject() = s;
  MaskPersonalData(event.mutable_subject());
  w.AppendEvent(event, s.region_path());
}

absl::Status ValidateSubjectFields(const v1::Subject& s) {
  if (s.type() == v1::SUBJECT_TYPE_UNSPECIFIED || !v1::SubjectType_IsValid(s.type())) {
    return absl::InvalidArgumentError("subject.type is required");
  }
  if (s.name().empty() || s.name().size() > 300) {
    return absl::InvalidArgumentError("subject.name must be 1–100 characters");
  }
  GW_RETURN_IF_ERROR(service::CheckLatLng(s.position(), "subject.position"));
  if (s.radius_m() != 0 && (s.radius_m() < 10 || s.radius_m() > 500)) {
    return absl::InvalidArgumentError("subject.radius_m must be 10–500 (0 = default 50)");
  }
  if (s.tags_size() > 20) return absl::InvalidArgumentError("at most 20 tags");
  if (s.phone().size() > 32 || s.id_number().size() > 32 || s.address().size() > 600 ||
      s.contact_name().size() > 120) {
    return absl::InvalidArgumentError("a subject field is too long");
  }
  if (!s.department().empty())
    GW_RETURN_IF_ERROR(service::CheckId(s.department(), "subject.department"));
  return absl::OkStatus();
}

}  // namespace

InspectionCore::InspectionCore(InspectionStore* store, InspectionDeps deps, Clock* clock,
                               InspectionOptions options)
    : store_(store), deps_(deps), clock_(clock), options_(options) {}

absl::StatusOr<std::unique_ptr<InspectionCore>> InspectionCore::Create(InspectionStore* store,
                                                                       InspectionDeps deps,
                                                                       Clock* clock,
                                                                       InspectionOptions options) {
  if (deps.locator == nullptr || deps.tracks == nullptr || deps.workorders == nullptr) {
    return absl::InvalidArgumentError(
        "inspection core needs a locator, a track source and a work-order client");
  }
  return std::unique_ptr<InspectionCore>(new InspectionCore(store, deps, clock, options));
}

absl::Mutex& InspectionCore::Lock(const std::string& id) {
  return locks_[absl::HashOf(id) % locks_.size()];
}

// ---- Departments ---------------------------------------------------------------------------

absl::StatusOr<v1::ListDepartmentsResponse> InspectionCore::ListDepartments(
    const Principal&, const v1::ListDepartmentsRequest&) {
  GW_ASSIGN_OR_RETURN(auto departments, store_->LoadDepartments());
  v1::ListDepartmentsResponse resp;
  for (auto& d : departments) *resp.add_departments() = std::move(d);
  return resp;
}

absl::StatusOr<v1::Department> InspectionCore::UpsertDepartment(
    const Principal& p, const v1::UpsertDepartmentRequest& r) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, {common::v1::ROLE_ADMIN}));
  GW_RETURN_IF_ERROR(service::CheckId(r.department().id(), "department.id", 64));
  if (r.department().name().empty())
    return absl::InvalidArgumentError("department.name is required");
  return service::RunIdempotent<v1::Department>(
      store_->db(), "inspection.UpsertDepartment", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::Department> {
        store_->PutDepartment(r.department(), &w);
        return r.department();
      });
}

// ---- Checklists ----------------------------------------------------------------------------

absl::StatusOr<v1::ChecklistVersion> InspectionCore::LatestPublished(
    const std::string& template_id) const {
  GW_ASSIGN_OR_RETURN(auto versions, store_->GetVersions(template_id));
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->status() == v1::ChecklistVersion::STATUS_PUBLISHED) return *it;
  }
  return absl::NotFoundError(absl::StrCat("checklist ", template_id, " has no published version"));
}

absl::StatusOr<v1::ChecklistVersion> InspectionCore::CreateChecklistDraft(
    const Principal& p, const v1::CreateChecklistDraftRequest& r) {
  v1::ChecklistVersion draft = r.checklist();
  GW_RETURN_IF_ERROR(RequireCatalogEditor(p, draft.department()));
  absl::MutexLock lock(&catalog_mu_);
  return service::RunIdempotent<v1::ChecklistVersion>(
      store_->db(), "inspection.CreateChecklistDraft", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::ChecklistVersion> {
        GW_ASSIGN_OR_RETURN(auto versions, store_->GetVersions(draft.template_id()));
        if (!versions.empty()) {
          const v1::ChecklistVersion& last = versions.back();
          if (last.status() == v1::ChecklistVersion::STATUS_DRAFT) {
            return absl::FailedPreconditionError(
                absl::StrCat("checklist ", draft.template_id(), " already has draft version ",
                             last.version(), "; edit or publish it"));
          }
          if (last.department() != draft.department()) {
            return absl::FailedPreconditionError("a template cannot change department");
          }
          if (draft.items().empty()) *draft.mutable_items() = last.items();
          if (draft.subject_types().empty()) *draft.mutable_subject_types() = last.subject_types();
        }
        draft.set_version(versions.empty() ? 1 : versions.back().version() + 1);
        draft.set_status(v1::ChecklistVersion::STATUS_DRAFT);
        draft.set_revision(1);
        *draft.mutable_created_at() = ToProto(clock_->Now());
        draft.clear_published_at();
        draft.clear_published_by();
        GW_RETURN_IF_ERROR(ValidateChecklist(draft));
        store_->PutChecklist(draft, &w);
        return draft;
      });
}

absl::StatusOr<v1::ChecklistVersion> InspectionCore::UpdateChecklistDraft(
    const Principal& p, const v1::UpdateChecklistDraftRequest& r) {
  absl::MutexLock lock(&catalog_mu_);
  return service::RunIdempotent<v1::ChecklistVersion>(
      store_->db(), "inspection.UpdateChecklistDraft", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::ChecklistVersion> {
        GW_ASSIGN_OR_RETURN(
            v1::ChecklistVersion stored,
            store_->GetChecklist(r.checklist().template_id(), r.checklist().version()));
        GW_RETURN_IF_ERROR(RequireCatalogEditor(p, stored.department()));
        if (stored.status() != v1::ChecklistVersion::STATUS_DRAFT) {
          return absl::FailedPreconditionError(
              absl::StrCat("checklist ", stored.template_id(), " version ", stored.version(),
                           " is published and never changes; create a new draft"));
        }
        GW_RETURN_IF_ERROR(CheckRevision(stored, r.expected_revision()));
        v1::ChecklistVersion next = r.checklist();
        next.set_department(stored.department());
        next.set_status(v1::ChecklistVersion::STATUS_DRAFT);
        next.set_revision(stored.revision() + 1);
        *next.mutable_created_at() = stored.created_at();
        GW_RETURN_IF_ERROR(ValidateChecklist(next));
        store_->PutChecklist(next, &w);
        return next;
      });
}

absl::StatusOr<v1::ChecklistVersion> InspectionCore::PublishChecklist(
    const Principal& p, const v1::PublishChecklistRequest& r) {
  absl::MutexLock lock(&catalog_mu_);
  return service::RunIdempotent<v1::ChecklistVersion>(
      store_->db(), "inspection.PublishChecklist", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::ChecklistVersion> {
        GW_ASSIGN_OR_RETURN(v1::ChecklistVersion c,
                            store_->GetChecklist(r.template_id(), r.version()));
        GW_RETURN_IF_ERROR(RequireCatalogEditor(p, c.department()));
        if (c.status() == v1::ChecklistVersion::STATUS_PUBLISHED) {
          return absl::FailedPreconditionError("this version is already published");
        }
        GW_RETURN_IF_ERROR(CheckRevision(c, r.expected_revision()));
        c.set_status(v1::ChecklistVersion::STATUS_PUBLISHED);
        *c.mutable_published_at() = ToProto(clock_->Now());
        c.set_published_by(p.subject());
        store_->PutChecklist(c, &w);
        v1::ChecklistPublished event;
        *event.mutable_checklist() = c;
        w.AppendEvent(event, "");
        return c;
      });
}

absl::StatusOr<v1::ChecklistVersion> InspectionCore::GetChecklist(
    const Principal& p, const v1::GetChecklistRequest& r) {
  GW_RETURN_IF_ERROR(service::CheckId(r.template_id(), "template_id", 64));
  if (r.version() == 0) return LatestPublished(r.template_id());
  GW_ASSIGN_OR_RETURN(v1::ChecklistVersion c, store_->GetChecklist(r.template_id(), r.version()));
  if (c.status() == v1::ChecklistVersion::STATUS_DRAFT && !IsCatalogEditor(p, c.department())) {
    return absl::PermissionDeniedError("drafts are visible to their department only");
  }
  return c;
}

absl::StatusOr<v1::ListChecklistsResponse> InspectionCore::ListChecklists(
    const Principal& p, const v1::ListChecklistsRequest& r) {
  GW_ASSIGN_OR_RETURN(auto latest, store_->LatestChecklists());
  v1::ListChecklistsResponse resp;
  for (auto& c : latest) {
    if (!r.department().empty() && c.department() != r.department()) continue;
    if (c.status() == v1::ChecklistVersion::STATUS_DRAFT && !IsCatalogEditor(p, c.department())) {
      auto published = LatestPublished(c.template_id());
      if (!published.ok()) continue;
      c = *std::move(published);
    }
    if (r.subject_type() != v1::SUBJECT_TYPE_UNSPECIFIED && !c.subject_types().empty() &&
        std::find(c.subject_types().begin(), c.subject_types().end(), r.subject_type()) ==
            c.subject_types().end()) {
      continue;
    }
    *resp.add_checklists() = std::move(c);
  }
  return resp;
}

// ---- Subjects ------------------------------------------------------------------------------

absl::StatusOr<v1::Subject> InspectionCore::ReadSubject(const Principal& p,
                                                        const std::string& id) const {
  GW_RETURN_IF_ERROR(service::CheckId(id, "subject_id"));
  if (p.role() == common::v1::ROLE_RESIDENT || p.role() == common::v1::ROLE_UNSPECIFIED) {
    return absl::PermissionDeniedError("subjects are not visible to this role");
  }
  GW_ASSIGN_OR_RETURN(v1::Subject s, store_->GetSubject(id));
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, s.region_path()));
  return s;
}

absl::StatusOr<v1::Subject> InspectionCore::RegisterSubject(const Principal& p,
                                                            const v1::RegisterSubjectRequest& r) {
  const bool confirms = ConfirmsSubjects(p);
  if (!confirms && p.role() != common::v1::ROLE_GRID_WORKER &&
      p.role() != common::v1::ROLE_GRID_LEADER) {
    return absl::PermissionDeniedError("role " + rpc::RoleName(p.role()) +
                                       " may not register subjects");
  }
  GW_RETURN_IF_ERROR(service::CheckRequestId(r.request_id()));
  GW_RETURN_IF_ERROR(ValidateSubjectFields(r.subject()));
  auto recorded = service::FindRecorded<v1::Subject>(store_->db(), "inspection.RegisterSubject",
                                                     r.request_id(), r);
  if (!recorded.ok()) return recorded.status();
  if (recorded->has_value()) return ForViewer(p, **recorded);
  GW_ASSIGN_OR_RETURN(std::string region, deps_.locator->Locate(r.subject().position()));
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, region));
  const absl::Time now = clock_->Now();
  v1::Subject s = r.subject();
  s.set_id(NewId("sub"));
  s.set_region_path(region);
  if (s.radius_m() == 0) s.set_radius_m(options_.default_radius_m);
  s.set_status(confirms ? v1::Subject::STATUS_CONFIRMED : v1::Subject::STATUS_PENDING);
  s.set_registered_by(p.subject());
  s.set_confirmed_by(confirms ? p.subject() : "");
  s.set_version(1);
  s.set_masked(false);
  *s.mutable_created_at() = ToProto(now);
  s.clear_last_inspected_at();
  auto stored = service::RunIdempotent<v1::Subject>(
      store_->db(), "inspection.RegisterSubject", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::Subject> {
        store_->PutSubject(s, nullptr, &w);
        AppendSubjectChanged(s, w);
        return s;
      });
  if (!stored.ok()) return stored.status();
  return ForViewer(p, *std::move(stored));
}

absl::StatusOr<v1::Subject> InspectionCore::ConfirmSubject(const Principal& p,
                                                           const v1::ConfirmSubjectRequest& r) {
  if (!ConfirmsSubjects(p)) {
    return absl::PermissionDeniedError(
        "only a department or the community workstation confirms subjects");
  }
  absl::MutexLock lock(&Lock(r.subject_id()));
  auto result = service::RunIdempotent<v1::Subject>(
      store_->db(), "inspection.ConfirmSubject", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::Subject> {
        GW_ASSIGN_OR_RETURN(v1::Subject s, ReadSubject(p, r.subject_id()));
        if (p.role() == common::v1::ROLE_DEPARTMENT_HANDLER && !s.department().empty() &&
            s.department() != p.department()) {
          return absl::PermissionDeniedError("the subject belongs to another department");
        }
        if (r.expected_version() != s.version()) {
          return absl::AbortedError(absl::StrCat("subject is at version ", s.version(),
                                                 ", the request expected ", r.expected_version()));
        }
        if (s.status() != v1::Subject::STATUS_PENDING) {
          return absl::FailedPreconditionError("the subject is not pending");
        }
        const v1::Subject previous = s;
        s.set_status(v1::Subject::STATUS_CONFIRMED);
        s.set_confirmed_by(p.subject());
        s.set_version(s.version() + 1);
        store_->PutSubject(s, &previous, &w);
        AppendSubjectChanged(s, w);
        return s;
      });
  if (!result.ok()) return result.status();
  return ForViewer(p, *std::move(result));
}

absl::StatusOr<v1::Subject> InspectionCore::UpdateSubject(const Principal& p,
                                                          const v1::UpdateSubjectRequest& r) {
  if (!ConfirmsSubjects(p) && p.role() != common::v1::ROLE_GRID_LEADER) {
    return absl::PermissionDeniedError("role " + rpc::RoleName(p.role()) +
                                       " may not edit subjects");
  }
  GW_RETURN_IF_ERROR(ValidateSubjectFields(r.subject()));
  absl::MutexLock lock(&Lock(r.subject().id()));
  auto result = service::RunIdempotent<v1::Subject>(
      store_->db(), "inspection.UpdateSubject", r.request_id(), r,
      [&](store::WriteRequest& w) -> absl::StatusOr<v1::Subject> {
        GW_ASSIGN_OR_RETURN(v1::Subject s, ReadSubject(p, r.subject().id()));
        if (r.expected_version() != s.version()) {
          return absl::AbortedError(absl::StrCat("subject is at version ", s.version(),
                                                 ", the request expected ", r.expected_version()));
        }
        const v1::Subject previous = s;
        const v1::Subject& in = r.subject();
        if (!SeesPersonalData(p, s) &&
            (in.phone() != s.phone() || in.id_number() != s.id_number() ||
             in.contact_name() != s.contact_name())) {
          return absl::PermissionDeniedError("you may not change personal fields you cannot see");
        }
        s.set_name(in.name());
        s.set_address(in.address());
        *s.mutable_tags() = in.tags();
        *s.mutable_licence() = in.licence();
        s.set_contact_name(in.contact_name());
        s.set_phone(in.phone());
        s.set_id_number(in.id_number());
        s.set_radius_m(in.radius_m() == 0 ? options_.default_radius_m : in.radius_m());
        if (in.status() == v1::Subject::STATUS_CLOSED) s.set_status(v1::Subject::STATUS_CLOSED);
        s.set_version(s.version() + 1);
        store_->PutSubject(s, &previous, &w);
        AppendSubjectChanged(s, w);
        return s;
      });
  if (!result.ok()) return result.status();
  return ForViewer(p, *std::move(result));
}

absl::StatusOr<v1::Subject> InspectionCore::GetSubject(const Principal& p,
                                                       const v1::GetSubjectRequest& r) {
  GW_ASSIGN_OR_RETURN(v1::Subject s, ReadSubject(p, r.subject_id()));
  return ForViewer(p, std::move(s));
}

absl::StatusOr<v1::ListSubjectsResponse> InspectionCore::ListSubjects(
    const Principal& p, const v1::ListSubjectsRequest& r) {
  if (p.role() == common::v1::ROLE_RESIDENT || p.role() == common::v1::ROLE_UNSPECIFIED) {
    return absl::PermissionDeniedError("subjects are not visible to this role");
  }
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(r.page_size(), 100, 1000));
  std::string prefix = r.region_prefix();
  if (!p.region_scope().empty()) {
    if (prefix.empty() || PathWithin(p.region_scope(), prefix)) {
      prefix = p.region_scope();
    } else if (!PathWithin(prefix, p.region_scope())) {
      return absl::PermissionDeniedError("region_prefix is outside your scope");
    }
  }
  v1::ListSubjectsRequest filter = r;
  filter.clear_page_size();
  filter.clear_page_token();
  const uint64_t hash = absl::HashOf(p.subject(), filter.SerializeAsString());
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(r.page_token(), hash));
  v1::ListSubjectsResponse resp;
  std::string last_key;
  bool more = false;
  absl::Status error;
  GW_RETURN_IF_ERROR(store_->ScanSubjects(
      prefix, after, [&](const std::string& key, const std::string& region, const std::string& id) {
        if (!PathWithin(region, prefix)) return true;
        auto s = store_->GetSubject(id);
        if (!s.ok()) {
          error = s.status();
          return false;
        }
        if (r.pending_only() && s->status() != v1::Subject::STATUS_PENDING) return true;
        if (r.types_size() > 0 &&
            std::find(r.types().begin(), r.types().end(), s->type()) == r.types().end()) {
          return true;
        }
        if (resp.subjects_size() == page_size) {
          more = true;
          return false;
        }
        *resp.add_subjects() = ForViewer(p, *std::move(s));
        last_key = key;
        return true;
      }));
  GW_RETURN_IF_ERROR(error);
  if (more) resp.set_next_page_token(rpc::EncodePageToken(last_key, hash));
  return resp;
}

}  // namespace gridwork::inspection
