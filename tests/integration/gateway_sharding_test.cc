// Shard routing at the gateway over real processes: two gridwork-location processes are
// shards w0 and w1 behind one gridwork-gateway started with a routing file (and a
// --location_addr that leads nowhere, so nothing reaches a shard except by routing). Grid
// workers upload through the gateway; each worker's fixes land on the shard
// fnv1a64(worker) mod 2 names and are read back from it through the gateway; a request for
// workers of both shards is refused; a feed and a store checkpoint can name their shard.
//
// The second case stands up two shards each of location, geofence, workorder and analytics
// (districts 410105 on d0 and 410185 on d1) and checks the calls that need more than one
// shard: lookups by id, calls by position, fan-outs with merges and a composite page token
// (analytics series, order stats and the assessment ranked over both shards, against what
// each shard answers), the intakes, region imports, and a shard that is down.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridwork/admin/v1/store_admin.grpc.pb.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/gateway/v1/gateway.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/sdk/session.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "tests/integration/gateway_http_client.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/small_tree.h"

namespace gridwork::testing {
namespace {

namespace lv1 = location::v1;

constexpr char kAdminPassword[] = "sharding-admin-password";

// FNV-1a 64 of "worker-1" ends in ...ebed (odd: w1), of "worker-2" in ...e6d4 (even: w0);
// the vectors are checked in shard_router_test.
constexpr char kWorkerOnW1[] = "worker-1";
constexpr char kWorkerOnW0[] = "worker-2";

lv1::FixBatch Batch(const std::string& worker, const std::string& device, int n, int64_t start_ms) {
  lv1::FixBatch b;
  b.set_batch_id(1);
  b.set_worker_id(worker);
  b.set_device_id(device);
  for (int i = 1; i <= n; ++i) {
    lv1::DeviceFix* f = b.add_fixes();
    f->set_sequence(i);
    *f->mutable_device_time() = service::ToProto(absl::FromUnixMillis(start_ms + 1000 * i));
    f->mutable_position()->set_lat(34.75);
    f->mutable_position()->set_lng(113.6 + 1e-6 * i);
    f->set_accuracy_m(5);
  }
  return b;
}

lv1::ListRawFixesRequest RawOf(const std::string& worker, int64_t start_ms) {
  lv1::ListRawFixesRequest req;
  req.set_worker_id(worker);
  *req.mutable_start_time() = service::ToProto(absl::FromUnixMillis(start_ms));
  *req.mutable_end_time() = service::ToProto(absl::FromUnixMillis(start_ms) + absl::Hours(1));
  req.set_page_size(1000);
  return req;
}

// Fixes of `worker` stored on one shard, read directly with a signed admin principal.
int StoredOn(ServiceProcess& shard, const std::string& worker, int64_t start_ms) {
  auto stub = lv1::LocationService::NewStub(rpc::MakeChannel(shard.grpc_target()));
  lv1::ListRawFixesResponse page;
  grpc::Status s = stub->ListRawFixes(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(),
                                      RawOf(worker, start_ms), &page);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return page.fixes_size();
}

// A started gateway that routes by `routing_path`, its store in `store_dir`. Its plain
// --<service>_addr flags lead nowhere, so a call that reaches a service was routed by the file.
std::unique_ptr<ServiceProcess> StartRoutedGateway(const std::string& store_dir,
                                                   const std::string& routing_path,
                                                   std::vector<std::string> http_flags) {
  std::vector<std::string> args = {"--data_dir=" + store_dir,      "--sync=false",
                                   "--pbkdf2_iterations=1000",     "--routing_file=" + routing_path,
                                   "--location_addr=127.0.0.1:1",  "--geofence_addr=127.0.0.1:1",
                                   "--workorder_addr=127.0.0.1:1", "--inspection_addr=127.0.0.1:1",
                                   "--analytics_addr=127.0.0.1:1", "--rate_limit_scale=100"};
  args.insert(args.end(), http_flags.begin(), http_flags.end());
  auto gateway = std::make_unique<ServiceProcess>(
      "gridwork-gateway", std::move(args),
      std::vector<std::string>{KeyEnv(), "GRIDWORK_TOKEN_KEY=sharding-token-key-0123456789abcdef",
                               std::string("GRIDWORK_ADMIN_PASSWORD=") + kAdminPassword});
  auto started = gateway->Start();
  INFO(started.message());
  REQUIRE(started.ok());
  return gateway;
}

}  // namespace

TEST_CASE("the gateway routes location calls to the worker's shard", "[integration]") {
  TempDir w0_dir, w1_dir, gateway_dir;
  ServiceProcess w0("gridwork-location", {"--data_dir=" + w0_dir.path() + "/store"}, {KeyEnv()});
  ServiceProcess w1("gridwork-location", {"--data_dir=" + w1_dir.path() + "/store"}, {KeyEnv()});
  REQUIRE(w0.Start().ok());
  REQUIRE(w1.Start().ok());
  const std::string routing_path = gateway_dir.path() + "/routing.yaml";
  {
    std::ofstream out(routing_path);
    out << "# two location shards (test)\nversion: 1\nworker_shards: [w0, w1]\n"
        << "district_shards:\n  d0: [\"410105\"]\nservices:\n  location:\n    key: worker\n"
        << "    shards:\n      w0: " << w0.grpc_target() << "\n      w1: " << w1.grpc_target()
        << "\n";
  }
  std::unique_ptr<ServiceProcess> gateway_process =
      StartRoutedGateway(gateway_dir.path() + "/store", routing_path, {"--http_addr="});
  ServiceProcess& gateway = *gateway_process;

  sdk::ConnectOptions options;
  options.gateway_addr = gateway.grpc_target();
  options.call_timeout = absl::Seconds(10);
  auto admin = sdk::Session::Login(options, "admin", kAdminPassword);
  REQUIRE(admin.ok());
  for (const char* worker : {kWorkerOnW1, kWorkerOnW0}) {
    gateway::v1::CreateUserRequest req;
    req.set_request_id(absl::StrCat("create-", worker));
    req.mutable_user()->set_username(worker);
    req.mutable_user()->set_role(common::v1::ROLE_GRID_WORKER);
    req.mutable_user()->set_region_scope("410105/s01/c01/g01");
    req.set_password(absl::StrCat("password-", worker));
    gateway::v1::User u;
    absl::Status s = (*admin)->Call(&gateway::v1::Identity::Stub::CreateUser, req, &u);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  const int64_t start_ms = absl::ToUnixMillis(absl::Now() - absl::Hours(2));

  // Each worker uploads 5 fixes naming itself (routed by worker_id); worker-1 3 more without
  // a worker id and 4 over StreamFixes (both routed by the caller: its own shard).
  for (const char* worker : {kWorkerOnW1, kWorkerOnW0}) {
    auto session = sdk::Session::Login(options, worker, absl::StrCat("password-", worker));
    REQUIRE(session.ok());
    lv1::BatchAck ack;
    absl::Status s = (*session)->Call(&lv1::LocationService::Stub::IngestFixes,
                                      Batch(worker, "phone-a", 5, start_ms), &ack);
    INFO(worker << ": " << s.ToString() << " " << ack.error());
    REQUIRE(s.ok());
    REQUIRE(ack.rejections_size() == 0);
    if (std::string(worker) == kWorkerOnW1) {
      lv1::FixBatch own = Batch("", "phone-b", 3, start_ms + 60000);
      s = (*session)->Call(&lv1::LocationService::Stub::IngestFixes, own, &ack);
      INFO(s.ToString());
      REQUIRE(s.ok());
      // A phone's stream (no message is read before routing: the caller's own shard).
      auto ctx = (*session)->Context();
      auto stream = (*session)->location().StreamFixes(ctx.get());
      REQUIRE(stream->Write(Batch("", "phone-c", 4, start_ms + 120000)));
      REQUIRE(stream->Read(&ack));
      CHECK(ack.error().empty());
      CHECK(ack.rejections_size() == 0);
      stream->WritesDone();
      grpc::Status finished = stream->Finish();
      INFO(finished.error_message());
      CHECK(finished.ok());
    }
  }

  // On the shards themselves: each worker's fixes on its own shard only.
  CHECK(StoredOn(w1, kWorkerOnW1, start_ms) == 12);
  CHECK(StoredOn(w0, kWorkerOnW1, start_ms) == 0);
  CHECK(StoredOn(w0, kWorkerOnW0, start_ms) == 5);
  CHECK(StoredOn(w1, kWorkerOnW0, start_ms) == 0);

  // Read back through the gateway: routed by worker_id to the shard that has them.
  for (auto [worker, n] : {std::pair<const char*, int>{kWorkerOnW1, 12}, {kWorkerOnW0, 5}}) {
    lv1::ListRawFixesResponse page;
    absl::Status s =
        (*admin)->Call(&lv1::LocationService::Stub::ListRawFixes, RawOf(worker, start_ms), &page);
    INFO(worker << ": " << s.ToString());
    REQUIRE(s.ok());
    CHECK(page.fixes_size() == n);
  }

  // Workers of one shard in one request: routed; of both shards: refused, naming them.
  lv1::GetLastPositionsRequest one;
  one.add_worker_ids(kWorkerOnW0);
  lv1::GetLastPositionsResponse last;
  REQUIRE((*admin)->Call(&lv1::LocationService::Stub::GetLastPositions, one, &last).ok());
  REQUIRE(last.positions_size() == 1);
  CHECK(last.positions(0).known());
  lv1::GetLastPositionsRequest mixed = one;
  mixed.add_worker_ids(kWorkerOnW1);
  absl::Status refused =
      (*admin)->Call(&lv1::LocationService::Stub::GetLastPositions, mixed, &last);
  CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(refused.message()), Catch::Contains("w1: worker-1"));

  // A feed names its shard in the upstream header.
  auto feed_info = [&](const std::string& upstream, common::v1::FeedInfo* info) {
    auto ctx = (*admin)->Context();
    ctx->AddMetadata("x-gridwork-upstream", upstream);
    return common::v1::Feed::NewStub((*admin)->channel())
        ->GetFeedInfo(ctx.get(), common::v1::GetFeedInfoRequest(), info);
  };
  common::v1::FeedInfo via_gateway, direct;
  REQUIRE(feed_info("location/w1", &via_gateway).ok());
  REQUIRE(common::v1::Feed::NewStub(rpc::MakeChannel(w1.grpc_target()))
              ->GetFeedInfo(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(),
                            common::v1::GetFeedInfoRequest(), &direct)
              .ok());
  CHECK(via_gateway.last_sequence() == direct.last_sequence());
  CHECK(direct.last_sequence() > 0);
  CHECK(feed_info("location/w9", &via_gateway).error_code() == grpc::StatusCode::NOT_FOUND);

  // A store checkpoint of a named shard, through the gateway, as an admin.
  admin::v1::CreateCheckpointRequest cp_req;
  cp_req.set_name("via-gateway");
  admin::v1::Checkpoint cp;
  auto ctx = (*admin)->Context();
  ctx->AddMetadata("x-gridwork-upstream", "location/w1");
  grpc::Status cs =
      admin::v1::StoreAdmin::NewStub((*admin)->channel())->CreateCheckpoint(ctx.get(), cp_req, &cp);
  INFO(cs.error_message());
  REQUIRE(cs.ok());
  CHECK(cp.path() == w1_dir.path() + "/checkpoints/location/via-gateway");
  CHECK(cp.feed_sequence() == direct.last_sequence());

  // A grid worker may not take checkpoints (the gateway's uniform denial).
  auto worker = sdk::Session::Login(options, kWorkerOnW0, absl::StrCat("password-", kWorkerOnW0));
  REQUIRE(worker.ok());
  auto wctx = (*worker)->Context();
  wctx->AddMetadata("x-gridwork-upstream", "location/w0");
  cp_req.set_name("by-worker");
  CHECK(admin::v1::StoreAdmin::NewStub((*worker)->channel())
            ->CreateCheckpoint(wctx.get(), cp_req, &cp)
            .error_code() == grpc::StatusCode::PERMISSION_DENIED);

  CHECK(gateway.Stop() == 0);
  CHECK(w0.Stop() == 0);
  CHECK(w1.Stop() == 0);
}

}  // namespace gridwork::testing

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace wv1 = workorder::v1;

