#include "bench/stack_bench_stack.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "tests/integration/principals.h"

namespace gridwork::bench {
namespace {

namespace gv1 = geofence::v1;
namespace iv1 = inspection::v1;
namespace wv1 = workorder::v1;

constexpr char kTokenKey[] = "stack-bench-token-key-0123456789abcdef";

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An admin context signed with the test key every service of the stack is given.
std::unique_ptr<grpc::ClientContext> Admin(absl::Duration timeout = absl::Seconds(60)) {
  static const rpc::PrincipalCodec codec(testing::kTestKey);
  auto ctx = rpc::NewCallContext(timeout);
  codec.Attach(testing::MakePrincipal(common::v1::ROLE_ADMIN, "", "stack-bench", absl::Hours(4)),
               ctx.get());
  return ctx;
}

absl::Status Check(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(what, ": ", s.error_message()));
}

// Runs a helper to completion (at most `timeout`); its output is returned in the error.
absl::Status RunToEnd(ChildProcess& p, absl::Duration timeout, const std::string& what) {
  if (absl::Status s = p.Start(); !s.ok()) return s;
  int code = p.Wait(timeout);
  if (code == -1) code = p.Stop();
  if (code != 0) {
    std::string out = p.Output();
    if (out.size() > 2000) out = out.substr(out.size() - 2000);
    return absl::InternalError(absl::StrCat(what, " exited with ", code, ": ", out));
  }
  return absl::OkStatus();
}

}  // namespace

