#include "services/gateway/token_codec.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gridwork::gateway {
namespace {

const std::string kKey(32, 'k');

v1::TokenClaims Claims(const FakeClock& clock, absl::Duration ttl) {
  v1::TokenClaims c;
  c.set_sub("alice");
  c.set_role(common::v1::ROLE_GRID_WORKER);
  c.set_scope("410105/s01");
  c.set_sid("s-1");
  c.set_iat(static_cast<uint32_t>(absl::ToUnixSeconds(clock.Now())));
  c.set_exp(static_cast<uint32_t>(absl::ToUnixSeconds(clock.Now() + ttl)));
  return c;
}

TEST_CASE("token round trip keeps every claim", "[token]") {
  FakeClock clock;
  TokenCodec codec(kKey, "gridwork", &clock);
  std::string t = codec.Sign(Claims(clock, absl::Minutes(15)));
  CHECK(std::count(t.begin(), t.end(), '.') == 2);
  auto c = codec.Verify(t);
  REQUIRE(c.ok());
  CHECK(c->sub() == "alice");
  CHECK(c->role() == common::v1::ROLE_GRID_WORKER);
  CHECK(c->scope() == "410105/s01");
  CHECK(c->aud() == "gridwork");
  CHECK(c->iss() == kTokenIssuer);
}

TEST_CASE("expired token is UNAUTHENTICATED", "[token]") {
  FakeClock clock;
  TokenCodec codec(kKey, "gridwork", &clock);
  std::string t = codec.Sign(Claims(clock, absl::Minutes(15)));
  clock.Advance(absl::Minutes(15));
  auto c = codec.Verify(t);
  CHECK(absl::IsUnauthenticated(c.status()));
}

TEST_CASE("token signed with another key is UNAUTHENTICATED", "[token]") {
  FakeClock clock;
  TokenCodec mine(kKey, "gridwork", &clock);
  TokenCodec other(std::string(32, 'x'), "gridwork", &clock);
  auto c = mine.Verify(other.Sign(Claims(clock, absl::Minutes(15))));
  CHECK(absl::IsUnauthenticated(c.status()));
  CHECK(c.status().message().find("signature") != absl::string_view::npos);
}

TEST_CASE("token for another audience is UNAUTHENTICATED", "[token]") {
  FakeClock clock;
  TokenCodec mine(kKey, "gridwork", &clock);
  TokenCodec other_aud(kKey, "other-system", &clock);
  auto c = mine.Verify(other_aud.Sign(Claims(clock, absl::Minutes(15))));
  CHECK(absl::IsUnauthenticated(c.status()));
  CHECK(c.status().message().find("audience") != absl::string_view::npos);
}

TEST_CASE("alg none and other algorithms are refused", "[token]") {
  FakeClock clock;
  TokenCodec codec(kKey, "gridwork", &clock);
  std::string good = codec.Sign(Claims(clock, absl::Minutes(15)));
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  for (const char* alg : {"none", "None", "HS512", "RS256", ""}) {
    std::string header =
        absl::WebSafeBase64Escape(absl::StrCat("{\"alg\":\"", alg, "\",\"typ\":\"JWT\"}"));
    // Unsigned ("alg":"none" style) and with the original signature.
    for (const std::string& sig : {std::string(), parts[2]}) {
      auto c = codec.Verify(absl::StrCat(header, ".", parts[1], ".", sig));
      CHECK(absl::IsUnauthenticated(c.status()));
    }
  }
}

TEST_CASE("tampered payload or malformed token is UNAUTHENTICATED", "[token]") {
  FakeClock clock;
  TokenCodec codec(kKey, "gridwork", &clock);
  std::string good = codec.Sign(Claims(clock, absl::Minutes(15)));
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  v1::TokenClaims admin = Claims(clock, absl::Minutes(15));
  admin.set_role(common::v1::ROLE_ADMIN);
  std::string forged_payload = absl::WebSafeBase64Escape(
      "{\"iss\":\"gridwork-gateway\",\"sub\":\"alice\",\"aud\":\"gridwork\",\"exp\":4000000000,"
      "\"role\":\"ROLE_ADMIN\",\"sid\":\"s-1\"}");
  CHECK(absl::IsUnauthenticated(
      codec.Verify(absl::StrCat(parts[0], ".", forged_payload, ".", parts[2])).status()));
  for (const char* bad : {"", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.e30"}) {
    CHECK(absl::IsUnauthenticated(codec.Verify(bad).status()));
  }
}

}  // namespace
}  // namespace gridwork::gateway
