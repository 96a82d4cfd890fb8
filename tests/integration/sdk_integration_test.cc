// The SDK against a real gateway in front of real geofence, location and workorder processes
// (real gRPC over loopback): login and a clear error for a wrong password, token refresh
// across expiry (the gateway issues 2-second access tokens), typed calls, pagination over
// several pages, FixUploader resending a batch whose answer was lost without storing a fix
// twice, Resume from a refresh token, and logout making the session unusable.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridwork/sdk/fix_uploader.h"
#include "gridwork/sdk/paging.h"
#include "gridwork/sdk/session.h"
#include "tests/integration/gateway_stack.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace lv1 = location::v1;
namespace wv1 = workorder::v1;
using GeoStub = gv1::GeofenceService::Stub;

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  ts.set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(ts.seconds()))));
  return ts;
}

std::unique_ptr<sdk::Session> LoginOk(const GatewayStack& stack, const std::string& user) {
  auto s = sdk::Session::Login(stack.Options(), user, GatewayStack::PasswordOf(user));
  INFO(user << ": " << s.status().ToString());
  REQUIRE(s.ok());
  return std::move(*s);
}

TEST_CASE("sdk: login, typed calls, refresh across expiry, pagination, logout",
          "[sdk][integration]") {
  GatewayStack stack;
  stack.Start(absl::Seconds(2));
  stack.AddUser("w-g01", common::v1::ROLE_GRID_WORKER, kG01);

  SECTION("a wrong password is a clear UNAUTHENTICATED") {
    auto bad = sdk::Session::Login(stack.Options(), "w-g01", "not-the-password");
    REQUIRE(absl::IsUnauthenticated(bad.status()));
    CHECK(bad.status().message().find("login refused for \"w-g01\"") != std::string::npos);
    sdk::ConnectOptions nowhere = stack.Options();
    nowhere.gateway_addr = absl::StrCat("127.0.0.1:", PickFreePort());
    nowhere.call_timeout = absl::Seconds(2);
    auto down = sdk::Session::Login(nowhere, "w-g01", "x");
    CHECK(absl::IsUnavailable(down.status()));
  }

  auto session = LoginOk(stack, "w-g01");
  CHECK(session->subject() == "w-g01");
  CHECK(session->role() == common::v1::ROLE_GRID_WORKER);
  CHECK(session->scope() == kG01);

  // A typed call through Call() and the same through the raw stub with Context().
  gv1::LocateRequest locate;
  *locate.mutable_position() = At(34.72, 113.61);
  gv1::LocateResponse where;
  REQUIRE(session->Call(&GeoStub::Locate, locate, &where).ok());
  CHECK(where.region().id() == kG01);
  gv1::LocateResponse where2;
  auto ctx = session->Context();
  REQUIRE(session->geofence().Locate(ctx.get(), locate, &where2).ok());
  CHECK(where2.region().id() == kG01);

  // Refresh across expiry: the 2 s access token is replaced before use after 2.5 s, and the
  // refresh token rotated.
  const std::string first_refresh = session->refresh_token();
  absl::SleepFor(absl::Milliseconds(2500));
  REQUIRE(session->Call(&GeoStub::Locate, locate, &where).ok());
  CHECK(session->refreshes() >= 1);
  CHECK(session->refresh_token() != first_refresh);
  // The raw-stub path refreshes too.
  absl::SleepFor(absl::Milliseconds(2500));
  auto ctx2 = session->Context();
  CHECK(session->geofence().Locate(ctx2.get(), locate, &where2).ok());
  CHECK(session->refreshes() >= 2);

  // Pagination: the tree has 4 regions under the district (recursive); page size 1.
  gv1::ListRegionsRequest list;
  list.set_parent_id("410105");
  list.set_recursive(true);
  list.set_page_size(1);
  int pages = 0;
  std::set<std::string> ids;
  absl::Status paged = sdk::ForEachPage(*stack.admin, &GeoStub::ListRegions, list,
                                        [&](const gv1::ListRegionsResponse& page) {
                                          ++pages;
                                          for (const auto& r : page.regions()) ids.insert(r.id());
                                        });
  INFO(paged.ToString());
  REQUIRE(paged.ok());
  CHECK(pages >= 4);
  CHECK(ids.count(kG01) == 1);
  CHECK(ids.count(kG02) == 1);
  CHECK(ids.size() == 4);

  // Work orders: create three with request ids (retry-safe mutations), list them 2 per page.
  for (int i = 0; i < 3; ++i) {
    wv1::CreateOrderRequest create;
    create.set_request_id(absl::StrCat("sdk-order-", i));
    create.set_category_id("garbage");
    *create.mutable_position() = At(34.71 + 0.01 * i, 113.61);
    create.set_description(absl::StrCat("bin ", i));
    wv1::CreateOrderResponse created;
    absl::Status s = session->Call(&wv1::WorkOrderService::Stub::CreateOrder, create, &created);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  wv1::ListOrdersRequest orders;
  orders.set_page_size(2);
  int order_count = 0, order_pages = 0;
  REQUIRE(sdk::ForEachPage(*stack.admin, &wv1::WorkOrderService::Stub::ListOrders, orders,
                           [&](const wv1::ListOrdersResponse& page) {
                             ++order_pages;
                             order_count += page.orders_size();
                             return absl::OkStatus();
                           })
              .ok());
  CHECK(order_count == 3);
  CHECK(order_pages == 2);

  // NOT_FOUND comes back as such.
  wv1::GetOrderRequest get;
  get.set_order_id("wo-does-not-exist");
  wv1::WorkOrder order;
  CHECK(absl::IsNotFound(stack.admin->Call(&wv1::WorkOrderService::Stub::GetOrder, get, &order)));

  // Resume from the current refresh token (rotates it), then logout ends the session.
  auto resumed = sdk::Session::Resume(stack.Options(), session->refresh_token());
  INFO(resumed.status().ToString());
  REQUIRE(resumed.ok());
  CHECK((*resumed)->subject() == "w-g01");
  REQUIRE((*resumed)->Logout().ok());
  absl::Status after = (*resumed)->Call(&GeoStub::Locate, locate, &where);
  CHECK(absl::IsUnauthenticated(after));
  CHECK(after.message().find("logged out") != std::string::npos);
  auto raw_ctx = (*resumed)->Context();
  CHECK((*resumed)->geofence().Locate(raw_ctx.get(), locate, &where).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  // The original session shared the session id, so the gateway refuses it too.
  absl::Status old = session->Call(&GeoStub::Locate, locate, &where);
  CHECK(absl::IsUnauthenticated(old));
  CHECK(absl::IsUnauthenticated(
      sdk::Session::Resume(stack.Options(), (*resumed)->refresh_token()).status()));
}

TEST_CASE("sdk: FixUploader resends a batch whose answer was lost without duplicating fixes",
          "[sdk][integration]") {
  GatewayStack stack;
  stack.Start();
  stack.AddUser("w-g01", common::v1::ROLE_GRID_WORKER, kG01);
  auto session = LoginOk(stack, "w-g01");

  int calls = 0;
  sdk::FixUploaderOptions o;
  o.batch_size = 10;
  // The first attempt reaches location through the gateway and is stored; its answer is then
  // "lost" (UNAVAILABLE, as when a connection drops after the write).
  o.send = [&](grpc::ClientContext* ctx, const lv1::FixBatch& b, lv1::BatchAck* ack) {
    grpc::Status s = session->location().IngestFixes(ctx, b, ack);
    if (++calls == 1 && s.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "answer lost");
    return s;
  };
  sdk::FixUploader up(session.get(), o);
  const absl::Time t0 = absl::Now() - absl::Minutes(10);
  for (int i = 0; i < 15; ++i) {
    lv1::DeviceFix f;
    *f.mutable_device_time() = Ts(t0 + absl::Seconds(10 * i));
    *f.mutable_position() = At(34.72 + 0.0001 * i, 113.61);
    f.set_accuracy_m(5);
    REQUIRE(up.Add("", "phone-1", f).ok());
  }
  absl::Status flushed = up.Flush();
  INFO(flushed.ToString());
  REQUIRE(flushed.ok());
  sdk::FixUploaderStats st = up.stats();
  CHECK(st.sent == 15);
  CHECK(st.retries == 1);
  CHECK(st.accepted == 5);     // the second batch, stored once
  CHECK(st.duplicates == 10);  // the resent first batch
  CHECK(up.pending() == 0);

  lv1::GetTrackRequest track;
  track.set_worker_id("w-g01");
  *track.mutable_start_time() = Ts(t0 - absl::Minutes(1));
  *track.mutable_end_time() = Ts(absl::Now() + absl::Minutes(1));
  int points = 0;
  REQUIRE(sdk::ForEachPage(*stack.admin, &lv1::LocationService::Stub::GetTrack, track,
                           [&](const lv1::GetTrackResponse& page) { points += page.points_size(); })
              .ok());
  CHECK(points == 15);
}

}  // namespace
}  // namespace gridwork::testing