ChildProcess::ChildProcess(std::string binary, std::vector<std::string> args,
                           std::vector<std::string> env, std::string log_path)
    : binary_(std::move(binary)),
      args_(std::move(args)),
      env_(std::move(env)),
      log_path_(std::move(log_path)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

absl::Status ChildProcess::Start() {
  std::vector<std::string> argv_s = {binary_};
  argv_s.insert(argv_s.end(), args_.begin(), args_.end());
  pid_ = testing::SpawnChild(argv_s, env_, log_path_);
  if (pid_ < 0) return absl::InternalError("fork failed");
  return absl::OkStatus();
}

int ChildProcess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  const absl::Time end = absl::Now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (absl::Now() > end) return -1;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

int ChildProcess::Stop(absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int code = Wait(timeout);
  if (code == -1 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    code = Wait(absl::Seconds(10));
  }
  return code;
}

std::string ChildProcess::Output() const {
  auto text = ReadFile(log_path_);
  return text.ok() ? *text : "";
}

BenchStack::BenchStack(BenchStackOptions options) : options_(std::move(options)) {
  for (const char* name : {"geofence", "location", "workorder", "inspection", "analytics"}) {
    addresses_[name] = absl::StrCat("127.0.0.1:", testing::PickFreePort());
  }
}

BenchStack::~BenchStack() = default;

absl::Status BenchStack::Start() {
  const std::map<std::string, std::vector<std::string>> peers = {
      {"geofence", {"location"}},
      {"location", {"geofence"}},
      {"workorder", {"geofence"}},
      {"inspection", {"geofence", "location", "workorder"}},
      {"analytics", {"location", "geofence", "workorder", "inspection"}},
  };
  for (const char* name : {"geofence", "location", "workorder", "inspection", "analytics"}) {
    const std::string dir = absl::StrCat(work_dir_.path(), "/", name);
    ::mkdir(dir.c_str(), 0700);
    std::vector<std::string> args = {"--data_dir=" + dir, "--grpc_addr=" + addresses_.at(name)};
    for (const std::string& peer : peers.at(name)) {
      args.push_back(absl::StrCat("--", peer, "_addr=", addresses_.at(peer)));
    }
    processes_[name] = std::make_unique<testing::ServiceProcess>(
        options_.bin_dir + "/gridwork-" + name, args, std::vector<std::string>{testing::KeyEnv()});
  }
  const std::string gw_dir = work_dir_.path() + "/gateway";
  ::mkdir(gw_dir.c_str(), 0700);
  processes_["gateway"] = std::make_unique<testing::ServiceProcess>(
      options_.bin_dir + "/gridwork-gateway",
      std::vector<std::string>{
          "--data_dir=" + gw_dir,
          // Password hashing is not what is measured (the demo has 1,700 users to create).
          "--pbkdf2_iterations=1000", "--http_addr=127.0.0.1:0",
          "--geofence_addr=" + addresses_.at("geofence"),
          "--location_addr=" + addresses_.at("location"),
          "--workorder_addr=" + addresses_.at("workorder"),
          "--inspection_addr=" + addresses_.at("inspection"),
          "--analytics_addr=" + addresses_.at("analytics"),
          absl::StrCat("--rate_limit_scale=", options_.rate_limit_scale),
          "--web_root=/nonexistent"},
      std::vector<std::string>{testing::KeyEnv(), std::string("GRIDWORK_TOKEN_KEY=") + kTokenKey,
                               std::string("GRIDWORK_ADMIN_PASSWORD=") + kBenchAdminPassword});
  for (const char* name :
       {"geofence", "location", "workorder", "inspection", "analytics", "gateway"}) {
    absl::Status s = processes_.at(name)->Start(absl::Seconds(60));
    if (!s.ok()) return absl::UnavailableError(absl::StrCat(name, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status BenchStack::Seed() {
  // Regions: the demo geography generator's subdivision of the district.
  regions_file_ = work_dir_.path() + "/regions.geojson";
  ChildProcess geo(
      options_.bin_dir + "/gridwork-demo-geo",
      {"--input=" + options_.source_dir + "/tools/demo_geography/data/zhengzhou-districts.geojson",
       "--output=" + regions_file_, "--districts=" + options_.district},
      {}, work_dir_.path() + "/demo-geo.log");
  if (absl::Status s = RunToEnd(geo, absl::Minutes(5), "gridwork-demo-geo"); !s.ok()) return s;
  auto geojson = ReadFile(regions_file_);
  if (!geojson.ok()) return geojson.status();
  auto geofence = gv1::GeofenceService::NewStub(rpc::MakeChannel(addresses_.at("geofence")));
  gv1::ImportRegionsRequest import;
  import.set_request_id("bench-import");
  import.set_geojson(*geojson);
  gv1::ImportRegionsResponse imported;
  if (absl::Status s =
          Check(geofence->ImportRegions(Admin(absl::Minutes(5)).get(), import, &imported),
                "ImportRegions");
      !s.ok()) {
    return s;
  }

  // The shipped catalogues, as make up loads them (gridctl catalog-load and
  // inspection-load-catalog do the same calls).
  auto wo = wv1::WorkOrderService::NewStub(rpc::MakeChannel(addresses_.at("workorder")));
  auto wtext = ReadFile(options_.source_dir + "/services/workorder/data/default_catalog.json");
  if (!wtext.ok()) return wtext.status();
  wv1::Catalog wcat;
  if (!google::protobuf::util::JsonStringToMessage(*wtext, &wcat).ok()) {
    return absl::InvalidArgumentError("work-order catalogue does not parse");
  }
  for (const auto& c : wcat.categories()) {
    wv1::UpsertCategoryRequest req;
    req.set_request_id("cat-" + c.id());
    *req.mutable_category() = c;
    wv1::Category out;
    if (absl::Status s = Check(wo->UpsertCategory(Admin().get(), req, &out), c.id()); !s.ok()) {
      return s;
    }
  }
  for (const auto& r : wcat.rules()) {
    wv1::UpsertDispatchRuleRequest req;
    req.set_request_id("rule-" + r.id());
    *req.mutable_rule() = r;
    wv1::DispatchRule out;
    if (absl::Status s = Check(wo->UpsertDispatchRule(Admin().get(), req, &out), r.id()); !s.ok()) {
      return s;
    }
  }
  auto insp = iv1::InspectionService::NewStub(rpc::MakeChannel(addresses_.at("inspection")));
  auto itext = ReadFile(options_.source_dir + "/services/inspection/data/default_catalog.json");
  if (!itext.ok()) return itext.status();
  iv1::Catalog icat;
  if (!google::protobuf::util::JsonStringToMessage(*itext, &icat).ok()) {
    return absl::InvalidArgumentError("inspection catalogue does not parse");
  }
  for (const auto& d : icat.departments()) {
    iv1::UpsertDepartmentRequest req;
    req.set_request_id("dept-" + d.id());
    *req.mutable_department() = d;
    iv1::Department out;
    if (absl::Status s = Check(insp->UpsertDepartment(Admin().get(), req, &out), d.id()); !s.ok()) {
      return s;
    }
  }
  for (const auto& c : icat.checklists()) {
    iv1::CreateChecklistDraftRequest create;
    create.set_request_id("draft-" + c.template_id());
    *create.mutable_checklist() = c;
    iv1::ChecklistVersion draft;
    if (absl::Status s =
            Check(insp->CreateChecklistDraft(Admin().get(), create, &draft), c.template_id());
        !s.ok()) {
      return s;
    }
    iv1::PublishChecklistRequest pub;
    pub.set_request_id("publish-" + c.template_id());
    pub.set_template_id(draft.template_id());
    pub.set_version(draft.version());
    pub.set_expected_revision(draft.revision());
    iv1::ChecklistVersion out;
    if (absl::Status s = Check(insp->PublishChecklist(Admin().get(), pub, &out), c.template_id());
        !s.ok()) {
      return s;
    }
  }

  // The demo people and places, through the gateway as the admin (gridsim load-demo).
  std::vector<std::string> args = GridsimArgs();
  args.push_back("--threads=8");
  args.push_back("load-demo");
  ChildProcess load(options_.bin_dir + "/gridsim", args,
                    {std::string("GRIDWORK_ADMIN_PASSWORD=") + kBenchAdminPassword},
                    work_dir_.path() + "/load-demo.log");
  return RunToEnd(load, absl::Minutes(15), "gridsim load-demo");
}

std::vector<std::string> BenchStack::GridsimArgs() const {
  return {"--gateway=" + gateway_addr(), "--districts=" + options_.district,
          "--credentials_file=" + work_dir_.path() + "/demo-users.txt"};
}

bool BenchStack::Stop() {
  bool clean = true;
  for (const char* name :
       {"gateway", "analytics", "inspection", "workorder", "location", "geofence"}) {
    auto it = processes_.find(name);
    if (it != processes_.end() && it->second->pid() > 0) clean &= it->second->Stop() == 0;
  }
  return clean;
}

std::string BenchStack::gateway_addr() const { return processes_.at("gateway")->grpc_target(); }

std::map<std::string, pid_t> BenchStack::Pids() const {
  std::map<std::string, pid_t> pids;
  for (const auto& [name, p] : processes_) pids[name] = p->pid();
  return pids;
}

}  // namespace gridwork::bench
