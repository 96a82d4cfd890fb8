// The role x method x scope matrix (authz_matrix.h explains the columns). One row per method
// of every gridwork.* service; Feed and StoreAdmin methods once per upstream. Who may call what
// follows DESIGN.md section 1 (roles) and docs/gateway.md; the codes in `other_codes` are the
// non-authorisation failures the requests are written to provoke (gRPC numbers: 3
// INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS, 9 FAILED_PRECONDITION, 10 ABORTED, 16
// UNAUTHENTICATED).
#include "tests/integration/authz_matrix.h"

namespace gridwork::testing {
namespace {

constexpr CallerSet kResidents = Bit(kResidentOwn) | Bit(kResidentOther);
constexpr CallerSet kEveryone = (CallerSet{1} << kCallerCount) - 1;
constexpr CallerSet kStaff = kEveryone & ~kResidents;
constexpr CallerSet kStaffWriters = kStaff & ~Bit(kViewer);
constexpr CallerSet kEveryoneWriters = kEveryone & ~Bit(kViewer);
constexpr CallerSet kAdmins = Bit(kAdmin);
constexpr CallerSet kManagers = kAdmins | Bit(kCommand) | Bit(kStreet) | Bit(kStation);
constexpr CallerSet kLeaders = kManagers | Bit(kLeader);
constexpr CallerSet kField = Bit(kLeader) | Bit(kWorker);
constexpr CallerSet kHandlers = Bit(kHandlerOwn) | Bit(kHandlerOther);
constexpr CallerSet kSubjectWriters = kManagers | Bit(kLeader) | Bit(kWorker) | kHandlers;
constexpr CallerSet kSubjectConfirmers = kManagers | kHandlers;
constexpr CallerSet kDispatchAdmins = kAdmins | Bit(kCommand);
constexpr CallerSet kPublic = kEveryone;  // no token needed; called with one here
// Narrowed by the owning services' own role rules:
// analytics keeps region dashboards from grid workers, and its configuration from handlers;
constexpr CallerSet kDashboards = kStaff & ~Bit(kWorker);
constexpr CallerSet kAssessmentReaders = kStaff & ~kHandlers;
// inspection lets the community workstation (not the street or district) register and
// confirm subjects, assign tasks and schedule; a handler edits only their own department's
// checklists (the templates here are urban-management's); workers register but not update.
constexpr CallerSet kSubjectRegistrars = kSubjectWriters & ~Bit(kCommand) & ~Bit(kStreet);
constexpr CallerSet kSubjectUpdaters = kSubjectRegistrars & ~Bit(kWorker);
constexpr CallerSet kInspectionConfirmers = kSubjectConfirmers & ~Bit(kCommand) & ~Bit(kStreet);
constexpr CallerSet kTaskAssigners = kLeaders & ~Bit(kCommand) & ~Bit(kStreet);
constexpr CallerSet kOwnCatalogEditors = kAdmins | Bit(kHandlerOwn);

using T = Target;

#define ID "/gridwork.gateway.v1.Identity/"
#define FEED "/gridwork.common.v1.Feed/"
#define GEO "/gridwork.geofence.v1.GeofenceService/"
#define LOC "/gridwork.location.v1.LocationService/"
#define WO "/gridwork.workorder.v1.WorkOrderService/"
#define INSP "/gridwork.inspection.v1.InspectionService/"
#define AN "/gridwork.analytics.v1.AnalyticsService/"
#define DAY R"("start_time":"{FROM}","end_time":"{TO}")"
#define IN_G01 R"({"lat":34.75,"lng":113.605})"

std::vector<MatrixRow> Rows() {
  std::vector<MatrixRow> rows = {
      // ---- gateway Identity (served by the gateway) ----
      {ID "Login",
       kPublic,
       T::kNone,
       R"({"username":"nobody","password":"wrong-password"})",
       false,
       true,
       {16}},  // wrong password
      {ID "Refresh", kPublic, T::kNone, R"({"refresh_token":"not-a-token"})", false, true, {16}},
      {ID "Logout", kEveryone, T::kNone, "{}", false, true},  // on a fresh session of its own
      {ID "Revoke",
       kAdmins,
       T::kNone,
       R"({"request_id":"{RID}","session_id":"no-such"})",
       false,
       true,
       {5}},
      {ID "WhoAmI", kEveryone, T::kNone, "{}"},
      {ID "ChangePassword",
       kEveryone,
       T::kNone,
       R"({"request_id":"{RID}","old_password":"wrong-old","new_password":"new-password-123"})",
       false,
       true,
       {16, 3, 9}},  // wrong old password
      {ID "CreateUser", kAdmins, T::kNone,
       R"({"request_id":"{RID}","user":{"username":"m-{RID}","role":"ROLE_VIEWER","region_scope":"410105"},"password":"password-123456"})",
       false, true},
      {ID "ListUsers", kAdmins, T::kNone, "{}"},
      {ID "SetUserRole",
       kAdmins,
       T::kNone,
       R"({"request_id":"{RID}","username":"no-such-user","role":"ROLE_VIEWER"})",
       false,
       true,
       {5}},
      {ID "DisableUser",
       kAdmins,
       T::kNone,
       R"({"request_id":"{RID}","username":"no-such-user","disabled":true})",
       false,
       true,
       {5}},
      {ID "CreateApiClient", kAdmins, T::kNone,
       R"({"request_id":"{RID}","display_name":"m","role":"ROLE_VIEWER","region_scope":"410105"})",
       false, true},
      {ID "RegisterResident", kPublic, T::kNone, R"({"phone":"not-a-phone"})", false, true, {3}},
      {ID "VerifyResident",
       kPublic,
       T::kNone,
       R"({"phone":"13800000000","code":"000000","password":"password-123456"})",
       false,
       true,
       {3, 5, 9, 16}},  // no code was sent to this number
      {ID "BindDevice", kAdmins, T::kNone,
       R"({"request_id":"{RID}","device_id":"dev-{RID}","worker_id":"w-g02"})", false, true},
      {ID "ListAudit", kAdmins, T::kNone, "{}"},

      // ---- geofence ----
      {GEO "ImportRegions",
       kAdmins,
       T::kNone,
       R"({"request_id":"{RID}","geojson":"{\"type\":\"FeatureCollection\",\"features\":[]}","validate_only":true})",
       false,
       true,
       {3}},
      {GEO "ExportRegions", kStaff, T::kRegion, R"({"root_id":"{T}"})", true},
      {GEO "GetRegion", kStaff, T::kRegion, R"({"id":"{T}"})", false, false, {}, "", true},
      {GEO "ListRegions", kStaff, T::kRegion, R"({"parent_id":"{T}"})", true},
      {GEO "DeleteRegion",
       kAdmins,
       T::kRegion,
       R"({"request_id":"{RID}","id":"{T}/no-such"})",
       false,
       true,
       {5}},
      {GEO "Locate", kEveryone, T::kNone, R"({"position":)" IN_G01 "}"},
      {GEO "BatchLocate", kStaff, T::kNone, R"({"positions":[)" IN_G01 "]}"},
      {GEO "BindWorker",
       kLeaders,
       T::kGrid,
       R"({"request_id":"{RID}","worker_id":"w-new","grid_id":"{T}","role":"BINDING_ROLE_VOLUNTEER"})",
       false,
       true,
       {3, 5, 9}},
      {GEO "UnbindWorker",
       kLeaders,
       T::kGrid,
       R"({"request_id":"{RID}","worker_id":"nobody","grid_id":"{T}"})",
       false,
       true,
       {3, 5, 9}},
      {GEO "ListBindings", kStaff, T::kRegion, R"({"region_id":"{T}"})", true},
      {GEO "PutKeyPoint", kLeaders, T::kGrid,
       R"({"request_id":"{RID}","key_point":{"name":"n","kind":"KEY_POINT_KIND_SMALL_VENUE","position":{PT},"radius_m":30}})",
       false, true},  // a key point at the centre of the target grid
      {GEO "GetKeyPoint", kStaff, T::kKeyPoint, R"({"id":"{T}"})"},
      {GEO "DeleteKeyPoint",
       kManagers,
       T::kKeyPoint,
       R"({"request_id":"{RID}","id":"{T}","version":"999"})",
       false,
       true,
       {9, 10}},
      {GEO "ListKeyPoints", kStaff, T::kRegion, R"({"region_id":"{T}"})", true},
      {GEO "EvaluateFixes", kAdmins, T::kNone, R"({"fixes":[]})", false, true, {3}},
      {GEO "GetWorkerState", kStaff, T::kWorker, R"({"worker_id":"{T}"})", false, false, {5}},
      {GEO "ListWorkersInRegion", kStaff, T::kRegion, R"({"region_id":"{T}"})", true},

      // ---- location ----
      {LOC "StreamFixes", kField, T::kNone, R"({"batch_id":"1","fixes":[]})", false, true, {3}},
      {LOC "IngestFixes", kField, T::kNone, R"({"batch_id":"1","fixes":[]})", false, true, {3}},
      {LOC "GetTrack", kStaff, T::kWorker, R"({"worker_id":"{T}",)" DAY "}"},
      {LOC "ListRawFixes", kStaff, T::kWorker, R"({"worker_id":"{T}",)" DAY "}"},
      {LOC "GetDaySummary",
       kStaff,
       T::kWorker,
       R"({"worker_id":"{T}",)" DAY "}",
       false,
       false,
       {3}},  // a window longer than a day
      {LOC "GetLastPositions", kStaff, T::kWorker, R"({"worker_ids":["{T}"]})", true},
      {LOC "CountOnline", kStaff, T::kRegion, R"({"region_id":"{T}"})", true},
      {LOC "FindNearbyWorkers", kStaff, T::kNone,
       R"({"position":)" IN_G01 R"(,"radius_m":20000,"include_offline":true})", true},

      // ---- workorder ----
      {WO "CreateOrder", kEveryoneWriters, T::kNone,
       R"({"request_id":"{RID}","category_id":"garbage","position":)" IN_G01
       R"(,"description":"matrix"})",
       false, true},
      {WO "SuggestDuplicates", kEveryone, T::kNone,
       R"({"category_id":"garbage","position":)" IN_G01 R"(,"radius_m":5000})", true},
      {WO "GetOrder", kEveryone, T::kOrder, R"({"order_id":"{T}"})"},
      {WO "Transition",
       kStaffWriters,
       T::kOrder,
       R"({"request_id":"{RID}","order_id":"{T}","expected_version":"999","action":"ACTION_ACCEPT"})",
       false,
       true,
       {3, 9, 10}},  // stale version / wrong state
      {WO "RateOrder",
       kEveryoneWriters,
       T::kOrder,
       R"({"request_id":"{RID}","order_id":"{T}","expected_version":"999","score":5})",
       false,
       true,
       {3, 9, 10}},
      {WO "ListOrders", kEveryone, T::kRegion, R"({"filter":{"region_prefix":"{T}"}})", true},
      {WO "CountOrders", kStaff, T::kRegion, R"({"filter":{"region_prefix":"{T}"}})", true},
      {WO "GetHistory", kEveryone, T::kOrder, R"({"order_id":"{T}"})"},
      {WO "VerifyHistory", kStaff, T::kOrder, R"({"order_id":"{T}"})"},
      {WO "UploadPhoto",
       kEveryoneWriters,
       T::kNone,
       R"({"content":"bm90IGEgcGhvdG8="})",
       false,
       true,
       {3}},  // not a JPEG/PNG
      {WO "GetPhoto",
       kEveryone,
       T::kOrder,
       R"({"order_id":"{T}","sha256":"0000000000000000000000000000000000000000000000000000000000000000"})",
       false,
       false,
       {5}},
      {WO "UpsertCategory",
       kDispatchAdmins,
       T::kNone,
       R"({"request_id":"{RID}","category":{"id":"garbage"},"expected_version":"999"})",
       false,
       true,
       {3, 9, 10}},
      {WO "ListCategories", kEveryone, T::kNone, "{}"},
      {WO "UpsertDispatchRule",
       kDispatchAdmins,
       T::kRegion,
       R"({"request_id":"{RID}","rule":{"id":"r-{RID}","category_prefix":"garbage","region_prefix":"{T}","department":"water"},"expected_version":"999"})",
       false,
       true,
       {3, 5, 9, 10}},  // a new rule named with a version
      {WO "DeleteDispatchRule",
       kDispatchAdmins,
       T::kNone,
       R"({"request_id":"{RID}","rule_id":"no-such-rule","expected_version":"1"})",
       false,
       true,
       {5}},
      {WO "ListDispatchRules", kStaff, T::kNone, "{}", true},

      // ---- inspection ----
      {INSP "ListDepartments", kStaff, T::kNone, "{}"},
      {INSP "UpsertDepartment",
       kAdmins,
       T::kNone,
       R"({"request_id":"{RID}","department":{"id":"d-{RID}","name":"n"}})",
       false,
       true,
       {3}},
      {INSP "CreateChecklistDraft",
       kOwnCatalogEditors,
       T::kNone,
       R"({"request_id":"{RID}","checklist":{"template_id":"urban-management.m{RID}","department":"urban-management"}})",
       false,
       true,
       {3}},  // no items
      {INSP "UpdateChecklistDraft",
       kOwnCatalogEditors,
       T::kNone,
       R"({"request_id":"{RID}","checklist":{"template_id":"urban-management.fixture","version":1,"department":"urban-management","name":"x"},"expected_revision":"999"})",
       false,
       true,
       {3, 9, 10}},  // stale revision
      {INSP "PublishChecklist",
       kOwnCatalogEditors,
       T::kNone,
       R"({"request_id":"{RID}","template_id":"urban-management.fixture","version":1,"expected_revision":"999"})",
       false,
       true,
       {3, 9, 10}},  // stale revision
      {INSP "GetChecklist",
       kStaff,
       T::kNone,
       R"({"template_id":"urban-management.none","version":1})",
       false,
       false,
       {5}},
      {INSP "ListChecklists", kStaff, T::kNone, "{}"},
      {INSP "RegisterSubject",
       kSubjectRegistrars,
       T::kNone,
       R"({"request_id":"{RID}","subject":{"type":"SUBJECT_TYPE_SHOP","name":"m","position":)" IN_G01
       R"(}})",
       false,
       true,
       {3, 9}},
      {INSP "ConfirmSubject",
       kInspectionConfirmers,
       T::kSubject,
       R"({"request_id":"{RID}","subject_id":"{T}","expected_version":"999"})",
       false,
       true,
       {3, 9, 10}},
      {INSP "UpdateSubject",
       kSubjectUpdaters,
       T::kSubject,
       R"({"request_id":"{RID}","subject":{"id":"{T}","type":"SUBJECT_TYPE_SHOP","name":"x"},"expected_version":"999"})",
       false,
       true,
       {3, 9, 10}},
      {INSP "GetSubject", kStaff, T::kSubject, R"({"subject_id":"{T}"})"},
      {INSP "ListSubjects", kStaff, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {INSP "GetSubjectHistory", kStaff, T::kSubject, R"({"subject_id":"{T}"})"},
      {INSP "AssignTask",
       kTaskAssigners,
       T::kSubject,
       R"({"request_id":"{RID}","subject_id":"{T}","template_id":"urban-management.fixture","assignee":"worker-g01","due_at":"{TO}"})",
       false,
       true,
       {5, 9}},  // the checklist is a draft, not published
      {INSP "GetTask", kStaff, T::kNone, R"({"task_id":"no-such-task"})", false, false, {5}},
      {INSP "ListTasks", kStaff, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {INSP "UpsertSchedule",
       kTaskAssigners,
       T::kRegion,
       R"({"request_id":"{RID}","schedule":{"id":"s-{RID}","name":"n","template_id":"urban-management.fixture","subject_types":["SUBJECT_TYPE_SHOP"],"region_prefix":"{T}","assignee":"worker-g01","active":true,"recurrence":{"frequency":"FREQUENCY_WEEKLY","interval":1,"start":"{TO}","due_within":"86400s"}}})",
       false,
       true,
       {5, 9}},  // the checklist is a draft, not published
      {INSP "ListSchedules", kStaff, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {INSP "SubmitResult",
       kField,
       T::kSubject,
       R"({"request_id":"{RID}","subject_id":"{T}","template_id":"urban-management.none"})",
       false,
       true,
       {3, 5, 9}},
      {INSP "GetResult", kStaff, T::kNone, R"({"result_id":"no-such-result"})", false, false, {5}},
      {INSP "ListResults", kStaff, T::kSubject, R"({"subject_id":"{T}"})", true},

      // ---- analytics ----
      {AN "GetCockpit", kDashboards, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "StreamCockpit", kDashboards, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "ListLiveWorkers", kDashboards, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "GetCoverage", kStaff, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "GetHeatmap", kDashboards, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "ListSurges", kDashboards, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "QuerySeries",
       kDashboards,
       T::kRegion,
       R"({"metric":"METRIC_ORDERS_REPORTED","region_prefix":"{T}"})",
       true,
       false,
       {3}},
      {AN "ExportSeriesCsv",
       kDashboards,
       T::kRegion,
       R"({"metric":"METRIC_ORDERS_REPORTED","region_prefix":"{T}"})",
       true,
       false,
       {3}},
      {AN "GetOrderStats", kDashboards, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "GetInspectionStats", kDashboards, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "ListAssessment", kStaff, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "ExportAssessmentCsv", kStaff, T::kRegion, R"({"region_prefix":"{T}"})", true},
      {AN "GetAssessmentConfig", kAssessmentReaders, T::kNone, "{}"},
      {AN "SetAssessmentConfig",
       kAdmins,
       T::kNone,
       R"({"request_id":"{RID}","config":{},"expected_version":"999"})",
       false,
       true,
       {3, 9, 10}},
      {AN "Rebuild", kAdmins, T::kNone, R"({"request_id":"{RID}"})", false, true, {9}},
      {AN "GetRebuildStatus", kAdmins, T::kNone, "{}"},
      {AN "GetAggregateDigest", kAdmins, T::kNone, "{}"},
  };
  // Every service's feed (the source named by the upstream header / ?upstream=).
  for (const char* up : {"location", "geofence", "workorder", "inspection", "analytics"}) {
    rows.push_back(
        {FEED "Watch", kStaff, T::kNone, R"({"from_sequence":"1"})", true, false, {}, up});
    rows.push_back({FEED "WatchBatches",
                    kStaff,
                    T::kNone,
                    R"({"from_sequence":"1","max_batch_events":1})",
                    true,
                    false,
                    {},
                    up});
    rows.push_back({FEED "GetFeedInfo", kStaff, T::kNone, "{}", false, false, {}, up});
  }
  // Every store's online checkpoint: the gateway's own and, forwarded, each service's. The
  // name is invalid, so an allowed call ends in INVALID_ARGUMENT and writes nothing.
  for (const char* up :
       {"gateway", "location", "geofence", "workorder", "inspection", "analytics"}) {
    rows.push_back({"/gridwork.admin.v1.StoreAdmin/CreateCheckpoint",
                    kAdmins,
                    T::kNone,
                    R"({"name":"../outside-{RID}"})",
                    false,
                    true,
                    {3},
                    up});
  }
  return rows;
}

}  // namespace

const std::vector<MatrixRow>& AuthzMatrix() {
  static const auto* rows = new std::vector<MatrixRow>(Rows());
  return *rows;
}

const char* CallerName(Caller c) {
  static const char* const kNames[] = {"admin",          "command-410105", "street-s01",
                                       "station-c01",    "leader-g01",     "worker-g01",
                                       "handler-urban",  "handler-water",  "resident-own",
                                       "resident-other", "viewer-c01"};
  return c >= 0 && c < kCallerCount ? kNames[c] : "?";
}

}  // namespace gridwork::testing
