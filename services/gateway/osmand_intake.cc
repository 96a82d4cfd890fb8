#include "services/gateway/osmand_intake.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "gridwork/service/time_convert.h"
#include "services/gateway/proxy_service.h"

namespace gridwork::gateway {
namespace {

constexpr double kKnotsToMps = 0.514444;

std::string Get(const QueryParams& p, absl::string_view name) {
  for (const auto& [k, v] : p) {
    if (k == name) return v;
  }
  return "";
}

absl::StatusOr<double> Number(const QueryParams& p, absl::string_view name, bool required,
                              double fallback) {
  std::string v = Get(p, name);
  if (v.empty()) {
    if (required) return absl::InvalidArgumentError(absl::StrCat("missing ", name));
    return fallback;
  }
  double d;
  if (!absl::SimpleAtod(v, &d) || !std::isfinite(d)) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is not a number"));
  }
  return d;
}

absl::StatusOr<absl::Time> Timestamp(const std::string& v) {
  if (v.empty()) return absl::InvalidArgumentError("missing timestamp");
  int64_t n;
  if (absl::SimpleAtoi(v, &n)) {
    // Traccar Client sends seconds; some OsmAnd builds send milliseconds.
    return n > 100000000000LL ? absl::FromUnixMillis(n) : absl::FromUnixSeconds(n);
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, v, &t, &err)) return t;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%S", v, &t, &err)) return t;  // UTC
  return absl::InvalidArgumentError("timestamp is neither Unix time nor ISO 8601");
}

}  // namespace

absl::StatusOr<location::v1::FixBatch> ParseOsmAnd(const QueryParams& p) {
  location::v1::FixBatch batch;
  std::string id = Get(p, "id");
  if (id.empty()) id = Get(p, "deviceid");
  if (id.empty()) return absl::InvalidArgumentError("missing id");
  if (id.size() > 128) return absl::InvalidArgumentError("id longer than 128 characters");
  batch.set_device_id(id);
  auto lat = Number(p, "lat", true, 0);
  auto lon = Number(p, "lon", true, 0);
  if (!lat.ok()) return lat.status();
  if (!lon.ok()) return lon.status();
  auto t = Timestamp(Get(p, "timestamp"));
  if (!t.ok()) return t.status();
  auto speed = Number(p, "speed", false, -1);
  auto bearing = Number(p, "bearing", false, -1);
  auto altitude = Number(p, "altitude", false, 0);
  auto accuracy = Number(p, "accuracy", false, 0);
  auto batt = Number(p, "batt", false, -1);
  for (const auto* s : {&speed, &bearing, &altitude, &accuracy, &batt}) {
    if (!s->ok()) return s->status();
  }
  location::v1::DeviceFix* fix = batch.add_fixes();
  fix->set_sequence(static_cast<uint64_t>(absl::ToUnixMillis(*t)));
  *fix->mutable_device_time() = service::ToProto(*t);
  fix->mutable_position()->set_lat(*lat);
  fix->mutable_position()->set_lng(*lon);
  fix->set_speed_mps(*speed < 0 ? -1 : *speed * kKnotsToMps);
  fix->set_heading_deg(*bearing);
  fix->set_altitude_m(*altitude);
  fix->set_accuracy_m(*accuracy);
  fix->set_battery_pct(*batt);
  return batch;
}

HttpResponse HandleOsmAnd(const HttpRequest& req, IdentityCore* identity,
                          const Upstreams* upstreams, const ShardRouter* router,
                          const rpc::PrincipalCodec* principals) {
  absl::Time start = absl::Now();
  QueryParams params = req.query;
  if (req.method == "POST" && !req.body.empty() &&
      !absl::StartsWith(absl::AsciiStrToLower(req.content_type), "application/json")) {
    for (auto& kv : ParseFormEncoded(req.body)) params.push_back(std::move(kv));
  }
  HttpResponse resp;
  resp.content_type = "text/plain";
  auto done = [&](int status, const std::string& msg, int grpc_code, const std::string& who) {
    resp.status = status;
    resp.body = msg;
    LogAccess("osmand", who, "/osmand", req.peer, grpc_code, absl::Now() - start);
    return resp;
  };
  absl::StatusOr<location::v1::FixBatch> batch = ParseOsmAnd(params);
  if (!batch.ok()) return done(400, std::string(batch.status().message()), 3, "");
  absl::StatusOr<std::string> worker = identity->DeviceWorker(batch->device_id());
  if (!worker.ok()) return done(403, "device is not bound to a worker", 7, "");
  batch->set_worker_id(*worker);
  rpc::Principal p;
  p.set_subject("gateway-osmand");
  p.set_role(common::v1::ROLE_SERVICE);
  *p.mutable_expires_at() = service::ToProto(absl::Now() + absl::Minutes(1));
  std::shared_ptr<grpc::Channel> ch = upstreams->Channel(Upstream::kLocation);
  if (router != nullptr && router->Routes(Upstream::kLocation)) {
    absl::StatusOr<ShardRouter::Target> t = router->RouteRequest(Upstream::kLocation, *batch, p);
    if (!t.ok()) return done(503, std::string(t.status().message()), 14, *worker);
    ch = t->channel;
  }
  if (ch == nullptr) return done(503, "location not configured", 14, *worker);
  auto stub = location::v1::LocationService::NewStub(ch);
  auto ctx = rpc::NewCallContext(absl::Seconds(10));
  principals->Attach(p, ctx.get());
  location::v1::BatchAck ack;
  grpc::Status s = stub->IngestFixes(ctx.get(), *batch, &ack);
  if (!s.ok()) {
    int http = s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? 400 : 503;
    return done(http, s.error_message(), s.error_code(), *worker);
  }
  return done(200, ack.rejections_size() > 0 ? "rejected" : "ok", 0, *worker);
}

}  // namespace gridwork::gateway
