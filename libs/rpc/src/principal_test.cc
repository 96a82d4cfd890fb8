#include "gridwork/rpc/principal.h"

#include <catch2/catch.hpp>

namespace gridwork::rpc {
namespace {

Principal Worker(FakeClock& clock, absl::string_view scope) {
  Principal p;
  p.set_subject("w-1");
  p.set_role(common::v1::ROLE_GRID_WORKER);
  p.set_region_scope(std::string(scope));
  p.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(clock.Now() + absl::Minutes(15)));
  return p;
}

}  // namespace

TEST_CASE("a signed principal verifies and round-trips") {
  FakeClock clock;
  PrincipalCodec codec("0123456789abcdef-secret", &clock);
  Principal p = Worker(clock, "410105/s01");
  std::string ser = p.SerializeAsString();
  auto got = codec.Verify(ser, codec.Sign(ser));
  REQUIRE(got.ok());
  REQUIRE(got->subject() == "w-1");
  REQUIRE(got->region_scope() == "410105/s01");
}

TEST_CASE("tampered, wrongly keyed and expired principals are UNAUTHENTICATED") {
  FakeClock clock;
  PrincipalCodec codec("0123456789abcdef-secret", &clock);
  PrincipalCodec other("another-key-0123456789", &clock);
  Principal p = Worker(clock, "410105/s01");
  std::string ser = p.SerializeAsString();
  std::string sig = codec.Sign(ser);

  Principal widened = p;
  widened.set_region_scope("");
  REQUIRE(codec.Verify(widened.SerializeAsString(), sig).status().code() ==
          absl::StatusCode::kUnauthenticated);
  REQUIRE(codec.Verify(ser, other.Sign(ser)).status().code() ==
          absl::StatusCode::kUnauthenticated);
  REQUIRE(codec.Verify(ser, sig.substr(0, 10)).status().code() ==
          absl::StatusCode::kUnauthenticated);

  clock.Advance(absl::Minutes(16));
  auto expired = codec.Verify(ser, sig);
  REQUIRE(expired.status().code() == absl::StatusCode::kUnauthenticated);
  REQUIRE(std::string(expired.status().message()).find("expired") != std::string::npos);
}

TEST_CASE("scope is a prefix test at path-segment boundaries") {
  FakeClock clock;
  Principal p = Worker(clock, "410105/s01");
  REQUIRE(InScope(p, "410105/s01"));
  REQUIRE(InScope(p, "410105/s01/c02/g03"));
  REQUIRE_FALSE(InScope(p, "410105/s010"));
  REQUIRE_FALSE(InScope(p, "410105"));
  REQUIRE_FALSE(InScope(p, "410102/s01"));
  REQUIRE(ScopeWithin(p, "410105/s01/c02"));
  REQUIRE_FALSE(ScopeWithin(p, ""));
  REQUIRE(RequireScope(p, "410105/s02").code() == absl::StatusCode::kPermissionDenied);

  Principal admin = Worker(clock, "");
  REQUIRE(InScope(admin, "anything/at/all"));
  REQUIRE(ScopeWithin(admin, ""));
}

TEST_CASE("RequireRole names the refused role") {
  FakeClock clock;
  Principal p = Worker(clock, "");
  REQUIRE(RequireRole(p, {common::v1::ROLE_GRID_WORKER}).ok());
  absl::Status s = RequireRole(p, {common::v1::ROLE_ADMIN});
  REQUIRE(s.code() == absl::StatusCode::kPermissionDenied);
  REQUIRE(std::string(s.message()).find("ROLE_GRID_WORKER") != std::string::npos);
}

TEST_CASE("LoadPrincipalKey refuses short or missing keys") {
  REQUIRE(LoadPrincipalKey("/nonexistent/key").status().code() ==
          absl::StatusCode::kFailedPrecondition);
}

}  // namespace gridwork::rpc
