// The gateway's method -> policy table (method_policy.h). One row per method of every
// gridwork.* service; policy_table_test fails when a proto gains a method without a row here.
//
// Role sets are the coarse gate (who may call the method at all); the owning service checks
// scope and object rules. Mutations are audited. Ingest (location fixes) is not audited per
// call: every fix is stored attributed to its worker and device by location itself, and an
// audit write per batch would double the ingest write load.
#include "absl/strings/str_cat.h"
#include "services/gateway/method_policy.h"

namespace gridwork::gateway {
namespace {

using common::v1::Role;
constexpr RoleSet B(Role r) { return RoleBit(r); }

constexpr RoleSet kAdmins = B(common::v1::ROLE_ADMIN) | B(common::v1::ROLE_SERVICE);
constexpr RoleSet kManagers = kAdmins | B(common::v1::ROLE_DISTRICT_COMMAND) |
                              B(common::v1::ROLE_STREET_MANAGER) |
                              B(common::v1::ROLE_COMMUNITY_STATION);
constexpr RoleSet kLeaders = kManagers | B(common::v1::ROLE_GRID_LEADER);
constexpr RoleSet kStaff = kLeaders | B(common::v1::ROLE_GRID_WORKER) |
                           B(common::v1::ROLE_DEPARTMENT_HANDLER) | B(common::v1::ROLE_VIEWER);
constexpr RoleSet kStaffWriters = kStaff & ~B(common::v1::ROLE_VIEWER);
constexpr RoleSet kEveryone = kStaff | B(common::v1::ROLE_RESIDENT);
constexpr RoleSet kEveryoneWriters = kEveryone & ~B(common::v1::ROLE_VIEWER);
constexpr RoleSet kField =
    B(common::v1::ROLE_GRID_WORKER) | B(common::v1::ROLE_GRID_LEADER) | B(common::v1::ROLE_SERVICE);
constexpr RoleSet kCatalogEditors = kAdmins | B(common::v1::ROLE_DEPARTMENT_HANDLER);
constexpr RoleSet kSubjectWriters = kManagers | B(common::v1::ROLE_GRID_LEADER) |
                                    B(common::v1::ROLE_GRID_WORKER) |
                                    B(common::v1::ROLE_DEPARTMENT_HANDLER);
constexpr RoleSet kSubjectConfirmers = kManagers | B(common::v1::ROLE_DEPARTMENT_HANDLER);
constexpr RoleSet kDispatchAdmins = kAdmins | B(common::v1::ROLE_DISTRICT_COMMAND);
constexpr RoleSet kPublic = 0;

constexpr int kKiB = 1024;
constexpr int kMiB = 1024 * 1024;

const absl::Duration kUnaryDeadline = absl::Seconds(30);
const absl::Duration kBulkDeadline = absl::Minutes(5);
const absl::Duration kStreamDeadline = absl::Hours(24);

using K = CallKind;
using R = RateClass;
using U = Upstream;

struct Row {
  const char* service;  // "gridwork.workorder.v1.WorkOrderService"
  const char* method;   // "CreateOrder"
  U upstream;
  RoleSet roles;
  K kind;
  R rate;
  int max_bytes;
  bool mutation;
};

// clang-format off
const Row kRows[] = {
  // ---- gateway (served by the gateway itself) ----
  {"gridwork.gateway.v1.Identity", "Login",            U::kSelf, kPublic,   K::kUnary, R::kAuth,  4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "Refresh",          U::kSelf, kPublic,   K::kUnary, R::kAuth,  4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "Logout",           U::kSelf, kEveryone, K::kUnary, R::kWrite, 4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "Revoke",           U::kSelf, kAdmins,   K::kUnary, R::kWrite, 4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "WhoAmI",           U::kSelf, kEveryone, K::kUnary, R::kRead,  4 * kKiB, false},
  {"gridwork.gateway.v1.Identity", "ChangePassword",   U::kSelf, kEveryone, K::kUnary, R::kAuth,  4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "CreateUser",       U::kSelf, kAdmins,   K::kUnary, R::kWrite, 16 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "ListUsers",        U::kSelf, kAdmins,   K::kUnary, R::kRead,  4 * kKiB, false},
  {"gridwork.gateway.v1.Identity", "SetUserRole",      U::kSelf, kAdmins,   K::kUnary, R::kWrite, 4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "DisableUser",      U::kSelf, kAdmins,   K::kUnary, R::kWrite, 4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "CreateApiClient",  U::kSelf, kAdmins,   K::kUnary, R::kWrite, 4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "RegisterResident", U::kSelf, kPublic,   K::kUnary, R::kAuth,  4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "VerifyResident",   U::kSelf, kPublic,   K::kUnary, R::kAuth,  4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "BindDevice",       U::kSelf, kAdmins,   K::kUnary, R::kWrite, 4 * kKiB, true},
  {"gridwork.gateway.v1.Identity", "ListAudit",        U::kSelf, kAdmins,   K::kUnary, R::kRead,  4 * kKiB, false},

  // ---- store administration (every service's own store; the gateway serves it itself and
  //      forwards it to the service named in x-gridwork-upstream, store_admin_gateway.h) ----
  {"gridwork.admin.v1.StoreAdmin", "CreateCheckpoint", U::kSelf, kAdmins, K::kUnary, R::kBulk, 4 * kKiB, true},

  // ---- feeds (every service serves gridwork.common.v1.Feed; the caller names the source) ----
  {"gridwork.common.v1.Feed", "Watch",        U::kByHeader, kStaff, K::kServerStreaming, R::kStream, 4 * kKiB, false},
  {"gridwork.common.v1.Feed", "WatchBatches", U::kByHeader, kStaff, K::kServerStreaming, R::kStream, 4 * kKiB, false},
  {"gridwork.common.v1.Feed", "GetFeedInfo",  U::kByHeader, kStaff, K::kUnary,           R::kRead,   4 * kKiB, false},

  // ---- geofence ----
  {"gridwork.geofence.v1.GeofenceService", "ImportRegions",       U::kGeofence, kAdmins,   K::kUnary, R::kBulk,  64 * kMiB, true},
  {"gridwork.geofence.v1.GeofenceService", "ExportRegions",       U::kGeofence, kStaff,    K::kUnary, R::kBulk,  4 * kKiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "GetRegion",           U::kGeofence, kStaff,    K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "ListRegions",         U::kGeofence, kStaff,    K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "DeleteRegion",        U::kGeofence, kAdmins,   K::kUnary, R::kWrite, 4 * kKiB,  true},
  {"gridwork.geofence.v1.GeofenceService", "Locate",              U::kGeofence, kEveryone, K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "BatchLocate",         U::kGeofence, kStaff,    K::kUnary, R::kBulk,  4 * kMiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "BindWorker",          U::kGeofence, kLeaders,  K::kUnary, R::kWrite, 16 * kKiB, true},
  {"gridwork.geofence.v1.GeofenceService", "UnbindWorker",        U::kGeofence, kLeaders,  K::kUnary, R::kWrite, 16 * kKiB, true},
  {"gridwork.geofence.v1.GeofenceService", "ListBindings",        U::kGeofence, kStaff,    K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "PutKeyPoint",         U::kGeofence, kLeaders,  K::kUnary, R::kWrite, 64 * kKiB, true},
  {"gridwork.geofence.v1.GeofenceService", "GetKeyPoint",         U::kGeofence, kStaff,    K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "DeleteKeyPoint",      U::kGeofence, kManagers, K::kUnary, R::kWrite, 4 * kKiB,  true},
  {"gridwork.geofence.v1.GeofenceService", "ListKeyPoints",       U::kGeofence, kStaff,    K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "EvaluateFixes",       U::kGeofence, kAdmins,   K::kUnary, R::kBulk,  4 * kMiB,  true},
  {"gridwork.geofence.v1.GeofenceService", "GetWorkerState",      U::kGeofence, kStaff,    K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.geofence.v1.GeofenceService", "ListWorkersInRegion", U::kGeofence, kStaff,    K::kUnary, R::kRead,  4 * kKiB,  false},

  // ---- location ----
  {"gridwork.location.v1.LocationService", "StreamFixes",       U::kLocation, kField, K::kBidiStreaming, R::kIngest, 1 * kMiB, false},
  {"gridwork.location.v1.LocationService", "IngestFixes",       U::kLocation, kField, K::kUnary,         R::kIngest, 1 * kMiB, false},
  {"gridwork.location.v1.LocationService", "GetTrack",          U::kLocation, kStaff, K::kUnary,         R::kRead,   4 * kKiB, false},
  {"gridwork.location.v1.LocationService", "ListRawFixes",      U::kLocation, kStaff, K::kUnary,         R::kRead,   4 * kKiB, false},
  {"gridwork.location.v1.LocationService", "GetDaySummary",     U::kLocation, kStaff, K::kUnary,         R::kRead,   4 * kKiB, false},
  {"gridwork.location.v1.LocationService", "GetLastPositions",  U::kLocation, kStaff, K::kUnary,         R::kRead,   64 * kKiB, false},
  {"gridwork.location.v1.LocationService", "CountOnline",       U::kLocation, kStaff, K::kUnary,         R::kRead,   4 * kKiB, false},
  {"gridwork.location.v1.LocationService", "FindNearbyWorkers", U::kLocation, kStaff, K::kUnary,         R::kRead,   4 * kKiB, false},

  // ---- workorder ----
  {"gridwork.workorder.v1.WorkOrderService", "CreateOrder",        U::kWorkorder, kEveryoneWriters, K::kUnary, R::kWrite, 64 * kKiB, true},
  {"gridwork.workorder.v1.WorkOrderService", "SuggestDuplicates",  U::kWorkorder, kEveryone,        K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.workorder.v1.WorkOrderService", "GetOrder",           U::kWorkorder, kEveryone,        K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.workorder.v1.WorkOrderService", "Transition",         U::kWorkorder, kStaffWriters,    K::kUnary, R::kWrite, 64 * kKiB, true},
  {"gridwork.workorder.v1.WorkOrderService", "RateOrder",          U::kWorkorder, kEveryoneWriters, K::kUnary, R::kWrite, 4 * kKiB,  true},
  {"gridwork.workorder.v1.WorkOrderService", "ListOrders",         U::kWorkorder, kEveryone,        K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.workorder.v1.WorkOrderService", "CountOrders",        U::kWorkorder, kStaff,           K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.workorder.v1.WorkOrderService", "GetHistory",         U::kWorkorder, kEveryone,        K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.workorder.v1.WorkOrderService", "VerifyHistory",      U::kWorkorder, kStaff,           K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.workorder.v1.WorkOrderService", "UploadPhoto",        U::kWorkorder, kEveryoneWriters, K::kUnary, R::kWrite, 9 * kMiB,  true},
  {"gridwork.workorder.v1.WorkOrderService", "GetPhoto",           U::kWorkorder, kEveryone,        K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.workorder.v1.WorkOrderService", "UpsertCategory",     U::kWorkorder, kDispatchAdmins,  K::kUnary, R::kWrite, 16 * kKiB, true},
  {"gridwork.workorder.v1.WorkOrderService", "ListCategories",     U::kWorkorder, kEveryone,        K::kUnary, R::kRead,  4 * kKiB,  false},
  {"gridwork.workorder.v1.WorkOrderService", "UpsertDispatchRule", U::kWorkorder, kDispatchAdmins,  K::kUnary, R::kWrite, 16 * kKiB, true},
  {"gridwork.workorder.v1.WorkOrderService", "DeleteDispatchRule", U::kWorkorder, kDispatchAdmins,  K::kUnary, R::kWrite, 4 * kKiB,  true},
  {"gridwork.workorder.v1.WorkOrderService", "ListDispatchRules",  U::kWorkorder, kStaff,           K::kUnary, R::kRead,  4 * kKiB,  false},

  // ---- inspection ----
  {"gridwork.inspection.v1.InspectionService", "ListDepartments",      U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "UpsertDepartment",     U::kInspection, kAdmins,            K::kUnary, R::kWrite, 16 * kKiB,  true},
  {"gridwork.inspection.v1.InspectionService", "CreateChecklistDraft", U::kInspection, kCatalogEditors,    K::kUnary, R::kWrite, 1 * kMiB,   true},
  {"gridwork.inspection.v1.InspectionService", "UpdateChecklistDraft", U::kInspection, kCatalogEditors,    K::kUnary, R::kWrite, 1 * kMiB,   true},
  {"gridwork.inspection.v1.InspectionService", "PublishChecklist",     U::kInspection, kCatalogEditors,    K::kUnary, R::kWrite, 4 * kKiB,   true},
  {"gridwork.inspection.v1.InspectionService", "GetChecklist",         U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "ListChecklists",       U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "RegisterSubject",      U::kInspection, kSubjectWriters,    K::kUnary, R::kWrite, 64 * kKiB,  true},
  {"gridwork.inspection.v1.InspectionService", "ConfirmSubject",       U::kInspection, kSubjectConfirmers, K::kUnary, R::kWrite, 4 * kKiB,   true},
  {"gridwork.inspection.v1.InspectionService", "UpdateSubject",        U::kInspection, kSubjectWriters,    K::kUnary, R::kWrite, 64 * kKiB,  true},
  {"gridwork.inspection.v1.InspectionService", "GetSubject",           U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "ListSubjects",         U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "GetSubjectHistory",    U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "AssignTask",           U::kInspection, kLeaders,           K::kUnary, R::kWrite, 16 * kKiB,  true},
  {"gridwork.inspection.v1.InspectionService", "GetTask",              U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "ListTasks",            U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "UpsertSchedule",       U::kInspection, kLeaders,           K::kUnary, R::kWrite, 16 * kKiB,  true},
  {"gridwork.inspection.v1.InspectionService", "ListSchedules",        U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "SubmitResult",         U::kInspection, kField,             K::kUnary, R::kWrite, 1 * kMiB,   true},
  {"gridwork.inspection.v1.InspectionService", "GetResult",            U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},
  {"gridwork.inspection.v1.InspectionService", "ListResults",          U::kInspection, kStaff,             K::kUnary, R::kRead,  4 * kKiB,   false},

  // ---- analytics (proto landing with issue 8; rows added ahead so the proxy serves it) ----
  {"gridwork.analytics.v1.AnalyticsService", "GetCockpit",          U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "StreamCockpit",       U::kAnalytics, kStaff,  K::kServerStreaming, R::kStream, 4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "ListLiveWorkers",     U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "GetCoverage",         U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "GetHeatmap",          U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "ListSurges",          U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "QuerySeries",         U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "ExportSeriesCsv",     U::kAnalytics, kStaff,  K::kServerStreaming, R::kBulk,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "GetOrderStats",       U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "GetInspectionStats",  U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "ListAssessment",      U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "ExportAssessmentCsv", U::kAnalytics, kStaff,  K::kServerStreaming, R::kBulk,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "GetAssessmentConfig", U::kAnalytics, kStaff,  K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "SetAssessmentConfig", U::kAnalytics, kAdmins, K::kUnary,           R::kWrite,  64 * kKiB, true},
  {"gridwork.analytics.v1.AnalyticsService", "Rebuild",             U::kAnalytics, kAdmins, K::kUnary,           R::kBulk,   4 * kKiB,  true},
  {"gridwork.analytics.v1.AnalyticsService", "GetRebuildStatus",    U::kAnalytics, kAdmins, K::kUnary,           R::kRead,   4 * kKiB,  false},
  {"gridwork.analytics.v1.AnalyticsService", "GetAggregateDigest",  U::kAnalytics, kAdmins, K::kUnary,           R::kRead,   4 * kKiB,  false},
};
// clang-format on

std::vector<MethodPolicy> BuildRows() {
  std::vector<MethodPolicy> out;
  for (const Row& r : kRows) {
    MethodPolicy p;
    p.method = absl::StrCat("/", r.service, "/", r.method);
    p.upstream = r.upstream;
    p.roles = r.roles;
    p.kind = r.kind;
    p.rate_class = r.rate;
    p.max_request_bytes = r.max_bytes;
    p.mutation = r.mutation;
    p.max_deadline = r.kind == K::kUnary ? (r.rate == R::kBulk ? kBulkDeadline : kUnaryDeadline)
                                         : kStreamDeadline;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

const PolicyTable& PolicyTable::Default() {
  static const PolicyTable* table = new PolicyTable(BuildRows());
  return *table;
}

}  // namespace gridwork::gateway
