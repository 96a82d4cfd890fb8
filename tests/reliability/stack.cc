#include "tests/reliability/stack.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tests/integration/principals.h"
#include "tests/integration/small_tree.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace iv1 = inspection::v1;
namespace wv1 = workorder::v1;

std::string Why(const grpc::Status& s) {
  return absl::StrCat("status ", s.error_code(), ": ", s.error_message());
}

// Peers each service is given an address for (flag --<peer>_addr).
const std::map<std::string, std::vector<std::string>>& PeerFlags() {
  static const std::map<std::string, std::vector<std::string>> kPeers = {
      {"geofence", {"location"}},
      {"location", {"geofence"}},
      {"workorder", {"geofence"}},
      {"inspection", {"geofence", "location", "workorder"}},
      {"analytics", {"location", "geofence", "workorder", "inspection"}},
  };
  return kPeers;
}

}  // namespace

common::v1::Principal AdminPrincipal() {
  return MakePrincipal(common::v1::ROLE_ADMIN, "", "fault-admin", absl::Hours(2));
}
common::v1::Principal ServicePrincipal() {
  return MakePrincipal(common::v1::ROLE_SERVICE, "", "fault-driver", absl::Hours(2));
}

Stack::Stack(StackOptions options) : options_(std::move(options)) {
  for (const std::string& name : StackServices()) {
    addresses_[name] = absl::StrCat("127.0.0.1:", PickFreePort());
    auto dir = options_.data_dirs.find(name);
    if (dir != options_.data_dirs.end()) {
      data_dirs_[name] = dir->second;
    } else {
      temp_dirs_.push_back(std::make_unique<TempDir>());
      data_dirs_[name] = temp_dirs_.back()->path() + "/store";
    }
  }
}

Stack::~Stack() = default;

std::string Stack::Peer(const std::string& service, const std::string& peer) const {
  for (const auto& o : options_.overrides) {
    if (o.service == service && o.peer == peer) return o.address;
  }
  return addresses_.at(peer);
}

std::unique_ptr<ServiceProcess> Stack::MakeProcess(const std::string& name) {
  std::vector<std::string> args = {"--data_dir=" + data_dirs_.at(name),
                                   "--grpc_addr=" + addresses_.at(name)};
  for (const std::string& peer : PeerFlags().at(name)) {
    const bool in_stack = std::find(options_.services.begin(), options_.services.end(), peer) !=
                          options_.services.end();
    // A peer left out of the stack is left out of the flags too ("" = not configured).
    args.push_back(absl::StrCat("--", peer, "_addr=", in_stack ? Peer(name, peer) : ""));
  }
  if (name == "inspection") args.push_back("--loop_period=200ms");
  if (name == "analytics") args.push_back("--stream_deadline=5s");
  auto extra = options_.extra_flags.find(name);
  if (extra != options_.extra_flags.end()) {
    args.insert(args.end(), extra->second.begin(), extra->second.end());
  }
  std::vector<std::string> env = {KeyEnv()};
  if (options_.write_buffer_bytes > 0) {
    env.push_back(absl::StrCat("GRIDWORK_STORE_WRITE_BUFFER_BYTES=", options_.write_buffer_bytes));
  }
  std::string binary = "gridwork-" + name;
  auto uid = options_.run_as_uid.find(name);
  if (uid != options_.run_as_uid.end() && uid->second >= 0) {
    const std::string id = std::to_string(uid->second);
    args.insert(args.begin(),
                {"--reuid=" + id, "--regid=" + id, "--clear-groups", BinDir() + "/" + binary});
    binary = "/usr/bin/setpriv";
  }
  return std::make_unique<ServiceProcess>(binary, args, env);
}

void Stack::Start() {
  for (const std::string& name : options_.services) {
    processes_[name] = MakeProcess(name);
    auto started = processes_[name]->Start(absl::Seconds(60));
    INFO(name << ": " << started.message());
    REQUIRE(started.ok());
  }
}

std::shared_ptr<grpc::Channel> Stack::channel(const std::string& name) {
  auto& c = channels_[name];
  if (c == nullptr) c = rpc::MakeChannel(addresses_.at(name));
  return c;
}

void Stack::Kill(const std::string& name) { processes_.at(name)->Kill(); }

int Stack::Stop(const std::string& name) { return processes_.at(name)->Stop(); }

std::string Stack::Health(const std::string& name, absl::Duration timeout) {
  // A fresh channel: the shared one may still be backing off after a restart.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto ch =
      grpc::CreateCustomChannel(addresses_.at(name), grpc::InsecureChannelCredentials(), args);
  auto stub = grpc::health::v1::Health::NewStub(ch);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) return "";
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