// District 410105 (shard d0) at 113.60-113.65 E and 410185 (shard d1) at 113.70-113.75 E,
// each one street, one community, one grid.
std::string DistrictTree(const std::string& district, double lng0) {
  return Collection({
      SquareFeature(district, "district", lng0, 34.70, lng0 + 0.05, 34.75),
      SquareFeature(district + "/s01", "street", lng0, 34.70, lng0 + 0.05, 34.75),
      SquareFeature(district + "/s01/c01", "community", lng0, 34.70, lng0 + 0.05, 34.75),
      SquareFeature(district + "/s01/c01/g01", "grid", lng0, 34.70, lng0 + 0.05, 34.75),
  });
}
const common::v1::LatLng kInD0 = At(34.72, 113.62);
const common::v1::LatLng kInD1 = At(34.72, 113.72);

template <typename Stub>
std::unique_ptr<typename Stub::Stub> Direct(const ServiceProcess& p) {
  return Stub::NewStub(rpc::MakeChannel(p.grpc_target()));
}

bool OrderOn(const ServiceProcess& shard, const std::string& id) {
  wv1::GetOrderRequest req;
  req.set_order_id(id);
  wv1::WorkOrder o;
  return Direct<wv1::WorkOrderService>(shard)
      ->GetOrder(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), req, &o)
      .ok();
}

}  // namespace

