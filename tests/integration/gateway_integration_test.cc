// The real gridwork-gateway in front of real geofence, location and workorder processes
// (temporary RocksDB stores, real gRPC and HTTP over loopback sockets).
//
// What the role x method x scope matrix covers (representative, not exhaustive): work orders
// created in grid g01 of the small tree, read by the reporter (own), a worker of the sibling
// grid g02, a community station above (parent), a grid leader scoped to g02 only (child of
// the community, sibling of g01), a handler of another department, another resident, and
// listed by the sibling worker (nothing of g01 may appear); role-gated methods (viewer
// mutates, worker imports regions) and an unknown method. Every refusal must be
// PERMISSION_DENIED with the one uniform message (no region, no id). The same for HTTP (403).
// Tokens: missing, garbage, wrong signature, wrong audience, alg none, expired, logged out
// -> UNAUTHENTICATED over gRPC and 401 over HTTP, while gRPC health and /healthz stay open.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <future>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridwork/gateway/v1/gateway.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/gateway/call_gate.h"
#include "services/gateway/token_codec.h"
#include "tests/integration/gateway_http_client.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/small_tree.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace wv1 = workorder::v1;
namespace idv1 = gateway::v1;
using common::v1::Role;

const char kTokenKey[] = "integration-token-key-0123456789abcdef";
const char kAdminPassword[] = "admin-password-1";

std::string Why(const grpc::Status& s) {
  return absl::StrCat("status ", s.error_code(), ": ", s.error_message());
}

struct Cluster {
  TempDir geofence_dir, location_dir, workorder_dir, gateway_dir;
  const std::string geofence_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const int http_port = PickFreePort();
  ServiceProcess geofence{
      "gridwork-geofence",
      {"--data_dir=" + geofence_dir.path(), "--sync=false", "--grpc_addr=" + geofence_addr},
      {KeyEnv()}};
  ServiceProcess location{
      "gridwork-location",
      {"--data_dir=" + location_dir.path(), "--sync=false", "--geofence_addr=" + geofence_addr},
      {KeyEnv()}};
  ServiceProcess workorder{
      "gridwork-workorder",
      {"--data_dir=" + workorder_dir.path(), "--sync=false", "--geofence_addr=" + geofence_addr},
      {KeyEnv()}};
  std::unique_ptr<ServiceProcess> gateway;
  std::shared_ptr<grpc::Channel> gw;
  std::unique_ptr<idv1::Identity::Stub> identity;
  std::map<std::string, std::string> tokens;  // username -> access token

