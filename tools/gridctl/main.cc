// gridctl: operator command line for Gridwork services.
//
//   gridctl [flags] import-regions FILE.geojson      import (or --validate_only check) regions
//   gridctl [flags] export-regions [ROOT_ID]         GeoJSON of a subtree on stdout
//   gridctl [flags] list-regions [PARENT_ID]         children (one line each)
//   gridctl [flags] locate LAT LNG                   which grid and path contain the point
//   gridctl [flags] bind WORKER GRID [leader|worker|volunteer]
//   gridctl [flags] workers-in REGION_ID             workers currently in a region
//   gridctl [flags] report WORKER LAT LNG [ACCURACY_M]  ingest one WGS-84 fix (device "gridctl")
//   gridctl [flags] last WORKER...                   last position, online state, grid
//   gridctl [flags] track WORKER [HOURS]             accepted fixes of the last HOURS (default 24)
//   gridctl [flags] worker WORKER                    the worker's fence state (geofence)
//   gridctl [flags] catalog-load FILE.json           create/update work-order categories and rules
//   gridctl [flags] orders [STATE...]                work orders (one line each), e.g. orders
//   REPORTED gridctl [flags] order-counts                     kanban column counts gridctl [flags]
//   order-report CATEGORY LAT LNG TEXT   report an incident gridctl [flags] order ID |
//   order-history ID | order-verify ID gridctl [flags] order-act ID ACTION [NOTE]       e.g.
//   order-act wo-.. DISPATCH (--to_department) gridctl [flags] inspection-load-catalog FILE.json
//   departments and checklists (published) gridctl [flags] checklists [DEPT] | subjects [PREFIX] |
//   tasks [ASSIGNEE] gridctl [flags] subject-register TYPE NAME LAT LNG | task-assign SUBJECT
//   TEMPLATE ASSIGNEE [H]
//
// gridctl signs its own principal with --principal_key_file (an operator tool, like an admin
// kubeconfig); --as_role and --scope choose what it may do. Every call has --timeout.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/core/ids.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/metrics_interceptor.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/time_convert.h"
#include "services/location/packed_track.h"
#include "tools/gridctl/admin_commands.h"
#include "tools/gridctl/analytics_commands.h"
#include "tools/gridctl/client.h"
#include "tools/gridctl/exit_codes.h"
#include "tools/gridctl/inspection_commands.h"
#include "tools/gridctl/resource_commands.h"
#include "tools/gridctl/session_commands.h"
#include "tools/gridctl/workorder_commands.h"

ABSL_FLAG(std::string, geofence_addr, "127.0.0.1:50052", "Address of gridwork-geofence.");
ABSL_FLAG(std::string, location_addr, "127.0.0.1:50051", "Address of gridwork-location.");
ABSL_FLAG(std::string, workorder_addr, "127.0.0.1:50053", "Address of gridwork-workorder.");
ABSL_FLAG(std::string, inspection_addr, "127.0.0.1:50054", "Address of gridwork-inspection.");
ABSL_FLAG(std::string, analytics_addr, "127.0.0.1:50055", "Address of gridwork-analytics.");
ABSL_FLAG(std::string, department, "",
          "Department to act for (with --as_role ROLE_DEPARTMENT_HANDLER).");
ABSL_FLAG(std::string, to_department, "",
          "order-act DISPATCH: target department (empty = the category's default).");
ABSL_FLAG(double, sla_compression, 1,
          "catalog-load: divide every SLA duration by this (>= 1), to match a simulated day "
          "running that many times faster than real time (gridsim --speed).");
ABSL_FLAG(std::string, verifier, "",
          "order-act ASSIGN_VERIFICATION: the grid worker who verifies.");
ABSL_FLAG(std::string, principal_key_file, "",
          "HMAC key file shared with the services (else $GRIDWORK_PRINCIPAL_KEY).");