absl::Duration Stack::Restart(const std::string& name) {
  const absl::Time spawn = absl::Now();
  processes_[name] = MakeProcess(name);
  auto started = processes_[name]->Start(absl::Seconds(60));
  INFO(name << ": " << started.message());
  REQUIRE(started.ok());
  while (Health(name, absl::Milliseconds(500)) != "SERVING") {
    REQUIRE(absl::Now() - spawn < absl::Seconds(60));
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::Now() - spawn;
}

bool Stack::AllServing(absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  for (const std::string& name : options_.services) {
    while (Health(name, absl::Milliseconds(500)) != "SERVING") {
      if (absl::Now() > end) return false;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  return true;
}

void Stack::Seed() {
  const auto admin = AdminPrincipal();
  auto has = [&](const std::string& s) {
    return std::find(options_.services.begin(), options_.services.end(), s) !=
           options_.services.end();
  };
  if (has("geofence")) {
    auto geo = gv1::GeofenceService::NewStub(channel("geofence"));
    gv1::ImportRegionsRequest import;
    import.set_request_id("import-tree");
    import.set_geojson(SmallTree());
    gv1::ImportRegionsResponse imported;
    grpc::Status s = geo->ImportRegions(As(admin).get(), import, &imported);
    INFO(Why(s));
    REQUIRE(s.ok());
    for (int w = 1; w <= 4; ++w) {
      gv1::BindWorkerRequest bind;
      bind.set_request_id(absl::StrCat("bind-w", w));
      bind.set_worker_id(absl::StrCat("w", w));
      bind.set_grid_id(w <= 2 ? kG01 : kG02);
      bind.set_role(gv1::BINDING_ROLE_WORKER);
      gv1::Binding out;
      s = geo->BindWorker(As(admin).get(), bind, &out);
      INFO(Why(s));
      REQUIRE(s.ok());
    }
  }
  if (has("workorder")) {
    auto wo = wv1::WorkOrderService::NewStub(channel("workorder"));
    for (const auto& [id, parent] :
         std::vector<std::pair<std::string, std::string>>{{"env", ""}, {"env.garbage", "env"}}) {
      wv1::UpsertCategoryRequest req;
      req.set_request_id("category-" + id);
      wv1::Category* c = req.mutable_category();
      c->set_id(id);
      c->set_parent_id(parent);
      c->set_name(id);
      c->set_default_department("urban");
      c->set_severity(wv1::SEVERITY_MEDIUM);
      auto* sla = c->mutable_sla();
      for (auto* d : {sla->mutable_triage(), sla->mutable_accept(), sla->mutable_handle(),
                      sla->mutable_review(), sla->mutable_verify()}) {
        *d = service::ToProto(absl::Hours(72));  // no SLA timer fires during a test
      }
      wv1::Category out;
      grpc::Status s = wo->UpsertCategory(As(admin).get(), req, &out);
      INFO(Why(s));
      REQUIRE(s.ok());
    }
    wv1::UpsertDispatchRuleRequest rule;
    rule.set_request_id("rule-env");
    rule.mutable_rule()->set_id("r-env");
    rule.mutable_rule()->set_category_prefix("env");
    rule.mutable_rule()->set_department("urban");
    wv1::DispatchRule out;
    grpc::Status s = wo->UpsertDispatchRule(As(admin).get(), rule, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
  }
  if (has("inspection")) {
    auto insp = iv1::InspectionService::NewStub(channel("inspection"));
    iv1::UpsertDepartmentRequest dep;
    dep.set_request_id("department-fire");
    dep.mutable_department()->set_id("fire");
    dep.mutable_department()->set_name("消防");
    iv1::Department department;
    grpc::Status s = insp->UpsertDepartment(As(admin).get(), dep, &department);
    INFO(Why(s));
    REQUIRE(s.ok());
    iv1::CreateChecklistDraftRequest create;
    create.set_request_id("draft-fire");
    iv1::ChecklistVersion* c = create.mutable_checklist();
    c->set_template_id("fire.fault");
    c->set_department("fire");
    c->set_name("消防检查");
    c->add_subject_types(iv1::SUBJECT_TYPE_SHOP);
    iv1::ChecklistItem* item = c->add_items();
    item->set_code("EXITS");
    item->set_text("疏散通道畅通");
    item->set_answer_type(iv1::ANSWER_TYPE_CHECK);
    item->set_severity(iv1::SEVERITY_MEDIUM);
    iv1::ChecklistVersion draft;
    s = insp->CreateChecklistDraft(As(admin).get(), create, &draft);
    INFO(Why(s));
    REQUIRE(s.ok());
    iv1::PublishChecklistRequest publish;
    publish.set_request_id("publish-fire");
    publish.set_template_id(draft.template_id());
    publish.set_version(draft.version());
    publish.set_expected_revision(draft.revision());
    iv1::ChecklistVersion published;
    s = insp->PublishChecklist(As(admin).get(), publish, &published);
    INFO(Why(s));
    REQUIRE(s.ok());
    iv1::RegisterSubjectRequest reg;
    reg.set_request_id("register-shop");
    iv1::Subject* subject = reg.mutable_subject();
    subject->set_type(iv1::SUBJECT_TYPE_SHOP);
    subject->set_name("老王便利店");
    subject->set_address("金水区某路 12 号");
    *subject->mutable_position() = At(34.72, 113.61);
    subject->set_department("fire");
    iv1::Subject out;
    s = insp->RegisterSubject(
        As(MakePrincipal(common::v1::ROLE_COMMUNITY_STATION, kCommunity, "station")).get(), reg,
        &out);
    INFO(Why(s));
    REQUIRE(s.ok());
    subject_id_ = out.id();
  }
}

}  // namespace gridwork::testing
