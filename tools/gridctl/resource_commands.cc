#include "tools/gridctl/resource_commands.h"

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/service/time_convert.h"
#include "tools/gridctl/exit_codes.h"
#include "tools/gridctl/inspection_commands.h"
#include "tools/gridctl/progress.h"

namespace gridwork::gridctl {
namespace {

namespace gv1 = geofence::v1;
namespace wv1 = workorder::v1;
namespace iv1 = inspection::v1;

int UsageOf(const std::string& noun) {
  std::cerr << CommandHelp(noun);
  return kExitUsage;
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", service::FromProto(t), absl::UTCTimeZone());
}

// Calls one page after another (`call` fills a response for the request's page token), adding
// each page to `listing`; shows progress on stderr once more than one page came.
template <class Req, class Resp, class Call, class AddPage>
int ListAll(const std::string& what, Req req, Call call, AddPage add_page, Listing* listing) {
  std::unique_ptr<Progress> progress;
  int pages = 0;
  do {
    Resp resp;
    grpc::Status s = call(req, &resp);
    if (!s.ok()) return Fail(what, s);
    add_page(resp);
    if (++pages == 2) progress = std::make_unique<Progress>(what, 0);
    if (progress) progress->Update(static_cast<int64_t>(listing->size()));
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return kExitOk;
}

int Regions(Client& c, const std::vector<std::string>& a, const ResourceOptions& o) {
  const std::string verb = a.empty() ? "" : a[0];
  if (verb == "list" && a.size() <= 2) {
    gv1::ListRegionsRequest req;
    req.set_parent_id(a.size() > 1 ? a[1] : "");
    req.set_page_size(1000);
    Listing l({"ID", "LEVEL", "NAME", "AREA_M2"});
    int rc = ListAll<gv1::ListRegionsRequest, gv1::ListRegionsResponse>(
        "regions list", req,
        [&](const auto& r, auto* resp) { return c.stub().ListRegions(c.Context().get(), r, resp); },
        [&](const gv1::ListRegionsResponse& p) {
          for (const auto& r : p.regions()) {
            l.Add(r, {r.id(), common::v1::RegionLevel_Name(r.level()), r.name(),
                      absl::StrCat(static_cast<int64_t>(r.area_m2()))});
          }
        },
        &l);
    if (rc == kExitOk) l.Print(o.format, std::cout);
    return rc;
  }
  if (verb == "import" && a.size() == 2) {
    std::ifstream in(a[1], std::ios::binary);
    if (!in) {
      std::cerr << "gridctl: cannot read " << a[1] << "\n";
      return kExitUsage;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    gv1::ImportRegionsRequest req;
    req.set_geojson(ss.str());
    req.set_validate_only(o.validate_only);
    req.set_request_id(absl::StrCat("import-", Sha256Hex(req.geojson()).substr(0, 32)));
    gv1::ImportRegionsResponse resp;
    grpc::Status s;
    {
      Progress p(absl::StrCat("regions import ", a[1], " (", req.geojson().size() / 1024, " KiB)"),
                 0, "");
      p.Ticking();
      s = c.stub().ImportRegions(c.Context().get(), req, &resp);
    }
    if (!s.ok()) return Fail("regions import", s);
    if (o.format == OutputFormat::kTable) {
      std::cout << "created " << resp.created() << ", replaced " << resp.replaced() << ", "
                << resp.issues_size() << " issue(s)\n";
    }
    Listing l({"SEVERITY", "CODE", "REGION", "MESSAGE"});
    for (const auto& i : resp.issues()) {
      l.Add(i, {gv1::ValidationIssue::Severity_Name(i.severity()), i.code(), i.region_id(),
                i.message()});
    }
    if (o.format == OutputFormat::kJson) {
      Print(resp);
      std::cout << "\n";
    } else if (l.size() > 0 || o.format == OutputFormat::kCsv) {
      l.Print(o.format, std::cout);
    }
    return resp.has_errors() ? kExitProblems : kExitOk;
  }
  if (verb == "export" && a.size() <= 2) {
    gv1::ExportRegionsRequest req;
    req.set_root_id(a.size() > 1 ? a[1] : "");
    gv1::ExportRegionsResponse resp;
    grpc::Status s;
    {
      Progress p("regions export", 0, "");
      p.Ticking();
      s = c.stub().ExportRegions(c.Context().get(), req, &resp);
    }
    if (!s.ok()) return Fail("regions export", s);
    std::cout << resp.geojson() << "\n";
    return kExitOk;
  }
  if (verb == "locate" && a.size() == 3) {
    double lat = 0, lng = 0;
    if (!absl::SimpleAtod(a[1], &lat) || !absl::SimpleAtod(a[2], &lng)) return UsageOf("regions");
    gv1::LocateRequest req;
    req.mutable_position()->set_lat(lat);
    req.mutable_position()->set_lng(lng);
    gv1::LocateResponse resp;
    grpc::Status s = c.stub().Locate(c.Context().get(), req, &resp);
    if (!s.ok()) return Fail("regions locate", s);
    Listing l({"LEVEL", "ID", "NAME"});
    for (const auto& r : resp.path()) {
      l.Add(r, {common::v1::RegionLevel_Name(r.level()), r.id(), r.name()});
    }
    l.Print(o.format, std::cout);
    return resp.found() ? kExitOk : kExitNotFound;
  }
  return UsageOf("regions");
}

int Workers(Client& c, const std::vector<std::string>& a, const ResourceOptions& o) {
  if (a.size() != 2 || a[0] != "list") return UsageOf("workers");
  gv1::ListWorkersInRegionRequest req;
  req.set_region_id(a[1]);
  req.set_page_size(1000);
  Listing l({"WORKER", "GRID", "IN_OWN_GRID"});
  int rc = ListAll<gv1::ListWorkersInRegionRequest, gv1::ListWorkersInRegionResponse>(
      "workers list", req,
      [&](const auto& r, auto* resp) {
        return c.stub().ListWorkersInRegion(c.Context().get(), r, resp);
      },
      [&](const gv1::ListWorkersInRegionResponse& p) {
        for (const auto& w : p.workers()) {
          l.Add(w, {w.worker_id(), w.current_grid_id(), w.in_own_grid() ? "yes" : "no"});
        }
      },
      &l);
  if (rc == kExitOk) l.Print(o.format, std::cout);
  return rc;
}

int Bindings(Client& c, const std::vector<std::string>& a, const ResourceOptions& o) {
  if (a.empty() || a[0] != "list" || (a.size() != 2 && o.worker.empty()) || a.size() > 2) {
    return UsageOf("bindings");
  }
  gv1::ListBindingsRequest req;
  if (!o.worker.empty()) {
    req.set_worker_id(o.worker);
  } else {
    req.set_region_id(a[1]);
  }
  req.set_page_size(1000);
  Listing l({"WORKER", "GRID", "ROLE", "SINCE"});
  int rc = ListAll<gv1::ListBindingsRequest, gv1::ListBindingsResponse>(
      "bindings list", req,
      [&](const auto& r, auto* resp) { return c.stub().ListBindings(c.Context().get(), r, resp); },
      [&](const gv1::ListBindingsResponse& p) {
        for (const auto& b : p.bindings()) {
          l.Add(b,
                {b.worker_id(), b.grid_id(), gv1::BindingRole_Name(b.role()), Time(b.bind_time())});
        }
      },
      &l);
  if (rc == kExitOk) l.Print(o.format, std::cout);
  return rc;
}

int KeyPoints(Client& c, const std::vector<std::string>& a, const ResourceOptions& o) {
  if (a.size() != 2 || a[0] != "list") return UsageOf("keypoints");
  gv1::ListKeyPointsRequest req;
  req.set_region_id(a[1]);
  req.set_page_size(1000);
  Listing l({"ID", "NAME", "KIND", "GRID", "RADIUS_M"});
  int rc = ListAll<gv1::ListKeyPointsRequest, gv1::ListKeyPointsResponse>(
      "keypoints list", req,
      [&](const auto& r, auto* resp) { return c.stub().ListKeyPoints(c.Context().get(), r, resp); },
      [&](const gv1::ListKeyPointsResponse& p) {
        for (const auto& k : p.key_points()) {
          l.Add(k, {k.id(), k.name(), gv1::KeyPointKind_Name(k.kind()), k.grid_id(),
                    absl::StrCat(k.radius_m())});
        }
      },
      &l);
  if (rc == kExitOk) l.Print(o.format, std::cout);
  return rc;
}

int Orders(Client& c, const std::vector<std::string>& a, const ResourceOptions& o) {
  const std::string verb = a.empty() ? "" : a[0];
  std::vector<std::string> rest(a.begin() + (a.empty() ? 0 : 1), a.end());
  if (verb == "list") {
    wv1::ListOrdersRequest req;
    for (const auto& name : rest) {
      wv1::State s;
      if (!wv1::State_Parse("STATE_" + name, &s) && !wv1::State_Parse(name, &s)) {
        std::cerr << "gridctl: unknown state " << name << "\n";
        return kExitUsage;
      }
      req.mutable_filter()->add_states(s);
    }
    req.set_page_size(500);
    Listing l({"ID", "STATE", "CATEGORY", "DEPARTMENT", "REGION", "OVERDUE"});
    int rc = ListAll<wv1::ListOrdersRequest, wv1::ListOrdersResponse>(
        "orders list", req,
        [&](const auto& r, auto* resp) {
          return c.workorder().ListOrders(c.Context().get(), r, resp);
        },
        [&](const wv1::ListOrdersResponse& p) {
          for (const auto& w : p.orders()) {
            l.Add(w, {w.id(), wv1::State_Name(w.state()).substr(6), w.category_id(), w.department(),
                      w.region_path(), w.overdue() ? "yes" : "no"});
          }
        },
        &l);
    if (rc == kExitOk) l.Print(o.format, std::cout);
    return rc;
  }
  std::optional<int> rc;
  if (verb == "show" && rest.size() == 1) rc = RunWorkOrderCommand(c, "order", rest, o.act);
  if (verb == "history" && rest.size() == 1) {
    rc = RunWorkOrderCommand(c, "order-history", rest, o.act);
  }
  if (verb == "transition" && rest.size() >= 2) {
    rc = RunWorkOrderCommand(c, "order-act", rest, o.act);
  }
  return rc.has_value() ? *rc : UsageOf("orders");
}

int Inspections(Client& c, const std::vector<std::string>& a, const ResourceOptions& o) {
  if (a.empty() || a[0] != "list" || a.size() > 2) return UsageOf("inspections");
  iv1::ListTasksRequest req;
  req.set_assignee(a.size() > 1 ? a[1] : "");
  req.set_page_size(1000);
  Listing l({"ID", "STATE", "ASSIGNEE", "SUBJECT", "TEMPLATE", "DUE"});
  int rc = ListAll<iv1::ListTasksRequest, iv1::ListTasksResponse>(
      "inspections list", req,
      [&](const auto& r, auto* resp) {
        return c.inspection().ListTasks(c.Context().get(), r, resp);
      },
      [&](const iv1::ListTasksResponse& p) {
        for (const auto& t : p.tasks()) {
          l.Add(t, {t.id(), iv1::TaskState_Name(t.state()).substr(11), t.assignee(),
                    t.subject_name(), t.template_id(), Time(t.due_at())});
        }
      },
      &l);
  if (rc == kExitOk) l.Print(o.format, std::cout);
  return rc;
}

}  // namespace

std::optional<int> RunResourceCommand(Client& c, const std::string& noun,
                                      const std::vector<std::string>& args,
                                      const ResourceOptions& options) {
  if (noun == "regions") return Regions(c, args, options);
  if (noun == "workers") return Workers(c, args, options);
  if (noun == "bindings") return Bindings(c, args, options);
  if (noun == "keypoints" || noun == "key-points") return KeyPoints(c, args, options);
  if (noun == "inspections") return Inspections(c, args, options);
  // `orders STATE...` (no verb) stays the older listing.
  if (noun == "orders" && !args.empty() &&
      (args[0] == "list" || args[0] == "show" || args[0] == "history" || args[0] == "transition")) {
    return Orders(c, args, options);
  }
  return std::nullopt;
}

std::string CommandHelp(const std::string& command) {
  static const std::map<std::string, std::string> kHelp = {
      {"login",
       "gridctl login USER [--gateway HOST:PORT]\n"
       "  Logs in through the gateway. The password is read from --password_file, else\n"
       "  $GRIDWORK_PASSWORD, else asked on the terminal (not echoed). Stores the refresh\n"
       "  token in ${GRIDWORK_CONFIG:-~/.config/gridwork}/credentials.json (mode 0600).\n"},
      {"logout",
       "gridctl logout\n  Ends the session at the gateway and removes the stored login.\n"},
      {"whoami",
       "gridctl whoami [-o table|json]\n  The user, role, scope and session the gateway sees.\n"},
      {"regions",
       "gridctl regions list [PARENT]          children of PARENT (districts when omitted)\n"
       "gridctl regions import FILE.geojson    import (with --validate_only: only check)\n"
       "gridctl regions export [ROOT]          GeoJSON of a subtree on stdout\n"
       "gridctl regions locate LAT LNG         the region path containing a WGS-84 point\n"
       "  exit 1: import reported errors; 5: locate found no region\n"},
      {"workers", "gridctl workers list REGION    workers whose current grid is in REGION\n"},
      {"bindings",
       "gridctl bindings list REGION | bindings list --worker WORKER\n"
       "  worker <-> grid bindings of a region subtree or of one worker\n"},
      {"keypoints", "gridctl keypoints list REGION    key points (checkpoints) of a subtree\n"},
      {"orders",
       "gridctl orders list [STATE...]                 e.g. orders list REPORTED DISPATCHED\n"
       "gridctl orders show ID | orders history ID\n"
       "gridctl orders transition ID ACTION [NOTE]     e.g. DISPATCH --to_department water\n"},
      {"inspections", "gridctl inspections list [ASSIGNEE]    inspection tasks\n"},
      {"cockpit", "gridctl cockpit [REGION]    one-screen summary (analytics)\n"},
      {"checkpoint",
       "gridctl checkpoint SERVICE[/SHARD] NAME\n"
       "  Online RocksDB checkpoint of a running service's store, written beside it in\n"
       "  checkpoints/SERVICE/NAME (docs/operations.md, Back up and restore). Admins only.\n"
       "  SERVICE: gateway, location, geofence, workorder, inspection, analytics (gateway and\n"
       "  /SHARD through the gateway only). Prints the path, feed sequence and size as JSON.\n"},
  };
  auto it = kHelp.find(command);
  if (it == kHelp.end()) return "";
  return it->second +
         "Listings take -o table|json|csv. Exit codes: 0 ok, 1 problems reported, 2 usage,\n"
         "3 unauthenticated, 4 permission denied, 5 not found, 6 invalid, 7 conflict,\n"
         "8 resource exhausted, 9 unavailable, 10 other.\n";
}

}  // namespace gridwork::gridctl
