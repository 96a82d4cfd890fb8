#include <catch2/catch.hpp>

#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/inspection/v1/inspection.pb.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/gateway/http_types.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/osmand_intake.h"
#include "services/gateway/request_auth.h"

namespace gridwork::gateway {
namespace {

TEST_CASE("JSON request maps onto the method's request type", "[http]") {
  const auto* m = FindMethod("/gridwork.workorder.v1.WorkOrderService/CreateOrder");
  REQUIRE(m != nullptr);
  auto bytes = JsonToRequestBytes(
      m, R"({"request_id":"r1","category_id":"garbage","position":{"lat":34.75,"lng":113.62}})");
  REQUIRE(bytes.ok());
  workorder::v1::CreateOrderRequest req;
  REQUIRE(req.ParseFromString(*bytes));
  CHECK(req.request_id() == "r1");
  CHECK(req.position().lat() == 34.75);
  CHECK(absl::IsInvalidArgument(JsonToRequestBytes(m, R"({"no_such_field":1})").status()));
  CHECK(absl::IsInvalidArgument(JsonToRequestBytes(m, "{not json").status()));
  CHECK(FindMethod("/gridwork.workorder.v1.WorkOrderService/Nope") == nullptr);
}

TEST_CASE("response bytes map to JSON with proto field names", "[http]") {
  const auto* m = FindMethod("/gridwork.workorder.v1.WorkOrderService/GetOrder");
  workorder::v1::WorkOrder o;
  o.set_id("wo-1");
  o.set_category_id("garbage");
  auto json = ResponseBytesToJson(m, o.SerializeAsString());
  REQUIRE(json.ok());
  CHECK(json->find("\"category_id\":\"garbage\"") != std::string::npos);
}

TEST_CASE("query parameters map onto top-level request fields", "[http]") {
  const auto* m = FindMethod("/gridwork.common.v1.Feed/Watch");
  REQUIRE(m != nullptr);
  CHECK(QueryToRequestBytes(m, {{"from_sequence", "5"}}).ok());
  CHECK(absl::IsInvalidArgument(QueryToRequestBytes(m, {{"bogus", "1"}}).status()));
}

TEST_CASE("query parameters carry repeated fields, Timestamps and Durations", "[http]") {
  const auto* list = FindMethod("/gridwork.workorder.v1.WorkOrderService/ListOrders");
  REQUIRE(list != nullptr);
  // A message field other than Timestamp/Duration cannot be named in a query.
  CHECK(absl::IsInvalidArgument(QueryToRequestBytes(list, {{"filter", "x"}}).status()));

  const auto* csv = FindMethod("/gridwork.analytics.v1.AnalyticsService/ExportAssessmentCsv");
  REQUIRE(csv != nullptr);
  auto bytes = QueryToRequestBytes(csv, {{"region_prefix", "410105"},
                                         {"from", "2026-11-01T00:00:00Z"},
                                         {"to", "2026-11-08T00:00:00+08:00"}});
  REQUIRE(bytes.ok());
  analytics::v1::ListAssessmentRequest req;
  REQUIRE(req.ParseFromString(*bytes));
  CHECK(req.region_prefix() == "410105");
  CHECK(req.from().seconds() == 1793491200);
  CHECK(req.to().seconds() == 1794067200);
  CHECK(absl::IsInvalidArgument(QueryToRequestBytes(csv, {{"from", "yesterday"}}).status()));

  const auto* cockpit = FindMethod("/gridwork.analytics.v1.AnalyticsService/StreamCockpit");
  REQUIRE(cockpit != nullptr);
  bytes = QueryToRequestBytes(cockpit, {{"min_interval", "1.5s"}});
  REQUIRE(bytes.ok());
  analytics::v1::StreamCockpitRequest sc;
  REQUIRE(sc.ParseFromString(*bytes));
  CHECK(sc.min_interval().seconds() == 1);
  CHECK(sc.min_interval().nanos() == 500000000);

  const auto* tasks = FindMethod("/gridwork.inspection.v1.InspectionService/ListTasks");
  REQUIRE(tasks != nullptr);
  bytes =
      QueryToRequestBytes(tasks, {{"states", "TASK_STATE_OPEN"}, {"states", "TASK_STATE_DONE"}});
  REQUIRE(bytes.ok());
  inspection::v1::ListTasksRequest lt;
  REQUIRE(lt.ParseFromString(*bytes));
  CHECK(lt.states_size() == 2);
}

TEST_CASE("gRPC codes map to HTTP statuses", "[http]") {
  CHECK(HttpStatusFor(grpc::StatusCode::UNAUTHENTICATED) == 401);
  CHECK(HttpStatusFor(grpc::StatusCode::PERMISSION_DENIED) == 403);
  CHECK(HttpStatusFor(grpc::StatusCode::NOT_FOUND) == 404);
  CHECK(HttpStatusFor(grpc::StatusCode::RESOURCE_EXHAUSTED) == 429);
  CHECK(HttpStatusFor(grpc::StatusCode::INVALID_ARGUMENT) == 400);
  CHECK(HttpStatusFor(grpc::StatusCode::UNAVAILABLE) == 503);
  CHECK(ErrorResponse(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "x")).status == 401);
}

TEST_CASE("form decoding and bearer parsing", "[http]") {
  QueryParams p = ParseFormEncoded("id=abc%20d&lat=34.5&x=a+b&empty=");
  REQUIRE(p.size() == 4);
  CHECK(p[0].second == "abc d");
  CHECK(p[2].second == "a b");
  CHECK(BearerToken("Bearer abc.def") == "abc.def");
  CHECK(BearerToken("bearer   abc") == "abc");
  CHECK(BearerToken("Basic Zm9v") == "");
}

TEST_CASE("OsmAnd parameters as Traccar Client sends them", "[osmand]") {
  // Traccar Client (Android) query: seconds timestamp, speed in knots.
  auto b = ParseOsmAnd(ParseFormEncoded(
      "id=862123&timestamp=1700000000&lat=34.7466&lon=113.6253&speed=10.0&bearing=90.0"
      "&altitude=110.0&accuracy=12.0&batt=87.5"));
  REQUIRE(b.ok());
  CHECK(b->device_id() == "862123");
  REQUIRE(b->fixes_size() == 1);
  const auto& f = b->fixes(0);
  CHECK(f.sequence() == 1700000000000ULL);
  CHECK(f.position().lat() == Approx(34.7466));
  CHECK(f.speed_mps() == Approx(5.14444));
  CHECK(f.heading_deg() == 90.0);
  CHECK(f.battery_pct() == 87.5);
  // ISO time and milliseconds.
  CHECK(ParseOsmAnd(ParseFormEncoded("id=1&lat=1&lon=2&timestamp=2023-11-14T22:13:20Z")).ok());
  auto ms = ParseOsmAnd(ParseFormEncoded("id=1&lat=1&lon=2&timestamp=1700000000123"));
  REQUIRE(ms.ok());
  CHECK(ms->fixes(0).sequence() == 1700000000123ULL);
  CHECK(absl::IsInvalidArgument(ParseOsmAnd(ParseFormEncoded("lat=1&lon=2&timestamp=1")).status()));
  CHECK(absl::IsInvalidArgument(
      ParseOsmAnd(ParseFormEncoded("id=1&lat=x&lon=2&timestamp=1")).status()));
}

}  // namespace
}  // namespace gridwork::gateway
