#include "services/gateway/http_api.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gridwork/core/json_escape.h"
#include "gridwork/rpc/metrics_interceptor.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/request_auth.h"

namespace gridwork::gateway {

HttpResponse HandleApiCall(LoopbackClient* loopback, const HttpRequest& req) {
  absl::string_view rest = req.path;
  absl::ConsumePrefix(&rest, "/api");
  LoopbackCall call;
  call.method = std::string(rest);
  call.bearer = BearerToken(req.authorization);
  call.peer = req.peer;
  call.upstream = req.Param("upstream");
  if (req.method != "POST") {
    return ErrorResponse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                      "call API methods with POST and a JSON body"));
  }
  const google::protobuf::MethodDescriptor* m = FindMethod(call.method);
  std::string request_bytes;
  if (m != nullptr) {
    if (m->client_streaming() || m->server_streaming()) {
      return ErrorResponse(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          "streaming method: use GET /api/<Service>/<Method>/stream (server streaming) or gRPC"));
    }
    absl::StatusOr<std::string> bytes = JsonToRequestBytes(m, req.body);
    if (!bytes.ok()) {
      return ErrorResponse(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(bytes.status().message())));
    }
    request_bytes = *std::move(bytes);
  }
  // Unknown methods still go through the gate, which answers 401 or 403 like for gRPC.
  std::string response_bytes;
  grpc::Status s = loopback->Unary(call, request_bytes, &response_bytes);
  if (!s.ok()) return ErrorResponse(s);
  if (m == nullptr) return ErrorResponse(grpc::Status(grpc::StatusCode::INTERNAL, "no type"));
  absl::StatusOr<std::string> json = ResponseBytesToJson(m, response_bytes);
  if (!json.ok()) {
    return ErrorResponse(
        grpc::Status(grpc::StatusCode::INTERNAL, std::string(json.status().message())));
  }
  HttpResponse r;
  r.body = *std::move(json);
  return r;
}

HttpResponse HandleApiStream(LoopbackClient* loopback, const HttpRequest& req,
                             const std::function<SseSink()>& start, bool* streamed) {
  *streamed = false;
  absl::string_view rest = req.path;
  absl::ConsumePrefix(&rest, "/api");
  absl::ConsumeSuffix(&rest, "/stream");
  LoopbackCall call;
  call.method = std::string(rest);
  call.bearer = BearerToken(req.authorization);
  if (call.bearer.empty()) call.bearer = req.Param("access_token");
  call.peer = req.peer;
  call.upstream = req.Param("upstream");
  call.timeout = absl::Hours(24);
  const google::protobuf::MethodDescriptor* m = FindMethod(call.method);
  std::string request_bytes;
  if (m != nullptr) {
    if (!m->server_streaming() || m->client_streaming()) {
      return ErrorResponse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "only server-streaming methods stream over HTTP"));
    }
    QueryParams fields;
    for (const auto& kv : req.query) {
      if (kv.first != "access_token" && kv.first != "upstream") fields.push_back(kv);
    }
    absl::StatusOr<std::string> bytes = QueryToRequestBytes(m, fields);
    if (!bytes.ok()) {
      return ErrorResponse(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(bytes.status().message())));
    }
    request_bytes = *std::move(bytes);
  }
  // Headers go out with the first message (or with the end frame), so a refusal before any
  // message still becomes a plain HTTP error (401/403/...) rather than an event.
  SseSink sink;
  bool gone = false;
  grpc::Status s = loopback->ServerStream(call, request_bytes, [&](const std::string& bytes) {
    if (m == nullptr) return false;
    absl::StatusOr<std::string> json = ResponseBytesToJson(m, bytes);
    if (!json.ok()) return false;
    if (!sink) {
      sink = start();
      *streamed = true;
    }
    if (!sink("", *json)) {
      gone = true;
      return false;
    }
    return true;
  });
  if (!*streamed) return ErrorResponse(s.ok() ? grpc::Status(grpc::StatusCode::OK, "") : s);
  if (!gone) {
    std::string end = "{\"code\":";
    AppendJsonString(rpc::GrpcCodeName(s.error_code()), &end);
    end += ",\"message\":";
    AppendJsonString(s.error_message(), &end);
    end += "}";
    (void)sink("end", end);
  }
  return HttpResponse();
}

}  // namespace gridwork::gateway
