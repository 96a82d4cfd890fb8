#include "gridwork/sdk/token_keeper.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace gridwork::sdk {
namespace {

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

// A stand-in for the gateway's Identity.Refresh: rotates "rt-N" -> "rt-N+1" and refuses any
// token but the current one, as the gateway does.
struct FakeRefresher {
  explicit FakeRefresher(FakeClock* c, absl::Duration t = absl::Minutes(15)) : clock(c), ttl(t) {}
  FakeClock* clock;
  absl::Duration ttl;
  absl::Mutex mu;
  int current = 0;
  int calls = 0;
  absl::Status fail_with;

  gateway::v1::TokenPair Pair(int n) {
    gateway::v1::TokenPair p;
    p.set_access_token(absl::StrCat("at-", n));
    p.set_refresh_token(absl::StrCat("rt-", n));
    *p.mutable_access_expires_at() = At(clock->Now() + ttl);
    p.mutable_user()->set_username("alice");
    p.set_session_id("s1");
    return p;
  }
  absl::StatusOr<gateway::v1::TokenPair> operator()(const std::string& rt) {
    absl::MutexLock l(&mu);
    ++calls;
    if (!fail_with.ok()) return fail_with;
    if (rt != absl::StrCat("rt-", current)) {
      return absl::UnauthenticatedError("refresh token is unknown, expired or revoked");
    }
    ++current;
    return Pair(current);
  }
};

TEST_CASE("a fresh token is used as is and refreshed once less than a fifth of it is left",
          "[sdk]") {
  FakeClock clock;
  FakeRefresher fake{&clock};
  std::vector<std::string> rotated;
  TokenKeeper k([&](const std::string& rt) { return fake(rt); }, &clock,
                [&](const std::string& rt) { rotated.push_back(rt); });
  k.Install(fake.Pair(0));
  CHECK(rotated == std::vector<std::string>{"rt-0"});
  CHECK(*k.AccessToken() == "at-0");
  clock.Advance(absl::Minutes(11));  // 4 of 15 minutes left: margin is min(3 min, 60 s)
  CHECK(*k.AccessToken() == "at-0");
  CHECK(fake.calls == 0);
  clock.Advance(absl::Minutes(3) + absl::Seconds(1));  // 59 s left
  CHECK(*k.AccessToken() == "at-1");
  CHECK(fake.calls == 1);
  CHECK(k.refresh_token() == "rt-1");
  CHECK(rotated.back() == "rt-1");
  CHECK(k.refreshes() == 1);
  CHECK(k.user().username() == "alice");
}

TEST_CASE("a short-lived token is refreshed at 80 percent of its life", "[sdk]") {
  FakeClock clock;
  FakeRefresher fake{&clock, absl::Seconds(10)};
  TokenKeeper k([&](const std::string& rt) { return fake(rt); }, &clock);
  k.Install(fake.Pair(0));
  clock.Advance(absl::Seconds(7));
  CHECK(*k.AccessToken() == "at-0");
  clock.Advance(absl::Seconds(1));
  CHECK(*k.AccessToken() == "at-1");
}

TEST_CASE("concurrent callers refresh a rotating token once", "[sdk]") {
  FakeClock clock;
  FakeRefresher fake{&clock};
  TokenKeeper k([&](const std::string& rt) { return fake(rt); }, &clock);
  k.Install(fake.Pair(0));
  clock.Advance(absl::Minutes(15));  // expired
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { got[i] = k.AccessToken().value_or("error"); });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) CHECK(g == "at-1");
  // A second refresh with the rotated token would have been refused (and, at the real
  // gateway, revoked the session).
  CHECK(fake.calls == 1);
}

TEST_CASE("after a rejection the token is refreshed unless someone already did", "[sdk]") {
  FakeClock clock;
  FakeRefresher fake{&clock};
  TokenKeeper k([&](const std::string& rt) { return fake(rt); }, &clock);
  k.Install(fake.Pair(0));
  CHECK(*k.RefreshAfterRejection("at-0") == "at-1");
  CHECK(*k.RefreshAfterRejection("at-0") == "at-1");  // stale: no second refresh
  CHECK(fake.calls == 1);
}

TEST_CASE("a refused refresh ends the session with a clear error", "[sdk]") {
  FakeClock clock;
  FakeRefresher fake{&clock};
  TokenKeeper k([&](const std::string& rt) { return fake(rt); }, &clock);
  auto p = fake.Pair(0);
  p.set_refresh_token("rt-stolen");
  k.Install(p);
  clock.Advance(absl::Minutes(15));
  absl::StatusOr<std::string> t = k.AccessToken();
  REQUIRE(absl::IsUnauthenticated(t.status()));
  CHECK(t.status().message().find("log in again") != std::string::npos);
  CHECK(k.ended());
  CHECK(k.refresh_token().empty());
  CHECK(absl::IsUnauthenticated(k.AccessToken().status()));
  CHECK(fake.calls == 1);  // not retried
}

TEST_CASE("a transient refresh failure keeps a still valid token, fails an expired one", "[sdk]") {
  FakeClock clock;
  FakeRefresher fake{&clock};
  TokenKeeper k([&](const std::string& rt) { return fake(rt); }, &clock);
  k.Install(fake.Pair(0));
  fake.fail_with = absl::UnavailableError("gateway down");
  clock.Advance(absl::Minutes(14) + absl::Seconds(30));
  CHECK(*k.AccessToken() == "at-0");
  clock.Advance(absl::Seconds(31));
  CHECK(absl::IsUnavailable(k.AccessToken().status()));
  CHECK_FALSE(k.ended());
  fake.fail_with = absl::OkStatus();
  CHECK(*k.AccessToken() == "at-1");
}

TEST_CASE("End forgets the tokens", "[sdk]") {
  FakeClock clock;
  FakeRefresher fake{&clock};
  TokenKeeper k([&](const std::string& rt) { return fake(rt); }, &clock);
  k.Install(fake.Pair(0));
  k.End("session logged out");
  CHECK(absl::IsUnauthenticated(k.AccessToken().status()));
  CHECK(absl::IsUnauthenticated(k.ForceRefresh()));
  CHECK(k.refresh_token().empty());
  CHECK(fake.calls == 0);
}

}  // namespace
}  // namespace gridwork::sdk