TEST_CASE("the gateway fans out, looks up by id and routes by position over shards",
          "[integration]") {
  TempDir dirs[9];
  auto addr = [] { return absl::StrCat("127.0.0.1:", PickFreePort()); };
  const std::string g0_addr = addr(), g1_addr = addr(), w0_addr = addr(), w1_addr = addr();
  const std::string o0_addr = addr(), o1_addr = addr(), a0_addr = addr(), a1_addr = addr();
  // Each geofence shard follows the location shard whose workers it sees in the test, and
  // each location shard the geofence shard of its workers' district (worker-2 on w0 works in
  // 410105, worker-1 on w1 in 410185), so CountOnline has one online worker on each shard.
  auto svc = [&](const char* bin, int dir, const std::string& grpc, const std::string& peer_flag,
                 std::vector<std::string> more = {}) {
    std::vector<std::string> args{"--data_dir=" + dirs[dir].path(), "--sync=false",
                                  "--grpc_addr=" + grpc, peer_flag};
    args.insert(args.end(), more.begin(), more.end());
    return std::make_unique<ServiceProcess>(bin, std::move(args),
                                            std::vector<std::string>{KeyEnv()});
  };
  auto g0 = svc("gridwork-geofence", 0, g0_addr, "--location_addr=" + w0_addr);
  auto g1 = svc("gridwork-geofence", 1, g1_addr, "--location_addr=" + w1_addr);
  auto w0 = svc("gridwork-location", 2, w0_addr, "--geofence_addr=" + g0_addr);
  auto w1 = svc("gridwork-location", 3, w1_addr, "--geofence_addr=" + g1_addr);
  auto o0 = svc("gridwork-workorder", 4, o0_addr, "--geofence_addr=" + g0_addr);
  auto o1 = svc("gridwork-workorder", 5, o1_addr, "--geofence_addr=" + g1_addr);
  // Each analytics shard follows the shards of its own district (and location shard).
  auto a0 = svc("gridwork-analytics", 7, a0_addr, "--geofence_addr=" + g0_addr,
                {"--workorder_addr=" + o0_addr, "--location_addr=" + w0_addr,
                 "--inspection_addr=127.0.0.1:1"});
  auto a1 = svc("gridwork-analytics", 8, a1_addr, "--geofence_addr=" + g1_addr,
                {"--workorder_addr=" + o1_addr, "--location_addr=" + w1_addr,
                 "--inspection_addr=127.0.0.1:1"});
  for (ServiceProcess* p :
       {g0.get(), g1.get(), w0.get(), w1.get(), o0.get(), o1.get(), a0.get(), a1.get()}) {
    auto started = p->Start();
    INFO(started.message());
    REQUIRE(started.ok());
  }

  const std::string routing_path = dirs[6].path() + "/routing.yaml";
  {
    std::ofstream out(routing_path);
    out << "version: 1\nworker_shards: [w0, w1]\n"
        << "district_shards:\n  d0: [\"410105\"]\n  d1: [\"410185\"]\nservices:\n"
        << "  location:\n    key: worker\n    shards:\n      w0: " << w0_addr
        << "\n      w1: " << w1_addr << "\n"
        << "  geofence:\n    key: district\n    shards:\n      d0: " << g0_addr
        << "\n      d1: " << g1_addr << "\n"
        << "  workorder:\n    key: district\n    shards:\n      d0: " << o0_addr
        << "\n      d1: " << o1_addr << "\n"
        << "  analytics:\n    key: district\n    shards:\n      d0: " << a0_addr
        << "\n      d1: " << a1_addr << "\n";
  }
  const int http_port = PickFreePort();
  std::unique_ptr<ServiceProcess> gateway_process = StartRoutedGateway(
      dirs[6].path() + "/store", routing_path,
      {absl::StrCat("--http_addr=127.0.0.1:", http_port), "--web_root=/nonexistent"});
  ServiceProcess& gateway = *gateway_process;
  sdk::ConnectOptions options;
  options.gateway_addr = gateway.grpc_target();
  options.call_timeout = absl::Seconds(10);
  auto admin = sdk::Session::Login(options, "admin", kAdminPassword);
  REQUIRE(admin.ok());
  auto& a = **admin;

  // A catalogue write through the gateway reaches every workorder shard, with one version.
  {
    wv1::UpsertCategoryRequest cat;
    cat.set_request_id("cat-garbage");
    cat.mutable_category()->set_id("garbage");
    cat.mutable_category()->set_name("垃圾堆放");
    cat.mutable_category()->set_default_department("urban-management");
    wv1::Category out;
    absl::Status s = a.Call(&wv1::WorkOrderService::Stub::UpsertCategory, cat, &out);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(out.version() == 1);
    for (ServiceProcess* p : {o0.get(), o1.get()}) {
      wv1::ListCategoriesResponse listed;
      REQUIRE(Direct<wv1::WorkOrderService>(*p)
                  ->ListCategories(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), {}, &listed)
                  .ok());
      REQUIRE(listed.categories_size() == 1);
      CHECK(listed.categories(0).id() == "garbage");
      CHECK(listed.categories(0).version() == 1);
    }
    // A stale version is refused by the shards, and the answer names one.
    cat.set_request_id("cat-garbage-stale");
    cat.set_expected_version(7);
    s = a.Call(&wv1::WorkOrderService::Stub::UpsertCategory, cat, &out);
    CHECK(s.code() == absl::StatusCode::kAborted);
    CHECK_THAT(std::string(s.message()), Catch::Contains("workorder shard d"));
  }

  // ImportRegions: each district's file lands on its shard; a file of both is refused.
  for (auto [district, lng0] :
       {std::pair<std::string, double>{"410105", 113.60}, {"410185", 113.70}}) {
    gv1::ImportRegionsRequest req;
    req.set_request_id("import-" + district);
    req.set_geojson(DistrictTree(district, lng0));
    gv1::ImportRegionsResponse resp;
    absl::Status s = a.Call(&gv1::GeofenceService::Stub::ImportRegions, req, &resp);
    INFO(district << ": " << s.ToString());
    REQUIRE(s.ok());
  }
  auto region_on = [](const ServiceProcess& shard, const std::string& id) {
    gv1::GetRegionRequest req;
    req.set_id(id);
    gv1::Region r;
    return Direct<gv1::GeofenceService>(shard)
        ->GetRegion(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), req, &r)
        .ok();
  };
  CHECK(region_on(*g0, "410105"));
  CHECK_FALSE(region_on(*g1, "410105"));
  CHECK(region_on(*g1, "410185"));
  CHECK_FALSE(region_on(*g0, "410185"));
  {
    gv1::ImportRegionsRequest mixed;
    mixed.set_request_id("import-mixed");
    mixed.set_geojson(
        Collection({SquareFeature("410105/s02", "street", 113.60, 34.70, 113.61, 34.71),
                    SquareFeature("410185/s02", "street", 113.70, 34.70, 113.71, 34.71)}));
    gv1::ImportRegionsResponse resp;
    absl::Status s = a.Call(&gv1::GeofenceService::Stub::ImportRegions, mixed, &resp);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(s.message()),
               Catch::Contains("d0: 410105") && Catch::Contains("d1: 410185"));
  }

  // Locate by position finds the district on whichever shard holds it.
  {
    gv1::LocateRequest req;
    *req.mutable_position() = kInD1;
    gv1::LocateResponse resp;
    REQUIRE(a.Call(&gv1::GeofenceService::Stub::Locate, req, &resp).ok());
    CHECK(resp.found());
    CHECK(resp.region().id() == "410185/s01/c01/g01");
  }

  // An admin's list of the city's districts holds both shards' districts, in id order, also
  // a page at a time.
  {
    gv1::ListRegionsRequest req;
    req.set_page_size(1);
    std::vector<std::string> ids;
    do {
      gv1::ListRegionsResponse resp;
      absl::Status s = a.Call(&gv1::GeofenceService::Stub::ListRegions, req, &resp);
      INFO(s.ToString());
      REQUIRE(s.ok());
      for (const auto& r : resp.regions()) ids.push_back(r.id());
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty() && ids.size() < 10);
    CHECK(ids == std::vector<std::string>{"410105", "410185"});
  }

  // An admin's key point goes by its (nested) position to the geofence shard of its district.
  {
    gv1::PutKeyPointRequest req;
    req.set_request_id("kp-d1");
    req.mutable_key_point()->set_name("独居老人 王奶奶");
    req.mutable_key_point()->set_kind(gv1::KEY_POINT_KIND_ELDERLY_ALONE);
    *req.mutable_key_point()->mutable_position() = kInD1;
    req.mutable_key_point()->set_radius_m(30);
    gv1::KeyPoint kp;
    absl::Status s = a.Call(&gv1::GeofenceService::Stub::PutKeyPoint, req, &kp);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(kp.grid_id() == "410185/s01/c01/g01");
    gv1::GetKeyPointRequest get;
    get.set_id(kp.id());
    gv1::KeyPoint stored;
    CHECK(Direct<gv1::GeofenceService>(*g1)
              ->GetKeyPoint(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), get, &stored)
              .ok());
    CHECK(Direct<gv1::GeofenceService>(*g0)
              ->GetKeyPoint(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), get, &stored)
              .error_code() == grpc::StatusCode::NOT_FOUND);
  }

  // CreateOrder by position: on the workorder shard of the position's district.
  auto create = [&](const std::string& rid, const common::v1::LatLng& at) {
    wv1::CreateOrderRequest req;
    req.set_request_id(rid);
    req.set_category_id("garbage");
    *req.mutable_position() = at;
    req.set_description("bags by the gate " + rid);
    wv1::CreateOrderResponse resp;
    absl::Status s = a.Call(&wv1::WorkOrderService::Stub::CreateOrder, req, &resp);
    INFO(rid << ": " << s.ToString());
    REQUIRE(s.ok());
    return resp.order();
  };
  wv1::WorkOrder on_d1 = create("create-d1", kInD1);
  wv1::WorkOrder on_d0 = create("create-d0", kInD0);
  CHECK(on_d1.region_path() == "410185/s01/c01/g01");
  CHECK(OrderOn(*o1, on_d1.id()));
  CHECK_FALSE(OrderOn(*o0, on_d1.id()));
  CHECK(OrderOn(*o0, on_d0.id()));

  // An admin's GetOrder and Transition by id reach the order on d1 (default shard: d0).
  {
    wv1::GetOrderRequest get;
    get.set_order_id(on_d1.id());
    wv1::WorkOrder got;
    absl::Status s = a.Call(&wv1::WorkOrderService::Stub::GetOrder, get, &got);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(got.id() == on_d1.id());
    wv1::TransitionRequest t;
    t.set_request_id("dispatch-d1");
    t.set_order_id(on_d1.id());
    t.set_expected_version(got.version());
    t.set_action(wv1::ACTION_DISPATCH);
    wv1::WorkOrder after;
    s = a.Call(&wv1::WorkOrderService::Stub::Transition, t, &after);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(after.state() == wv1::STATE_DISPATCHED);
    get.set_order_id("wo-00000000000000000000000000000000");
    CHECK(a.Call(&wv1::WorkOrderService::Stub::GetOrder, get, &got).code() ==
          absl::StatusCode::kNotFound);
  }

  // Open311 intake: a resident's report by position lands on the district's shard.
  {
    gateway::v1::LoginRequest login;
    login.set_username("admin");
    login.set_password(kAdminPassword);
    gateway::v1::TokenPair pair;
    grpc::ClientContext ctx;
    REQUIRE(gateway::v1::Identity::NewStub(rpc::MakeChannel(gateway.grpc_target()))
                ->Login(&ctx, login, &pair)
                .ok());
    HttpResult post =
        HttpCall(http_port, "POST", "/open311/v2/requests.json",
                 {"Content-Type: application/x-www-form-urlencoded"},
                 "api_key=" + pair.access_token() +
                     "&service_code=garbage&lat=34.73&long=113.73&description=open311");
    INFO(post.raw);
    REQUIRE(post.status / 100 == 2);
    const std::string key = "\"service_request_id\":\"";
    size_t at = post.body.find(key);
    REQUIRE(at != std::string::npos);
    std::string id = post.body.substr(at + key.size());
    id.resize(id.find('"'));
    CHECK(OrderOn(*o1, id));
    CHECK_FALSE(OrderOn(*o0, id));
  }

  // A fanned-out admin list: orders of both shards, every one once over pages of 1.
  {
    std::set<std::string> seen;
    wv1::ListOrdersRequest list;
    list.set_page_size(1);
    int pages = 0;
    std::string first_token;
    do {
      wv1::ListOrdersResponse page;
      absl::Status s = a.Call(&wv1::WorkOrderService::Stub::ListOrders, list, &page);
      INFO(s.ToString());
      REQUIRE(s.ok());
      CHECK(page.orders_size() <= 1);
      for (const auto& o : page.orders()) CHECK(seen.insert(o.id()).second);
      if (first_token.empty()) first_token = page.next_page_token();
      list.set_page_token(page.next_page_token());
      REQUIRE(++pages < 20);
    } while (!list.page_token().empty());
    CHECK(seen.size() == 3);
    CHECK(seen.count(on_d0.id()) == 1);
    CHECK(seen.count(on_d1.id()) == 1);
    // A modified token is refused, as is one reused for other filters.
    REQUIRE(!first_token.empty());
    std::string tampered = first_token;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    list.set_page_token(tampered);
    wv1::ListOrdersResponse page;
    CHECK(a.Call(&wv1::WorkOrderService::Stub::ListOrders, list, &page).code() ==
          absl::StatusCode::kInvalidArgument);
    list.set_page_token(first_token);
    list.mutable_filter()->set_department("water");
    CHECK(a.Call(&wv1::WorkOrderService::Stub::ListOrders, list, &page).code() ==
          absl::StatusCode::kInvalidArgument);
    wv1::CountOrdersResponse counts;
    REQUIRE(
        a.Call(&wv1::WorkOrderService::Stub::CountOrders, wv1::CountOrdersRequest(), &counts).ok());
    CHECK(counts.total() == 3);
  }

  // OsmAnd: a device bound to worker-1 (shard w1) sends a fix; it is stored on w1.
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  {
    gateway::v1::BindDeviceRequest bind;
    bind.set_request_id("bind-osmand");
    bind.set_device_id("osmand-1");
    bind.set_worker_id(kWorkerOnW1);
    gateway::v1::Device dev;
    absl::Status s = a.Call(&gateway::v1::Identity::Stub::BindDevice, bind, &dev);
    INFO(s.ToString());
    REQUIRE(s.ok());
    HttpResult fix = HttpCall(http_port, "GET",
                              absl::StrCat("/osmand?id=osmand-1&timestamp=", now_ms / 1000 - 60,
                                           "&lat=34.72&lon=113.72&accuracy=5"));
    INFO(fix.raw);
    CHECK(fix.status == 200);
    CHECK(StoredOn(*w1, kWorkerOnW1, now_ms - 3600 * 1000) == 1);
    CHECK(StoredOn(*w0, kWorkerOnW1, now_ms - 3600 * 1000) == 0);
  }

  // Both workers upload now, in their districts; CountOnline and FindNearbyWorkers see both
  // location shards.
  for (auto [worker, lng] :
       {std::pair<const char*, double>{kWorkerOnW1, 113.72}, {kWorkerOnW0, 113.62}}) {
    lv1::FixBatch b = Batch(worker, "phone-x", 3, now_ms - 10000);
    for (auto& f : *b.mutable_fixes()) {
      f.mutable_position()->set_lat(34.72);  // inside the district, not on its edge
      f.mutable_position()->set_lng(lng);
    }
    lv1::BatchAck ack;
    REQUIRE(Direct<lv1::LocationService>(worker == std::string(kWorkerOnW1) ? *w1 : *w0)
                ->IngestFixes(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), b, &ack)
                .ok());
  }
  lv1::CountOnlineResponse online;
  for (int i = 0; i < 100; ++i) {
    REQUIRE(
        a.Call(&lv1::LocationService::Stub::CountOnline, lv1::CountOnlineRequest(), &online).ok());
    if (online.online() == 2) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  CHECK(online.online() == 2);
  CHECK(online.children_size() == 2);  // 410105 and 410185
  {
    lv1::FindNearbyWorkersRequest near;
    *near.mutable_position() = At(34.72, 113.67);
    near.set_radius_m(15000);
    lv1::FindNearbyWorkersResponse found;
    REQUIRE(a.Call(&lv1::LocationService::Stub::FindNearbyWorkers, near, &found).ok());
    CHECK(found.workers_size() == 2);
    near.set_max_results(1);
    REQUIRE(a.Call(&lv1::LocationService::Stub::FindNearbyWorkers, near, &found).ok());
    CHECK(found.workers_size() == 1);
  }

  // The cockpit: an admin's GetCockpit and StreamCockpit merge both analytics shards (one
  // grid each; orders: one on d0, two on d1); a stream naming a district is that shard's.
  {
    namespace av1 = analytics::v1;
    av1::Cockpit cockpit;
    for (int i = 0; i < 100; ++i) {
      absl::Status s =
          a.Call(&av1::AnalyticsService::Stub::GetCockpit, av1::GetCockpitRequest(), &cockpit);
      INFO(s.ToString());
      REQUIRE(s.ok());
      if (cockpit.total().grids() == 2 && cockpit.total().orders_open() == 3) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    CHECK(cockpit.total().grids() == 2);
    CHECK(cockpit.total().orders_open() == 3);
    CHECK(cockpit.children_size() == 2);
    auto first_of_stream = [&](const std::string& region, av1::Cockpit* out) {
      auto ctx = a.Context();
      av1::StreamCockpitRequest req;
      req.set_region_prefix(region);
      auto stream = av1::AnalyticsService::NewStub(a.channel())->StreamCockpit(ctx.get(), req);
      bool got = stream->Read(out);
      ctx->TryCancel();
      grpc::Status end = stream->Finish();
      INFO(end.error_message());
      return got;
    };
    av1::Cockpit streamed;
    REQUIRE(first_of_stream("", &streamed));
    CHECK(streamed.total().grids() == 2);
    CHECK(streamed.total().orders_open() == 3);
    REQUIRE(first_of_stream("410185", &streamed));
    CHECK(streamed.total().grids() == 1);
    CHECK(streamed.total().orders_open() == 2);
  }

  // Windowed analytics and the assessment of an admin at city level merge both analytics
  // shards, and match what each shard answers directly.
  {
    namespace av1 = analytics::v1;
    // Two workers on each district's grid: one who uploaded fixes, one who did not.
    for (auto [worker, grid] :
         std::vector<std::pair<std::string, std::string>>{{kWorkerOnW0, "410105/s01/c01/g01"},
                                                          {"worker-3", "410105/s01/c01/g01"},
                                                          {kWorkerOnW1, "410185/s01/c01/g01"},
                                                          {"worker-4", "410185/s01/c01/g01"}}) {
      gv1::BindWorkerRequest bind;
      bind.set_request_id("bind-" + worker);
      bind.set_worker_id(worker);
      bind.set_grid_id(grid);
      bind.set_role(gv1::BINDING_ROLE_WORKER);
      gv1::Binding out;
      absl::Status s = a.Call(&gv1::GeofenceService::Stub::BindWorker, bind, &out);
      INFO(worker << ": " << s.ToString());
      REQUIRE(s.ok());
    }
    auto direct = [](const ServiceProcess& shard) { return Direct<av1::AnalyticsService>(shard); };
    auto assessment_of = [&](const ServiceProcess& shard) {
      av1::ListAssessmentResponse resp;
      grpc::Status s = direct(shard)->ListAssessment(
          As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), av1::ListAssessmentRequest(), &resp);
      INFO(s.error_message());
      REQUIRE(s.ok());
      return resp;
    };
    for (int i = 0; i < 100; ++i) {
      if (assessment_of(*a0).total_workers() == 2 && assessment_of(*a1).total_workers() == 2) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }

    // QuerySeries: orders reported by district (one on d0, two on d1), summed per group.
    av1::QuerySeriesRequest q;
    q.set_metric(av1::METRIC_ORDERS_REPORTED);
    q.set_group_by(av1::GROUP_BY_CHILD_REGION);
    *q.mutable_from() = service::ToProto(absl::Now() - absl::Hours(48));
    *q.mutable_to() = service::ToProto(absl::Now() + absl::Hours(1));
    av1::QuerySeriesResponse merged, on_d0, on_d1;
    absl::Status s = a.Call(&av1::AnalyticsService::Stub::QuerySeries, q, &merged);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(
        direct(*a0)->QuerySeries(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), q, &on_d0).ok());
    REQUIRE(
        direct(*a1)->QuerySeries(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), q, &on_d1).ok());
    REQUIRE(on_d0.series_size() == 1);
    REQUIRE(on_d1.series_size() == 1);
    CHECK(on_d0.series(0).group() == "410105");
    CHECK(on_d0.series(0).total() == 1);
    CHECK(on_d1.series(0).group() == "410185");
    CHECK(on_d1.series(0).total() == 2);
    REQUIRE(merged.series_size() == 2);
    CHECK(merged.series(0).SerializeAsString() == on_d0.series(0).SerializeAsString());
    CHECK(merged.series(1).SerializeAsString() == on_d1.series(0).SerializeAsString());
    // Named by district: that shard's answer alone.
    q.set_region_prefix("410185");
    REQUIRE(a.Call(&av1::AnalyticsService::Stub::QuerySeries, q, &merged).ok());
    REQUIRE(merged.series_size() == 1);
    CHECK(merged.series(0).group() == "410185/s01");
    CHECK(merged.series(0).total() == 2);

    // GetOrderStats: counts of both shards.
    av1::GetOrderStatsRequest stats;
    stats.set_by(av1::STATS_BY_CHILD_REGION);
    av1::GetOrderStatsResponse figures;
    REQUIRE(a.Call(&av1::AnalyticsService::Stub::GetOrderStats, stats, &figures).ok());
    CHECK(figures.total().reported() == 3);
    CHECK(figures.total().open_now() == 3);
    CHECK(figures.rows_size() == 2);

    // ListAssessment in pages of one: every shard's workers once, ranked over both shards
    // (the shards rank their own workers 1 and 2 each), with each shard's figures.
    av1::ListAssessmentResponse d0 = assessment_of(*a0), d1 = assessment_of(*a1);
    REQUIRE(d0.total_workers() == 2);
    REQUIRE(d1.total_workers() == 2);
    std::vector<av1::AssessmentRow> expected(d0.rows().begin(), d0.rows().end());
    expected.insert(expected.end(), d1.rows().begin(), d1.rows().end());
    std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) {
      return x.score() != y.score() ? x.score() > y.score() : x.worker_id() < y.worker_id();
    });
    for (size_t i = 0; i < expected.size(); ++i) {
      const bool tie = i > 0 && std::abs(expected[i].score() - expected[i - 1].score()) < 1e-9;
      expected[i].set_rank(tie ? expected[i - 1].rank() : static_cast<int32_t>(i + 1));
    }
    CHECK(expected.back().rank() == 3);  // the two workers without fixes tie at 0
    std::vector<av1::AssessmentRow> got;
    av1::ListAssessmentRequest list;
    list.set_page_size(1);
    int pages = 0;
    do {
      av1::ListAssessmentResponse page;
      s = a.Call(&av1::AnalyticsService::Stub::ListAssessment, list, &page);
      INFO(s.ToString());
      REQUIRE(s.ok());
      CHECK(page.total_workers() == 4);
      got.insert(got.end(), page.rows().begin(), page.rows().end());
      list.set_page_token(page.next_page_token());
      REQUIRE(++pages < 10);
    } while (!list.page_token().empty());
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      INFO(i << ": " << got[i].worker_id());
      CHECK(got[i].SerializeAsString() == expected[i].SerializeAsString());
    }

    // The CSV exports of the city: the gateway's text is analytics' format over both shards
    // (series: each shard's lines, one header; assessment: the ranks of the merged ranking).
    auto read_csv = [](auto reader) {
      std::string text;
      av1::CsvChunk chunk;
      while (reader->Read(&chunk)) text += chunk.data();
      grpc::Status end = reader->Finish();
      INFO(end.error_message());
      CHECK(end.ok());
      return text;
    };
    auto body = [](const std::string& csv) { return csv.substr(csv.find("\r\n") + 2); };
    q.set_region_prefix("");
    std::string series_csv, series_d0, series_d1;
    {
      auto ctx = a.Context();
      series_csv =
          read_csv(av1::AnalyticsService::NewStub(a.channel())->ExportSeriesCsv(ctx.get(), q));
    }
    series_d0 =
        read_csv(direct(*a0)->ExportSeriesCsv(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), q));
    series_d1 =
        read_csv(direct(*a1)->ExportSeriesCsv(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), q));
    REQUIRE(series_d0.find("410105") != std::string::npos);
    CHECK(series_csv == series_d0 + body(series_d1));

    std::string assessment_csv, assessment_d0, assessment_d1;
    {
      auto ctx = a.Context();
      assessment_csv = read_csv(av1::AnalyticsService::NewStub(a.channel())
                                    ->ExportAssessmentCsv(ctx.get(), av1::ListAssessmentRequest()));
    }
    assessment_d0 = read_csv(direct(*a0)->ExportAssessmentCsv(
        As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), av1::ListAssessmentRequest()));
    assessment_d1 = read_csv(direct(*a1)->ExportAssessmentCsv(
        As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), av1::ListAssessmentRequest()));
    std::map<std::string, std::string> line_of;  // worker -> its line after the rank
    for (const std::string& csv : {assessment_d0, assessment_d1}) {
      for (absl::string_view line : absl::StrSplit(body(csv), "\r\n", absl::SkipEmpty())) {
        std::string rest(line.substr(line.find(',') + 1));
        line_of[rest.substr(0, rest.find(','))] = rest;
      }
    }
    std::string want = assessment_d0.substr(0, assessment_d0.find("\r\n") + 2);
    for (const av1::AssessmentRow& row : expected) {
      REQUIRE(line_of.count(row.worker_id()) == 1);
      absl::StrAppend(&want, row.rank(), ",", line_of[row.worker_id()], "\r\n");
    }
    CHECK(assessment_csv == want);
  }

  // One shard down: a fan-out fails naming it; a lookup found on the default still answers.
  CHECK(o1->Stop() == 0);
  {
    wv1::ListOrdersRequest list;
    wv1::ListOrdersResponse page;
    absl::Status s = a.Call(&wv1::WorkOrderService::Stub::ListOrders, list, &page);
    CHECK(s.code() == absl::StatusCode::kUnavailable);
    CHECK_THAT(std::string(s.message()), Catch::Contains("workorder shard d1"));
    wv1::GetOrderRequest get;
    get.set_order_id(on_d0.id());
    wv1::WorkOrder got;
    CHECK(a.Call(&wv1::WorkOrderService::Stub::GetOrder, get, &got).ok());
    get.set_order_id(on_d1.id());
    s = a.Call(&wv1::WorkOrderService::Stub::GetOrder, get, &got);
    CHECK(s.code() == absl::StatusCode::kUnavailable);
    CHECK_THAT(std::string(s.message()), Catch::Contains("workorder shard d1"));
  }

  CHECK(gateway.Stop() == 0);
  for (ServiceProcess* p : {g0.get(), g1.get(), w0.get(), w1.get(), o0.get(), a0.get(), a1.get()}) {
    CHECK(p->Stop() == 0);
  }
}

}  // namespace gridwork::testing
