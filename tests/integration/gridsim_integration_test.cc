// gridsim against a real stack (geofence, location, workorder, inspection, analytics and the
// gateway as separate processes): `gridsim load-demo` twice (the second run creates nothing),
// then a short compressed `gridsim day` on the small region tree, then, through the gateway's
// APIs: fixes, check-ins, inspection results, closed, returned and reopened orders, and
// patrol coverage > 0.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/service/time_convert.h"
#include "tests/integration/core_services.h"
#include "tests/integration/small_tree.h"
#include "tools/gridsim/gateway_session.h"

namespace gridwork::testing {
namespace {

namespace an = analytics::v1;
namespace wo = workorder::v1;

constexpr char kAdminPassword[] = "integration-admin-pw";
constexpr char kTokenKey[] = "gridsim-integration-token-key-0123456789";

// Runs a command; returns its exit code and appends its output (stdout and stderr).
int Run(const std::string& cmd, std::string* out) {
  std::FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Stack : CoreServices {
  TempDir inspection_dir, analytics_dir, gateway_dir, work_dir;
  const std::string inspection_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string analytics_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  std::unique_ptr<ServiceProcess> inspection, analytics, gateway;

  Stack() {
    StartCore();
    inspection = std::make_unique<ServiceProcess>(
        "gridwork-inspection",
        std::vector<std::string>{
            "--data_dir=" + inspection_dir.path(), "--sync=false", "--grpc_addr=" + inspection_addr,
            "--geofence_addr=" + geofence_addr, "--location_addr=" + location_addr,
            "--workorder_addr=" + workorder_addr},
        std::vector<std::string>{KeyEnv()});
    analytics = std::make_unique<ServiceProcess>(
        "gridwork-analytics",
        std::vector<std::string>{
            "--data_dir=" + analytics_dir.path(), "--sync=false", "--grpc_addr=" + analytics_addr,
            "--geofence_addr=" + geofence_addr, "--location_addr=" + location_addr,
            "--workorder_addr=" + workorder_addr, "--inspection_addr=" + inspection_addr},
        std::vector<std::string>{KeyEnv()});
    gateway = std::make_unique<ServiceProcess>(
        "gridwork-gateway",
        std::vector<std::string>{
            "--data_dir=" + gateway_dir.path(), "--sync=false", "--pbkdf2_iterations=1000",
            "--http_addr=127.0.0.1:0", "--geofence_addr=" + geofence_addr,
            "--location_addr=" + location_addr, "--workorder_addr=" + workorder_addr,
            "--inspection_addr=" + inspection_addr, "--analytics_addr=" + analytics_addr,
            "--rate_limit_scale=100"},
        std::vector<std::string>{KeyEnv(), std::string("GRIDWORK_TOKEN_KEY=") + kTokenKey,
                                 std::string("GRIDWORK_ADMIN_PASSWORD=") + kAdminPassword});
    for (ServiceProcess* p : {inspection.get(), analytics.get(), gateway.get()}) {
      auto s = p->Start();
      INFO(s.message());
      REQUIRE(s.ok());
    }
    geofence::v1::ImportRegionsRequest import;
    import.set_request_id("import-tree");
    import.set_geojson(SmallTree());
    geofence::v1::ImportRegionsResponse imported;
    REQUIRE(geo->ImportRegions(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), import, &imported)
                .ok());
    LoadCatalogues();
  }

  // The two shipped catalogues, loaded as an admin directly at the services.
  void LoadCatalogues() {
    auto admin = [] { return As(MakePrincipal(common::v1::ROLE_ADMIN)); };
    wo::Catalog wcat;
    REQUIRE(
        google::protobuf::util::JsonStringToMessage(
            ReadFile(GRIDWORK_SOURCE_DIR "/services/workorder/data/default_catalog.json"), &wcat)
            .ok());
    for (const auto& c : wcat.categories()) {
      wo::UpsertCategoryRequest req;
      req.set_request_id("cat-" + c.id());
      *req.mutable_category() = c;
      wo::Category out;
      grpc::Status st = this->wo->UpsertCategory(admin().get(), req, &out);
      INFO(c.id() << ": " << st.error_message());
      REQUIRE(st.ok());
    }
    for (const auto& r : wcat.rules()) {
      wo::UpsertDispatchRuleRequest req;
      req.set_request_id("rule-" + r.id());
      *req.mutable_rule() = r;
      wo::DispatchRule out;
      REQUIRE(this->wo->UpsertDispatchRule(admin().get(), req, &out).ok());
    }
    auto insp = inspection::v1::InspectionService::NewStub(rpc::MakeChannel(inspection_addr));
    inspection::v1::Catalog icat;
    REQUIRE(
        google::protobuf::util::JsonStringToMessage(
            ReadFile(GRIDWORK_SOURCE_DIR "/services/inspection/data/default_catalog.json"), &icat)
            .ok());
    for (const auto& d : icat.departments()) {
      inspection::v1::UpsertDepartmentRequest req;
      req.set_request_id("dept-" + d.id());
      *req.mutable_department() = d;
      inspection::v1::Department out;
      REQUIRE(insp->UpsertDepartment(admin().get(), req, &out).ok());
    }
    for (const auto& c : icat.checklists()) {
      inspection::v1::CreateChecklistDraftRequest create;
      create.set_request_id("draft-" + c.template_id());
      *create.mutable_checklist() = c;
      inspection::v1::ChecklistVersion draft;
      grpc::Status st = insp->CreateChecklistDraft(admin().get(), create, &draft);
      INFO(c.template_id() << ": " << st.error_message());
      REQUIRE(st.ok());
      inspection::v1::PublishChecklistRequest pub;
      pub.set_request_id("publish-" + c.template_id());
      pub.set_template_id(draft.template_id());
      pub.set_version(draft.version());
      pub.set_expected_revision(draft.revision());
      inspection::v1::ChecklistVersion out;
      REQUIRE(insp->PublishChecklist(admin().get(), pub, &out).ok());
    }
  }

  std::string Gridsim(const std::string& args) const {
    return absl::StrCat(BinDir(), "/gridsim --gateway=", gateway->grpc_target(),
                        " --districts=410105 --credentials_file=", work_dir.path(),
                        "/demo-users.txt ", args);
  }
};

int CreatedOf(const std::string& out) {
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex("created (\\d+), failed (\\d+)")));
  CHECK(m[2] == "0");
  return std::stoi(m[1]);
}

