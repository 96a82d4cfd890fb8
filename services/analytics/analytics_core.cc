#include "services/analytics/analytics_core.h"

#include <openssl/sha.h>

#include <set>

#include "absl/hash/hash.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/time_convert.h"
#include "services/analytics/assessment.h"
#include "services/analytics/china_time.h"
#include "services/analytics/csv.h"

namespace gridwork::analytics {
namespace {

using common::v1::Role;
using service::FromProto;
using service::ToProto;

bool IsManager(Role r) {
  switch (r) {
    case common::v1::ROLE_ADMIN:
    case common::v1::ROLE_DISTRICT_COMMAND:
    case common::v1::ROLE_STREET_MANAGER:
    case common::v1::ROLE_COMMUNITY_STATION:
    case common::v1::ROLE_GRID_LEADER:
    case common::v1::ROLE_VIEWER:
    case common::v1::ROLE_SERVICE:
      return true;
    default:
      return false;
  }
}

absl::Status Denied(const Principal& p) {
  return absl::PermissionDeniedError(
      absl::StrCat("role ", rpc::RoleName(p.role()), " may not read these figures"));
}

}  // namespace

AnalyticsCore::AnalyticsCore(AnalyticsStore* store, LiveState* live, Queries* queries,
                             ConsumerSet* consumers)
    : store_(store), live_(live), queries_(queries), consumers_(consumers) {}

absl::StatusOr<std::string> AnalyticsCore::ReadScope(const Principal& p,
                                                     const std::string& requested) const {
  if (requested.empty()) return p.region_scope();
  if (!rpc::ScopeWithin(p, requested)) {
    return absl::PermissionDeniedError(
        absl::StrCat("region ", requested, " is outside your scope"));
  }
  return requested;
}

absl::StatusOr<v1::Cockpit> AnalyticsCore::GetCockpit(const Principal& p,
                                                      const v1::GetCockpitRequest& r) const {
  if (!IsManager(p.role())) return Denied(p);
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  return queries_->Cockpit(scope);
}

absl::StatusOr<v1::ListLiveWorkersResponse> AnalyticsCore::ListLiveWorkers(
    const Principal& p, const v1::ListLiveWorkersRequest& r) const {
  if (!IsManager(p.role())) return Denied(p);
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  return queries_->LiveWorkers(scope, r);
}

absl::StatusOr<v1::GetCoverageResponse> AnalyticsCore::GetCoverage(
    const Principal& p, const v1::GetCoverageRequest& r) const {
  if (!IsManager(p.role()) && p.role() != common::v1::ROLE_GRID_WORKER) return Denied(p);
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  GW_ASSIGN_OR_RETURN(v1::GetCoverageResponse resp, queries_->Coverage(scope, r));
  if (p.role() == common::v1::ROLE_GRID_WORKER) {
    // A grid worker sees the grid figures and their own row, not their colleagues'.
    for (v1::GridCoverage& g : *resp.mutable_grids()) {
      auto* workers = g.mutable_workers();
      for (int i = workers->size() - 1; i >= 0; --i) {
        if (workers->Get(i).worker_id() != p.subject()) workers->DeleteSubrange(i, 1);
      }
    }
  }
  return resp;
}

absl::StatusOr<v1::GetHeatmapResponse> AnalyticsCore::GetHeatmap(
    const Principal& p, const v1::GetHeatmapRequest& r) const {
  if (!IsManager(p.role())) return Denied(p);
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  return queries_->Heatmap(scope, r);
}

absl::StatusOr<v1::ListSurgesResponse> AnalyticsCore::ListSurges(
    const Principal& p, const v1::ListSurgesRequest& r) const {
  if (!IsManager(p.role())) return Denied(p);
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  return queries_->Surges(scope, r);
}

absl::StatusOr<v1::QuerySeriesResponse> AnalyticsCore::QuerySeries(
    const Principal& p, const v1::QuerySeriesRequest& r) const {
  if (!IsManager(p.role())) return Denied(p);
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  return queries_->Series(scope, r);
}

absl::StatusOr<std::string> AnalyticsCore::SeriesCsv(const Principal& p,
                                                     const v1::QuerySeriesRequest& r) const {
  GW_ASSIGN_OR_RETURN(v1::QuerySeriesResponse s, QuerySeries(p, r));
  return analytics::SeriesCsv(r.metric(), s);
}

absl::StatusOr<v1::GetOrderStatsResponse> AnalyticsCore::GetOrderStats(
    const Principal& p, const v1::GetOrderStatsRequest& r) const {
  std::string only_department;
  if (p.role() == common::v1::ROLE_DEPARTMENT_HANDLER) {
    if (p.department().empty()) return Denied(p);
    only_department = p.department();
  } else if (!IsManager(p.role())) {
    return Denied(p);
  }
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  return queries_->OrderStats(scope, r, only_department);
}

absl::StatusOr<v1::GetInspectionStatsResponse> AnalyticsCore::GetInspectionStats(
    const Principal& p, const v1::GetInspectionStatsRequest& r) const {
  if (!IsManager(p.role())) return Denied(p);
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  return queries_->InspectionStats(scope, r);
}

absl::StatusOr<std::vector<v1::AssessmentRow>> AnalyticsCore::Ranked(
    const Principal& p, const v1::ListAssessmentRequest& r) const {
  if (!IsManager(p.role()) && p.role() != common::v1::ROLE_GRID_WORKER) return Denied(p);
  GW_ASSIGN_OR_RETURN(std::string scope, ReadScope(p, r.region_prefix()));
  const absl::Time now = queries_->clock()->Now();
  const absl::Time from = r.has_from() ? FromProto(r.from()) : PeriodStart(Period::kMonth, now);
  const absl::Time to = r.has_to() ? FromProto(r.to()) : now;
  if (to <= from) return absl::InvalidArgumentError("assessment period: `to` must be after `from`");
  if (to - from > absl::Hours(24 * 400)) {
    return absl::InvalidArgumentError("assessment period longer than 400 days");
  }
  GW_ASSIGN_OR_RETURN(v1::AssessmentConfig config, store_->LoadAssessmentConfig());
  GW_ASSIGN_OR_RETURN(std::vector<v1::AssessmentRow> rows,
                      RankWorkers(*store_, *live_, scope, ChinaDay(from),
                                  ChinaDay(to - absl::Nanoseconds(1)), config));
  if (p.role() == common::v1::ROLE_GRID_WORKER) {
    std::vector<v1::AssessmentRow> own;
    for (auto& row : rows) {
      if (row.worker_id() == p.subject()) own.push_back(std::move(row));
    }
    return own;
  }
  return rows;
}

absl::StatusOr<v1::ListAssessmentResponse> AnalyticsCore::ListAssessment(
    const Principal& p, const v1::ListAssessmentRequest& r) const {
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(r.page_size(), 100, 1000));
  const uint64_t filter = absl::HashOf(r.region_prefix(), r.from().seconds(), r.to().seconds());
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(r.page_token(), filter));
  size_t offset = 0;
  if (!after.empty() && !absl::SimpleAtoi(after, &offset)) {
    return absl::InvalidArgumentError("malformed page token");
  }
  GW_ASSIGN_OR_RETURN(std::vector<v1::AssessmentRow> rows, Ranked(p, r));
  GW_ASSIGN_OR_RETURN(v1::AssessmentConfig config, store_->LoadAssessmentConfig());
  v1::ListAssessmentResponse resp;
  resp.set_total_workers(static_cast<int32_t>(rows.size()));
  resp.set_config_version(config.version());
  for (size_t i = offset; i < rows.size() && i < offset + page_size; ++i) {
    *resp.add_rows() = std::move(rows[i]);
  }
  if (offset + page_size < rows.size()) {
    resp.set_next_page_token(rpc::EncodePageToken(absl::StrCat(offset + page_size), filter));
  }
  return resp;
}

