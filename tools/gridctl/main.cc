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
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
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
#include "tools/gridctl/client.h"
#include "tools/gridctl/analytics_commands.h"
#include "tools/gridctl/inspection_commands.h"
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
ABSL_FLAG(std::string, verifier, "",
          "order-act ASSIGN_VERIFICATION: the grid worker who verifies.");
ABSL_FLAG(std::string, principal_key_file, "",
          "HMAC key file shared with the services (else $GRIDWORK_PRINCIPAL_KEY).");
ABSL_FLAG(std::string, as_subject, "gridctl", "Subject recorded as the author of changes.");
ABSL_FLAG(std::string, as_role, "ROLE_ADMIN", "Role to act as, e.g. ROLE_ADMIN, ROLE_GRID_LEADER.");
ABSL_FLAG(std::string, scope, "", "Region scope to act within (empty = everything).");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30), "Deadline of each call.");
ABSL_FLAG(bool, validate_only, false, "import-regions: report issues without writing.");
ABSL_FLAG(bool, json, false, "Print responses as JSON.");

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
      << "usage: gridctl [flags] COMMAND ARGS...\n"
         "commands: import-regions FILE | export-regions [ROOT] | list-regions [PARENT] |\n"
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
         "run gridctl --help for flags\n";
  return 2;
}

}  // namespace
}  // namespace gridwork::gridctl

int main(int argc, char** argv) {
  using namespace gridwork::gridctl;
  std::vector<char*> args = gridwork::ParseFlags(
      argc, argv,
      "operator command line for Gridwork services.\nUsage: gridctl [flags] COMMAND ARGS... "
      "(import-regions, export-regions, list-regions, locate, bind, workers-in, report, last, "
      "track, worker, catalog-load, orders, order-counts, order-report, order, order-history, "
      "order-act, order-verify, inspection-load-catalog, checklists, subjects, subject-register, "
      "tasks, task-assign, cockpit, assessment, order-stats, series-csv)");
  if (args.size() < 2) return Usage();
  auto key = gridwork::rpc::LoadPrincipalKey(absl::GetFlag(FLAGS_principal_key_file));
  if (!key.ok()) {
    std::cerr << "gridctl: " << key.status().message() << "\n";
    return 2;
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
  Client client(*key, options);
  const std::string cmd = args[1];
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
  std::vector<std::string> rest;
  for (size_t i = 2; i < args.size(); ++i) rest.push_back(args[i]);
  if (std::optional<int> rc = RunInspectionCommand(client, cmd, rest); rc.has_value()) return *rc;
  if (std::optional<int> rc = RunAnalyticsCommand(client, cmd, rest); rc.has_value()) return *rc;
  if (std::optional<int> rc = RunWorkOrderCommand(
          client, cmd, rest, {absl::GetFlag(FLAGS_to_department), absl::GetFlag(FLAGS_verifier)});
      rc.has_value())
    return *rc;
  return Usage();
}
