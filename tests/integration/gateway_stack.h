// The core services (geofence, location, workorder) behind a real gridwork-gateway, with the
// small region tree and one work-order category loaded, for tests of clients that go through
// the gateway (the SDK, gridctl). Users are created through the gateway as the bootstrap admin.
//
//   GatewayStack stack;
//   stack.Start(absl::Seconds(3));        // access tokens live 3 s
//   stack.AddUser("w-g01", common::v1::ROLE_GRID_WORKER, kG01);
//   auto session = sdk::Session::Login(stack.Options(), "w-g01", stack.PasswordOf("w-g01"));
#ifndef GRIDWORK_TESTS_INTEGRATION_GATEWAY_STACK_H_
#define GRIDWORK_TESTS_INTEGRATION_GATEWAY_STACK_H_

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridwork/sdk/session.h"
#include "tests/integration/core_services.h"
#include "tests/integration/small_tree.h"

namespace gridwork::testing {

inline constexpr char kStackAdminPassword[] = "stack-admin-password";

struct GatewayStack : CoreServices {
  TempDir gateway_dir;
  std::unique_ptr<ServiceProcess> gateway;
  std::unique_ptr<sdk::Session> admin;

  // Starts the core services, loads the small tree and the "garbage" category directly, then
  // the gateway with access tokens of `access_ttl`, and logs the admin in through it.
  void Start(absl::Duration access_ttl = absl::Minutes(15)) {
    StartCore();
    geofence::v1::ImportRegionsRequest import;
    import.set_request_id("import-tree");
    import.set_geojson(SmallTree());
    geofence::v1::ImportRegionsResponse imported;
    grpc::Status s =
        geo->ImportRegions(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), import, &imported);
    INFO(s.error_message());
    REQUIRE(s.ok());
    workorder::v1::UpsertCategoryRequest cat;
    cat.set_request_id("cat-garbage");
    cat.mutable_category()->set_id("garbage");
    cat.mutable_category()->set_name("垃圾堆放");
    cat.mutable_category()->set_name_en("Garbage");
    cat.mutable_category()->set_default_department("urban-management");
    cat.mutable_category()->set_severity(workorder::v1::SEVERITY_MEDIUM);
    workorder::v1::Category out;
    s = wo->UpsertCategory(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), cat, &out);
    INFO(s.error_message());
    REQUIRE(s.ok());
    gateway = std::make_unique<ServiceProcess>(
        "gridwork-gateway",
        std::vector<std::string>{
            "--data_dir=" + gateway_dir.path(), "--sync=false", "--pbkdf2_iterations=1000",
            absl::StrCat("--access_ttl=", absl::FormatDuration(access_ttl)),
            absl::StrCat("--http_addr=127.0.0.1:", PickFreePort()),
            "--geofence_addr=" + geofence_addr, "--location_addr=" + location_addr,
            "--workorder_addr=" + workorder_addr, "--inspection_addr=127.0.0.1:1",
            "--analytics_addr=127.0.0.1:1", "--rate_limit_scale=100", "--web_root=/nonexistent"},
        std::vector<std::string>{KeyEnv(), "GRIDWORK_TOKEN_KEY=stack-token-key-0123456789abcdef01",
                                 std::string("GRIDWORK_ADMIN_PASSWORD=") + kStackAdminPassword});
    auto started = gateway->Start();
    INFO(started.message());
    REQUIRE(started.ok());
    auto a = sdk::Session::Login(Options(), "admin", kStackAdminPassword);
    INFO(a.status().ToString());
    REQUIRE(a.ok());
    admin = std::move(*a);
  }

  std::string gateway_addr() const { return gateway->grpc_target(); }

  sdk::ConnectOptions Options() const {
    sdk::ConnectOptions o;
    o.gateway_addr = gateway_addr();
    o.call_timeout = absl::Seconds(10);
    return o;
  }

  static std::string PasswordOf(const std::string& user) { return "password-" + user; }

  // Creates a user with password PasswordOf(name) (a retry-safe call: it has a request id).
  void AddUser(const std::string& name, common::v1::Role role, const std::string& scope,
               const std::string& department = "") {
    gateway::v1::CreateUserRequest req;
    req.set_request_id("create-" + name);
    req.mutable_user()->set_username(name);
    req.mutable_user()->set_role(role);
    req.mutable_user()->set_region_scope(scope);
    req.mutable_user()->set_department(department);
    req.set_password(PasswordOf(name));
    gateway::v1::User u;
    absl::Status s = admin->Call(&gateway::v1::Identity::Stub::CreateUser, req, &u);
    INFO(name << ": " << s.ToString());
    REQUIRE(s.ok());
  }
};

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_GATEWAY_STACK_H_