absl::StatusOr<std::string> AnalyticsCore::AssessmentCsvExport(
    const Principal& p, const v1::ListAssessmentRequest& r) const {
  GW_ASSIGN_OR_RETURN(std::vector<v1::AssessmentRow> rows, Ranked(p, r));
  return AssessmentCsv(rows);
}

absl::StatusOr<v1::AssessmentConfig> AnalyticsCore::GetAssessmentConfig(
    const Principal& p, const v1::GetAssessmentConfigRequest&) const {
  if (!IsManager(p.role()) && p.role() != common::v1::ROLE_GRID_WORKER) return Denied(p);
  return store_->LoadAssessmentConfig();
}

absl::StatusOr<v1::AssessmentConfig> AnalyticsCore::SetAssessmentConfig(
    const Principal& p, const v1::SetAssessmentConfigRequest& r) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, {common::v1::ROLE_ADMIN}));
  GW_RETURN_IF_ERROR(ValidateAssessmentConfig(r.config()));
  absl::MutexLock l(&config_mu_);
  return service::RunIdempotent<v1::AssessmentConfig>(
      store_->db(), "analytics.SetAssessmentConfig", r.request_id(), r,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::AssessmentConfig> {
        GW_ASSIGN_OR_RETURN(v1::AssessmentConfig current, store_->LoadAssessmentConfig());
        if (r.expected_version() != current.version()) {
          return absl::AbortedError(absl::StrCat("assessment config is at version ",
                                                 current.version(), ", not ", r.expected_version(),
                                                 ": re-read and retry"));
        }
        v1::AssessmentConfig next = r.config();
        next.set_version(current.version() + 1);
        *next.mutable_updated_at() = ToProto(queries_->clock()->Now());
        next.set_updated_by(p.subject());
        store_->PutAssessmentConfig(next, &write);
        return next;
      });
}

