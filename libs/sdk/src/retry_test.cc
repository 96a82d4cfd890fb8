#include "gridwork/sdk/retry.h"

#include <catch2/catch.hpp>
#include <vector>

#include "gridwork/gateway/v1/gateway.pb.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/location/v1/location.pb.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::sdk {
namespace {

using grpc::StatusCode;
const std::vector<StatusCode> kUnavailable = {StatusCode::UNAVAILABLE};

struct Recorder {
  std::vector<absl::Duration> sleeps;
  int reauths = 0;
  bool reauth_ok = true;
  int retries = 0;
  RetryHooks Hooks() {
    RetryHooks h;
    h.sleep = [this](absl::Duration d) { sleeps.push_back(d); };
    h.reauth = [this] {
      ++reauths;
      return reauth_ok;
    };
    h.on_retry = [this] { ++retries; };
    return h;
  }
};

// Answers the scripted codes in order, then OK.
std::function<grpc::Status(int)> Script(std::vector<StatusCode> codes, int* calls) {
  return [codes, calls](int) {
    int i = (*calls)++;
    if (i < static_cast<int>(codes.size())) return grpc::Status(codes[i], "scripted");
    return grpc::Status::OK;
  };
}

TEST_CASE("UNAVAILABLE is retried with backoff up to max_attempts", "[sdk]") {
  RetryPolicy p;  // 4 attempts, 100 ms .. 2 s
  Recorder r;
  int calls = 0;
  grpc::Status s = RunWithRetry(p, true, kUnavailable, r.Hooks(),
                                Script({StatusCode::UNAVAILABLE, StatusCode::UNAVAILABLE}, &calls));
  CHECK(s.ok());
  CHECK(calls == 3);
  CHECK(r.retries == 2);
  REQUIRE(r.sleeps.size() == 2);
  CHECK(r.sleeps[0] >= absl::Milliseconds(50));
  CHECK(r.sleeps[0] <= absl::Milliseconds(100));
  CHECK(r.sleeps[1] >= absl::Milliseconds(100));
  CHECK(r.sleeps[1] <= absl::Milliseconds(200));

  calls = 0;
  Recorder r2;
  s = RunWithRetry(p, true, kUnavailable, r2.Hooks(),
                   Script(std::vector<StatusCode>(10, StatusCode::UNAVAILABLE), &calls));
  CHECK(s.error_code() == StatusCode::UNAVAILABLE);
  CHECK(calls == 4);
}

TEST_CASE("unsafe calls and other codes are not retried", "[sdk]") {
  RetryPolicy p;
  Recorder r;
  int calls = 0;
  CHECK(RunWithRetry(p, false, kUnavailable, r.Hooks(), Script({StatusCode::UNAVAILABLE}, &calls))
            .error_code() == StatusCode::UNAVAILABLE);
  CHECK(calls == 1);
  calls = 0;
  CHECK(RunWithRetry(p, true, kUnavailable, r.Hooks(),
                     Script({StatusCode::DEADLINE_EXCEEDED}, &calls))
            .error_code() == StatusCode::DEADLINE_EXCEEDED);
  CHECK(calls == 1);
  calls = 0;
  CHECK(RunWithRetry(p, true, kUnavailable, r.Hooks(), Script({StatusCode::NOT_FOUND}, &calls))
            .error_code() == StatusCode::NOT_FOUND);
  CHECK(calls == 1);
  CHECK(r.sleeps.empty());
}

TEST_CASE("UNAUTHENTICATED re-authenticates once", "[sdk]") {
  RetryPolicy p;
  Recorder r;
  int calls = 0;
  CHECK(
      RunWithRetry(p, false, kUnavailable, r.Hooks(), Script({StatusCode::UNAUTHENTICATED}, &calls))
          .ok());
  CHECK(r.reauths == 1);
  CHECK(calls == 2);
  calls = 0;
  Recorder r2;
  CHECK(RunWithRetry(p, true, kUnavailable, r2.Hooks(),
                     Script({StatusCode::UNAUTHENTICATED, StatusCode::UNAUTHENTICATED}, &calls))
            .error_code() == StatusCode::UNAUTHENTICATED);
  CHECK(r2.reauths == 1);
  CHECK(calls == 2);
  calls = 0;
  Recorder r3;
  r3.reauth_ok = false;
  CHECK(
      RunWithRetry(p, true, kUnavailable, r3.Hooks(), Script({StatusCode::UNAUTHENTICATED}, &calls))
          .error_code() == StatusCode::UNAUTHENTICATED);
  CHECK(calls == 1);
}

TEST_CASE("backoff grows, is capped and jittered within [d/2, d]", "[sdk]") {
  RetryPolicy p;
  p.initial_backoff = absl::Milliseconds(100);
  p.max_backoff = absl::Milliseconds(300);
  absl::BitGen gen;
  for (int i = 0; i < 50; ++i) {
    absl::Duration d3 = Backoff(p, 3, gen);  // 400 ms capped to 300
    CHECK(d3 >= absl::Milliseconds(150));
    CHECK(d3 <= absl::Milliseconds(300));
  }
}

TEST_CASE("retry safety follows request_id", "[sdk]") {
  workorder::v1::GetOrderRequest get;
  CHECK(IsRetrySafe(get));
  workorder::v1::CreateOrderRequest create;
  CHECK_FALSE(IsRetrySafe(create));
  create.set_request_id("r-1");
  CHECK(IsRetrySafe(create));
  CHECK_FALSE(IsRetrySafe(gateway::v1::RefreshRequest()));
  CHECK(IsRetrySafe(location::v1::FixBatch()));
  CHECK(IsRetrySafe(geofence::v1::LocateRequest()));
}

}  // namespace
}  // namespace gridwork::sdk
