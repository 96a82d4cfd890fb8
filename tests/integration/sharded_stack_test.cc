// The whole sharded topology of k8s/overlays/prod on one machine (issue 9): two shards of
// every service — location w0/w1 by worker; geofence, workorder, inspection and analytics
// d0/d1 by district — each with --routing_file and --shard, and one gateway routing by the
// same file. Every --<peer>_addr flag (of the shards and of the gateway) leads nowhere, so
// nothing reaches a shard except through the routing file. Real RocksDB stores in temp dirs,
// real gRPC on loopback.
//
// Through the gateway only, as an operator and gridsim would: gridctl imports a slice of two
// generated districts (410105 on d0, 410122 on d1) and loads both catalogues (broadcast to
// every shard); `gridsim load-demo` and a compressed `gridsim day` run over both districts
// (one run per district for now: see WORKAROUND below).
// Then, on each shard directly and through the gateway: orders on both workorder shards, each
// in its shard's district; fence events and current grids for workers of both location
// shards; each analytics shard counts only its district's workers, and the gateway's merged
// admin cockpit is the sum of the shards' cockpits; inspection results on the inspection
// shard of the subject's district, presence verified on the inspector's own location shard;
// gridsim reports no errors; every process is SERVING at the end and exits 0 on SIGTERM.
#include <grpcpp/grpcpp.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/core/routing_config.h"
#include "gridwork/gateway/v1/gateway.grpc.pb.h"
#include "gridwork/geo/geojson.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/sdk/session.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/wait_for.h"