// Runs inside ConsumerSet::Restart (its lock held): must not call back into the set.
absl::Status AnalyticsCore::DropEverything() {
  store::WriteRequest mark;
  store_->SetRebuildPending(true, &mark);
  // The unsharded names too: a stale "analytics<-location" would otherwise be adopted by
  // shard w0's consumer (reset to 0 here) at the next start (service/sharding.h).
  std::set<std::string> names = {"analytics<-location", "analytics<-geofence",
                                 "analytics<-workorder", "analytics<-inspection"};
  if (consumers_ != nullptr) {
    names.insert(consumers_->cursor_names().begin(), consumers_->cursor_names().end());
  }
  for (const std::string& name : names) mark.SetCursor(name, 0);
  GW_RETURN_IF_ERROR(store_->db()->Commit(std::move(mark)).status());
  GW_RETURN_IF_ERROR(store_->DropAggregates(5000));
  live_->Clear();
  store::WriteRequest done;
  store_->SetRebuildPending(false, &done);
  return store_->db()->Commit(std::move(done)).status();
}

absl::Status AnalyticsCore::ResumeInterruptedRebuild() {
  GW_ASSIGN_OR_RETURN(bool pending, store_->RebuildPending());
  if (!pending) return absl::OkStatus();
  log::Warning("finishing an interrupted rebuild: dropping aggregates", {});
  return DropEverything();
}

absl::StatusOr<v1::RebuildStatus> AnalyticsCore::Rebuild(const Principal& p,
                                                         const v1::RebuildRequest& r) {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, {common::v1::ROLE_ADMIN}));
  if (consumers_ == nullptr) return absl::FailedPreconditionError("no feed consumers configured");
  // The request id is recorded first (durably), so a retry only reports progress instead of
  // starting the replay over.
  bool built_here = false;
  GW_RETURN_IF_ERROR(
      service::RunIdempotentBytes(
          store_->db(), "analytics.Rebuild", r.request_id(), r,
          [](store::WriteRequest&) -> absl::StatusOr<std::string> { return std::string(); },
          &built_here)
          .status());
  if (built_here) {
    {
      absl::MutexLock l(&rebuild_mu_);
      rebuild_started_ = queries_->clock()->Now();
      ++rebuilds_;
    }
    log::Info("rebuild: dropping aggregates and replaying the feeds", {{"by", p.subject()}});
    GW_RETURN_IF_ERROR(consumers_->Restart([this] { return DropEverything(); }));
  }
  return GetRebuildStatus(p, v1::GetRebuildStatusRequest());
}

absl::StatusOr<v1::RebuildStatus> AnalyticsCore::GetRebuildStatus(
    const Principal& p, const v1::GetRebuildStatusRequest&) const {
  GW_RETURN_IF_ERROR(rpc::RequireRole(
      p, {common::v1::ROLE_ADMIN, common::v1::ROLE_SERVICE, common::v1::ROLE_DISTRICT_COMMAND}));
  v1::RebuildStatus s;
  bool behind = false;
  if (consumers_ != nullptr) {
    for (v1::ConsumerProgress& c : consumers_->Progress()) {
      behind = behind || c.lag() > 0 || !c.connected();
      *s.add_consumers() = std::move(c);
    }
  }
  absl::MutexLock l(&rebuild_mu_);
  if (rebuild_started_ != absl::InfinitePast()) {
    *s.mutable_started_at() = ToProto(rebuild_started_);
    s.set_running(behind);
  }
  s.set_rebuilds(rebuilds_);
  return s;
}

absl::StatusOr<v1::AggregateDigest> AnalyticsCore::GetAggregateDigest(
    const Principal& p, const v1::GetAggregateDigestRequest&) const {
  GW_RETURN_IF_ERROR(rpc::RequireRole(p, {common::v1::ROLE_ADMIN, common::v1::ROLE_SERVICE}));
  SHA256_CTX sha;
  SHA256_Init(&sha);
  v1::AggregateDigest d;
  int64_t records = 0;
  for (const auto& [name, family] : store_->AggregateFamilies()) {
    int64_t n = 0;
    GW_RETURN_IF_ERROR(
        store_->db()->ScanRange(family, "", "", [&](absl::string_view k, absl::string_view v) {
          const uint64_t sizes[2] = {k.size(), v.size()};
          SHA256_Update(&sha, name.data(), name.size());
          SHA256_Update(&sha, sizes, sizeof(sizes));
          SHA256_Update(&sha, k.data(), k.size());
          SHA256_Update(&sha, v.data(), v.size());
          ++n;
          return true;
        }));
    (*d.mutable_by_family())[name] = n;
    records += n;
  }
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256_Final(out, &sha);
  d.set_sha256_hex(
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(out), sizeof(out))));
  d.set_records(records);
  return d;
}

}  // namespace gridwork::analytics