  Cluster() {
    for (ServiceProcess* p : {&geofence, &location, &workorder}) {
      auto s = p->Start();
      INFO(s.message());
      REQUIRE(s.ok());
    }
    auto geo = gv1::GeofenceService::NewStub(rpc::MakeChannel(geofence.grpc_target()));
    gv1::ImportRegionsRequest import;
    import.set_request_id("import-tree");
    import.set_geojson(SmallTree());
    gv1::ImportRegionsResponse imported;
    grpc::Status s =
        geo->ImportRegions(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), import, &imported);
    INFO(Why(s));
    REQUIRE(s.ok());
    auto wo = wv1::WorkOrderService::NewStub(rpc::MakeChannel(workorder.grpc_target()));
    wv1::UpsertCategoryRequest cat;
    cat.set_request_id("cat-garbage");
    cat.mutable_category()->set_id("garbage");
    cat.mutable_category()->set_name("垃圾堆放");
    cat.mutable_category()->set_name_en("Garbage");
    cat.mutable_category()->set_default_department("urban-management");
    cat.mutable_category()->set_severity(wv1::SEVERITY_MEDIUM);
    wv1::Category out;
    s = wo->UpsertCategory(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), cat, &out);
    INFO(Why(s));
    REQUIRE(s.ok());

    gateway = std::make_unique<ServiceProcess>(
        "gridwork-gateway",
        std::vector<std::string>{
            "--data_dir=" + gateway_dir.path(), "--sync=false", "--pbkdf2_iterations=1000",
            absl::StrCat("--http_addr=127.0.0.1:", http_port), "--geofence_addr=" + geofence_addr,
            "--location_addr=" + location.grpc_target(),
            "--workorder_addr=" + workorder.grpc_target(), "--inspection_addr=127.0.0.1:1",
            "--analytics_addr=127.0.0.1:1", "--rate_limit_scale=100", "--web_root=/nonexistent"},
        std::vector<std::string>{KeyEnv(), std::string("GRIDWORK_TOKEN_KEY=") + kTokenKey,
                                 std::string("GRIDWORK_ADMIN_PASSWORD=") + kAdminPassword});
    auto started = gateway->Start();
    INFO(started.message());
    REQUIRE(started.ok());
    gw = rpc::MakeChannel(gateway->grpc_target());
    identity = idv1::Identity::NewStub(gw);
    tokens["admin"] = LoginOk("admin", kAdminPassword);
    AddUser("w-g01", common::v1::ROLE_GRID_WORKER, kG01);
    AddUser("w-g02", common::v1::ROLE_GRID_WORKER, kG02);
    AddUser("station-c01", common::v1::ROLE_COMMUNITY_STATION, kCommunity);
    AddUser("leader-g02", common::v1::ROLE_GRID_LEADER, kG02);
    AddUser("handler-water", common::v1::ROLE_DEPARTMENT_HANDLER, "", "water");
    AddUser("handler-urban", common::v1::ROLE_DEPARTMENT_HANDLER, "", "urban-management");
    AddUser("viewer", common::v1::ROLE_VIEWER, "");
    AddUser("res-a", common::v1::ROLE_RESIDENT, "");
    AddUser("res-b", common::v1::ROLE_RESIDENT, "");
  }

  std::string LoginOk(const std::string& user, const std::string& password) {
    idv1::LoginRequest req;
    req.set_username(user);
    req.set_password(password);
    idv1::TokenPair pair;
    grpc::ClientContext ctx;
    grpc::Status s = identity->Login(&ctx, req, &pair);
    INFO(user << ": " << Why(s));
    REQUIRE(s.ok());
    return pair.access_token();
  }

  void AddUser(const std::string& name, Role role, const std::string& scope,
               const std::string& dept = "") {
    idv1::CreateUserRequest req;
    req.set_request_id("create-" + name);
    req.mutable_user()->set_username(name);
    req.mutable_user()->set_role(role);
    req.mutable_user()->set_region_scope(scope);
    req.mutable_user()->set_department(dept);
    req.set_password("password-" + name);
    idv1::User u;
    auto ctx = Bearer("admin");
    grpc::Status s = identity->CreateUser(ctx.get(), req, &u);
    INFO(name << ": " << Why(s));
    REQUIRE(s.ok());
    tokens[name] = LoginOk(name, "password-" + name);
  }

  std::unique_ptr<grpc::ClientContext> BearerToken(const std::string& token) {
    auto ctx = rpc::NewCallContext(absl::Seconds(10));
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }
  std::unique_ptr<grpc::ClientContext> Bearer(const std::string& user) {
    return BearerToken(tokens.at(user));
  }

  grpc::Status CreateOrder(const std::string& user, const common::v1::LatLng& at,
                           wv1::CreateOrderResponse* out, const std::string& rid) {
    auto stub = wv1::WorkOrderService::NewStub(gw);
    wv1::CreateOrderRequest req;
    req.set_request_id(rid);
    req.set_category_id("garbage");
    *req.mutable_position() = at;
    req.set_description("bin overflowing");
    return stub->CreateOrder(Bearer(user).get(), req, out);
  }

  grpc::Status GetOrder(const std::string& user, const std::string& id, wv1::WorkOrder* out) {
    auto stub = wv1::WorkOrderService::NewStub(gw);
    wv1::GetOrderRequest req;
    req.set_order_id(id);
    return stub->GetOrder(Bearer(user).get(), req, out);
  }
};

gateway::TokenCodec Codec(const std::string& key = kTokenKey, const std::string& aud = "gridwork") {
  return gateway::TokenCodec(key, aud);
}

gateway::v1::TokenClaims ClaimsFor(const std::string& sub, Role role, const std::string& sid,
                                   absl::Duration ttl) {
  gateway::v1::TokenClaims c;
  c.set_sub(sub);
  c.set_role(role);
  c.set_sid(sid);
  c.set_iat(static_cast<uint32_t>(absl::ToUnixSeconds(absl::Now())));
  c.set_exp(static_cast<uint32_t>(absl::ToUnixSeconds(absl::Now() + ttl)));
  return c;
}