TEST_CASE("gridsim loads the demo city once and simulates a day that closes the loop",
          "[gridsim][integration]") {
  Stack stack;
  std::string env = absl::StrCat("GRIDWORK_ADMIN_PASSWORD=", kAdminPassword, " ");

  std::string first;
  INFO(first);
  REQUIRE(Run(env + stack.Gridsim("load-demo"), &first) == 0);
  CHECK(CreatedOf(first) > 20);
  // Credentials: one line per role in the output, every user in the 0600 file.
  CHECK(first.find("ROLE_GRID_WORKER") != std::string::npos);
  CHECK(first.find("ROLE_DEPARTMENT_HANDLER") != std::string::npos);
  struct stat st;
  REQUIRE(::stat((stack.work_dir.path() + "/demo-users.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  std::string second;
  INFO(second);
  REQUIRE(Run(env + stack.Gridsim("load-demo"), &second) == 0);
  CHECK(CreatedOf(second) == 0);

  // A compressed 2-hour day (4 s at 1800x) with frequent reports, returns and reopens.
  std::string day;
  INFO(day);
  REQUIRE(Run(stack.Gridsim("--speed=1800 --day_hours=2 --sim_workers=0 --seed=3 "
                            "--incidents_per_worker=6 --resident_reports=3 --inspect_prob=1 "
                            "--item_fail_prob=0.3 --return_prob=0.3 --neglect_prob=0 "
                            "--reopen_prob=0.5 --summary_every=2s --drain=90s day"),
              &day) == 0);
  CHECK(day.find("final:") != std::string::npos);
  {
    // Inspections are checked on the track around when they were done on the simulated clock
    // (performed_at), not around the server's receipt hours later: most are VERIFIED.
    int inspections = 0, problems = 0, flagged = -1;
    const std::string final_line = day.substr(day.rfind("final:"));
    INFO(final_line);
    REQUIRE(std::sscanf(final_line.substr(final_line.find("| inspections")).c_str(),
                        "| inspections %d (problems %d, flagged %d)", &inspections, &problems,
                        &flagged) == 3);
    CHECK(inspections > 0);
    CHECK(flagged * 2 < inspections);
  }

  auto admin = gridsim::LoginGateway(stack.gateway->grpc_target(), "admin", kAdminPassword,
                                     absl::Seconds(10));
  REQUIRE(admin.ok());
  gridsim::GatewaySession& s = **admin;

  // Work orders: some closed, one returned on the way, one reopened.
  wo::ListOrdersRequest list;
  list.set_page_size(500);
  wo::ListOrdersResponse orders;
  REQUIRE(s.workorder().ListOrders(s.Context().get(), list, &orders).ok());
  int closed = 0, reopened = 0, returned = 0;
  for (const auto& o : orders.orders()) {
    closed += o.state() == wo::STATE_CLOSED;
    reopened += o.reopen_count() > 0;
    wo::GetHistoryRequest h;
    h.set_order_id(o.id());
    wo::GetHistoryResponse history;
    REQUIRE(s.workorder().GetHistory(s.Context().get(), h, &history).ok());
    for (const auto& e : history.events()) returned += e.action() == wo::ACTION_RETURN;
  }
  INFO("orders " << orders.orders_size());
  CHECK(closed > 0);
  CHECK(reopened > 0);
  CHECK(returned > 0);

  // Analytics over the last day: fixes, check-ins, inspection results, coverage.
  auto total = [&](an::Metric m) {
    an::QuerySeriesRequest q;
    q.set_metric(m);
    q.set_region_prefix("410105");
    *q.mutable_from() = service::ToProto(absl::Now() - absl::Hours(30));
    *q.mutable_to() = service::ToProto(absl::Now() + absl::Hours(1));
    q.set_granularity(an::GRANULARITY_HOUR);
    an::QuerySeriesResponse r;
    grpc::Status st = s.analytics().QuerySeries(s.Context().get(), q, &r);
    INFO(st.error_message());
    REQUIRE(st.ok());
    double sum = 0;
    for (const auto& series : r.series()) sum += series.total();
    return sum;
  };
  // Analytics follows the feeds: give it a moment to catch up.
  for (int i = 0; i < 50 && total(an::METRIC_CHECK_INS) == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  CHECK(total(an::METRIC_FIXES) > 100);
  CHECK(total(an::METRIC_CHECK_INS) > 0);
  CHECK(total(an::METRIC_INSPECTION_RESULTS) > 0);
  CHECK(total(an::METRIC_ORDERS_RETURNED) > 0);

  an::GetCoverageRequest cov;
  cov.set_region_prefix("410105");
  *cov.mutable_day() = service::ToProto(absl::Now() - absl::Hours(1));
  an::GetCoverageResponse coverage;
  REQUIRE(s.analytics().GetCoverage(s.Context().get(), cov, &coverage).ok());
  double best = 0;
  for (const auto& g : coverage.grids()) best = std::max(best, g.coverage());
  CHECK(best > 0);

  // Inspection results are stored at the subjects.
  inspection::v1::ListSubjectsRequest subjects;
  subjects.set_region_prefix("410105");
  inspection::v1::ListSubjectsResponse subs;
  REQUIRE(s.inspection().ListSubjects(s.Context().get(), subjects, &subs).ok());
  int results = 0;
  for (const auto& sub : subs.subjects()) {
    inspection::v1::ListResultsRequest r;
    r.set_subject_id(sub.id());
    inspection::v1::ListResultsResponse rr;
    REQUIRE(s.inspection().ListResults(s.Context().get(), r, &rr).ok());
    results += rr.results_size();
  }
  CHECK(results > 0);
}

}  // namespace
}  // namespace gridwork::testing
