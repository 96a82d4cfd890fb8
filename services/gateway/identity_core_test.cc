// IdentityCore over a real RocksDB store in a temporary directory.
#include "services/gateway/identity_core.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "gridwork/core/ids.h"

namespace gridwork::gateway {
namespace {

class CapturingNotifier : public Notifier {
 public:
  absl::Status SendVerificationCode(const std::string& phone, const std::string& code) override {
    last_code = code;
    return absl::OkStatus();
  }
  std::string last_code;
};

struct Fixture {
  Fixture()
      : dir(std::filesystem::temp_directory_path() / NewId("gw-identity-test")),
        tokens(std::string(32, 'k'), "gridwork", &clock),
        throttle({3, 10, absl::Minutes(15)}, &clock) {
    auto s = IdentityStore::Open(dir.string(), false, &clock);
    REQUIRE(s.ok());
    store = *std::move(s);
    IdentityOptions o;
    o.pbkdf2_iterations = 1000;
    core = std::make_unique<IdentityCore>(store.get(), &tokens, &throttle, &notifier, o, &clock);
    REQUIRE(core->EnsureBootstrapAdmin("admin", "admin-password").ok());
    auto pair = core->Login("admin", "admin-password", "peer-a");
    REQUIRE(pair.ok());
    admin = *core->Authenticate(pair->access_token(), "peer-a");
  }
  ~Fixture() {
    core.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  v1::User MakeUser(const std::string& name, common::v1::Role role, const std::string& scope) {
    v1::CreateUserRequest req;
    req.set_request_id("create-" + name);
    req.mutable_user()->set_username(name);
    req.mutable_user()->set_role(role);
    req.mutable_user()->set_region_scope(scope);
    req.set_password("password-" + name);
    auto u = core->CreateUser(admin, req);
    REQUIRE(u.ok());
    return *u;
  }

  std::filesystem::path dir;
  FakeClock clock;
  TokenCodec tokens;
  LoginThrottle throttle;
  CapturingNotifier notifier;
  std::unique_ptr<IdentityStore> store;
  std::unique_ptr<IdentityCore> core;
  Caller admin;
};

TEST_CASE("login issues tokens whose principal carries role and scope", "[identity]") {
  Fixture f;
  f.MakeUser("wang", common::v1::ROLE_GRID_WORKER, "410105/s01/c01/g01");
  auto pair = f.core->Login("wang", "password-wang", "peer-b");
  REQUIRE(pair.ok());
  auto c = f.core->Authenticate(pair->access_token(), "peer-b");
  REQUIRE(c.ok());
  CHECK(c->principal.subject() == "wang");
  CHECK(c->principal.role() == common::v1::ROLE_GRID_WORKER);
  CHECK(c->principal.region_scope() == "410105/s01/c01/g01");
  CHECK(c->session_id == pair->session_id());
  CHECK(absl::FromUnixSeconds(c->principal.expires_at().seconds()) ==
        absl::FromUnixSeconds(absl::ToUnixSeconds(f.clock.Now() + absl::Minutes(15))));
}

TEST_CASE("wrong password, unknown user and disabled account look the same", "[identity]") {
  Fixture f;
  f.MakeUser("lin", common::v1::ROLE_VIEWER, "");
  auto wrong = f.core->Login("lin", "nope-nope", "p");
  auto unknown = f.core->Login("nobody", "nope-nope", "p");
  CHECK(absl::IsUnauthenticated(wrong.status()));
  CHECK(absl::IsUnauthenticated(unknown.status()));
  CHECK(wrong.status().message() == unknown.status().message());
  v1::DisableUserRequest d;
  d.set_request_id("d1");
  d.set_username("lin");
  d.set_disabled(true);
  REQUIRE(f.core->DisableUser(f.admin, d).ok());
  auto disabled = f.core->Login("lin", "password-lin", "p2");
  CHECK(disabled.status().message() == unknown.status().message());
}

TEST_CASE("login is throttled after repeated failures", "[identity]") {
  Fixture f;
  f.MakeUser("zhao", common::v1::ROLE_VIEWER, "");
  for (int i = 0; i < 3; ++i)
    CHECK(absl::IsUnauthenticated(f.core->Login("zhao", "bad-pass", "p").status()));
  CHECK(absl::IsResourceExhausted(f.core->Login("zhao", "password-zhao", "p").status()));
  f.clock.Advance(absl::Minutes(16));
  CHECK(f.core->Login("zhao", "password-zhao", "p").ok());
}

TEST_CASE("refresh rotates, and reuse of a rotated refresh token revokes the session",
          "[identity]") {
  Fixture f;
  f.MakeUser("sun", common::v1::ROLE_GRID_LEADER, "410105/s01");
  auto first = f.core->Login("sun", "password-sun", "p");
  REQUIRE(first.ok());
  auto second = f.core->Refresh(first->refresh_token(), "p");
  REQUIRE(second.ok());
  CHECK(second->refresh_token() != first->refresh_token());
  CHECK(second->session_id() == first->session_id());
  CHECK(f.core->Authenticate(second->access_token(), "p").ok());
  // Replay of the old refresh token: refused and the session is revoked.
  CHECK(absl::IsUnauthenticated(f.core->Refresh(first->refresh_token(), "evil").status()));
  CHECK(absl::IsUnauthenticated(f.core->Refresh(second->refresh_token(), "p").status()));
  CHECK(absl::IsUnauthenticated(f.core->Authenticate(second->access_token(), "p").status()));
}

TEST_CASE("logout and admin revoke end sessions at once", "[identity]") {
  Fixture f;
  f.MakeUser("zhou", common::v1::ROLE_GRID_WORKER, "410105");
  auto a = f.core->Login("zhou", "password-zhou", "p");
  auto b = f.core->Login("zhou", "password-zhou", "q");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto ca = f.core->Authenticate(a->access_token(), "p");
  REQUIRE(ca.ok());
  REQUIRE(f.core->Logout(*ca).ok());
  CHECK(absl::IsUnauthenticated(f.core->Authenticate(a->access_token(), "p").status()));
  CHECK(absl::IsUnauthenticated(f.core->Refresh(a->refresh_token(), "p").status()));
  CHECK(f.core->Authenticate(b->access_token(), "q").ok());
  v1::RevokeRequest r;
  r.set_request_id("rv1");
  r.set_username("zhou");
  auto revoked = f.core->Revoke(f.admin, r);
  REQUIRE(revoked.ok());
  CHECK(revoked->revoked() == 1);
  CHECK(absl::IsUnauthenticated(f.core->Authenticate(b->access_token(), "q").status()));
  // Non-admins may not revoke.
  auto c = f.core->Login("zhou", "password-zhou", "p");
  REQUIRE(c.ok());
  auto zhou = f.core->Authenticate(c->access_token(), "p");
  REQUIRE(zhou.ok());
  CHECK(absl::IsPermissionDenied(f.core->Revoke(*zhou, r).status()));
}

TEST_CASE("role change revokes sessions so the next token carries the new role", "[identity]") {
  Fixture f;
  f.MakeUser("wuxi", common::v1::ROLE_GRID_WORKER, "410105/s01");
  auto a = f.core->Login("wuxi", "password-wuxi", "p");
  REQUIRE(a.ok());
  v1::SetUserRoleRequest s;
  s.set_request_id("sr1");
  s.set_username("wuxi");
  s.set_role(common::v1::ROLE_GRID_LEADER);
  s.set_region_scope("410105/s01");
  REQUIRE(f.core->SetUserRole(f.admin, s).ok());
  CHECK(absl::IsUnauthenticated(f.core->Authenticate(a->access_token(), "p").status()));
  auto b = f.core->Login("wuxi", "password-wuxi", "p");
  REQUIRE(b.ok());
  CHECK(f.core->Authenticate(b->access_token(), "p")->principal.role() ==
        common::v1::ROLE_GRID_LEADER);
}

TEST_CASE("resident registers with a code and sees the role RESIDENT", "[identity]") {
  Fixture f;
  v1::RegisterResidentRequest r;
  r.set_phone("+8613800000001");
  REQUIRE(f.core->RegisterResident(r, "p").ok());
  REQUIRE(f.notifier.last_code.size() == 6);
  v1::VerifyResidentRequest v;
  v.set_phone(r.phone());
  v.set_code(f.notifier.last_code == "000000" ? "111111" : "000000");
  v.set_password("resident-pw");
  CHECK(absl::IsUnauthenticated(f.core->VerifyResident(v, "p").status()));
  v.set_code(f.notifier.last_code);
  auto pair = f.core->VerifyResident(v, "p");
  REQUIRE(pair.ok());
  CHECK(pair->user().role() == common::v1::ROLE_RESIDENT);
  CHECK(f.core->Login("+8613800000001", "resident-pw", "p").ok());
  CHECK(absl::IsInvalidArgument(
      f.core->RegisterResident(v1::RegisterResidentRequest(), "p").status()));
}

TEST_CASE("API client logs in with its one-time secret", "[identity]") {
  Fixture f;
  v1::CreateApiClientRequest req;
  req.set_request_id("ac1");
  req.set_display_name("integration");
  req.set_role(common::v1::ROLE_SERVICE);
  auto c = f.core->CreateApiClient(f.admin, req);
  REQUIRE(c.ok());
  REQUIRE_FALSE(c->client_secret().empty());
  auto replay = f.core->CreateApiClient(f.admin, req);
  REQUIRE(replay.ok());
  CHECK(replay->client().username() == c->client().username());
  CHECK(replay->client_secret().empty());
  auto pair = f.core->Login(c->client().username(), c->client_secret(), "p");
  REQUIRE(pair.ok());
  CHECK(pair->user().kind() == v1::ACCOUNT_KIND_API_CLIENT);
}

TEST_CASE("every identity mutation leaves an audit record", "[identity]") {
  Fixture f;
  f.clock.Advance(absl::Seconds(1));
  f.MakeUser("qian", common::v1::ROLE_VIEWER, "");
  f.clock.Advance(absl::Seconds(1));
  (void)f.core->Login("qian", "wrong-pass", "p9");
  auto audit = f.core->ListAudit(f.admin, v1::ListAuditRequest());
  REQUIRE(audit.ok());
  REQUIRE(audit->records_size() >= 4);  // bootstrap, admin login, create, failed login
  CHECK(audit->records(0).method() == "Login");
  CHECK(audit->records(0).code() == "UNAUTHENTICATED");
  CHECK(audit->records(0).peer() == "p9");
  CHECK(audit->records(1).method() == "CreateUser");
  CHECK(audit->records(1).subject() == "admin");
}

}  // namespace
}  // namespace gridwork::gateway