ABSL_FLAG(std::string, as_subject, "gridctl", "Subject recorded as the author of changes.");
ABSL_FLAG(std::string, as_role, "ROLE_ADMIN", "Role to act as, e.g. ROLE_ADMIN, ROLE_GRID_LEADER.");
ABSL_FLAG(std::string, scope, "", "Region scope to act within (empty = everything).");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30), "Deadline of each call.");
ABSL_FLAG(bool, validate_only, false, "import-regions: report issues without writing.");
ABSL_FLAG(bool, json, false, "Print responses as JSON (older commands; same as -o json).");
ABSL_FLAG(std::string, o, "table", "Output of listings: table, json or csv.");
ABSL_FLAG(std::string, gateway, "",
          "Go through this gateway (host:port) as the logged-in user; login: where to log in "
          "(default 127.0.0.1:50050, or the one stored at login).");
ABSL_FLAG(std::string, password_file, "",
          "login: read the password from this file's first line (else $GRIDWORK_PASSWORD, else "
          "the terminal).");
ABSL_FLAG(std::string, worker, "", "bindings list: the worker whose bindings to list.");

namespace gridwork::gridctl {
namespace {

namespace gv1 = geofence::v1;

int ImportRegions(Client& c, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "gridctl: cannot read " << file << "\n";
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  gv1::ImportRegionsRequest req;
  req.set_geojson(ss.str());
  req.set_validate_only(absl::GetFlag(FLAGS_validate_only));
  // Same file, same request id: re-running an import that already succeeded is a no-op.
  req.set_request_id(absl::StrCat("import-", Sha256Hex(req.geojson()).substr(0, 32)));
  gv1::ImportRegionsResponse resp;
  auto ctx = c.Context();
  grpc::Status s = c.stub().ImportRegions(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("import-regions", s);
  if (absl::GetFlag(FLAGS_json)) {
    Print(resp);
    return resp.has_errors() ? 1 : 0;
  }
  std::cout << "created " << resp.created() << ", replaced " << resp.replaced() << ", "
            << resp.issues_size() << " issue(s)\n";
  for (const auto& i : resp.issues()) {
    std::cout << "  " << gv1::ValidationIssue::Severity_Name(i.severity()) << " " << i.code() << " "
              << i.region_id() << ": " << i.message() << "\n";
  }
  return resp.has_errors() ? 1 : 0;
}

int Locate(Client& c, const std::string& lat_s, const std::string& lng_s) {
  double lat = 0, lng = 0;
  if (!absl::SimpleAtod(lat_s, &lat) || !absl::SimpleAtod(lng_s, &lng)) {
    std::cerr << "gridctl: locate LAT LNG (WGS-84 degrees)\n";
    return 2;
  }
  gv1::LocateRequest req;
  req.mutable_position()->set_lat(lat);
  req.mutable_position()->set_lng(lng);
  gv1::LocateResponse resp;
  auto ctx = c.Context();
  grpc::Status s = c.stub().Locate(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("locate", s);
  if (absl::GetFlag(FLAGS_json)) {
    Print(resp);
    return 0;
  }
  if (!resp.found()) {
    std::cout << "(" << lat << ", " << lng << ") is in no region\n";
    return 0;
  }
  std::cout << "(" << lat << ", " << lng << ") is in " << resp.region().id() << "\n";
  for (const auto& r : resp.path()) {
    std::cout << "  " << common::v1::RegionLevel_Name(r.level()) << "  " << r.id() << "  "
              << r.name() << "\n";
  }
  return 0;
}

int ListRegions(Client& c, const std::string& parent) {
  gv1::ListRegionsRequest req;
  req.set_parent_id(parent);
  req.set_page_size(1000);
  int total = 0;
  do {
    gv1::ListRegionsResponse resp;
    auto ctx = c.Context();
    grpc::Status s = c.stub().ListRegions(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("list-regions", s);
    for (const auto& r : resp.regions()) {
      std::cout << r.id() << "\t" << r.name() << "\t" << static_cast<int64_t>(r.area_m2())
                << " m²\n";
      ++total;
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  std::cerr << total << " region(s)\n";
  return 0;
}

int ExportRegions(Client& c, const std::string& root) {
  gv1::ExportRegionsRequest req;
  req.set_root_id(root);
  gv1::ExportRegionsResponse resp;
  auto ctx = c.Context();
  grpc::Status s = c.stub().ExportRegions(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("export-regions", s);
  std::cout << resp.geojson() << "\n";
  return 0;
}

int Bind(Client& c, const std::string& worker, const std::string& grid, const std::string& role) {
  gv1::BindWorkerRequest req;
  req.set_worker_id(worker);
  req.set_grid_id(grid);
  req.set_role(role == "leader"      ? gv1::BINDING_ROLE_LEADER
               : role == "volunteer" ? gv1::BINDING_ROLE_VOLUNTEER
                                     : gv1::BINDING_ROLE_WORKER);
  req.set_request_id(NewId("bind"));
  gv1::Binding resp;
  auto ctx = c.Context();
  grpc::Status s = c.stub().BindWorker(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("bind", s);
  Print(resp);
  return 0;
}

int WorkersIn(Client& c, const std::string& region) {
  gv1::ListWorkersInRegionRequest req;
  req.set_region_id(region);
  req.set_page_size(1000);
  do {
    gv1::ListWorkersInRegionResponse resp;
    auto ctx = c.Context();
    grpc::Status s = c.stub().ListWorkersInRegion(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("workers-in", s);
    for (const auto& w : resp.workers()) {
      std::cout << w.worker_id() << "\t" << w.current_grid_id() << "\t"
                << (w.in_own_grid() ? "own grid" : "away") << "\n";
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return 0;
}

int Report(Client& c, const std::string& worker, const std::string& lat_s, const std::string& lng_s,
           const std::string& acc_s) {
  double lat = 0, lng = 0, acc = 10;
  if (!absl::SimpleAtod(lat_s, &lat) || !absl::SimpleAtod(lng_s, &lng) ||
      (!acc_s.empty() && !absl::SimpleAtod(acc_s, &acc))) {
    std::cerr << "gridctl: report WORKER LAT LNG [ACCURACY_M]\n";
    return 2;
  }
  location::v1::FixBatch batch;
  batch.set_worker_id(worker);
  batch.set_device_id("gridctl");
  auto* f = batch.add_fixes();
  f->set_sequence(static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())));
  *f->mutable_device_time() = service::ToProto(absl::Now());
  f->mutable_position()->set_lat(lat);
  f->mutable_position()->set_lng(lng);
  f->set_accuracy_m(acc);
  location::v1::BatchAck ack;
  auto ctx = c.Context();
  grpc::Status s = c.location().IngestFixes(ctx.get(), batch, &ack);
  if (!s.ok()) return Fail("report", s);
  Print(ack);
  return ack.rejections_size() == 0 ? 0 : 1;
}

int Last(Client& c, const std::vector<std::string>& workers) {
  location::v1::GetLastPositionsRequest req;
  for (const auto& w : workers) req.add_worker_ids(w);
  location::v1::GetLastPositionsResponse resp;
  auto ctx = c.Context();
  grpc::Status s = c.location().GetLastPositions(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("last", s);
  Print(resp);
  return 0;
}

int Track(Client& c, const std::string& worker, const std::string& hours_s) {
  int hours = 24;
  if (!hours_s.empty() && !absl::SimpleAtoi(hours_s, &hours)) hours = 24;
  location::v1::GetTrackRequest req;
  req.set_worker_id(worker);
  *req.mutable_start_time() = service::ToProto(absl::Now() - absl::Hours(hours));
  *req.mutable_end_time() = service::ToProto(absl::Now() + absl::Minutes(5));
  req.set_packed(true);
  int total = 0;
  do {
    location::v1::GetTrackResponse resp;
    auto ctx = c.Context();
    grpc::Status s = c.location().GetTrack(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("track", s);
    // A server without the packed encoding answers in `points`; print whichever came.
    absl::StatusOr<std::vector<location::TrackSample>> samples =
        location::UnpackTrack(resp.packed());
    if (!samples.ok()) {
      std::cerr << "track: " << samples.status().message() << "\n";
      return 1;
    }
    std::vector<location::v1::TrackPoint> points(resp.points().begin(), resp.points().end());
    for (const location::TrackSample& t : *samples) points.push_back(location::ToTrackPoint(t));
    for (const auto& p : points) {
      std::cout << absl::FormatTime(service::FromProto(p.device_time())) << "\t"
                << p.position().lat() << "\t" << p.position().lng() << "\t" << p.accuracy_m()
                << " m\n";
      ++total;
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  std::cerr << total << " fix(es)\n";
  return 0;
}

int WorkerState(Client& c, const std::string& worker) {
  gv1::GetWorkerStateRequest req;
  req.set_worker_id(worker);
  gv1::WorkerState resp;
  auto ctx = c.Context();
  grpc::Status s = c.stub().GetWorkerState(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("worker", s);
  Print(resp);
  return 0;
}

int Usage() {
  std::cerr
      << "usage: gridctl [flags] COMMAND ARGS...      (gridctl COMMAND --help for one command)\n"
         "session (through the gateway): login USER | logout | whoami\n"
         "resources: regions list|import|export|locate | workers list | bindings list |\n"
         "           keypoints list | orders list|show|history|transition | inspections list |\n"
         "           cockpit [REGION]          listings take -o table|json|csv\n"
         "older commands: import-regions FILE | export-regions [ROOT] | list-regions [PARENT] |\n"
         "          locate LAT LNG | bind WORKER GRID [ROLE] | workers-in REGION |\n"
         "          report WORKER LAT LNG [ACC] | last WORKER... | track WORKER [HOURS] |\n"
         "          worker WORKER |\n"
         "          catalog-load FILE.json | orders [STATE...] | order-counts |\n"
         "          order-report CATEGORY LAT LNG TEXT | order ID | order-history ID |\n"
         "          order-act ID ACTION [NOTE] | order-verify ID |\n"
         "          inspection-load-catalog FILE.json | checklists [DEPT] | subjects [PREFIX] |\n"
         "          subject-register TYPE NAME LAT LNG | tasks [ASSIGNEE] |\n"
         "          task-assign SUBJECT TEMPLATE ASSIGNEE [DUE_HOURS] |\n"
         "          cockpit [REGION] | assessment [REGION] | order-stats [REGION] |\n"
         "          series-csv METRIC [REGION] [DAYS]\n"
         "mode: with --principal_key_file (or $GRIDWORK_PRINCIPAL_KEY and no login) straight to\n"
         "      the services as an operator; when logged in, or with --gateway, through the\n"
         "      gateway as the user.\n"
         "exit codes: 0 ok, 1 problems reported, 2 usage, 3 unauthenticated, 4 permission\n"
         "      denied, 5 not found, 6 invalid argument/precondition, 7 conflict, 8 resource\n"
         "      exhausted, 9 unavailable/deadline, 10 other. run gridctl --help for flags\n";
  return kExitUsage;
}

// Checks every flag in argv before absl parses it (absl exits with 1 on a bad flag; gridctl's
// usage errors exit with 2). Prints the problem and returns false.
bool FlagsValid(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-') continue;
    if (a == "--help" || a == "-help" || a == "--helpfull" || a == "--version") continue;
    std::string body = a.substr(a[1] == '-' ? 2 : 1);
    std::string name = body.substr(0, body.find('='));
    const bool inline_value = body.find('=') != std::string::npos;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && name.rfind("no", 0) == 0) {
      flag = absl::FindCommandLineFlag(name.substr(2));
      if (flag != nullptr && flag->IsOfType<bool>() && !inline_value) continue;
      flag = nullptr;
    }
    if (flag == nullptr) {
      std::cerr << "gridctl: unknown flag " << a << " (gridctl --help lists them)\n";
      return false;
    }
    std::string value;
    if (inline_value) {
      value = body.substr(body.find('=') + 1);
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::cerr << "gridctl: flag " << a << " needs a value\n";
      return false;
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      std::cerr << "gridctl: bad value for " << a << ": " << error << "\n";
      return false;
    }
  }
  return true;
}

// `gridctl COMMAND --help`, `gridctl COMMAND -h` and `gridctl help COMMAND`: the command's
// help on stdout. Returns nullopt when argv asks for no command help.
std::optional<int> CommandHelpRequested(int argc, char** argv) {
  std::string command;
  bool asked = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h" || a == "-help") {
      asked = true;
    } else if (a == "help" && command.empty()) {
      asked = true;
    } else if (a[0] != '-' && command.empty()) {
      command = a;
    }
  }
  if (!asked || command.empty()) return std::nullopt;
  std::string help = CommandHelp(command);
  if (help.empty()) {
    std::cerr << "gridctl: no help for " << command << "\n";
    return Usage();
  }
  std::cout << help;
  return kExitOk;
}

}  // namespace
}  // namespace gridwork::gridctl

int main(int argc, char** argv) {
  using namespace gridwork::gridctl;
  if (std::optional<int> rc = CommandHelpRequested(argc, argv); rc.has_value()) return *rc;
  if (!FlagsValid(argc, argv)) return kExitUsage;
  std::vector<char*> args = gridwork::ParseFlags(
      argc, argv,
      "command line for Gridwork, as an operator (signed principal) or as a logged-in user "
      "through the gateway.\nUsage: gridctl [flags] COMMAND ARGS...; gridctl COMMAND --help; "
      "commands: login, logout, whoami, regions, workers, bindings, keypoints, orders, "
      "inspections, cockpit, and the older import-regions, export-regions, list-regions, "
      "locate, bind, workers-in, report, last, track, worker, catalog-load, orders, "
      "order-counts, order-report, order, order-history, order-act, order-verify, "
      "inspection-load-catalog, checklists, subjects, subject-register, tasks, task-assign, "
      "assessment, order-stats, series-csv, checkpoint");
  if (args.size() < 2) return Usage();
  const std::string cmd = args[1];
  std::optional<OutputFormat> format = ParseOutputFormat(absl::GetFlag(FLAGS_o));
  if (!format.has_value()) {
    std::cerr << "gridctl: -o takes table, json or csv\n";
    return kExitUsage;
  }
  if (absl::GetFlag(FLAGS_json)) format = OutputFormat::kJson;
  GatewayFlags gw;
  gw.gateway = absl::GetFlag(FLAGS_gateway);
  gw.password_file = absl::GetFlag(FLAGS_password_file);
  gw.timeout = absl::GetFlag(FLAGS_timeout);
  gw.format = *format;
  if (cmd == "login") {
    if (args.size() != 3) return (std::cerr << CommandHelp("login"), kExitUsage);
    return Login(args[2], gw);
  }
  if (cmd == "logout") return args.size() == 2 ? Logout(gw) : Usage();
  if (cmd == "whoami") return args.size() == 2 ? WhoAmI(gw) : Usage();

  static const std::set<std::string> kCommands = {"regions",
                                                  "workers",
                                                  "bindings",
                                                  "keypoints",
                                                  "key-points",
                                                  "orders",
                                                  "inspections",
                                                  "import-regions",
                                                  "export-regions",
                                                  "list-regions",
                                                  "locate",
                                                  "bind",
                                                  "workers-in",
                                                  "report",
                                                  "last",
                                                  "track",
                                                  "worker",
                                                  "catalog-load",
                                                  "order-counts",
                                                  "order-report",
                                                  "order",
                                                  "order-history",
                                                  "order-act",
                                                  "order-verify",
                                                  "inspection-load-catalog",
                                                  "checklists",
                                                  "subjects",
                                                  "subject-register",
                                                  "tasks",
                                                  "task-assign",
                                                  "cockpit",
                                                  "assessment",
                                                  "order-stats",
                                                  "series-csv",
                                                  "checkpoint"};
  if (kCommands.count(cmd) == 0) {
    std::cerr << "gridctl: unknown command " << cmd << "\n";
    return Usage();
  }

  // Operator mode when a principal key is named, or only in the environment and nobody is
  // logged in; otherwise through the gateway.
  const bool key_flag = !absl::GetFlag(FLAGS_principal_key_file).empty();
  const char* key_env = std::getenv("GRIDWORK_PRINCIPAL_KEY");
  const bool operator_mode = key_flag || (gw.gateway.empty() && key_env != nullptr &&
                                          *key_env != '\0' && !HasStoredLogin());
  std::unique_ptr<Client> client_ptr;
  if (operator_mode) {
    auto key = gridwork::rpc::LoadPrincipalKey(absl::GetFlag(FLAGS_principal_key_file));
    if (!key.ok()) {
      std::cerr << "gridctl: " << key.status().message() << "\n";
      return kExitUsage;
    }
    ClientOptions options;
    options.geofence_addr = absl::GetFlag(FLAGS_geofence_addr);
    options.location_addr = absl::GetFlag(FLAGS_location_addr);
    options.workorder_addr = absl::GetFlag(FLAGS_workorder_addr);
    options.inspection_addr = absl::GetFlag(FLAGS_inspection_addr);
    options.analytics_addr = absl::GetFlag(FLAGS_analytics_addr);
    options.subject = absl::GetFlag(FLAGS_as_subject);
    options.role = absl::GetFlag(FLAGS_as_role);
    options.scope = absl::GetFlag(FLAGS_scope);
    options.department = absl::GetFlag(FLAGS_department);
    options.timeout = absl::GetFlag(FLAGS_timeout);
    client_ptr = std::make_unique<Client>(*key, options);
  } else {
    auto session = ConnectStored(gw);
    if (!session.ok()) {
      std::cerr << "gridctl: " << session.status().message()
                << " (or use --principal_key_file as an operator)\n";
      return ExitCodeFor(session.status());
    }
    client_ptr = std::make_unique<Client>(std::move(*session), gw.timeout);
  }
  Client& client = *client_ptr;
  std::vector<std::string> rest;
  for (size_t i = 2; i < args.size(); ++i) rest.push_back(args[i]);
  ResourceOptions ro;
  ro.format = *format;
  ro.validate_only = absl::GetFlag(FLAGS_validate_only);
  ro.worker = absl::GetFlag(FLAGS_worker);
  ro.act = {absl::GetFlag(FLAGS_to_department), absl::GetFlag(FLAGS_verifier)};
  if (std::optional<int> rc = RunResourceCommand(client, cmd, rest, ro); rc.has_value()) {
    return *rc;
  }
  auto arg = [&](size_t i) { return i < args.size() ? std::string(args[i]) : std::string(); };
  if (cmd == "import-regions" && args.size() == 3) return ImportRegions(client, arg(2));
  if (cmd == "export-regions") return ExportRegions(client, arg(2));
  if (cmd == "list-regions") return ListRegions(client, arg(2));
  if (cmd == "locate" && args.size() == 4) return Locate(client, arg(2), arg(3));
  if (cmd == "bind" && args.size() >= 4) return Bind(client, arg(2), arg(3), arg(4));
  if (cmd == "workers-in" && args.size() == 3) return WorkersIn(client, arg(2));
  if (cmd == "report" && args.size() >= 5) return Report(client, arg(2), arg(3), arg(4), arg(5));
  if (cmd == "last" && args.size() >= 3) {
    return Last(client, std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (cmd == "track" && args.size() >= 3) return Track(client, arg(2), arg(3));
  if (cmd == "worker" && args.size() == 3) return WorkerState(client, arg(2));
  if (cmd == "checkpoint" && args.size() == 4) return Checkpoint(client, arg(2), arg(3));
  if (std::optional<int> rc = RunInspectionCommand(client, cmd, rest); rc.has_value()) return *rc;
  if (std::optional<int> rc = RunAnalyticsCommand(client, cmd, rest); rc.has_value()) return *rc;
  if (std::optional<int> rc =
          RunWorkOrderCommand(client, cmd, rest,
                              {absl::GetFlag(FLAGS_to_department), absl::GetFlag(FLAGS_verifier),
                               absl::GetFlag(FLAGS_sla_compression)});
      rc.has_value())
    return *rc;
  return Usage();
}
