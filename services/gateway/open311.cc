#include "services/gateway/open311.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/json_escape.h"
#include "gridwork/rpc/client.h"
#include "gridwork/service/time_convert.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "services/gateway/request_auth.h"

namespace gridwork::gateway {
namespace {

namespace wo = workorder::v1;

HttpResponse Error(int status, const std::string& description) {
  HttpResponse r;
  r.status = status;
  r.body = absl::StrCat("[{\"code\":", status, ",\"description\":");
  AppendJsonString(description, &r.body);
  r.body += "}]";
  return r;
}

HttpResponse FromStatus(const grpc::Status& s) {
  return Error(HttpStatusFor(s.error_code()), s.error_message());
}

void Field(std::string* out, const char* name, const std::string& v, bool first = false) {
  if (!first) out->push_back(',');
  AppendJsonString(name, out);
  out->push_back(':');
  AppendJsonString(v, out);
}

std::string Iso(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", service::FromProto(t), absl::UTCTimeZone());
}

bool IsClosed(wo::State s) { return s == wo::STATE_CLOSED || s == wo::STATE_CANCELLED; }

std::string RequestJson(const wo::WorkOrder& o) {
  std::string j = "{";
  Field(&j, "service_request_id", o.id(), true);
  Field(&j, "status", IsClosed(o.state()) ? "closed" : "open");
  Field(&j, "status_notes", wo::State_Name(o.state()));
  Field(&j, "service_code", o.category_id());
  Field(&j, "description", o.description());
  Field(&j, "agency_responsible", o.department());
  Field(&j, "requested_datetime", Iso(o.created_at()));
  Field(&j, "updated_datetime", Iso(o.updated_at()));
  Field(&j, "address", o.region_path());
  absl::StrAppend(&j, ",\"lat\":", o.position().lat(), ",\"long\":", o.position().lng(), "}");
  return j;
}

std::string Token(const HttpRequest& req, const QueryParams& form) {
  std::string t = BearerToken(req.authorization);
  if (!t.empty()) return t;
  for (const auto& [k, v] : form) {
    if (k == "api_key") return v;
  }
  return req.Param("api_key");
}

HttpResponse Services(const Upstreams* upstreams, const ShardRouter* router,
                      const rpc::PrincipalCodec* principals) {
  auto ch = upstreams->Channel(Upstream::kWorkorder);
  if (router != nullptr && router->Routes(Upstream::kWorkorder)) {
    ch = router->All(Upstream::kWorkorder).front().channel;
  }
  if (ch == nullptr) return Error(503, "work orders are not configured");
  auto stub = wo::WorkOrderService::NewStub(ch);
  auto ctx = rpc::NewCallContext(absl::Seconds(10));
  rpc::Principal p;
  p.set_subject("gateway-open311");
  p.set_role(common::v1::ROLE_SERVICE);
  *p.mutable_expires_at() = service::ToProto(absl::Now() + absl::Minutes(1));
  principals->Attach(p, ctx.get());
  wo::ListCategoriesResponse cats;
  grpc::Status s = stub->ListCategories(ctx.get(), wo::ListCategoriesRequest(), &cats);
  if (!s.ok()) return FromStatus(s);
  HttpResponse r;
  r.body = "[";
  for (int i = 0; i < cats.categories_size(); ++i) {
    const wo::Category& c = cats.categories(i);
    if (i) r.body += ",";
    r.body += "{";
    Field(&r.body, "service_code", c.id(), true);
    Field(&r.body, "service_name", c.name_en().empty() ? c.name() : c.name_en());
    Field(&r.body, "description", c.name());
    Field(&r.body, "group", c.parent_id());
    Field(&r.body, "type", "realtime");
    Field(&r.body, "keywords", "");
    r.body += ",\"metadata\":false}";
  }
  r.body += "]";
  return r;
}

HttpResponse PostRequest(LoopbackClient* loopback, const HttpRequest& req) {
  QueryParams form = ParseFormEncoded(req.body);
  for (const auto& kv : req.query) form.push_back(kv);
  LoopbackCall call;
  call.method = "/gridwork.workorder.v1.WorkOrderService/CreateOrder";
  call.bearer = Token(req, form);
  call.peer = req.peer;
  absl::StatusOr<wo::CreateOrderRequest> parsed = ParseOpen311Post(form);
  if (!parsed.ok()) return Error(400, std::string(parsed.status().message()));
  wo::CreateOrderRequest& c = *parsed;
  // Open311 has no idempotency key: the same submission (same token, same fields) maps to the
  // same request id, so a client's retry does not create a second order.
  c.set_request_id(absl::StrCat(
      "open311-", Sha256Hex(call.bearer + "\n" + c.SerializeAsString()).substr(0, 32)));
  std::string out;
  grpc::Status s = loopback->Unary(call, c.SerializeAsString(), &out);
  if (!s.ok()) return FromStatus(s);
  wo::CreateOrderResponse resp;
  if (!resp.ParseFromString(out)) return Error(500, "bad response");
  HttpResponse r;
  r.status = 201;
  r.body = "[{";
  Field(&r.body, "service_request_id", resp.order().id(), true);
  Field(&r.body, "service_notice", "");
  r.body += ",\"account_id\":null}]";
  return r;
}

HttpResponse GetRequests(LoopbackClient* loopback, const HttpRequest& req, const std::string& id) {
  LoopbackCall call;
  call.bearer = Token(req, {});
  call.peer = req.peer;
  std::string out;
  std::vector<wo::WorkOrder> orders;
  std::string want_id = id.empty() ? req.Param("service_request_id") : id;
  if (!want_id.empty()) {
    call.method = "/gridwork.workorder.v1.WorkOrderService/GetOrder";
    wo::GetOrderRequest g;
    g.set_order_id(want_id);
    grpc::Status s = loopback->Unary(call, g.SerializeAsString(), &out);
    if (!s.ok()) return FromStatus(s);
    wo::WorkOrder o;
    if (!o.ParseFromString(out)) return Error(500, "bad response");
    orders.push_back(o);
  } else {
    call.method = "/gridwork.workorder.v1.WorkOrderService/ListOrders";
    wo::ListOrdersRequest l;
    l.set_page_size(500);
    grpc::Status s = loopback->Unary(call, l.SerializeAsString(), &out);
    if (!s.ok()) return FromStatus(s);
    wo::ListOrdersResponse lr;
    if (!lr.ParseFromString(out)) return Error(500, "bad response");
    std::string code = req.Param("service_code");
    std::string status = req.Param("status");
    for (const wo::WorkOrder& o : lr.orders()) {
      if (!code.empty() && o.category_id() != code) continue;
      if (status == "open" && IsClosed(o.state())) continue;
      if (status == "closed" && !IsClosed(o.state())) continue;
      orders.push_back(o);
    }
  }
  HttpResponse r;
  r.body = "[";
  for (size_t i = 0; i < orders.size(); ++i) {
    if (i) r.body += ",";
    r.body += RequestJson(orders[i]);
  }
  r.body += "]";
  return r;
}

}  // namespace

absl::StatusOr<workorder::v1::CreateOrderRequest> ParseOpen311Post(const QueryParams& form) {
  auto get = [&](absl::string_view k) -> std::string {
    for (const auto& [key, v] : form) {
      if (key == k) return v;
    }
    return "";
  };
  wo::CreateOrderRequest c;
  c.set_category_id(get("service_code"));
  double lat, lng;
  if (c.category_id().empty()) return absl::InvalidArgumentError("service_code is required");
  if (!absl::SimpleAtod(get("lat"), &lat) || !absl::SimpleAtod(get("long"), &lng)) {
    return absl::InvalidArgumentError(
        "lat and long are required (WGS-84 degrees); address_string alone is not supported");
  }
  c.mutable_position()->set_lat(lat);
  c.mutable_position()->set_lng(lng);
  c.set_description(get("description"));
  return c;
}

HttpResponse HandleOpen311(LoopbackClient* loopback, const Upstreams* upstreams,
                           const ShardRouter* router, const rpc::PrincipalCodec* principals,
                           const HttpRequest& req) {
  absl::string_view path = req.path;
  if (!absl::ConsumePrefix(&path, "/open311/v2/")) return Error(404, "unknown Open311 path");
  if (path == "services.json" && req.method == "GET")
    return Services(upstreams, router, principals);
  if (path == "requests.json" && req.method == "POST") return PostRequest(loopback, req);
  if (path == "requests.json" && req.method == "GET") return GetRequests(loopback, req, "");
  if (absl::ConsumePrefix(&path, "requests/") && absl::ConsumeSuffix(&path, ".json") &&
      req.method == "GET" && !path.empty()) {
    return GetRequests(loopback, req, std::string(path));
  }
  if (!absl::EndsWith(path, ".json")) return Error(400, "only the JSON format is supported");
  return Error(404, "unknown Open311 path or method");
}

}  // namespace gridwork::gateway