namespace gridwork::testing {
namespace {

namespace av1 = analytics::v1;
namespace gv1 = geofence::v1;
namespace iv1 = inspection::v1;
namespace lv1 = location::v1;
namespace wv1 = workorder::v1;
using common::v1::ROLE_ADMIN;
using common::v1::ROLE_SERVICE;

constexpr char kAdminPassword[] = "sharded-stack-admin-pw";
constexpr char kTokenKey[] = "sharded-stack-token-key-0123456789abcdef";
constexpr char kNowhere[] = "127.0.0.1:1";
// d0 holds 410105 (the urban core), d1 410122 (a county), as in the prod routing file.
const std::map<std::string, std::string> kDistrictOf = {{"d0", "410105"}, {"d1", "410122"}};
// gridsim's city seed per district: two cities of one seed draw the same names, i.e. the same
// usernames in both districts.
const std::map<std::string, std::string> kCitySeedOf = {{"410105", "20240601"},
                                                        {"410122", "20240602"}};

// Runs a shell command; returns its exit code (-1 if it could not run) and appends its
// output (stdout and stderr). Thread-safe (no Catch assertions).
int Run(const std::string& cmd, std::string* out) {
  std::FILE* p = ::popen((cmd + " 2>&1 </dev/null").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs `cmd` and REQUIREs exit code 0, showing its output if not; returns the output.
std::string MustRun(const std::string& cmd) {
  std::string out;
  const int code = Run(cmd, &out);
  INFO(cmd << "\n" << out);
  REQUIRE(code == 0);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first street's first two communities of `district` in the generated tree, with the
// district and the street above them: a real boundary and real-sized grids, small enough
// for a test (a whole district is hundreds of grids).
std::string DistrictSlice(const std::vector<geo::Feature>& all, const std::string& district) {
  std::vector<geo::Feature> keep;
  const std::string street = district + "/s01";
  for (const geo::Feature& f : all) {
    if (f.id == district || f.id == street || absl::StartsWith(f.id, street + "/c01") ||
        absl::StartsWith(f.id, street + "/c02")) {
      keep.push_back(f);
    }
  }
  return geo::WriteFeatureCollection(keep);
}

template <typename Stub>
std::unique_ptr<typename Stub::Stub> Direct(const std::string& address) {
  return Stub::NewStub(rpc::MakeChannel(address));
}

// Worker ids of every FenceEvent in a geofence shard's feed.
std::set<std::string> FenceEventWorkers(const std::string& address) {
  auto feed = Direct<common::v1::Feed>(address);
  common::v1::FeedInfo info;
  REQUIRE(feed->GetFeedInfo(As(MakePrincipal(ROLE_SERVICE)).get(), {}, &info).ok());
  std::set<std::string> out;
  if (info.last_sequence() == 0) return out;
  common::v1::WatchRequest req;
  req.set_from_sequence(1);
  auto ctx = As(MakePrincipal(ROLE_SERVICE));
  auto stream = feed->Watch(ctx.get(), req);
  common::v1::FeedEvent e;
  while (stream->Read(&e)) {
    gv1::FenceEvent fe;
    if (e.payload().UnpackTo(&fe)) out.insert(fe.worker_id());
    if (e.sequence() >= info.last_sequence()) break;
  }
  ctx->TryCancel();
  return out;
}

// The figures of a cockpit the gateway sums over shards (coverage is a weighted mean; as_of
// and generation are not sums of figures).
std::vector<int64_t> Summed(const av1::Cockpit& c) {
  const av1::RegionFigures& t = c.total();
  const av1::InspectionFigures& i = c.inspections_today();
  std::vector<int64_t> v = {t.workers_total(),
                            t.workers_online(),
                            t.workers_in_own_grid(),
                            t.grids(),
                            t.orders_open(),
                            t.orders_overdue(),
                            t.orders_reported_today(),
                            t.orders_closed_today(),
                            i.results(),
                            i.results_with_problems(),
                            c.children_size()};
  for (const auto& [state, n] : c.orders_by_state()) v.push_back(state * 1000000 + n);
  for (int32_t n : c.online_by_hour()) v.push_back(n);
  return v;
}

std::vector<int64_t> Sum(const av1::Cockpit& a, const av1::Cockpit& b) {
  av1::Cockpit s;
  auto* t = s.mutable_total();
  t->set_workers_total(a.total().workers_total() + b.total().workers_total());
  t->set_workers_online(a.total().workers_online() + b.total().workers_online());
  t->set_workers_in_own_grid(a.total().workers_in_own_grid() + b.total().workers_in_own_grid());
  t->set_grids(a.total().grids() + b.total().grids());
  t->set_orders_open(a.total().orders_open() + b.total().orders_open());
  t->set_orders_overdue(a.total().orders_overdue() + b.total().orders_overdue());
  t->set_orders_reported_today(a.total().orders_reported_today() +
                               b.total().orders_reported_today());
  t->set_orders_closed_today(a.total().orders_closed_today() + b.total().orders_closed_today());
  auto* i = s.mutable_inspections_today();
  i->set_results(a.inspections_today().results() + b.inspections_today().results());
  i->set_results_with_problems(a.inspections_today().results_with_problems() +
                               b.inspections_today().results_with_problems());
  for (const auto& c : {a, b}) {
    for (const auto& child : c.children()) *s.add_children() = child;
    for (const auto& [state, n] : c.orders_by_state()) (*s.mutable_orders_by_state())[state] += n;
    while (s.online_by_hour_size() < c.online_by_hour_size()) s.add_online_by_hour(0);
    for (int h = 0; h < c.online_by_hour_size(); ++h) {
      s.set_online_by_hour(h, s.online_by_hour(h) + c.online_by_hour(h));
    }
  }
  return Summed(s);
}

// The --<peer>_addr flags of each service.
const std::map<std::string, std::vector<std::string>> kPeers = {
    {"location", {"geofence"}},
    {"geofence", {"location"}},
    {"workorder", {"geofence"}},
    {"inspection", {"geofence", "location", "workorder"}},
    {"analytics", {"geofence", "location", "workorder", "inspection"}}};

struct ShardedStack {
  TempDir root;
  const std::string routing_path = root.path() + "/routing.yaml";
  // service -> shard -> address
  std::map<std::string, std::map<std::string, std::string>> addr;
  std::map<std::string, std::unique_ptr<ServiceProcess>> procs;  // "location-w0", "gateway"
  std::unique_ptr<RoutingConfig> routing;

  ShardedStack() {
    const std::map<std::string, std::vector<std::string>> shards = {{"location", {"w0", "w1"}},
                                                                    {"geofence", {"d0", "d1"}},
                                                                    {"workorder", {"d0", "d1"}},
                                                                    {"inspection", {"d0", "d1"}},
                                                                    {"analytics", {"d0", "d1"}}};
    for (const auto& [service, ids] : shards) {
      for (const std::string& id : ids) {
        addr[service][id] = absl::StrCat("127.0.0.1:", PickFreePort());
      }
    }
    {
      // The prod file's shape (k8s/overlays/prod/namespaced/routing.yaml) at loopback ports.
      std::ofstream out(routing_path);
      out << "version: 1\nworker_shards: [w0, w1]\ndistrict_shards:\n"
          << "  d0: [\"410102\", \"410103\", \"410104\", \"410105\", \"410106\", \"410108\"]\n"
          << "  d1: [\"410122\", \"410181\", \"410182\", \"410183\", \"410184\", \"410185\"]\n"
          << "services:\n";
      for (const auto& [service, by_shard] : addr) {
        out << "  " << service << ":\n    key: " << (service == "location" ? "worker" : "district")
            << "\n    shards:\n";
        for (const auto& [id, a] : by_shard) out << "      " << id << ": " << a << "\n";
      }
    }
    auto loaded = LoadRoutingConfig(routing_path);
    REQUIRE(loaded.ok());
    routing = std::make_unique<RoutingConfig>(*loaded);

    // Every shard as its prod flags file starts it, with the --<peer>_addr flags (used only
    // without a routing file) pointing nowhere: the peers come from the file.
    for (const auto& [service, by_shard] : addr) {
      for (const auto& [id, a] : by_shard) {
        std::vector<std::string> args = {
            "--grpc_addr=" + a, "--data_dir=" + root.path() + "/" + service + "-" + id,
            "--sync=false", "--routing_file=" + routing_path, "--shard=" + id};
        for (const std::string& peer : kPeers.at(service)) {
          args.push_back(absl::StrCat("--", peer, "_addr=", kNowhere));
        }
        procs[service + "-" + id] = std::make_unique<ServiceProcess>(
            "gridwork-" + service, std::move(args), std::vector<std::string>{KeyEnv()});
      }
    }
    procs["gateway"] = std::make_unique<ServiceProcess>(
        "gridwork-gateway",
        std::vector<std::string>{
            "--data_dir=" + root.path() + "/gateway", "--sync=false", "--pbkdf2_iterations=1000",
            "--http_addr=127.0.0.1:0", "--web_root=/nonexistent", "--rate_limit_scale=100",
            "--routing_file=" + routing_path, std::string("--location_addr=") + kNowhere,
            std::string("--geofence_addr=") + kNowhere, std::string("--workorder_addr=") + kNowhere,
            std::string("--inspection_addr=") + kNowhere,
            std::string("--analytics_addr=") + kNowhere},
        std::vector<std::string>{KeyEnv(), std::string("GRIDWORK_TOKEN_KEY=") + kTokenKey,
                                 std::string("GRIDWORK_ADMIN_PASSWORD=") + kAdminPassword});
    for (auto& [name, p] : procs) {
      absl::Status s = p->Start();
      INFO(name << ": " << s.message());
      REQUIRE(s.ok());
    }
  }

  std::string gateway_addr() const { return procs.at("gateway")->grpc_target(); }

  // gridctl as a logged-in user through the gateway (never operator mode: no key).
  std::string Gridctl(const std::string& args) const {
    return absl::StrCat("env GRIDWORK_CONFIG=", root.path(), "/gridctl GRIDWORK_PRINCIPAL_KEY= ",
                        "HOME=/nonexistent GRIDWORK_PASSWORD=", kAdminPassword, " ", BinDir(),
                        "/gridctl ", args);
  }

  // gridsim through the gateway for one district: its own city seed and credentials file.
  std::string Gridsim(const std::string& district, const std::string& args) const {
    return absl::StrCat("env GRIDWORK_ADMIN_PASSWORD=", kAdminPassword, " ", BinDir(),
                        "/gridsim --gateway=", gateway_addr(), " --districts=", district,
                        " --city_seed=", kCitySeedOf.at(district),
                        " --credentials_file=", root.path(), "/users-", district, ".txt ", args);
  }
};

}  // namespace

TEST_CASE("the prod topology runs as a whole: two shards of every service behind one gateway",
          "[integration]") {
  const absl::Time started = absl::Now();
  ShardedStack stack;

  // 1. Regions: a slice of each generated district, imported by gridctl through the gateway
  //    (each to its shard; a file of both would be refused).
  {
    const std::string all = stack.root.path() + "/two-districts.geojson";
    MustRun(absl::StrCat(BinDir(), "/gridwork-demo-geo --districts=410105,410122 --output=", all));
    auto features = geo::ParseFeatures(ReadFile(all));
    REQUIRE(features.ok());
    for (const auto& [shard, district] : kDistrictOf) {
      const std::string path = absl::StrCat(stack.root.path(), "/", district, ".geojson");
      std::ofstream(path) << DistrictSlice(*features, district);
    }
  }
  MustRun(stack.Gridctl("--gateway=" + stack.gateway_addr() + " login admin"));
  for (const auto& [shard, district] : kDistrictOf) {
    MustRun(stack.Gridctl(
        absl::StrCat("regions import ", stack.root.path(), "/", district, ".geojson")));
  }
  // 2. Both catalogues through the gateway, which writes them to every shard (SLAs compressed
  //    as for the simulated day, as `make up` does).
  MustRun(stack.Gridctl("--sla_compression=1800 catalog-load " GRIDWORK_SOURCE_DIR
                        "/services/workorder/data/default_catalog.json"));
  MustRun(stack.Gridctl("inspection-load-catalog " GRIDWORK_SOURCE_DIR
                        "/services/inspection/data/default_catalog.json"));
  for (const auto& [shard, district] : kDistrictOf) {
    gv1::GetRegionRequest get;
    get.set_id(district);
    gv1::Region r;
    CHECK(Direct<gv1::GeofenceService>(stack.addr["geofence"][shard])
              ->GetRegion(As(MakePrincipal(ROLE_ADMIN)).get(), get, &r)
              .ok());
    wv1::ListCategoriesResponse cats;
    REQUIRE(Direct<wv1::WorkOrderService>(stack.addr["workorder"][shard])
                ->ListCategories(As(MakePrincipal(ROLE_ADMIN)).get(), {}, &cats)
                .ok());
    CHECK(cats.categories_size() > 5);
    iv1::ListChecklistsResponse lists;
    REQUIRE(Direct<iv1::InspectionService>(stack.addr["inspection"][shard])
                ->ListChecklists(As(MakePrincipal(ROLE_ADMIN)).get(), {}, &lists)
                .ok());
    CHECK(lists.checklists_size() > 0);
  }

  sdk::ConnectOptions options;
  options.gateway_addr = stack.gateway_addr();
  options.call_timeout = absl::Seconds(10);
  auto admin_or = sdk::Session::Login(options, "admin", kAdminPassword);
  REQUIRE(admin_or.ok());
  sdk::Session& admin = **admin_or;

  // 3. The demo people and places of both districts, then a compressed 2-hour day.
  //
  // Each district is loaded by an admin scoped to it, whose calls without a key go to the
  // district's shard (the caller's default), as an operator of one district works. This was
  // first a workaround: the gateway did not route geofence PutKeyPoint and inspection
  // RegisterSubject by their nested position, so an unscoped admin's places of 410122 went to
  // d0 and failed. The gateway now routes them by position (gateway_sharding_test checks a key
  // point); the per-district runs stay, so this test covers scoped operators. A scoped admin
  // cannot read the other district, and gridsim derives one city from the districts it is
  // given (names are numbered over all of them), so each district gets its own load-demo and
  // its own day (with a city seed of its own), the two days running at the same time.
  // Everything still goes through the gateway.
  {
    gateway::v1::CreateUserRequest req;
    req.set_request_id("create-admin-410122");
    req.mutable_user()->set_username("admin-410122");
    req.mutable_user()->set_role(ROLE_ADMIN);
    req.mutable_user()->set_region_scope("410122");
    req.set_password(kAdminPassword);
    gateway::v1::User u;
    absl::Status s = admin.Call(&gateway::v1::Identity::Stub::CreateUser, req, &u);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  const std::map<std::string, std::string> admin_of = {{"410105", "admin"},
                                                       {"410122", "admin-410122"}};
  for (const auto& [district, user] : admin_of) {
    const std::string out = MustRun(stack.Gridsim(district, "--admin_user=" + user + " load-demo"));
    INFO(out);
    std::smatch m;
    REQUIRE(std::regex_search(out, m, std::regex("created (\\d+), failed (\\d+)")));
    CHECK(m[2] == "0");
  }
  {
    std::map<std::string, std::pair<int, std::string>> days;  // district -> (exit code, output)
    std::vector<std::thread> runs;
    for (const auto& [district, user] : admin_of) days[district];
    for (auto& [district, result] : days) {
      const std::string cmd = stack.Gridsim(
          district,
          "--speed=1800 --day_hours=2 --sim_workers=0 --seed=5 --incidents_per_worker=3 "
          "--resident_reports=2 --inspect_prob=1 --item_fail_prob=0.2 --return_prob=0.2 "
          "--neglect_prob=0 --reopen_prob=0.3 --summary_every=5s --drain=60s day");
      runs.emplace_back([cmd, r = &result] { r->first = Run(cmd, &r->second); });
    }
    for (std::thread& t : runs) t.join();
    for (const auto& [district, result] : days) {
      const auto& [code, day] = result;
      if (const char* dir = std::getenv("SHARDED_STACK_LOGS")) {
        std::ofstream(absl::StrCat(dir, "/day-", district, ".txt")) << day;
      }
      INFO(district << ":\n" << day);
      REQUIRE(code == 0);
      REQUIRE(day.find("final:") != std::string::npos);
      const std::string final_line = day.substr(day.rfind("final:"));
      INFO(final_line);
      CHECK(final_line.find(" rejected 0 ") != std::string::npos);
      CHECK(final_line.find(" errors 0 |") != std::string::npos);
    }
  }

  // The workers bound in each district (from its geofence shard), by location shard.
  std::map<std::string, std::map<std::string, std::set<std::string>>> bound;  // d -> w -> ids
  std::map<std::string, std::set<std::string>> workers_on;                    // w -> ids
  for (const auto& [shard, district] : kDistrictOf) {
    gv1::ListBindingsRequest req;
    req.set_region_id(district);
    req.set_page_size(1000);
    gv1::ListBindingsResponse resp;
    REQUIRE(Direct<gv1::GeofenceService>(stack.addr["geofence"][shard])
                ->ListBindings(As(MakePrincipal(ROLE_ADMIN)).get(), req, &resp)
                .ok());
    for (const auto& b : resp.bindings()) {
      if (b.role() != gv1::BINDING_ROLE_WORKER) continue;
      CHECK(absl::StartsWith(b.grid_id(), district + "/"));
      const std::string& w = WorkerShardOf(*stack.routing, b.worker_id());
      bound[shard][w].insert(b.worker_id());
      workers_on[w].insert(b.worker_id());
    }
    INFO(shard);
    REQUIRE(bound[shard]["w0"].size() > 0);
    REQUIRE(bound[shard]["w1"].size() > 0);
  }

  // 4. Orders on both workorder shards, each in its shard's district; the gateway's admin
  //    list holds exactly the shards' orders.
  std::set<std::string> order_ids;
  for (const auto& [shard, district] : kDistrictOf) {
    wv1::ListOrdersRequest req;
    req.set_page_size(500);
    wv1::ListOrdersResponse resp;
    REQUIRE(Direct<wv1::WorkOrderService>(stack.addr["workorder"][shard])
                ->ListOrders(As(MakePrincipal(ROLE_ADMIN)).get(), req, &resp)
                .ok());
    INFO(shard);
    CHECK(resp.orders_size() > 0);
    CHECK(resp.next_page_token().empty());
    for (const auto& o : resp.orders()) {
      CHECK(absl::StartsWith(o.region_path(), district + "/"));
      order_ids.insert(o.id());
    }
  }
  {
    std::set<std::string> via_gateway;
    wv1::ListOrdersRequest req;
    req.set_page_size(200);
    do {
      wv1::ListOrdersResponse page;
      absl::Status s = admin.Call(&wv1::WorkOrderService::Stub::ListOrders, req, &page);
      INFO(s.ToString());
      REQUIRE(s.ok());
      for (const auto& o : page.orders()) via_gateway.insert(o.id());
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty());
    CHECK(via_gateway == order_ids);
  }

  // 5. Fence events on each geofence shard for workers of both location shards; each
  //    location shard knows current grids of its own workers in both districts.
  for (const auto& [shard, district] : kDistrictOf) {
    std::set<std::string> shards_seen;
    for (const std::string& w : FenceEventWorkers(stack.addr["geofence"][shard])) {
      shards_seen.insert(WorkerShardOf(*stack.routing, w));
    }
    INFO(shard);
    CHECK(shards_seen == std::set<std::string>{"w0", "w1"});
  }
  for (const auto& [w, ids] : workers_on) {
    std::set<std::string> districts_with_grid;
    for (const std::string& id : ids) {
      lv1::GetLastPositionsRequest req;
      req.add_worker_ids(id);
      lv1::GetLastPositionsResponse resp;
      REQUIRE(Direct<lv1::LocationService>(stack.addr["location"][w])
                  ->GetLastPositions(As(MakePrincipal(ROLE_ADMIN)).get(), req, &resp)
                  .ok());
      REQUIRE(resp.positions_size() == 1);
      CHECK(resp.positions(0).known());
      const std::string& grid = resp.positions(0).grid_id();
      if (!grid.empty()) districts_with_grid.insert(grid.substr(0, grid.find('/')));
    }
    INFO(w);
    CHECK(districts_with_grid == std::set<std::string>{"410105", "410122"});
  }

  // 6. Each analytics shard counts only its district's workers — of both location shards.
  for (const auto& [shard, district] : kDistrictOf) {
    av1::ListLiveWorkersRequest req;
    req.set_page_size(5000);
    av1::ListLiveWorkersResponse resp;
    REQUIRE(Direct<av1::AnalyticsService>(stack.addr["analytics"][shard])
                ->ListLiveWorkers(As(MakePrincipal(ROLE_ADMIN)).get(), req, &resp)
                .ok());
    std::map<std::string, int> by_location;
    for (const auto& lw : resp.workers()) {
      INFO(shard << ": " << lw.worker_id() << " " << lw.grid_id());
      CHECK(absl::StartsWith(lw.grid_id(), district + "/"));
      ++by_location[WorkerShardOf(*stack.routing, lw.worker_id())];
    }
    INFO(shard);
    CHECK(by_location["w0"] > 0);
    CHECK(by_location["w1"] > 0);
  }
  //    The gateway's admin cockpit is the sum of the shards' own cockpits (asked until the
  //    consumers have settled: the three reads are not one snapshot).
  {
    std::string last;
    const bool equal = WaitFor([&] {
      av1::Cockpit parts[2], merged;
      int i = 0;
      for (const auto& [shard, district] : kDistrictOf) {
        if (!Direct<av1::AnalyticsService>(stack.addr["analytics"][shard])
                 ->GetCockpit(As(MakePrincipal(ROLE_ADMIN)).get(), {}, &parts[i++])
                 .ok()) {
          return false;
        }
      }
      absl::Status s =
          admin.Call(&av1::AnalyticsService::Stub::GetCockpit, av1::GetCockpitRequest(), &merged);
      if (!s.ok()) {
        last = s.ToString();
        return false;
      }
      last = absl::StrCat("merged ", absl::StrJoin(Summed(merged), ","), " sum ",
                          absl::StrJoin(Sum(parts[0], parts[1]), ","));
      return parts[0].total().grids() > 0 && parts[1].total().grids() > 0 &&
             parts[0].total().workers_total() > 0 && parts[1].total().workers_total() > 0 &&
             Summed(merged) == Sum(parts[0], parts[1]);
    });
    INFO(last);
    CHECK(equal);
  }

  // 7. Inspection results on the shard of the subject's district, with presence verified on
  //    the inspector's own location shard (a result by a w1 worker is VERIFIED only if
  //    inspection-dX asked location-w1).
  std::map<std::string, int> verified_by_location;
  for (const auto& [shard, district] : kDistrictOf) {
    auto insp = Direct<iv1::InspectionService>(stack.addr["inspection"][shard]);
    iv1::ListSubjectsRequest req;
    req.set_page_size(1000);
    iv1::ListSubjectsResponse subjects;
    REQUIRE(insp->ListSubjects(As(MakePrincipal(ROLE_ADMIN)).get(), req, &subjects).ok());
    INFO(shard);
    CHECK(subjects.subjects_size() > 0);
    int results = 0, flagged = 0;
    for (const auto& sub : subjects.subjects()) {
      CHECK(absl::StartsWith(sub.region_path(), district + "/"));
      iv1::ListResultsRequest r;
      r.set_subject_id(sub.id());
      r.set_page_size(100);
      iv1::ListResultsResponse rr;
      REQUIRE(insp->ListResults(As(MakePrincipal(ROLE_ADMIN)).get(), r, &rr).ok());
      for (const auto& res : rr.results()) {
        ++results;
        flagged += res.flagged();
        CHECK(absl::StartsWith(res.region_path(), district + "/"));
        if (res.presence().status() == iv1::Presence::STATUS_VERIFIED) {
          ++verified_by_location[WorkerShardOf(*stack.routing, res.inspector())];
        }
      }
    }
    CHECK(results > 0);
    CHECK(flagged * 2 < results);
  }
  CHECK(verified_by_location["w0"] > 0);
  CHECK(verified_by_location["w1"] > 0);

  // SHARDED_STACK_LOGS=<dir>: every process's log (and each day's output, above) kept there.
  if (const char* dir = std::getenv("SHARDED_STACK_LOGS")) {
    for (auto& [name, p] : stack.procs) {
      std::ofstream(absl::StrCat(dir, "/", name, ".log")) << p->Log();
    }
  }

  // Every feed consumer of every shard is connected to its peer, at the address the routing
  // file gives (the --<peer>_addr flags lead nowhere), e.g. inspection<-workorder.
  for (auto& [name, p] : stack.procs) {
    if (name == "gateway" || absl::StartsWith(name, "workorder")) continue;  // no consumers
    std::string last;
    const bool connected = WaitFor([&] {
      last.clear();
      int consumers = 0;
      for (absl::string_view line : absl::StrSplit(HttpGet(p->metrics_port(), "/metrics"), '\n')) {
        if (!absl::StartsWith(line, "gridwork_feed_consumer_connected{")) continue;
        ++consumers;
        if (!absl::EndsWith(line, " 1")) absl::StrAppend(&last, line, "\n");
      }
      if (consumers == 0) last = "no consumer metrics";
      return last.empty();
    });
    INFO(name << ": " << last);
    CHECK(connected);
  }

  // 8. Every process still SERVING; each stops cleanly on SIGTERM, the gateway first.
  for (auto& [name, p] : stack.procs) {
    auto health = grpc::health::v1::Health::NewStub(rpc::MakeChannel(p->grpc_target()));
    grpc::health::v1::HealthCheckResponse hc;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    INFO(name);
    CHECK(health->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &hc).ok());
    CHECK(hc.status() == grpc::health::v1::HealthCheckResponse::SERVING);
  }
  CHECK(stack.procs["gateway"]->Stop() == 0);
  for (auto& [name, p] : stack.procs) {
    if (name == "gateway") continue;
    INFO(name);
    CHECK(p->Stop() == 0);
  }
  std::printf("sharded_stack_test: %.1f s\n", absl::ToDoubleSeconds(absl::Now() - started));
}

}  // namespace gridwork::testing