TEST_CASE("gateway proxies with the signed principal and enforces the scope matrix",
          "[gateway][integration]") {
  Cluster c;
  wv1::CreateOrderResponse created;
  grpc::Status s = c.CreateOrder("w-g01", At(34.72, 113.61), &created, "order-1");
  INFO(Why(s));
  REQUIRE(s.ok());
  const wv1::WorkOrder& order = created.order();
  CHECK(order.reporter() == "w-g01");  // the principal came from the token
  CHECK(order.region_path() == kG01);
  wv1::CreateOrderResponse by_resident;
  REQUIRE(c.CreateOrder("res-a", At(34.72, 113.61), &by_resident, "order-2").ok());

  // Allowed: own (reporter), parent scope, the routed department, the reporting resident.
  wv1::WorkOrder got;
  CHECK(c.GetOrder("w-g01", order.id(), &got).ok());
  CHECK(c.GetOrder("station-c01", order.id(), &got).ok());
  CHECK(c.GetOrder("admin", order.id(), &got).ok());
  CHECK(c.GetOrder("res-a", by_resident.order().id(), &got).ok());

  // Denied, all with the same code and message, nothing of the order in it.
  struct Denied {
    const char* user;
    std::string order_id;
  } denied[] = {
      {"w-g02", order.id()},                // sibling grid
      {"leader-g02", order.id()},           // scope is a child of the order's community
      {"handler-water", order.id()},        // other department
      {"res-b", by_resident.order().id()},  // another resident's report
      {"res-a", order.id()},                // a resident, someone else's order
  };
  for (const Denied& d : denied) {
    wv1::WorkOrder leaked;
    grpc::Status r = c.GetOrder(d.user, d.order_id, &leaked);
    INFO(d.user << " " << Why(r));
    CHECK(r.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(r.error_message() == gateway::kDeniedMessage);
    CHECK(leaked.id().empty());
  }

  // Lists: the sibling worker sees nothing of g01.
  auto stub = wv1::WorkOrderService::NewStub(c.gw);
  wv1::ListOrdersResponse list;
  REQUIRE(stub->ListOrders(c.Bearer("w-g02").get(), wv1::ListOrdersRequest(), &list).ok());
  for (const auto& o : list.orders()) CHECK(o.region_path() != kG01);
  REQUIRE(stub->ListOrders(c.Bearer("station-c01").get(), wv1::ListOrdersRequest(), &list).ok());
  CHECK(list.orders_size() == 2);

  // Role gates of the policy table.
  wv1::CreateOrderResponse none;
  s = c.CreateOrder("viewer", At(34.72, 113.61), &none, "order-3");
  CHECK(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(s.error_message() == gateway::kDeniedMessage);
  auto geo = gv1::GeofenceService::NewStub(c.gw);
  gv1::ImportRegionsRequest imp;
  imp.set_request_id("x");
  imp.set_geojson(SmallTree());
  gv1::ImportRegionsResponse imported;
  s = geo->ImportRegions(c.Bearer("w-g01").get(), imp, &imported);
  CHECK(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  // Reads through the proxy work for the roles the table lists.
  gv1::LocateRequest loc;
  *loc.mutable_position() = At(34.72, 113.61);
  gv1::LocateResponse where;
  s = geo->Locate(c.Bearer("w-g01").get(), loc, &where);
  INFO(Why(s));
  CHECK(s.ok());

  // A method missing from the table is denied with the same code.
  grpc::GenericStub generic(c.gw);
  grpc::Slice empty_slice("");
  grpc::ByteBuffer empty_req(&empty_slice, 1), resp;
  std::promise<grpc::Status> done;
  auto ctx = c.Bearer("admin");
  generic.UnaryCall(ctx.get(), "/gridwork.secret.v1.Hidden/Dump", grpc::StubOptions(), &empty_req,
                    &resp, [&](grpc::Status st) { done.set_value(st); });
  s = done.get_future().get();
  CHECK(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);

  // The audit trail names the mutation, its caller and outcome.
  idv1::ListAuditResponse audit;
  REQUIRE(c.identity->ListAudit(c.Bearer("admin").get(), idv1::ListAuditRequest(), &audit).ok());
  bool found = false;
  for (const auto& a : audit.records()) {
    if (a.method() == "/gridwork.workorder.v1.WorkOrderService/CreateOrder" &&
        a.subject() == "w-g01" && a.code() == "OK") {
      found = true;
    }
  }
  CHECK(found);
  c.gateway->Kill();
}

TEST_CASE("bad tokens are UNAUTHENTICATED over gRPC and 401 over HTTP, health stays open",
          "[gateway][integration]") {
  Cluster c;
  std::vector<std::pair<std::string, std::string>> bad;
  bad.push_back({"missing", ""});
  bad.push_back({"garbage", "not-a-token"});
  bad.push_back({"wrong signature",
                 Codec("another-key-0123456789abcdefghijkl")
                     .Sign(ClaimsFor("admin", common::v1::ROLE_ADMIN, "s-x", absl::Minutes(5)))});
  bad.push_back({"wrong audience",
                 Codec(kTokenKey, "someone-else")
                     .Sign(ClaimsFor("admin", common::v1::ROLE_ADMIN, "s-x", absl::Minutes(5)))});
  bad.push_back({"expired", Codec().Sign(ClaimsFor("admin", common::v1::ROLE_ADMIN, "s-x",
                                                   -absl::Minutes(1)))});
  bad.push_back({"unknown session", Codec().Sign(ClaimsFor("admin", common::v1::ROLE_ADMIN,
                                                           "s-forged", absl::Minutes(5)))});
  {
    std::vector<std::string> parts = absl::StrSplit(c.tokens.at("admin"), '.');
    std::string none = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
    bad.push_back({"alg none", absl::StrCat(none, ".", parts[1], ".")});
  }
  // Logged out.
  std::string logged_out = c.LoginOk("w-g01", "password-w-g01");
  idv1::LogoutResponse lo;
  REQUIRE(c.identity->Logout(c.BearerToken(logged_out).get(), idv1::LogoutRequest(), &lo).ok());
  bad.push_back({"logged out", logged_out});

  auto stub = wv1::WorkOrderService::NewStub(c.gw);
  for (const auto& [why, token] : bad) {
    INFO(why);
    wv1::ListOrdersResponse list;
    grpc::Status s = stub->ListOrders(c.BearerToken(token).get(), wv1::ListOrdersRequest(), &list);
    CHECK(s.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    idv1::WhoAmIResponse me;
    s = c.identity->WhoAmI(c.BearerToken(token).get(), idv1::WhoAmIRequest(), &me);
    CHECK(s.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    std::vector<std::string> headers;
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    HttpResult h =
        HttpCall(c.http_port, "POST", "/api/gridwork.workorder.v1.WorkOrderService/ListOrders",
                 headers, "{}");
    CHECK(h.status == 401);
    CHECK(h.body.find("UNAUTHENTICATED") != std::string::npos);
  }
  // Unknown methods without a token: UNAUTHENTICATED too (the table does not leak).
  HttpResult h = HttpCall(c.http_port, "POST", "/api/gridwork.secret.v1.Hidden/Dump", {}, "{}");
  CHECK(h.status == 401);

  // Health needs no token.
  auto health = grpc::health::v1::Health::NewStub(c.gw);
  grpc::health::v1::HealthCheckResponse hc;
  grpc::ClientContext hctx;
  CHECK(health->Check(&hctx, grpc::health::v1::HealthCheckRequest(), &hc).ok());
  CHECK(hc.status() == grpc::health::v1::HealthCheckResponse::SERVING);
  CHECK(HttpCall(c.http_port, "GET", "/healthz").status == 200);

  // No token or password ever reaches the log.
  std::string log = c.gateway->Log();
  CHECK(log.find("\"msg\":\"access\"") != std::string::npos);
  for (const auto& [user, token] : c.tokens) {
    INFO(user);
    CHECK(log.find(token) == std::string::npos);
    CHECK(log.find("password-" + user) == std::string::npos);
  }
  CHECK(log.find(kAdminPassword) == std::string::npos);
  c.gateway->Kill();
}

TEST_CASE("HTTP JSON API, login over HTTP, SSE feed, OsmAnd intake and Open311",
          "[gateway][integration]") {
  Cluster c;
  // Login over HTTP.
  HttpResult login = HttpCall(c.http_port, "POST", "/api/gridwork.gateway.v1.Identity/Login",
                              {"Content-Type: application/json"},
                              R"({"username":"w-g01","password":"password-w-g01"})");
  INFO(login.raw);
  REQUIRE(login.status == 200);
  size_t at = login.body.find("\"access_token\":\"");
  REQUIRE(at != std::string::npos);
  std::string token = login.body.substr(at + 16, login.body.find('"', at + 16) - at - 16);

  // A mutation and a read over JSON.
  HttpResult created = HttpCall(
      c.http_port, "POST", "/api/gridwork.workorder.v1.WorkOrderService/CreateOrder",
      {"Authorization: Bearer " + token},
      R"({"request_id":"http-1","category_id":"garbage","description":"bin","position":{"lat":34.72,"lng":113.61}})");
  INFO(created.raw);
  REQUIRE(created.status == 200);
  CHECK(created.body.find("\"region_path\":\"410105/s01/c01/g01\"") != std::string::npos);
  HttpResult bad_json =
      HttpCall(c.http_port, "POST", "/api/gridwork.workorder.v1.WorkOrderService/CreateOrder",
               {"Authorization: Bearer " + token}, R"({"nope":1})");
  CHECK(bad_json.status == 400);
  HttpResult denied =
      HttpCall(c.http_port, "POST", "/api/gridwork.workorder.v1.WorkOrderService/CreateOrder",
               {"Authorization: Bearer " + c.tokens.at("viewer")},
               R"({"request_id":"http-2","category_id":"garbage"})");
  CHECK(denied.status == 403);

  // Server-Sent Events of the work-order feed.
  HttpResult sse = HttpCall(
      c.http_port, "GET",
      "/api/gridwork.common.v1.Feed/Watch/stream?upstream=workorder&from_sequence=1&access_token=" +
          c.tokens.at("admin"),
      {}, "", "\n\n");
  INFO(sse.raw);
  CHECK(sse.status == 200);
  CHECK(sse.raw.find("text/event-stream") != std::string::npos);
  CHECK(sse.raw.find("data: {") != std::string::npos);

  // OsmAnd / Traccar Client: bind the device, then send as the app does.
  idv1::BindDeviceRequest bind;
  bind.set_request_id("bind-1");
  bind.set_device_id("862123456");
  bind.set_worker_id("w-g01");
  idv1::Device dev;
  REQUIRE(c.identity->BindDevice(c.Bearer("admin").get(), bind, &dev).ok());
  int64_t now = absl::ToUnixSeconds(absl::Now());
  HttpResult get = HttpCall(
      c.http_port, "GET",
      absl::StrCat(
          "/osmand?id=862123456&timestamp=", now - 20,
          "&lat=34.72&lon=113.61&speed=2.0&bearing=90.0&altitude=100.0&accuracy=8.0&batt=80"));
  INFO(get.raw);
  CHECK(get.status == 200);
  HttpResult post =
      HttpCall(c.http_port, "POST", "/osmand", {"Content-Type: application/x-www-form-urlencoded"},
               absl::StrCat("id=862123456&timestamp=", now - 10,
                            "&lat=34.7201&lon=113.6101&speed=1.5&bearing=80.0"
                            "&altitude=101.0&accuracy=9.0&batt=79.5"));
  INFO(post.raw);
  CHECK(post.status == 200);
  CHECK(HttpCall(c.http_port, "GET", "/osmand?id=unknown-dev&lat=1&lon=2&timestamp=1").status ==
        403);
  CHECK(HttpCall(c.http_port, "GET", "/osmand?id=862123456&lat=1").status == 400);
  auto loc = location::v1::LocationService::NewStub(c.gw);
  location::v1::GetTrackRequest track_req;
  track_req.set_worker_id("w-g01");
  *track_req.mutable_start_time() = service::ToProto(absl::Now() - absl::Hours(1));
  *track_req.mutable_end_time() = service::ToProto(absl::Now() + absl::Minutes(1));
  location::v1::GetTrackResponse track;
  grpc::Status s = loc->GetTrack(c.Bearer("admin").get(), track_req, &track);
  INFO(Why(s));
  REQUIRE(s.ok());
  CHECK(track.points_size() == 2);

  // Open311 GeoReport v2 by an independent client (python3, standard library only).
  std::string cmd =
      absl::StrCat("python3 ", GRIDWORK_SOURCE_DIR,
                   "/tests/integration/gateway_open311_client.py http://127.0.0.1:", c.http_port,
                   "/open311/v2 ", c.tokens.at("res-a"), " 2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string output;
  char buf[512];
  while (fgets(buf, sizeof(buf), p) != nullptr) output += buf;
  int rc = pclose(p);
  INFO(output);
  CHECK(rc == 0);
  CHECK(output.find("open311 ok") != std::string::npos);
  c.gateway->Kill();
}

}  // namespace
}  // namespace gridwork::testing
